#!/usr/bin/env python3
"""Offline measurement (docs/METHOD.md, "Measured and not adopted on 2026-12-07"): a small U-Net
trained on synthetic defects of the texture critic's kinds, on a product's good training images only,
scored on the benchmark's test images as the critic is. Not part of the product; needs PyTorch:

    python3 -m venv /tmp/torch && /tmp/torch/bin/pip install numpy scipy pillow \
        torch --index-url https://download.pytorch.org/whl/cpu   # (numpy etc. from PyPI)
    /tmp/torch/bin/python scripts/cnn-critic-feasibility.py grass 900 /tmp/cnn-grass

Arguments: product, training seconds (0: load OUT.pt instead of training), OUT (OUT.pt, OUT.json).
Environment: BORDER=N leaves N px at the frame's edge out of the image score; CENTRE=1 subtracts each
frame's median log-odds; SHOW=1 prints the image scores per kind.
"""
import os, sys, time, json, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from PIL import Image
from scipy import ndimage as ndi
from scipy.stats import rankdata

prod = sys.argv[1]; seconds = float(sys.argv[2]); out = sys.argv[3]
D = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../shared/data/rgi-bench', prod)
torch.manual_seed(0); rng = np.random.default_rng(0); torch.set_num_threads(2)
load = lambda p: np.asarray(Image.open(p).convert('L')).astype(np.float32) / 255
names = sorted(os.listdir(f'{D}/train/good'))
goods = [load(f'{D}/train/good/{n}') for n in names[:170]]

def blob(h, w):
    for _ in range(20):
        s = rng.uniform(3, 9); n = ndi.gaussian_filter(rng.standard_normal((h, w)), s)
        cy, cx = rng.integers(0, h), rng.integers(0, w); r = rng.uniform(6, 25)
        yy, xx = np.mgrid[:h, :w]; env = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * r * r))
        m = (n / n.std() + 2.5 * env) > 2.0
        lab, k = ndi.label(m)
        if k == 0: continue
        sizes = ndi.sum(m, lab, range(1, k + 1)); i = np.argmax(sizes) + 1
        m = lab == i
        if 40 <= m.sum() <= 2000: return m
    return None

def curve(h, w):
    m = np.zeros((h, w), bool); y, x = rng.uniform(0, h), rng.uniform(0, w); a = rng.uniform(0, 2 * np.pi)
    width = rng.integers(1, 4)
    for _ in range(rng.integers(20, 80)):
        a += rng.normal(0, 0.15); y += np.sin(a); x += np.cos(a)
        yi, xi = int(y), int(x)
        if 0 <= yi < h and 0 <= xi < w: m[max(0, yi - width // 2):yi + (width + 1) // 2, max(0, xi - width // 2):xi + (width + 1) // 2] = True
    return m if m.sum() >= 15 else None

def matched(src, tgt, m):
    s = src[m]; t = tgt[m]
    return (src - s.mean()) / (s.std() + 1e-4) * t.std() + t.mean()

def defect(img):
    h, w = img.shape; thin = rng.uniform() < 0.25
    m = curve(h, w) if thin else blob(h, w)
    if m is None: return img, np.zeros_like(img, bool)
    alpha = np.clip(ndi.gaussian_filter(m.astype(np.float32), 0.7), 0, 1)
    kind = rng.integers(0, 5) if not thin else rng.integers(0, 6)
    if kind == 0: new = img * rng.uniform(0.3, 0.8)
    elif kind == 1: new = np.clip(img * rng.uniform(1.2, 1.7), 0, 1)
    elif kind == 2:
        o = goods[rng.integers(len(goods))]; o = np.rot90(o, rng.integers(4))
        if rng.uniform() < 0.5:
            o = ndi.zoom(o, 2, order=1); oy, ox = rng.integers(0, o.shape[0] - h + 1), rng.integers(0, o.shape[1] - w + 1); o = o[oy:oy + h, ox:ox + w]
        else:
            o = np.roll(o, (rng.integers(h), rng.integers(w)), (0, 1))
        new = matched(o, img, m)
    elif kind == 3:
        n = ndi.gaussian_filter(rng.standard_normal((h, w)), rng.uniform(0.5, 4))
        if rng.uniform() < 0.5: n = np.digitize(n, np.quantile(n, np.sort(rng.uniform(0, 1, rng.integers(1, 4))))).astype(np.float32)
        new = matched(n, img, m)
    elif kind == 4: new = img + rng.normal(0, rng.uniform(0.1, 0.3) / 2, img.shape)
    else: new = np.full_like(img, rng.choice([0.05, 0.95]))
    return np.clip(img * (1 - alpha) + new * alpha, 0, 1).astype(np.float32), m

def sample(batch):
    xs, ys = [], []
    for _ in range(batch):
        im = np.rot90(goods[rng.integers(len(goods))], rng.integers(4))
        if rng.uniform() < 0.5: im = im[:, ::-1]
        im = im.copy(); lab = np.zeros(im.shape, bool)
        for _ in range(rng.integers(0, 3)):
            im, m = defect(im); lab |= m
        xs.append(im); ys.append(lab)
    return torch.tensor(np.stack(xs))[:, None], torch.tensor(np.stack(ys), dtype=torch.float32)[:, None]

def norm(x):  # centred on the frame, as the critic is
    med = x.flatten(1).median(1).values[:, None, None, None]
    mad = (x - med).abs().flatten(1).median(1).values[:, None, None, None]
    return (x - med) / (1.4826 * mad + 1e-3)

def block(i, o): return nn.Sequential(nn.Conv2d(i, o, 3, padding=1), nn.BatchNorm2d(o), nn.LeakyReLU(0.1), nn.Conv2d(o, o, 3, padding=1), nn.BatchNorm2d(o), nn.LeakyReLU(0.1))
class UNet(nn.Module):
    def __init__(s, w=16):
        super().__init__()
        s.e1 = block(1, w); s.e2 = block(w, 2 * w); s.e3 = block(2 * w, 4 * w); s.e4 = block(4 * w, 4 * w)
        s.d3 = block(8 * w, 2 * w); s.d2 = block(4 * w, w); s.d1 = block(2 * w, w); s.out = nn.Conv2d(w, 1, 1)
    def forward(s, x):
        x = norm(x); a = s.e1(x); b = s.e2(F.avg_pool2d(a, 2)); c = s.e3(F.avg_pool2d(b, 2)); d = s.e4(F.avg_pool2d(c, 2))
        u = s.d3(torch.cat([F.interpolate(d, scale_factor=2), c], 1)); u = s.d2(torch.cat([F.interpolate(u, scale_factor=2), b], 1))
        u = s.d1(torch.cat([F.interpolate(u, scale_factor=2), a], 1)); return s.out(u)

net = UNet(); opt = torch.optim.Adam(net.parameters(), 1e-3)
t0 = time.time(); step = 0
if seconds == 0: net.load_state_dict(torch.load(out + '.pt'))
while time.time() - t0 < seconds:
    x, y = sample(16)
    logit = net(x)
    loss = F.binary_cross_entropy_with_logits(logit, y, pos_weight=torch.tensor(5.0))
    opt.zero_grad(); loss.backward(); opt.step(); step += 1
    if step % 50 == 0: print(f'step {step} loss {loss.item():.4f} {time.time() - t0:.0f}s', flush=True)
if seconds > 0: torch.save(net.state_dict(), out + '.pt')

net.eval()
def auroc(s, l):
    s = np.asarray(s); l = np.asarray(l, bool); r = rankdata(s); p = l.sum(); n = (~l).sum(); return (r[l].sum() - p * (p + 1) / 2) / (p * n)
rows = []; pix_s = []; pix_l = []
with torch.no_grad():
    for k in sorted(os.listdir(f'{D}/test')):
        for f in sorted(os.listdir(f'{D}/test/{k}')):
            x = load(f'{D}/test/{k}/{f}')
            s = net(torch.tensor(x)[None, None])[0, 0].numpy()
            s = ndi.gaussian_filter(s, 4)
            if os.environ.get('CENTRE'): s = s - np.median(s)
            if os.environ.get('CENTRE') == '2': s = s / (np.median(np.abs(s)) + 1e-3)
            g = np.zeros(x.shape, bool) if k == 'good' else load(f'{D}/ground_truth/{k}/{f[:-4]}_mask.png') > 0.5
            pix_s.append(s.ravel()[::3]); pix_l.append(g.ravel()[::3])
            b = int(os.environ.get('BORDER', '0')); si = s[b:128 - b, b:128 - b] if b else s
            rows.append((k, np.sort(si.ravel())[-64], si.max()))
k = np.array([r[0] for r in rows]); lab = k != 'good'
ps = np.concatenate(pix_s); pl = np.concatenate(pix_l)
res = {'steps': step, 'pixel_auroc': auroc(ps, pl)}
for j, name in [(1, 'area64'), (2, 'max')]:
    sc = np.array([r[j] for r in rows]); bad = np.sort(sc[lab]); t = bad[len(bad) - int(np.ceil(0.95 * len(bad)))]
    res[name] = {'image_auroc': auroc(sc, lab), 'fcr_at_recall_95': float((sc[~lab] >= t).mean()),
                 'per_kind': {kk: round(auroc(np.r_[sc[~lab], sc[k == kk]], np.r_[np.zeros((~lab).sum(), bool), np.ones((k == kk).sum(), bool)]), 3) for kk in sorted(set(k)) if kk != 'good'}}
print(json.dumps(res, indent=1))
if seconds > 0: json.dump(res, open(out + '.json', 'w'), indent=1)
if os.environ.get('SHOW'):
    for kk in sorted(set(k)): print(kk, np.round(np.sort(np.array([r[1] for r in rows])[k == kk]), 2))

#!/usr/bin/env python3
"""Offline check of a restoration not adopted (docs/METHOD.md, "Measured and not adopted on 2026-12-05"):
a stain restored as the frame times a gain instead of G's fill, from an `rgictl evaluate --out PRED` run.

  scripts/stain-gain.py PRED DATA/PRODUCT

Per restored region (where restored.png differs from frame.png): the gain k is read off the log ratio
of restoration to frame, blurred with σ 2, at its median over the region's mask; the stain's support is
where that log ratio lies nearer log k than 0; k itself is the per-pixel median over the support's
interior (eroded by 2 px, away from the blurred edge). A region counts as a stain where 1.25 < k < 4
(or its inverse) and the support's interior keeps the frame's grain (fine detail over mean within
0.5–2× the frame's away from the defects): there the restoration becomes frame · k and the mask the
support. Prints per defect kind the restoration PSNR gain (G's fill, gain-corrected) and mask F1
(reported, with the support). Needs numpy, scipy and Pillow (`make python`).
"""
import glob, os, sys
import numpy as np
from PIL import Image
from scipy import ndimage as ndi

pred, data = sys.argv[1], sys.argv[2]
load = lambda p: np.asarray(Image.open(p).convert('L')).astype(float) / 255


def psnr(a, c, m):
    return 10 * np.log10(1 / max(((a - c)[m] ** 2).mean(), 1e-12))


gains, counts = {}, {}
for kind in sorted(os.listdir(f'{data}/test')):
    for path in sorted(glob.glob(f'{data}/test/{kind}/*.png')):
        name, report = os.path.basename(path)[:-4], f'{pred}/{kind}/{os.path.basename(path)[:-4]}'
        y, R, M = load(path), load(f'{report}/restored.png'), load(f'{report}/mask.png') > .5
        good = kind == 'good'
        gt = np.zeros_like(M) if good else load(f'{data}/ground_truth/{kind}/{name}_mask.png') > .5
        clean = y if good else load(f'{data}/clean/{kind}/{name}.png')
        restored = ndi.binary_fill_holes(ndi.binary_closing(np.abs(R - y) > 0.5 / 255, iterations=2) | (np.abs(R - y) > 0.5 / 255))
        blur = lambda v: ndi.gaussian_filter(v, 2, mode='mirror')
        blurred = np.log(np.maximum(blur(R), 2e-3) / np.maximum(blur(y), 2e-3))
        per_pixel = np.log(np.maximum(R, 2e-3) / np.maximum(y, 2e-3))
        fine = y - ndi.gaussian_filter(y, 1, mode='mirror')
        away = ~ndi.binary_dilation(restored, iterations=4)
        grain = fine[away].std() / max(y[away].mean(), 1e-3)
        labels, count = ndi.label(restored)
        mask, h = M.copy(), R.copy()
        for label in range(1, count + 1):
            region = labels == label
            seed = region & M if (region & M).sum() > 8 else region
            k0 = np.median(blurred[seed])
            support = region & (blurred * np.sign(k0) > abs(k0) / 2)
            if support.sum() < 8:
                continue
            core = ndi.binary_erosion(support, iterations=2)
            core = core if core.sum() >= 8 else support
            k = np.median(per_pixel[core])
            ratio = fine[core].std() / max(y[core].mean(), 1e-3) / grain
            if np.log(1.25) < abs(k) < np.log(4) and 0.5 < ratio < 2:
                mask[region] = support[region]
                h[support] = np.clip(y[support] * np.exp(k), 0, 1)
        if not good:
            before = psnr(y, clean, gt)
            gains.setdefault(kind, []).append([psnr(R, clean, gt) - before, psnr(h, clean, gt) - before])
        for key in (kind, 'all'):
            for which, m in (('reported', M), ('support', mask)):
                t = counts.setdefault((key, which), [0, 0, 0])
                t[0] += (m & gt).sum(); t[1] += m.sum(); t[2] += gt.sum()

f1 = lambda t: 2 * t[0] / max(t[1] + t[2], 1)
every = [g for v in gains.values() for g in v]
for kind, v in list(gains.items()) + [('all', every)]:
    g = np.array(v).mean(0)
    print(f'{kind:9s} gain G {g[0]:6.2f}  corrected {g[1]:6.2f} dB   mask F1 {f1(counts[(kind, "reported")]):.3f} -> {f1(counts[(kind, "support")]):.3f}')

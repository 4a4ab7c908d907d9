#!/usr/bin/env python3
"""Offline measurement (docs/RESULTS.md, "What the generator must reproduce on grass"): the training
recipe of `rgictl train` (Sources/RGI/Trainer.swift: the same G, E and spectrally normalised D, L1
reconstruction, hinge adversarial term at 0.05, a quarter of extra random latents, the moment penalty,
EMA of G, cosine learning rate) rebuilt in PyTorch, so that other generator losses can be tried in
minutes. Not part of the product; needs PyTorch (see scripts/cnn-critic-feasibility.py for the venv):

    /tmp/torch/bin/python scripts/generator-loss-feasibility.py --steps 1500 --out /tmp/base
    ... --gram 1                        Gram matrices of D's first three feature maps, recon and random latents
    ... --gram 1 --gramsrc bank         the same on a fixed bank of random filters (3, 5, 9, 15 px)
    ... --blur 2 [--adv 0.3]            L1 between Gaussian-blurred tiles only (σ px): the fine detail left to D
    ... --blur 2 --gram 0.1 --gramrand 0
    ... --fm 1 [--l1 0.1]                L1 between D's feature maps of tile and reconstruction
    ... --spatial 8 [--l1 0] [--adv 1]   latent of 8 channels on an 8×8 grid; without L1, a plain (spatial) GAN

Prints the step count, plain-inversion L1 error of 32 training and 32 test/good tiles (150 Adam steps
from the encoder's latent) and the share of spectral power above 0.25 cycles/px (tools as in RESULTS) of
test tiles, samples and reconstructions; writes OUT-samples.png (G of N(0, I) latents), OUT-post.png (G of
latents drawn from a Gaussian fitted to the encoder's latents) and OUT-recon.png (test tile | inversion).
"""
import os, time, math, copy, argparse, numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from PIL import Image
torch.set_num_threads(2)
ap = argparse.ArgumentParser()
ap.add_argument('--product', default='grass'); ap.add_argument('--steps', type=int, default=1500)
ap.add_argument('--gram', type=float, default=0); ap.add_argument('--gramsrc', default='D', choices=['D', 'bank'])
ap.add_argument('--gramrand', type=int, default=1); ap.add_argument('--fm', type=float, default=0); ap.add_argument('--blur', type=float, default=0)
ap.add_argument('--l1', type=float, default=1); ap.add_argument('--adv', type=float, default=0.05)
ap.add_argument('--seed', type=int, default=1); ap.add_argument('--seconds', type=float, default=1e9)
ap.add_argument('--spatial', type=int, default=0, help='latent of SPATIAL channels on an 8×8 grid instead of 128 numbers')
ap.add_argument('--out', required=True)
a = ap.parse_args()
torch.manual_seed(a.seed); np.random.seed(a.seed)
root = os.path.join(os.path.dirname(os.path.abspath(__file__)), '../../shared/data/rgi-bench', a.product)
files=sorted(os.listdir(root+'/train/good'))
imgs=[np.asarray(Image.open(root+'/train/good/'+f).convert('L')).astype(np.float32)/127.5-1 for f in files]
train=imgs[30:]  # the first 30 left out, as the product holds out 15 % for calibration
tst=[np.asarray(Image.open(root+'/test/good/'+f).convert('L')).astype(np.float32)/127.5-1 for f in sorted(os.listdir(root+'/test/good'))]
T=64; L=128; B=32; R=8
def batch(src,n):
    out=np.empty((n,1,T,T),np.float32)
    for i in range(n):
        im=src[np.random.randint(len(src))]; y=np.random.randint(im.shape[0]-T+1); x=np.random.randint(im.shape[1]-T+1)
        t=im[y:y+T,x:x+T]
        if np.random.rand()<.5: t=t[:,::-1]
        if np.random.rand()<.5: t=t[::-1]
        out[i,0]=t
    return torch.from_numpy(out)
W=[256,128,64,32]
Wr=W[::-1]
if a.spatial:
    # Fully convolutional: z is SPATIAL×8×8, each cell drawing its own neighbourhood.
    L=a.spatial*64
    G=nn.Sequential(nn.Unflatten(1,(a.spatial,8,8)),nn.Conv2d(a.spatial,W[1],3,1,1,bias=False),nn.BatchNorm2d(W[1]),nn.ReLU(),
      *sum([[nn.ConvTranspose2d(f,t,4,2,1,bias=False),nn.BatchNorm2d(t),nn.ReLU()] for f,t in zip(W[1:],W[2:])],[]),
      nn.ConvTranspose2d(W[-1],1,4,2,1),nn.Tanh())
    E=nn.Sequential(nn.Conv2d(1,Wr[0],4,2,1),nn.LeakyReLU(.2),*sum([[nn.Conv2d(f,t,4,2,1,bias=False),nn.BatchNorm2d(t),nn.LeakyReLU(.2)] for f,t in zip(Wr[:2],Wr[1:3])],[]),
      nn.Conv2d(Wr[2],a.spatial,3,1,1),nn.Flatten())
else:
    G=nn.Sequential(nn.Linear(L,W[0]*16,bias=False),nn.Unflatten(1,(W[0],4,4)),nn.BatchNorm2d(W[0]),nn.ReLU(),
      *sum([[nn.ConvTranspose2d(f,t,4,2,1,bias=False),nn.BatchNorm2d(t),nn.ReLU()] for f,t in zip(W,W[1:])],[]),
      nn.ConvTranspose2d(W[-1],1,4,2,1),nn.Tanh())
    E=nn.Sequential(nn.Conv2d(1,Wr[0],4,2,1),nn.LeakyReLU(.2),*sum([[nn.Conv2d(f,t,4,2,1,bias=False),nn.BatchNorm2d(t),nn.LeakyReLU(.2)] for f,t in zip(Wr,Wr[1:])],[]),nn.Flatten(),nn.Linear(Wr[-1]*16,L))
SN=nn.utils.spectral_norm
Dl=[nn.Sequential(SN(nn.Conv2d(1,Wr[0],4,2,1)),nn.LeakyReLU(.2))]+[nn.Sequential(SN(nn.Conv2d(f,t,4,2,1)),nn.LeakyReLU(.2)) for f,t in zip(Wr,Wr[1:])]
D=nn.ModuleList(Dl+[nn.Sequential(nn.Flatten(),SN(nn.Linear(Wr[-1]*16,1)))])
def Dfeat(x):
    fs=[]
    for m in D[:-1]: x=m(x); fs.append(x)
    return D[-1](x),fs
bank=None
if a.gramsrc=='bank':
    g=torch.Generator().manual_seed(7)
    bank=[torch.randn(48,1,k,k,generator=g)/k for k in (3,5,9,15)]
def feats(x):
    if a.gramsrc=='D': return Dfeat(x)[1][:3]
    return [F.relu(F.conv2d(x,w)) for w in bank]
def gram(f):
    b,c,h,w=f.shape; m=f.reshape(b,c,h*w); return m@m.transpose(1,2)/(h*w)
ema=copy.deepcopy(G)
oG=torch.optim.Adam(G.parameters(),1e-3,betas=(.5,.999)); oE=torch.optim.Adam(E.parameters(),1e-3,betas=(.5,.999)); oD=torch.optim.Adam(D.parameters(),2e-4,betas=(0.0,.99))
t0=time.time(); step=0
while step<a.steps and time.time()-t0<a.seconds:
    frac=max(step/a.steps,(time.time()-t0)/a.seconds); lr=1e-3*(0.1+0.9*0.5*(1+math.cos(math.pi*frac)))
    for o in (oG,oE): o.param_groups[0]['lr']=lr
    x=batch(train,B); z=E(x); zz=torch.cat([z,torch.randn(R,L)]); y=G(zz)
    if a.adv>0:
        oD.zero_grad(); lr_=F.relu(1-Dfeat(x)[0]).mean()+F.relu(1+Dfeat(y.detach())[0]).mean(); lr_.backward(); oD.step()
    if a.blur>0:
        k=int(3*a.blur)*2+1; g1=torch.exp(-(torch.arange(k)-k//2)**2/(2*a.blur**2)); g1=g1/g1.sum()
        bl=lambda t: F.conv2d(F.conv2d(F.pad(t,(k//2,k//2,k//2,k//2),mode='reflect'),g1.view(1,1,1,k)),g1.view(1,1,k,1))
        loss=a.l1*(bl(y[:B])-bl(x)).abs().mean()
    else: loss=a.l1*(y[:B]-x).abs().mean()
    if a.adv>0: loss=loss-a.adv*Dfeat(y)[0].mean()
    if a.gram>0 or a.fm>0:
        fr=[f.detach() for f in feats(x)]; ff=feats(y)
        for r_,f_ in zip(fr,ff):
            # D-feature matching of each reconstruction (VAE/GAN's learned similarity), relative to the feature scale.
            if a.fm>0: loss=loss+a.fm*(f_[:B]-r_).abs().mean()/r_.abs().mean()
            if a.gram<=0: continue
            gr=gram(r_); gf=gram(f_); s=(gr**2).mean().detach()+1e-8
            loss=loss+a.gram*((gf[:B]-gr)**2).mean()/s + a.gramrand*a.gram*((gf[B:]-gr.mean(0,keepdim=True))**2).mean()/s
    m=z.mean(0); v=z.var(0,unbiased=False); loss=loss+0.01*((m**2)+(v-1)**2).mean()
    oG.zero_grad(); oE.zero_grad(); loss.backward(); oG.step(); oE.step()
    beta=min(.999,(1+step)/(10+step))
    with torch.no_grad():
        for p,e in zip(G.parameters(),ema.parameters()): e.mul_(beta).add_((1-beta)*p)
    step+=1
    if step%250==0: print(step,round(time.time()-t0),float(loss.detach()),flush=True)
# recalibrate ema BN
ema.train()
for m in ema.modules():
    if isinstance(m,nn.BatchNorm2d): m.reset_running_stats(); m.momentum=None
with torch.no_grad():
    for _ in range(40):
        x=batch(train,B); E.eval(); ema(torch.cat([E(x),torch.randn(R,L)]))
ema.eval(); E.eval()
def invert(xs,iters=150):
    z=E(xs).detach().requires_grad_(True); o=torch.optim.Adam([z],0.05)
    for _ in range(iters):
        o.zero_grad(); l=(ema(z)-xs).abs().mean(); l.backward(); o.step()
    with torch.no_grad(): return ema(z),(ema(z)-xs).abs().mean().item()
np.random.seed(99)
xt=batch(train,32); xh=batch(tst,32)
rt,et=invert(xt); rh,eh=invert(xh)
with torch.no_grad():
    s=ema(torch.randn(32,L))
    zs=torch.cat([E(batch(train,64)) for _ in range(32)]); mu=zs.mean(0); C=torch.cov(zs.T)+1e-4*torch.eye(L)
    Lc=torch.linalg.cholesky(C); s2=ema(mu+torch.randn(32,L)@Lc.T)
def hf(ts):
    f=np.fft.fftfreq(64); Rr=np.sqrt(f[:,None]**2+f[None,:]**2); w=np.outer(np.hanning(64),np.hanning(64)); o=[]
    for t in ts:
        t=t[0]-t[0].mean(); P=np.abs(np.fft.fft2(t*w))**2; o.append(P[Rr>0.25].sum()/P[Rr>0.02].sum())
    return np.mean(o)
print(f'RESULT steps {step} sec {time.time()-t0:.0f} train_err {et:.3f} test_err {eh:.3f} ratio {eh/et:.2f} hf real {hf(xh.numpy()):.3f} samples {hf(s.numpy()):.3f} recon {hf(rh.numpy()):.3f}')
def grid(ts,cols):
    ts=((ts.numpy()[:,0]+1)*127.5).clip(0,255).astype(np.uint8); n=len(ts); rows=(n+cols-1)//cols
    g=np.full((2+66*rows,2+66*cols),255,np.uint8)
    for i,t in enumerate(ts): r,c=divmod(i,cols); g[2+66*r:66+66*r,2+66*c:66+66*c]=t
    return g
Image.fromarray(grid(s[:16],8)).save(a.out+'-samples.png'); Image.fromarray(grid(s2[:16],8)).save(a.out+'-post.png'); print('post hf %.3f'%hf(s2.numpy()))
inter=torch.stack([v for p in zip(xh[:8],rh[:8]) for v in p])
Image.fromarray(grid(inter,8)).save(a.out+'-recon.png')

"""Golden fixtures for PoseKD.Engine.Ot (Sinkhorn divergence and kernel losses between weighted point clouds).

Runs the real geomloss 0.2.4 (the version the distillation reference pins), which must be on PYTHONPATH:

    PYTHONPATH=/path/to/geomloss-0.2.4 /usr/bin/python3 tools/golden/geomloss_sinkhorn.py

geomloss's optional KeOps import fails quietly and the "tensorized" backend is forced, so no GPU or
KeOps is needed. Inputs are drawn in float32 (the values PoseKD's float32 tensors hold) and the loss is
evaluated in float64 from those exact values, so the fixture is the float32 input's exact answer rather
than one float32 run's rounding.

Writes tests/PoseKD.Engine.Tests/Fixtures/ot/geomloss_sinkhorn.safetensors. Every case NAME stores
  NAME.a [B,N], NAME.x [B,N,D], NAME.b [B,M], NAME.y [B,M,D]   inputs
  NAME.out [B]                                                  SamplesLoss(...)(a, x, b, y)
  NAME.gout [B]                                                 a fixed random upstream gradient
  NAME.ga, NAME.gx, NAME.gb, NAME.gy                            gradients of (out * gout).sum()
and the metadata entry NAME holds the SamplesLoss arguments as JSON.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

from geomloss import SamplesLoss  # noqa: E402  (from PYTHONPATH)

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Engine.Tests",
                   "Fixtures", "ot", "geomloss_sinkhorn.safetensors")

gen = torch.Generator().manual_seed(20231201)
store, meta = {}, {}


def rand(*shape, lo=0.0, hi=1.0):
    return torch.rand(shape, generator=gen) * (hi - lo) + lo


def case(name, a, x, b, y, loss="sinkhorn", p=2, blur=0.05, reach=None, scaling=0.5, debias=True):
    a, x, b, y = (t.float().double().requires_grad_(True) for t in (a, x, b, y))
    fn = SamplesLoss(loss, p=p, blur=blur, reach=reach, scaling=scaling, debias=debias, backend="tensorized")
    out = fn(a, x, b, y)
    gout = torch.randn(out.shape, generator=gen).double()
    (out * gout).sum().backward()
    for key, t in (("a", a), ("x", x), ("b", b), ("y", y)):
        store[f"{name}.{key}"] = t.detach()
        store[f"{name}.g{key}"] = t.grad if t.grad is not None else torch.zeros_like(t)
    store[f"{name}.out"] = out.detach()
    store[f"{name}.gout"] = gout
    meta[name] = json.dumps({"loss": loss, "p": p, "blur": blur, "reach": reach, "scaling": scaling, "debias": debias})
    print(f"{name:28s} out[0]={out[0].item(): .8e}")


def weights(B, N, lo=0.05, hi=1.0, normalise=False):
    w = rand(B, N, lo=lo, hi=hi)
    return w / w.sum(1, keepdim=True) if normalise else w


# balanced (reach None) needs equal masses: normalised weights.
for p in (1, 2):
    case(f"bal_deb_p{p}_b1", weights(1, 7, normalise=True), rand(1, 7, 2), weights(1, 5, normalise=True), rand(1, 5, 2), p=p)
    case(f"bal_raw_p{p}_b8", weights(8, 6, normalise=True), rand(8, 6, 2), weights(8, 9, normalise=True), rand(8, 9, 2), p=p, debias=False)
    case(f"unb_deb_p{p}_b8", weights(8, 6), rand(8, 6, 2), weights(8, 9), rand(8, 9, 2), p=p, reach=0.5)
    case(f"unb_raw_p{p}_b1", weights(1, 8), rand(1, 8, 2), weights(1, 4), rand(1, 4, 2), p=p, reach=0.3, debias=False)
    case(f"bal_deb_p{p}_tinyblur", weights(8, 6, normalise=True), rand(8, 6, 2), weights(8, 7, normalise=True), rand(8, 7, 2), p=p, blur=1e-3)
    case(f"bal_deb_p{p}_largeblur", weights(8, 6, normalise=True), rand(8, 6, 2), weights(8, 7, normalise=True), rand(8, 7, 2), p=p, blur=10.0)

# the distillation setting: keypoints / (640, 480), clamped sigmoid scores vs squared scores
xs = rand(8, 10, 2, lo=0.3, hi=0.6)
case("kd_like", weights(8, 10, lo=1e-3, hi=1 - 1e-3), xs, weights(8, 12, lo=0.01, hi=0.9) ** 2,
     xs[:, :1, :] + rand(8, 12, 2, lo=-0.05, hi=0.05), blur=0.001, reach=0.5, scaling=0.5)
case("kd_like_raw", weights(8, 10, lo=1e-3, hi=1 - 1e-3), rand(8, 10, 2, lo=0.3, hi=0.6), weights(8, 12, lo=0.01, hi=0.9),
     rand(8, 12, 2, lo=0.3, hi=0.6), blur=0.001, reach=0.5, debias=False)
case("unb_deb_p2_scaling09", weights(8, 5), rand(8, 5, 2), weights(8, 6), rand(8, 6, 2), reach=1.0, blur=0.01, scaling=0.9)

# coinciding clouds: the debiased divergence is 0, gradients vanish
xc, wc = rand(8, 6, 2), weights(8, 6)
case("coincide_unb", wc, xc, wc, xc, blur=0.01, reach=0.5)
wn = wc / wc.sum(1, keepdim=True)
case("coincide_bal_p1", wn, xc, wn, xc, p=1, blur=0.01)

# one point against many
case("one_vs_many_unb", weights(8, 1), rand(8, 1, 2), weights(8, 12), rand(8, 12, 2), blur=0.01, reach=0.5)
case("one_vs_many_bal", torch.ones(8, 1), rand(8, 1, 2), weights(8, 12, normalise=True), rand(8, 12, 2), blur=0.01)

# clouds 1e3 apart
xf = rand(8, 6, 2)
case("far_bal_p2", weights(8, 6, normalise=True), xf, weights(8, 7, normalise=True), rand(8, 7, 2) + 1000.0, blur=0.05)
case("far_unb_p1", weights(8, 6), xf, weights(8, 7), rand(8, 7, 2) + 1000.0, p=1, blur=0.05, reach=2.0)

# 3-D points
case("unb_deb_p2_d3", weights(8, 5), rand(8, 5, 3), weights(8, 7), rand(8, 7, 3), blur=0.02, reach=0.5)

# kernel (MMD) losses
for loss in ("gaussian", "laplacian", "energy"):
    case(f"{loss}_b8", weights(8, 6), rand(8, 6, 2), weights(8, 9), rand(8, 9, 2), loss=loss, blur=0.2)
    case(f"{loss}_b1_coincide", wc[:1], xc[:1], wc[:1], xc[:1], loss=loss, blur=0.2)

safetensors_io.write(OUT, store, metadata=meta)
print("wrote", os.path.normpath(OUT), len(store), "tensors")

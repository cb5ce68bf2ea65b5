"""Golden fixtures for the engine's norm/pool/upsample/activation/loss kernels (PoseKD.Engine.Kernels).

Run with Debian's python3 (torch 1.13):  /usr/bin/python3 tools/golden/nn_kernels.py
Writes tests/PoseKD.Engine.Tests/Fixtures/nn/<kernel>.safetensors. Each file holds several cases named
"<case>.<tensor>"; the metadata entry "cases" is a JSON list of {"name", ...parameters}. Gradients are for a fixed
random upstream gradient "dy" (or a scalar upstream for reduced losses).
"""
import json
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Engine.Tests", "Fixtures", "nn")
torch.manual_seed(1234)


def leaf(t):
    return t.clone().detach().requires_grad_(True)


def save(name, tensors, cases):
    write(os.path.join(OUT, name + ".safetensors"), tensors, {"cases": json.dumps(cases)})


def batchnorm():
    tensors, cases = {}, []
    for ci, (n, c, h, w, steps) in enumerate([(2, 3, 5, 7, 3), (4, 8, 6, 6, 3), (3, 2, 1, 5, 4), (1, 4, 3, 3, 3)]):
        name = f"c{ci}"
        cases.append({"name": name, "n": n, "c": c, "h": h, "w": w, "steps": steps, "momentum": 0.1, "eps": 1e-5})
        weight = torch.rand(c) + 0.5
        bias = torch.randn(c) * 0.3
        rm = torch.randn(c) * 0.1
        rv = torch.rand(c) + 0.5
        tensors[f"{name}.weight"], tensors[f"{name}.bias"] = weight, bias
        tensors[f"{name}.running_mean0"], tensors[f"{name}.running_var0"] = rm.clone(), rv.clone()
        for s in range(steps):
            x = torch.randn(n, c, h, w) * (1 + s) + 0.5 * s
            dy = torch.randn(n, c, h, w)
            xl, wl, bl = leaf(x), leaf(weight), leaf(bias)
            y = F.batch_norm(xl, rm, rv, wl, bl, training=True, momentum=0.1, eps=1e-5)
            y.backward(dy)
            p = f"{name}.step{s}"
            tensors[f"{p}.x"], tensors[f"{p}.dy"], tensors[f"{p}.y"] = x, dy, y
            tensors[f"{p}.dx"], tensors[f"{p}.dweight"], tensors[f"{p}.dbias"] = xl.grad, wl.grad, bl.grad
            tensors[f"{p}.running_mean"], tensors[f"{p}.running_var"] = rm.clone(), rv.clone()
        x = torch.randn(n, c, h, w)
        dy = torch.randn(n, c, h, w)
        xl, wl, bl = leaf(x), leaf(weight), leaf(bias)
        y = F.batch_norm(xl, rm, rv, wl, bl, training=False, eps=1e-5)
        y.backward(dy)
        p = f"{name}.eval"
        tensors[f"{p}.x"], tensors[f"{p}.dy"], tensors[f"{p}.y"] = x, dy, y
        tensors[f"{p}.dx"], tensors[f"{p}.dweight"], tensors[f"{p}.dbias"] = xl.grad, wl.grad, bl.grad
    save("batchnorm", tensors, cases)


def groupnorm():
    tensors, cases = {}, []
    shapes = [(2, 8, 5, 3, 1), (2, 8, 5, 3, 2), (2, 8, 5, 3, 4), (2, 8, 5, 3, 8), (3, 6, 4, 4, 3), (2, 64, 4, 4, 32), (1, 4, 7, 1, 2)]
    for ci, (n, c, h, w, g) in enumerate(shapes):
        name = f"c{ci}"
        cases.append({"name": name, "n": n, "c": c, "h": h, "w": w, "groups": g, "eps": 1e-5})
        x = torch.randn(n, c, h, w) * 2 + 0.7
        weight = torch.rand(c) + 0.5
        bias = torch.randn(c) * 0.3
        dy = torch.randn(n, c, h, w)
        xl, wl, bl = leaf(x), leaf(weight), leaf(bias)
        y = F.group_norm(xl, g, wl, bl, eps=1e-5)
        y.backward(dy)
        for k, v in {"x": x, "weight": weight, "bias": bias, "dy": dy, "y": y, "dx": xl.grad, "dweight": wl.grad, "dbias": bl.grad}.items():
            tensors[f"{name}.{k}"] = v
    save("groupnorm", tensors, cases)


def maxpool():
    tensors, cases = {}, []
    shapes = [(2, 3, 8, 8, 2, 2, 0), (2, 3, 7, 9, 2, 2, 0), (2, 2, 9, 7, 3, 2, 1), (1, 2, 6, 6, 3, 1, 1), (2, 2, 5, 6, 2, 1, 1), (1, 3, 4, 4, 2, 2, 1)]
    for ci, (n, c, h, w, k, s, p) in enumerate(shapes):
        name = f"c{ci}"
        cases.append({"name": name, "n": n, "c": c, "h": h, "w": w, "kernel": k, "stride": s, "padding": p})
        # values on a coarse grid so that windows contain ties
        x = torch.round(torch.randn(n, c, h, w) * 2) / 2
        xl = leaf(x)
        y, idx = F.max_pool2d(xl, k, s, p, return_indices=True)
        dy = torch.randn(y.shape)
        y.backward(dy)
        for kk, v in {"x": x, "dy": dy, "y": y, "indices": idx, "dx": xl.grad}.items():
            tensors[f"{name}.{kk}"] = v
    save("maxpool", tensors, cases)


def upsample():
    tensors, cases = {}, []
    for ci, (n, c, h, w, s) in enumerate([(2, 3, 4, 5, 2), (1, 2, 3, 3, 3), (2, 1, 1, 1, 2), (1, 2, 5, 3, 4)]):
        name = f"c{ci}"
        cases.append({"name": name, "n": n, "c": c, "h": h, "w": w, "scale": s})
        x = torch.randn(n, c, h, w)
        xl = leaf(x)
        y = F.interpolate(xl, scale_factor=s, mode="nearest")
        dy = torch.randn(y.shape)
        y.backward(dy)
        for kk, v in {"x": x, "dy": dy, "y": y, "dx": xl.grad}.items():
            tensors[f"{name}.{kk}"] = v
    save("upsample", tensors, cases)


def activation():
    tensors, cases = {}, []
    for ci, (shape, slope) in enumerate([((2, 3, 5, 5), 0.0), ((2, 3, 5, 5), 0.1), ((1, 7, 3, 1), 0.01)]):
        name = f"c{ci}"
        cases.append({"name": name, "slope": slope})
        x = torch.randn(*shape)
        x.view(-1)[::7] = 0.0  # exact zeros: gradient convention at the kink
        xl = leaf(x)
        y = F.relu(xl) if slope == 0.0 else F.leaky_relu(xl, slope)
        dy = torch.randn(*shape)
        y.backward(dy)
        for kk, v in {"x": x, "dy": dy, "y": y, "dx": xl.grad}.items():
            tensors[f"{name}.{kk}"] = v
    save("activation", tensors, cases)


def smoothl1():
    tensors, cases = {}, []
    for ci, (count, beta, reduction) in enumerate([(60, 1.0, "none"), (60, 1.0, "sum"), (60, 1.0, "mean"), (45, 0.5, "mean"), (33, 0.02, "sum")]):
        name = f"c{ci}"
        cases.append({"name": name, "beta": beta, "reduction": reduction})
        x = torch.randn(count) * 2
        t = torch.randn(count) * 2
        xl, tl = leaf(x), leaf(t)
        loss = F.smooth_l1_loss(xl, tl, reduction=reduction, beta=beta)
        dy = torch.randn(count) if reduction == "none" else torch.tensor(1.7)
        loss.backward(dy)
        for kk, v in {"x": x, "target": t, "dy": dy, "loss": loss, "dx": xl.grad, "dtarget": tl.grad}.items():
            tensors[f"{name}.{kk}"] = v
    save("smoothl1", tensors, cases)


def focal_reference(logits, labels, gamma, alpha, eps):
    """The class loss of docs/method.md §4, written from its formula."""
    k = logits.shape[1]
    cls = torch.arange(1, k + 1, dtype=labels.dtype).unsqueeze(0)
    t = labels.unsqueeze(1)
    p = torch.clamp(torch.sigmoid(logits), min=eps, max=1 - eps)
    pos = (t == cls).float()
    neg = ((t != cls) & (t >= 0)).float()
    return (-pos * alpha * (1 - p) ** gamma * torch.log(p) - neg * (1 - alpha) * p ** gamma * torch.log(1 - p)).sum()


def focal():
    tensors, cases = {}, []
    for ci, (cells, k, gamma, alpha) in enumerate([(64, 1, 2.0, 0.25), (50, 3, 2.0, 0.25), (40, 2, 1.5, 0.5)]):
        name = f"c{ci}"
        cases.append({"name": name, "cells": cells, "classes": k, "gamma": gamma, "alpha": alpha, "eps": 1e-4})
        logits = torch.randn(cells, k) * 3
        logits[0, :] = 20.0
        logits[1, :] = -20.0
        logits[2, 0] = 12.0
        logits[3, 0] = -12.0
        labels = torch.randint(-1, k + 1, (cells,))
        labels[0] = 1
        labels[1] = 0
        labels[2] = 0
        labels[3] = 1
        labels[4] = -1
        xl = leaf(logits)
        loss = focal_reference(xl, labels, gamma, alpha, 1e-4)
        dy = torch.tensor(0.1)
        loss.backward(dy)
        for kk, v in {"logits": logits, "labels": labels, "dy": dy, "loss": loss, "dlogits": xl.grad}.items():
            tensors[f"{name}.{kk}"] = v
    save("focal", tensors, cases)


if __name__ == "__main__":
    for f in (batchnorm, groupnorm, maxpool, upsample, activation, smoothl1, focal):
        f()
    print("wrote", sorted(os.listdir(OUT)))

"""Golden fixtures for PoseKD.Engine.Optim (run with Debian's /usr/bin/python3, torch 1.13).

Writes into tests/PoseKD.Engine.Tests/Fixtures/optim/:
  kernels.safetensors    AdamW (6 steps, lr from a one-cycle curve, weight decay 1e-2) and SGD (5 steps:
                         momentum 0.9 with coupled weight decay, plain and Nesterov) on fixed gradients:
                         the parameter after every step and the final optimizer buffers;
                         clip_grad_norm_ on two gradient sets (one clipped, one under the limit)
  onecycle.safetensors   OneCycleLR learning rates (linear, no momentum cycling) for every step 0..total
                         of three configurations (reference-like pct 0.05 / 120 steps, pct 0.3 / 37 steps,
                         cosine pct 0.25 / 50 steps), as float64 bit patterns (int64)
  trajectory.safetensors a 20-step AdamW + OneCycleLR + clip_grad_norm_(1.0) run of a tiny
                         Conv(3→4, 3×3, pad 1, no bias) → BN(4) → LeakyReLU(0.1) → Conv(4→2, 1×1) net on
                         fixed data (loss = mean squared error): initial weights, the weights and BN
                         running statistics after every step, and the learning rate of every step
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Engine.Tests", "Fixtures", "optim")


def f64_bits(values):
    """float64 values as their int64 bit patterns (safetensors_io stores floats as F32), for exact comparison."""
    return np.asarray(values, dtype="<f8").view("<i8")


def kernels():
    g = torch.Generator().manual_seed(1)
    out = {}
    # AdamW on fixed gradients, lr following a one-cycle curve.
    p = torch.nn.Parameter(torch.randn(37, generator=g))
    out["adamw.p0"] = p.detach().clone()
    opt = torch.optim.AdamW([p], lr=3e-2, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 3e-2, 10, pct_start=0.3, cycle_momentum=False, anneal_strategy="linear")
    grads, params, lrs = [], [], []
    for _ in range(6):
        gr = torch.randn(37, generator=g) * 0.5
        p.grad = gr.clone()
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        grads.append(gr)
        params.append(p.detach().clone())
    out["adamw.grads"] = torch.stack(grads)
    out["adamw.params"] = torch.stack(params)
    out["adamw.lr_bits"] = f64_bits(lrs)
    st = opt.state[p]
    out["adamw.exp_avg"] = st["exp_avg"]
    out["adamw.exp_avg_sq"] = st["exp_avg_sq"]
    # SGD with momentum and coupled weight decay.
    for name, nesterov in (("sgd", False), ("sgd_nesterov", True)):
        p = torch.nn.Parameter(torch.randn(23, generator=g))
        out[name + ".p0"] = p.detach().clone()
        opt = torch.optim.SGD([p], lr=0.05, momentum=0.9, weight_decay=1e-3, nesterov=nesterov)
        grads, params = [], []
        for _ in range(5):
            gr = torch.randn(23, generator=g)
            p.grad = gr.clone()
            opt.step()
            grads.append(gr)
            params.append(p.detach().clone())
        out[name + ".grads"] = torch.stack(grads)
        out[name + ".params"] = torch.stack(params)
        out[name + ".momentum_buffer"] = opt.state[p]["momentum_buffer"]
    # clip_grad_norm_
    for name, scale in (("clip_big", 3.0), ("clip_small", 0.01)):
        ps = [torch.nn.Parameter(torch.zeros(s)) for s in ((4, 3), (5,), (2, 2, 2))]
        for i, q in enumerate(ps):
            q.grad = torch.randn(q.shape, generator=g) * scale
            out[f"{name}.grad{i}"] = q.grad.clone()
        total = torch.nn.utils.clip_grad_norm_(ps, 1.0)
        out[name + ".total_norm"] = total.reshape(1)
        for i, q in enumerate(ps):
            out[f"{name}.clipped{i}"] = q.grad.clone()
    safetensors_io.write(os.path.join(OUT, "kernels.safetensors"), out)


def onecycle():
    out = {}
    for name, total, pct, strategy in (("ref", 120, 0.05, "linear"), ("pct30", 37, 0.3, "linear"), ("cos", 50, 0.25, "cos")):
        p = torch.nn.Parameter(torch.zeros(1))
        opt = torch.optim.AdamW([p], lr=1e-3)
        sched = torch.optim.lr_scheduler.OneCycleLR(opt, 1e-3, total, pct_start=pct, cycle_momentum=False, anneal_strategy=strategy)
        lrs = [opt.param_groups[0]["lr"]]
        for _ in range(total):
            opt.step()
            sched.step()
            lrs.append(opt.param_groups[0]["lr"])
        out[name + "_bits"] = f64_bits(lrs)
    safetensors_io.write(os.path.join(OUT, "onecycle.safetensors"), out)


def trajectory():
    torch.manual_seed(3)
    net = torch.nn.Sequential(
        torch.nn.Conv2d(3, 4, 3, padding=1, bias=False),
        torch.nn.BatchNorm2d(4),
        torch.nn.LeakyReLU(0.1),
        torch.nn.Conv2d(4, 2, 1, bias=True),
    )
    x = torch.randn(2, 3, 6, 6)
    y = torch.randn(2, 2, 6, 6)
    out = {"x": x, "y": y}
    for k, v in net.state_dict().items():
        out["init." + k] = v.clone()
    opt = torch.optim.AdamW(net.parameters(), lr=2e-2, weight_decay=1e-4, eps=1e-8)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, 2e-2, 25, pct_start=0.2, cycle_momentum=False, anneal_strategy="linear")
    steps = {k: [] for k in net.state_dict()}
    losses, norms, lrs = [], [], []
    net.train()
    for _ in range(20):
        opt.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        norms.append(torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0).item())
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        sched.step()
        losses.append(loss.item())
        for k, v in net.state_dict().items():
            steps[k].append(v.clone())
    for k, v in steps.items():
        out["step." + k] = torch.stack(v)
    out["loss"] = torch.tensor(losses)
    out["grad_norm"] = torch.tensor(norms)
    out["lr_bits"] = f64_bits(lrs)
    safetensors_io.write(os.path.join(OUT, "trajectory.safetensors"), out)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    kernels()
    onecycle()
    trajectory()

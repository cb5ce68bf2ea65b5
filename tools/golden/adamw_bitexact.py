"""Bit-exact AdamW fixture for PoseKD.Engine.Optim (run with Debian's /usr/bin/python3, torch 1.13).

Writes tests/PoseKD.Engine.Tests/Fixtures/optim/adamw_bitexact.safetensors: one torch.optim.AdamW step
(lr 1e-3, weight decay 1e-4, eps 1e-8, the reference's settings) from a non-trivial state (step 4 -> 5,
random first and second moments) on 4099 elements (not a multiple of the SIMD width, so the scalar
tail of torch's vectorised CPU kernels is exercised too), and a three-step run from zero state.
The C# test requires the parameter and both moments to be equal bit for bit.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Engine.Tests",
                   "Fixtures", "optim", "adamw_bitexact.safetensors")


def main():
    g = torch.Generator().manual_seed(7)
    n = 4099
    out = {}
    p0 = torch.randn(n, generator=g)
    grad = torch.randn(n, generator=g) * 0.3
    m0 = torch.randn(n, generator=g) * 0.01
    v0 = torch.rand(n, generator=g) * 1e-3
    p = torch.nn.Parameter(p0.clone())
    opt = torch.optim.AdamW([p], lr=1e-3, weight_decay=1e-4, eps=1e-8)
    p.grad = grad.clone()
    opt.state[p] = {"step": torch.tensor(4.0), "exp_avg": m0.clone(), "exp_avg_sq": v0.clone()}
    opt.step()
    out.update({"one.p0": p0, "one.grad": grad, "one.m0": m0, "one.v0": v0, "one.p1": p.detach().clone(),
                "one.m1": opt.state[p]["exp_avg"].clone(), "one.v1": opt.state[p]["exp_avg_sq"].clone()})
    # three steps from zero state, decreasing gradients
    q0 = torch.randn(n, generator=g)
    q = torch.nn.Parameter(q0.clone())
    opt = torch.optim.AdamW([q], lr=1e-3, weight_decay=1e-4, eps=1e-8)
    grads, params = [], []
    for s in range(3):
        gr = torch.randn(n, generator=g) * (0.5 / (s + 1))
        q.grad = gr.clone()
        opt.step()
        grads.append(gr)
        params.append(q.detach().clone())
    out["three.p0"] = q0
    out["three.grads"] = torch.stack(grads)
    out["three.params"] = torch.stack(params)
    safetensors_io.write(OUT, out)


if __name__ == "__main__":
    main()

"""Golden fixtures for conv2d (NCHW, groups=1): forward, grad_input, grad_weight, grad_bias.

Run with Debian's python3 (torch 1.13):  /usr/bin/python3 tools/golden/conv.py
Writes tests/PoseKD.Engine.Tests/Fixtures/conv/conv2d.safetensors with, per case NAME:
  NAME.meta = [n, c, h, w, o, k, stride, padding, has_bias]  (I64)
  NAME.x, NAME.w, NAME.b (when has_bias), NAME.y, NAME.gy (upstream gradient),
  NAME.gx, NAME.gw, NAME.gb (when has_bias)
The loss is sum(y * gy), so the gradients are those of a fixed upstream gradient gy.
"""
import os

import torch

from safetensors_io import write

CASES = [
    # name, n, c, h, w, o, k, stride, padding, bias
    ("k3s1p1_bias", 2, 3, 7, 6, 4, 3, 1, 1, True),
    ("k3s2p1_bias", 3, 5, 9, 9, 2, 3, 2, 1, True),
    ("k1s1p0_nobias", 2, 4, 5, 5, 3, 1, 1, 0, False),
    ("k1s2p0_bias", 2, 4, 8, 7, 3, 1, 2, 0, True),
    ("k3s1p0_nobias", 1, 2, 6, 5, 3, 3, 1, 0, False),
    ("k3s2p0_odd_nobias", 2, 3, 10, 11, 2, 3, 2, 0, False),
    ("k5s1p2_bias", 1, 2, 6, 4, 2, 5, 1, 2, True),
    ("k3s1p1_wide_bias", 2, 16, 4, 4, 8, 3, 1, 1, True),
]


def main():
    torch.manual_seed(1234)
    out = {}
    for name, n, c, h, w, o, k, stride, pad, bias in CASES:
        x = torch.randn(n, c, h, w, dtype=torch.float64, requires_grad=True)
        wt = (torch.randn(o, c, k, k, dtype=torch.float64) / (c * k * k) ** 0.5).requires_grad_()
        b = torch.randn(o, dtype=torch.float64, requires_grad=True) if bias else None
        # Round the inputs to float32 first so the float64 results are exact references for float32 data.
        with torch.no_grad():
            x.copy_(x.float().double())
            wt.copy_(wt.float().double())
            if b is not None:
                b.copy_(b.float().double())
        y = torch.nn.functional.conv2d(x, wt, b, stride=stride, padding=pad)
        gy = torch.randn_like(y).float().double()
        (y * gy).sum().backward()
        out[f"{name}.meta"] = torch.tensor([n, c, h, w, o, k, stride, pad, int(bias)], dtype=torch.int64)
        out[f"{name}.x"] = x
        out[f"{name}.w"] = wt
        out[f"{name}.y"] = y
        out[f"{name}.gy"] = gy
        out[f"{name}.gx"] = x.grad
        out[f"{name}.gw"] = wt.grad
        if b is not None:
            out[f"{name}.b"] = b
            out[f"{name}.gb"] = b.grad
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    path = os.path.join(root, "tests", "PoseKD.Engine.Tests", "Fixtures", "conv", "conv2d.safetensors")
    write(path, out)
    print(f"wrote {path} ({len(CASES)} cases)")


if __name__ == "__main__":
    main()

"""Golden fixtures for PoseKD.Engine.Nn modules (run with Debian's /usr/bin/python3, torch 1.13).

A module with the structure of the reference's Darknet-tiny-H backbone (GUOShuxuan/kd-6d-pose-adlp,
backbone/darknet.py, version 'tiny-h', features only): stages [[8],[16],[8,64,8,64],[16,128,16,128],
[32,256,32,256,64]]; a unit is conv (no bias) -> BatchNorm2d -> LeakyReLU(0.1) named conv/bn/activ;
single-unit stages use 3x3 convs, multi-unit stages alternate 1x1, 3x3, ... starting with 1x1; a 2x2
max-pool `poolN` closes every stage but the last; forward returns the outputs of stages 1, 2, 3, 5.

Weights are not stored: both sides fill every state-dict entry k (in state-dict order) from a formula of
the element index i (see `fill`), in float64, rounded to float32. Writes modules/darknet_tiny_h.safetensors:
  x (2x3x32x32, formula), train.out{1,2,3,5} (train mode, batch statistics), grad.x and parameter
  gradients of L = sum_k sum(out_k * r_k) (r_k formula), full for tensors up to 5000 elements and
  every 37th element otherwise (grad.<key>.strided), running statistics after the train forward,
  eval.out{3,5} (eval mode, running statistics); metadata "keys" = the state_dict keys, newline-separated.
"""
import math
import os
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tests", "PoseKD.Engine.Tests", "Fixtures", "modules")
STAGES = [[8], [16], [8, 64, 8, 64], [16, 128, 16, 128], [32, 256, 32, 256, 64]]


class Unit(nn.Module):
    def __init__(self, cin, cout, k):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=1, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout, eps=1e-5)
        self.activ = nn.LeakyReLU(0.1, inplace=True)

    def forward(self, x):
        return self.activ(self.bn(self.conv(x)))


class DarknetTinyH(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential()
        cin = 3
        for i, stage_channels in enumerate(STAGES):
            stage = nn.Sequential()
            for j, cout in enumerate(stage_channels):
                pointwise = len(stage_channels) > 1 and j % 2 == 0
                stage.add_module("unit{}".format(j + 1), Unit(cin, cout, 1 if pointwise else 3))
                cin = cout
            if i != len(STAGES) - 1:
                stage.add_module("pool{}".format(i + 1), nn.MaxPool2d(kernel_size=2, stride=2))
            self.features.add_module("stage{}".format(i + 1), stage)

    def forward(self, x):
        f = self.features
        o1 = f.stage1(x)
        o2 = f.stage2(o1)
        o3 = f.stage3(o2)
        o5 = f.stage5(f.stage4(o3))
        return [o1, o2, o3, o5]


def fill(key, k, shape):
    """The shared deterministic value of state-dict entry number k (float64 formula -> float32)."""
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n, dtype=np.float64)
    if key.endswith("conv.weight"):
        fan_in = int(np.prod(shape[1:]))
        v = 1.5 / math.sqrt(fan_in) * np.sin(0.37 * i + 1.3 * k)
    elif key.endswith("bn.weight"):
        v = 1.0 + 0.2 * np.sin(0.91 * i + k)
    elif key.endswith("bn.bias"):
        v = 0.1 * np.cos(0.53 * i + k)
    elif key.endswith("running_mean"):
        v = 0.05 * np.sin(i + k)
    elif key.endswith("running_var"):
        v = 1.0 + 0.15 * (1.0 + np.sin(0.7 * i + k))
    else:
        raise KeyError(key)
    return torch.from_numpy(v.astype(np.float32).reshape(shape))


def pattern(n, a, b):
    """x_i = sin(a*i + b) in float64, rounded to float32."""
    return np.sin(a * np.arange(n, dtype=np.float64) + b).astype(np.float32)


def main():
    net = DarknetTinyH()
    sd = net.state_dict()
    keys = list(sd.keys())
    with torch.no_grad():
        for k, key in enumerate(keys):
            if key.endswith("num_batches_tracked"):
                continue
            sd[key].copy_(fill(key, k, tuple(sd[key].shape)))
    out = {}
    x = torch.from_numpy(pattern(2 * 3 * 32 * 32, 0.013, 0.5).reshape(2, 3, 32, 32)).requires_grad_(True)
    out["x"] = x.detach().clone()
    net.train()
    outs = net(x)
    loss = 0
    for idx, o in zip((1, 2, 3, 5), outs):
        r = torch.from_numpy(pattern(o.numel(), 0.1, idx).reshape(o.shape))
        loss = loss + (o * r).sum()
        out["train.out%d" % idx] = o.detach().clone()
    loss.backward()
    out["grad.x"] = x.grad
    for name, p in net.named_parameters():
        g = p.grad.reshape(-1)
        if g.numel() <= 5000:
            out["grad." + name] = p.grad
        else:
            out["grad." + name + ".strided"] = g[::37].clone()
    for name, b in net.named_buffers():
        out["after." + name] = b.clone()
    net.eval()
    with torch.no_grad():
        outs = net(x)
    out["eval.out3"] = outs[2]
    out["eval.out5"] = outs[3]
    os.makedirs(OUT, exist_ok=True)
    safetensors_io.write(os.path.join(OUT, "darknet_tiny_h.safetensors"), out, metadata={"keys": "\n".join(keys)})


if __name__ == "__main__":
    main()

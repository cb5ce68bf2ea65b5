"""Golden fixtures for PoseKD.Model.Network, from the reference implementation's own modules.

Run with Debian's torch (1.13) and the reference on PYTHONPATH:
  PYTHONPATH=/tmp/ref/kd-6d-pose-adlp /usr/bin/python3 tools/golden/model_reference.py

The reference's `backbone` and `models.model` packages are imported unchanged. Optional packages they import
but do not need for building the network (torchvision, trimesh, tqdm, matplotlib, transforms3d, pyrender) are
replaced by inert stub modules at run time, `np.float` (removed in numpy 1.24) is aliased to `float`, and
`Tensor.cuda` is made a no-op; nothing of the reference is copied.

Writes into tests/PoseKD.Model.Tests/Fixtures/network/:
  keys.json                    for each backbone: state_dict keys and shapes in order, parameter counts
                               (total / backbone / fpn / head), the standalone backbone's keys (ImageNet layout)
  tiny_h_weights.pth           darknet_tiny_h PoseModule state_dict (torch.save; BN/GN/scale/bias values randomised)
  tiny_h_forward.safetensors   input [2,3,128,128]; per level k: eval.{feat,cls,reg}.k and train.{feat,cls,reg}.k;
                               grad.<key> (every parameter's gradient of the train-mode objective below, entries
                               0, s, 2s, … with s = ceil(n / 16384)), gradnorm.<key> (its full L2 norm),
                               gradnoise.<key> (max |g32 − g64| / max |g64| of the same module run in float64: the
                               reference's own float32 rounding error, large where a gradient is a sum of cancelling
                               terms, e.g. through train-mode BatchNorm and GroupNorm);
                               evalgrad.<key>, evalgradnorm.<key>, evalgradnoise.<key>: the same in eval mode;
                               after_train.<key> (backbone BN running stats after the train forward)
  tiny_forward.safetensors     darknet_tiny, every parameter/buffer from fill(key, i), input [2,3,64,64], eval outputs
  darknet53_forward.safetensors  the same for darknet53

Objective for gradients: L = Σ_k Σ_i r(i)·cls_k[i] + Σ_k Σ_i r(i + 7)·reg_k[i] + Σ_k Σ_i r(i + 3)·feat_k[i]
(flat NCHW index i within each level), r(i) = ((i·7919) mod 1000)/1000 − 0.5.
fill(key, i) = ((i·7919 + h(key)) mod 2001)/1000 − 1 ∈ [−1, 1], h(key) = Σ bytes(key)·31 mod 1000, then per kind:
  conv / linear weight: fill·√(3/fan_in)·gain (gain 1.0)   bias: 0.05·fill
  BN weight: 1 + 0.2·fill, bias: 0.1·fill, running_mean: 0.1·fill, running_var: 1 + 0.25·(fill + 1)
  GN weight: 1 + 0.2·fill, bias: 0.1·fill; scale: 1 + 0.2·fill; anchors / num_batches_tracked: unchanged
"""
import copy
import importlib.abc
import importlib.machinery
import json
import math
import os
import sys
import types

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "PoseKD.Model.Tests", "Fixtures", "network")
STUBS = {"torchvision", "trimesh", "tqdm", "matplotlib", "transforms3d", "pyrender", "geomloss"}


class _StubModule(types.ModuleType):
    """A module whose every attribute is another stub (enough for `from x import y` at import time)."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        sub = _StubModule(f"{self.__name__}.{name}")
        setattr(self, name, sub)
        return sub

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"stub {self.__name__} called: this optional dependency is not installed")


class _StubFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Last on sys.meta_path: only packages that are really missing reach it."""

    def find_spec(self, fullname, path, target=None):
        if fullname.split(".")[0] in STUBS:
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):
        m = _StubModule(spec.name)
        m.__path__ = []
        return m

    def exec_module(self, module):
        pass


def neutralise():
    sys.meta_path.append(_StubFinder())
    if not hasattr(np, "float"):
        np.float = float  # removed in numpy 1.24; the reference's anchor code still names it
    torch.Tensor.cuda = lambda self, *a, **k: self
    torch.nn.Module.cuda = lambda self, *a, **k: self


def reference_cfg(backbone):
    import yaml
    from arguments.argument import custom_cfg
    ref = os.path.dirname(sys.modules["arguments"].__file__) + "/.."
    with open(os.path.join(ref, "configs", "ape.yaml")) as f:
        cfg = yaml.load(f, Loader=yaml.FullLoader)
    cfg["MODEL"]["BACKBONE"] = backbone
    return custom_cfg(cfg)


def build(backbone):
    import backbone as bb
    from models.model import PoseModule
    ctor = {"darknet_tiny": bb.darknet_tiny, "darknet_tiny_h": bb.darknet_tiny_h, "darknet53": bb.darknet53}[backbone]
    return PoseModule(reference_cfg(backbone), ctor(pretrained=False)), ctor


def r_weights(n, offset, dtype=torch.float32):
    i = np.arange(n, dtype=np.int64) + offset
    return torch.from_numpy((((i * 7919) % 1000) / 1000.0 - 0.5).astype(np.float32)).to(dtype)


def objective(feats, cls, reg):
    total = 0
    for f, c, r in zip(feats, cls, reg):
        total = total + (c.reshape(-1) * r_weights(c.numel(), 0, c.dtype)).sum()
        total = total + (r.reshape(-1) * r_weights(r.numel(), 7, r.dtype)).sum()
        total = total + (f.reshape(-1) * r_weights(f.numel(), 3, f.dtype)).sum()
    return total


def forward(model, x):
    feats = model.fpn(model.backbone(x))
    cls, reg = model.head(feats)
    return feats, cls, reg


def key_hash(key):
    return (sum(key.encode("utf-8")) * 31) % 1000


def fill_values(key, n):
    i = np.arange(n, dtype=np.int64)
    return (((i * 7919 + key_hash(key)) % 2001) / 1000.0 - 1.0)


def fill_model(model):
    """Sets every float entry of the state dict from fill(key, i), scaled per kind (see the module doc)."""
    modules = dict(model.named_modules())
    with torch.no_grad():
        for key, t in model.state_dict().items():
            if not t.is_floating_point() or key.startswith("anchor_generator."):
                continue
            owner = modules[key.rsplit(".", 1)[0]]
            leaf = key.rsplit(".", 1)[1]
            v = fill_values(key, t.numel())
            if isinstance(owner, (torch.nn.Conv2d, torch.nn.Linear)):
                if leaf == "weight":
                    fan_in = t[0].numel()
                    v = v * math.sqrt(3.0 / fan_in)
                else:
                    v = 0.05 * v
            elif isinstance(owner, torch.nn.BatchNorm2d):
                v = {"weight": 1 + 0.2 * v, "bias": 0.1 * v, "running_mean": 0.1 * v, "running_var": 1 + 0.25 * (v + 1)}[leaf]
            elif isinstance(owner, torch.nn.GroupNorm):
                v = 1 + 0.2 * v if leaf == "weight" else 0.1 * v
            elif leaf == "scale":
                v = 1 + 0.2 * v
            else:
                raise RuntimeError(f"no fill rule for {key} ({type(owner).__name__})")
            t.copy_(torch.from_numpy(v.astype(np.float32)).reshape(t.shape))


def randomise_tiny_h(model, gen):
    """Non-trivial norms, biases and scales (the reference initialises them to 1 / 0)."""
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, (torch.nn.BatchNorm2d, torch.nn.GroupNorm)):
                m.weight.copy_(0.5 + torch.rand(m.weight.shape, generator=gen))
                m.bias.copy_(0.1 * torch.randn(m.bias.shape, generator=gen))
            if isinstance(m, torch.nn.Conv2d) and m.bias is not None and not name.endswith("cls_logits"):
                m.bias.copy_(0.01 * torch.randn(m.bias.shape, generator=gen))
        for s in model.head.scales:
            s.scale.copy_(0.5 + torch.rand(1, generator=gen))


def record_grads(out, prefix, model, exact):
    """{prefix}.<key>: entries 0, s, 2s, … of the gradient; {prefix}norm.<key>: its L2 norm;
    {prefix}noise.<key>: max |g32 − g64| / max |g64| against the float64 copy."""
    exact_params = dict(exact.named_parameters())
    for key, p in model.named_parameters():
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        flat = g.reshape(-1)
        step = max(1, math.ceil(flat.numel() / 16384))
        out[f"{prefix}.{key}"] = flat[::step].clone()
        out[f"{prefix}norm.{key}"] = torch.tensor([float(flat.double().norm())])
        e = exact_params[key].grad
        e = e.reshape(-1) if e is not None else torch.zeros_like(flat, dtype=torch.float64)
        emax = float(e.abs().max())
        out[f"{prefix}noise.{key}"] = torch.tensor([float((flat.double() - e).abs().max()) / emax if emax > 0 else 0.0])


def describe(model, ctor):
    sd = model.state_dict()
    count = lambda m: int(sum(p.numel() for p in m.parameters()))
    standalone = ctor(pretrained=False).state_dict()
    return {
        "keys": list(sd.keys()),
        "shapes": [list(v.shape) for v in sd.values()],
        "params": {"total": count(model), "backbone": count(model.backbone), "fpn": count(model.fpn), "head": count(model.head)},
        "imagenet_keys": list(standalone.keys()),
    }


def main():
    neutralise()
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    info = {}

    # darknet_tiny_h: the real (randomised) weights, saved with torch.save.
    model, ctor = build("darknet_tiny_h")
    info["darknet_tiny_h"] = describe(model, ctor)
    gen = torch.Generator().manual_seed(1234)
    randomise_tiny_h(model, gen)
    model.train()
    with torch.no_grad():  # non-trivial running statistics
        for _ in range(3):
            model.backbone(torch.randn(2, 3, 128, 128, generator=gen))
    torch.save(model.state_dict(), os.path.join(OUT, "tiny_h_weights.pth"))
    x = torch.randn(2, 3, 128, 128, generator=gen)
    out = {"input": x}
    model.eval()
    with torch.no_grad():
        for name, maps in zip(("feat", "cls", "reg"), forward(model, x)):
            for k, t in enumerate(maps):
                out[f"eval.{name}.{k}"] = t
    model.train()
    exact = copy.deepcopy(model).double()  # the same module in float64: how well-conditioned each gradient is
    model.zero_grad()
    maps = forward(model, x)
    objective(*maps).backward()
    objective(*forward(exact, x.double())).backward()
    for name, ms in zip(("feat", "cls", "reg"), maps):
        for k, t in enumerate(ms):
            out[f"train.{name}.{k}"] = t.detach()
    record_grads(out, "grad", model, exact)
    # the same objective in eval mode (BatchNorm with running statistics): better conditioned
    model.eval()
    exact.eval()
    model.zero_grad()
    exact.zero_grad()
    objective(*forward(model, x)).backward()
    objective(*forward(exact, x.double())).backward()
    record_grads(out, "evalgrad", model, exact)
    for key, t in model.state_dict().items():
        if key.startswith("backbone.") and ("running_mean" in key or "running_var" in key):
            out[f"after_train.{key}"] = t
    safetensors_io.write(os.path.join(OUT, "tiny_h_forward.safetensors"), out,
                         {"grad_subsample": "entries 0, s, 2s, ... with s = ceil(n / 16384)"})

    # darknet_tiny and darknet53: deterministic fill on both sides, outputs only.
    for backbone, fname in (("darknet_tiny", "tiny_forward.safetensors"), ("darknet53", "darknet53_forward.safetensors")):
        model, ctor = build(backbone)
        info[backbone] = describe(model, ctor)
        fill_model(model)
        model.eval()
        x = torch.randn(2, 3, 64, 64, generator=gen)
        out = {"input": x}
        with torch.no_grad():
            for name, maps in zip(("feat", "cls", "reg"), forward(model, x)):
                for k, t in enumerate(maps):
                    out[f"eval.{name}.{k}"] = t
                    print(backbone, name, k, tuple(t.shape), float(t.abs().max()))
        safetensors_io.write(os.path.join(OUT, fname), out)
        del model

    with open(os.path.join(OUT, "keys.json"), "w") as f:
        json.dump(info, f, indent=1)
    for b, d in info.items():
        print(b, d["params"], len(d["keys"]))


if __name__ == "__main__":
    main()

"""Golden fixtures for PoseKD.Inference's ONNX export (run with Debian's /usr/bin/python3: torch 1.13, onnx 1.12).

Two modes.

  PYTHONPATH=/tmp/ref/kd-6d-pose-adlp /usr/bin/python3 tools/golden/onnx_check.py reference
      Builds the reference network with its own modules (backbone.darknet / backbone.darknet53 and
      models.model.PoseModule, GUOShuxuan/kd-6d-pose-adlp) for each backbone, fills every parameter and
      BatchNorm running statistic of its state dict from a formula of (key, entry number, element index)
      (see `fill`; PoseKD's test computes the same values), runs backbone -> FPN -> head in eval mode on a
      formula input and writes tests/PoseKD.Inference.Tests/Fixtures/onnx/<backbone>.safetensors:
        x [1,3,S,S], cls_<k> and reg_<k> per level (every 7th element: *.strided when larger than 4000),
        metadata "keys" = the filled state-dict keys in order, "levels" = level count.
      Weights are not stored. Optional imports the network does not use (torchvision, …) are stubbed.
      With --save-pth DIR the filled state dicts are also saved as DIR/<backbone>.pth (scratch files for
      `posekd export --weights`, not fixtures).

  /usr/bin/python3 tools/golden/onnx_check.py check MODEL.onnx [MODEL.onnx ...]
      Runs onnx.checker.check_model (full check, with shape inference) on models written by
      `posekd export` and writes tests/PoseKD.Inference.Tests/Fixtures/onnx/onnx_check.json: per file its
      IR version, opset, input/output names and shapes as inferred, node-type counts, and the verdict.
"""
import json
import math
import os
import sys
import types

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "tests", "PoseKD.Inference.Tests", "Fixtures", "onnx")
sys.path.insert(0, HERE)

# backbone -> (input side, config); small input sides keep the fixtures small.
CONFIGS = {
    "darknet_tiny_h": (64, {"FEAT_CHANNELS": [0, 0, 64, 64], "OUT_CHANNEL": 128}),
    "darknet_tiny": (64, {"FEAT_CHANNELS": [0, 0, 128, 128], "OUT_CHANNEL": 256}),
    "darknet53": (64, {"FEAT_CHANNELS": [0, 0, 256, 512, 1024], "OUT_CHANNEL": 256}),
}
N_CLASS = 3


def fill(key, k, shape):
    """Deterministic value of state-dict entry number k (float64 formula -> float32), shared with the C# test."""
    n = int(np.prod(shape)) if len(shape) else 1
    i = np.arange(n, dtype=np.float64)
    if key.endswith("running_mean"):
        v = 0.05 * np.sin(i + k)
    elif key.endswith("running_var"):
        v = 1.0 + 0.15 * (1.0 + np.sin(0.7 * i + k))
    elif key.endswith(".scale"):
        v = 1.0 + 0.1 * np.cos(i + k)
    elif len(shape) == 4:
        fan_in = int(np.prod(shape[1:]))
        v = 1.5 / math.sqrt(fan_in) * np.sin(0.37 * i + 1.3 * k)
    elif key.endswith("weight"):
        v = 1.0 + 0.2 * np.sin(0.91 * i + k)
    elif key.endswith("bias"):
        v = 0.1 * np.cos(0.53 * i + k)
    else:
        raise KeyError(key)
    return v.astype(np.float32).reshape(shape)


def pattern(n, a, b):
    """x_i = sin(a*i + b) in float64, rounded to float32."""
    return np.sin(a * np.arange(n, dtype=np.float64) + b).astype(np.float32)


class _Stub(types.ModuleType):
    """Stands in for an optional package the reference imports but the network never calls."""

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Stub(self.__name__ + "." + name)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("%s is a stub: the golden script does not provide it" % self.__name__)


def stub_if_missing(name):
    try:
        __import__(name)
    except ImportError:
        sys.modules[name] = _Stub(name)


def reference(backbones, pth_dir=None):
    import torch
    for optional in ("torchvision", "torchvision.ops", "torchvision.transforms", "trimesh", "tqdm", "pyrender",
                     "transforms3d", "psutil", "tensorboardX", "matplotlib", "matplotlib.pyplot", "geomloss"):
        stub_if_missing(optional)
    if not hasattr(np, "float"):  # the reference's anchor code uses the alias NumPy 1.24 removed
        np.float = float
    torch.Tensor.cuda = lambda self, *a, **k: self
    torch.nn.Module.cuda = lambda self, *a, **k: self
    from backbone.darknet import darknet_tiny, darknet_tiny_h
    from backbone.darknet53 import darknet53
    from models.model import PoseModule
    import safetensors_io

    builders = {"darknet_tiny_h": darknet_tiny_h, "darknet_tiny": darknet_tiny, "darknet53": darknet53}
    os.makedirs(OUT, exist_ok=True)
    for name in backbones:
        side, model_cfg = CONFIGS[name]
        cfg = {
            "DATASETS": {"N_CLASS": N_CLASS, "SYMMETRY_TYPES": {}},
            "MODEL": dict(model_cfg, N_CONV=4, PRIOR=0.01, USE_HIGHER_LEVELS=True,
                          ANCHOR_SIZES=[32, 64, 128, 256, 512], ANCHOR_STRIDES=[8, 16, 32, 64, 128]),
            "SOLVER": {"REGRESSION_TYPE": "POINT", "POSITIVE_NUM": 10, "POSITIVE_LAMBDA": 1.0, "LOSS_REG_TYPE": "3D"},
            "TEST": {"CONFIDENCE_TH": 0.1},
        }
        model = PoseModule(cfg, builders[name](pretrained=False))
        params = {n for n, _ in model.named_parameters()}
        sd = model.state_dict()
        keys = [k for k in sd.keys() if k in params or k.endswith("running_mean") or k.endswith("running_var")]
        all_keys = list(sd.keys())
        with torch.no_grad():
            for key in keys:
                sd[key].copy_(torch.from_numpy(fill(key, all_keys.index(key), tuple(sd[key].shape))))
        model.eval()
        x = torch.from_numpy(pattern(3 * side * side, 0.013, 0.5).reshape(1, 3, side, side))
        with torch.no_grad():
            cls, reg = model.head(model.fpn(model.backbone(x)))
        out = {"x": x}
        for k, (c, r) in enumerate(zip(cls, reg)):
            for tag, t in (("cls_%d" % k, c), ("reg_%d" % k, r)):
                out[tag + ".shape"] = np.array(t.shape, dtype=np.int64)
                if t.numel() > 4000:
                    out[tag + ".strided"] = t.reshape(-1)[::7].clone()
                else:
                    out[tag] = t
        if pth_dir:
            torch.save(model.state_dict(), os.path.join(pth_dir, name + ".pth"))
        path = os.path.join(OUT, name + ".safetensors")
        safetensors_io.write(path, out, metadata={"keys": "\n".join(keys), "all_keys": "\n".join(all_keys), "levels": str(len(cls))})
        print("wrote", path, "levels", len(cls), "filled", len(keys), "of", len(all_keys))


def check(paths):
    import onnx
    from onnx import checker, shape_inference
    report = {"onnx_version": onnx.__version__, "models": {}}
    for path in paths:
        model = onnx.load(path)
        entry = {"ir_version": model.ir_version, "opset": [o.version for o in model.opset_import if o.domain in ("", "ai.onnx")][0]}
        try:
            checker.check_model(model, full_check=True)
            entry["checker"] = "ok"
        except Exception as e:  # the verdict is the fixture; keep the message
            entry["checker"] = "failed: %s" % e
        inferred = shape_inference.infer_shapes(model)

        def dims(v):
            return [d.dim_param if d.dim_param else d.dim_value for d in v.type.tensor_type.shape.dim]
        inits = {i.name for i in model.graph.initializer}
        entry["inputs"] = {i.name: dims(i) for i in inferred.graph.input if i.name not in inits}
        entry["outputs"] = {o.name: dims(o) for o in inferred.graph.output}
        counts = {}
        for n in model.graph.node:
            counts[n.op_type] = counts.get(n.op_type, 0) + 1
        entry["node_counts"] = dict(sorted(counts.items()))
        entry["metadata_keys"] = sorted(p.key for p in model.metadata_props)
        report["models"][os.path.basename(path)] = entry
        print(os.path.basename(path), entry["checker"], entry["opset"], entry["node_counts"])
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "onnx_check.json"), "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)


if __name__ == "__main__":
    if len(sys.argv) >= 2 and sys.argv[1] == "reference":
        args = sys.argv[2:]
        pth = None
        if "--save-pth" in args:
            i = args.index("--save-pth")
            pth = args[i + 1]
            os.makedirs(pth, exist_ok=True)
            args = args[:i] + args[i + 2:]
        reference(args or list(CONFIGS), pth)
    elif len(sys.argv) >= 3 and sys.argv[1] == "check":
        check(sys.argv[2:])
    else:
        sys.exit(__doc__)

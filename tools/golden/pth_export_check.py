"""Checks that .pth files written by PoseKD's PthWriter load in PyTorch (Debian's /usr/bin/python3, torch 1.13).

Two uses:
  1. The writer's own test pair (run the Engine tests with POSEKD_PTH_EXPORT_DIR=DIR first):
         /usr/bin/python3 tools/golden/pth_export_check.py --sequential DIR
     torch.load(DIR/sequential.pth) must hold exactly the arrays of DIR/sequential.safetensors, and
     load_state_dict(strict=True) into the same torch Sequential (Conv 3->4 no bias, BN 4, LeakyReLU, Conv 4->2)
     must succeed.
  2. A trained PoseKD network (`final.pth` of `posekd train`) against the reference's own module:
         PYTHONPATH=/tmp/ref/kd-6d-pose-adlp /usr/bin/python3 tools/golden/pth_export_check.py \
             --reference final.pth --backbone darknet_tiny_h --config configs/ape.yaml
     builds the reference's PoseModule (CUDA calls neutralised at run time) and loads with strict=True.
Prints OK lines; exits non-zero on the first mismatch.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        blob = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        dt = {"F32": "<f4", "I64": "<i8", "F64": "<f8"}[v["dtype"]]
        out[k] = np.frombuffer(blob[a:b], dtype=dt).reshape(v["shape"])
    return out


def check_sequential(folder):
    sd = torch.load(os.path.join(folder, "sequential.pth"), map_location="cpu")
    ref = read_safetensors(os.path.join(folder, "sequential.safetensors"))
    if sorted(sd.keys()) != sorted(ref.keys()):
        raise SystemExit(f"keys differ: {list(sd.keys())} vs {list(ref.keys())}")
    for k, v in sd.items():
        if tuple(v.shape) != tuple(ref[k].shape) or not np.array_equal(v.numpy(), ref[k]):
            raise SystemExit(f"{k}: values or shape differ")
    print(f"OK torch.load: {len(sd)} tensors equal, dtypes {sorted({str(v.dtype) for v in sd.values()})}")
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1, bias=False), torch.nn.BatchNorm2d(4),
                              torch.nn.LeakyReLU(0.1), torch.nn.Conv2d(4, 2, 1, bias=True))
    model_keys = set(net.state_dict().keys())
    net.load_state_dict({k: v for k, v in sd.items() if k in model_keys}, strict=True)
    print(f"OK load_state_dict(strict=True) into torch Sequential ({len(model_keys)} keys)")


def check_reference(path, backbone, config):
    # the reference's optional imports and CUDA calls are neutralised as in model_reference.py
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from model_reference import neutralise
    neutralise()
    import yaml
    import backbone as bb
    from arguments.argument import custom_cfg
    from models.model import PoseModule
    with open(config) as f:
        cfg = yaml.load(f, Loader=yaml.FullLoader)
    cfg["MODEL"]["BACKBONE"] = backbone
    cfg = custom_cfg(cfg)
    ctor = {"darknet_tiny": bb.darknet_tiny, "darknet_tiny_h": bb.darknet_tiny_h, "darknet53": bb.darknet53}[backbone]
    model = PoseModule(cfg, ctor(pretrained=False))
    sd = torch.load(path, map_location="cpu")
    model.load_state_dict(sd, strict=True)
    print(f"OK reference PoseModule({backbone}, N_CLASS {cfg['DATASETS']['N_CLASS']}).load_state_dict(strict=True): {len(sd)} keys from {path}")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--sequential")
    ap.add_argument("--reference")
    ap.add_argument("--backbone", default="darknet_tiny_h")
    ap.add_argument("--config", default=os.path.join(os.path.dirname(__file__), "..", "..", "configs", "ape.yaml"))
    a = ap.parse_args()
    if a.sequential:
        check_sequential(a.sequential)
    if a.reference:
        check_reference(a.reference, a.backbone, a.config)
    if not (a.sequential or a.reference):
        ap.print_help()
        sys.exit(2)

"""Minimal safetensors writer shared by the golden scripts (no `safetensors` package needed).

write(path, {"name": torch_tensor_or_numpy_array, ...}) stores float tensors as F32 and
integer/bool tensors as I64, little-endian, in the layout PoseKD.Engine.Serialization.SafeTensors reads.
"""
import json
import os
import struct

import numpy as np


def _as_numpy(x):
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    x = np.asarray(x)
    if x.dtype.kind == "f":
        return x.astype("<f4"), "F32"
    if x.dtype.kind in "iub":
        return x.astype("<i8"), "I64"
    raise TypeError(f"unsupported dtype {x.dtype}")


def write(path, tensors, metadata=None):
    header, blobs, offset = {}, [], 0
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    for name in sorted(tensors):
        arr, dtype = _as_numpy(tensors[name])
        data = np.ascontiguousarray(arr).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hb = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hb += b" " * ((8 - len(hb) % 8) % 8)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hb)))
        f.write(hb)
        for b in blobs:
            f.write(b)

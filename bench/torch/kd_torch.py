"""geomloss timing of the distillation loss, for ./run bench kd (PoseKD.Bench.KdBenchmark runs this script).

    PYTHONPATH=/path/to/geomloss-0.2.4 /usr/bin/python3 bench/torch/kd_torch.py PROBLEMS.safetensors THREADS REPS

Reads the batch the C# benchmark wrote (per image: student keypoints [n, 8, 2] in pixels and scores [n], teacher
keypoints [m, 8, 2] and sqrt-scores [m]), and times forward + backward of the KD loss the way the reference's
kd_loss_2d evaluates it: one SamplesLoss("sinkhorn", p=2, blur=0.001, scaling=0.5, reach=0.5) call per image on its
8 keypoint clouds (weights: clamped student scores, squared teacher scores; coordinates / (640, 480)), the sum over
keypoints, the mean over images, times kd_weight 5. Prints one JSON line: wall-time median/min/max in ms, CPU time
per call (process time, all threads) and the loss values in float32 and float64.
"""
import json
import struct
import sys
import time

import numpy as np
import torch
from geomloss import SamplesLoss


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        blob = f.read()
    out = {}
    for k, v in header.items():
        if k == "__metadata__":
            continue
        a, b = v["data_offsets"]
        dt = {"F32": np.float32, "I64": np.int64, "F64": np.float64}[v["dtype"]]
        out[k] = np.frombuffer(blob[a:b], dtype=dt).reshape(v["shape"])
    return out


def main():
    path, threads, reps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    t = read_safetensors(path)
    images = int(t["images"][0])
    loss_fn = SamplesLoss("sinkhorn", p=2, blur=0.001, scaling=0.5, reach=0.5, backend="tensorized")

    def make(dtype):
        s_kp = [torch.tensor(t[f"s{i}.kp"], dtype=dtype).requires_grad_(True) for i in range(images)]
        s_w = [torch.tensor(t[f"s{i}.w"], dtype=dtype).requires_grad_(True) for i in range(images)]
        t_kp = [torch.tensor(t[f"t{i}.kp"], dtype=dtype) for i in range(images)]
        t_w = [torch.tensor(t[f"t{i}.w"], dtype=dtype) for i in range(images)]
        return s_kp, s_w, t_kp, t_w

    scale = None

    def step(s_kp, s_w, t_kp, t_w):
        wh = torch.tensor([640.0, 480.0], dtype=s_kp[0].dtype)
        losses = []
        for i in range(images):
            x = (s_kp[i] / wh).transpose(0, 1).contiguous()                  # [8, n, 2]
            y = (t_kp[i] / wh).transpose(0, 1).contiguous()
            a = torch.clamp(s_w[i], 1e-3, 1 - 1e-3).view(-1, 1).expand(-1, 8).transpose(0, 1).contiguous()
            b = (t_w[i] ** 2).view(-1, 1).expand(-1, 8).transpose(0, 1).contiguous()
            losses.append(loss_fn(a, x, b, y).sum())
        loss = sum(losses) / len(losses) * 5.0
        loss.backward()
        return loss

    values = {}
    for name, dtype in (("float32", torch.float32), ("float64", torch.float64)):
        values[name] = step(*make(dtype)).item()

    inputs = make(torch.float32)
    for _ in range(2):
        step(*inputs)
    ms = []
    for _ in range(reps):
        for p in inputs[0] + inputs[1]:
            p.grad = None
        t0 = time.perf_counter()
        step(*inputs)
        ms.append((time.perf_counter() - t0) * 1000)
    c0 = time.process_time()
    for _ in range(reps):
        for p in inputs[0] + inputs[1]:
            p.grad = None
        step(*inputs)
    cpu_ms = (time.process_time() - c0) * 1000 / reps
    ms.sort()
    print(json.dumps({"torch": torch.__version__, "threads": threads, "median_ms": ms[len(ms) // 2], "min_ms": ms[0],
                      "max_ms": ms[-1], "reps": reps, "cpu_ms": cpu_ms, "value_float32": values["float32"], "value_float64": values["float64"]}))


if __name__ == "__main__":
    main()

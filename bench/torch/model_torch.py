"""PyTorch side of `./run bench model`: times the reference's own PoseModule (imported from PYTHONPATH, e.g.
/tmp/ref/kd-6d-pose-adlp, through tools/golden/model_reference.py's run-time neutralisation) on CPU.

  /usr/bin/python3 bench/torch/model_torch.py --backbone darknet_tiny_h --batch 16 --mode infer --reps 3

Modes: infer = eval mode under no_grad, backbone → FPN → head; train = train mode, forward, the loss
Σ_k mean(cls_k²) + mean(reg_k²), backward (gradients set to None between steps; no optimizer).
Prints one JSON line: {"median_ms", "min_ms", "max_ms", "reps", "threads", "torch"}.
"""
import argparse
import json
import os
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tools", "golden"))
import model_reference as mr  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backbone", required=True)
    ap.add_argument("--batch", type=int, default=1)
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--mode", choices=["infer", "train"], default="infer")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    mr.neutralise()
    torch.manual_seed(0)
    model, _ = mr.build(a.backbone)
    x = torch.randn(a.batch, 3, a.size, a.size)

    if a.mode == "infer":
        model.eval()

        def step():
            with torch.no_grad():
                mr.forward(model, x)
    else:
        model.train()

        def step():
            model.zero_grad(set_to_none=True)
            _, cls, reg = mr.forward(model, x)
            loss = sum((c * c).mean() + (r * r).mean() for c, r in zip(cls, reg))
            loss.backward()

    for _ in range(a.warmup):
        step()
    ms = []
    for _ in range(a.reps):
        t0 = time.perf_counter()
        step()
        ms.append((time.perf_counter() - t0) * 1000.0)
    ms.sort()
    n = len(ms)
    median = ms[n // 2] if n % 2 else 0.5 * (ms[n // 2 - 1] + ms[n // 2])
    print(json.dumps({"median_ms": median, "min_ms": ms[0], "max_ms": ms[-1], "reps": n,
                      "threads": torch.get_num_threads(), "torch": torch.__version__}))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Golden fixture for PoseKD's rotation error `re`: the BOP toolkit's own pose_error.re.

The BOP toolkit defines re = arccos((tr(R_est · inv(R_gt)) − 1) / 2). Real BOP annotations (LM-O's
scene_gt.json, for example) are rounded and not exactly orthonormal, so inv(R_gt) and R_gtᵀ differ and
so does the error, most near 0° where arccos is steep. The cases: ground truth perturbed by N(0, σ)
entries (σ = 0, 1e-4, 1e-3), estimates rotated away from it by 0° … 20° (and a few random ones).

Needs the toolkit on PYTHONPATH (fetch github:thodan/bop_toolkit and export its bop_toolkit_lib into a
scratch folder; nothing of it is committed):
    PYTHONPATH=/tmp/ref/bop_toolkit /usr/bin/python3 tools/golden/bop_re.py
Writes tests/PoseKD.Geometry.Tests/Fixtures/bop/re_bop_toolkit.json.
"""
import json
import os
import sys
import types

import numpy as np

from rotations import random_rotation  # noqa: E402

# pose_error imports optional modules (rendering-based visibility) that this fixture does not use.
for name in ("bop_toolkit_lib.visibility",):
    if name not in sys.modules:
        try:
            __import__(name)
        except Exception:  # noqa: BLE001 - any missing optional dependency
            sys.modules[name] = types.ModuleType(name)
from bop_toolkit_lib import pose_error  # noqa: E402


def rot(axis, deg):
    axis = np.asarray(axis, dtype=np.float64)
    axis = axis / np.linalg.norm(axis)
    a = np.radians(deg)
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    return np.eye(3) + np.sin(a) * k + (1 - np.cos(a)) * k @ k


def main():
    rng = np.random.default_rng(9)
    cases = []
    for sigma in (0.0, 1e-4, 1e-3):
        for deg in (0.0, 0.05, 0.3, 1.0, 3.0, 20.0):
            for _ in range(3):
                r_true = random_rotation(rng)
                r_gt = r_true + rng.normal(scale=sigma, size=(3, 3))
                r_est = rot(rng.normal(size=3), deg) @ r_true
                cases.append((r_est, r_gt))
    for _ in range(4):
        cases.append((random_rotation(rng), random_rotation(rng) + rng.normal(scale=1e-3, size=(3, 3))))
    out = {"bop_toolkit_commit": os.environ.get("BOP_TOOLKIT_COMMIT", "unknown"), "cases": []}
    for r_est, r_gt in cases:
        transpose = float(np.degrees(np.arccos(np.clip((np.trace(r_est @ r_gt.T) - 1) / 2, -1, 1))))
        out["cases"].append({
            "R_est": [float(v) for v in r_est.reshape(-1)],
            "R_gt": [float(v) for v in r_gt.reshape(-1)],
            "re_deg": float(pose_error.re(r_est, r_gt)),
            "re_transpose_deg": transpose,
        })
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "tests/PoseKD.Geometry.Tests/Fixtures/bop/re_bop_toolkit.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    worst = max(abs(c["re_deg"] - c["re_transpose_deg"]) for c in out["cases"])
    print(f"wrote {path}: {len(out['cases'])} cases; inverse vs transpose differ by up to {worst:.3f} deg")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Golden PnP fixtures: OpenCV 4.x solvePnPRansac(..., SOLVEPNP_EPNP, reprojectionError=5.0).

Problems mimic PoseKD inference: the 8 corners of a LINEMOD-sized box as keypoints, predicted by
10 cells each (80 correspondences), 1 px Gaussian noise, 20 % of the correspondences replaced by
outliers (uniform offsets of 20..100 px). Writes
tests/PoseKD.Geometry.Tests/Fixtures/pnp/ransac_epnp_opencv.json with the inputs, OpenCV's rvec,
tvec and inliers, the ground truth, and OpenCV's median time per call on this machine.

Run with Debian's python3 (cv2 4.6): /usr/bin/python3 tools/golden/pnp_opencv.py
It also writes tests/PoseKD.Geometry.Tests/Fixtures/pnp/pnp_cases_opencv.json: plain
solvePnP(SOLVEPNP_EPNP) on n = 4, 5, 6 random and near-planar point sets (and exactly planar ones),
solvePnPRansac on exactly 4 points (OpenCV solves those with P3P), RANSAC at 50 % and 70 % outliers, and
point sets close to the camera.

With --time-only it re-times OpenCV on the committed fixture's problems (to compare with
`PoseKD.Bench pnp` under the same machine load) and writes nothing.
"""
import json
import os
import sys
import time

import cv2
import numpy as np

from rotations import random_rotation  # noqa: E402

K = np.array([[572.4114, 0, 325.2611], [0, 573.57043, 242.04899], [0, 0, 1]], dtype=np.float64)
HALF = np.array([37.9, 38.7, 45.9])  # ape-sized box (mm)
CELLS, KPTS, N_PROBLEMS = 10, 8, 64


def corners():
    c = np.zeros((8, 3))
    for i in range(8):
        c[i] = [HALF[0] if i & 4 else -HALF[0], HALF[1] if i & 2 else -HALF[1], HALF[2] if i & 1 else -HALF[2]]
    return c


def main():
    rng = np.random.default_rng(20230618)
    box = corners()
    obj = np.tile(box, (CELLS, 1))  # [80, 3], cell-major
    problems = []
    times = []
    for p in range(N_PROBLEMS):
        R = random_rotation(rng)
        t = np.array([rng.uniform(-120, 120), rng.uniform(-90, 90), rng.uniform(500, 1200)])
        cam = obj @ R.T + t
        uv = (cam @ K.T)[:, :2] / cam[:, 2:3]
        uv = uv + rng.normal(scale=1.0, size=uv.shape)
        n_out = int(round(0.2 * len(uv)))
        idx = rng.choice(len(uv), n_out, replace=False)
        ang = rng.uniform(0, 2 * np.pi, n_out)
        rad = rng.uniform(20, 100, n_out)
        uv[idx, 0] += rad * np.cos(ang)
        uv[idx, 1] += rad * np.sin(ang)
        uv = np.round(uv, 4)
        ok, rvec, tvec, inl = cv2.solvePnPRansac(obj, uv, K, None, flags=cv2.SOLVEPNP_EPNP, reprojectionError=5.0)
        reps = []
        for _ in range(20):
            t0 = time.perf_counter()
            cv2.solvePnPRansac(obj, uv, K, None, flags=cv2.SOLVEPNP_EPNP, reprojectionError=5.0)
            reps.append(time.perf_counter() - t0)
        times.append(float(np.median(reps)))
        Rest = cv2.Rodrigues(rvec)[0]
        cos = np.clip((np.trace(R.T @ Rest) - 1) / 2, -1, 1)
        problems.append({
            "image_points": [round(float(v), 4) for v in uv.reshape(-1)],
            "R_gt": [float(v) for v in R.reshape(-1)],
            "t_gt": [float(v) for v in t],
            "ok": bool(ok),
            "rvec": [float(v) for v in rvec.reshape(-1)],
            "tvec": [float(v) for v in tvec.reshape(-1)],
            "inliers": [int(v) for v in inl.reshape(-1)] if inl is not None else [],
            "rot_err_deg": float(np.degrees(np.arccos(cos))),
            "trans_err_mm": float(np.linalg.norm(tvec.reshape(-1) - t)),
        })
    out = {
        "opencv": cv2.__version__,
        "K": [float(v) for v in K.reshape(-1)],
        "object_points": [float(v) for v in obj.reshape(-1)],
        "median_us_per_call": 1e6 * float(np.median(times)),
        "median_rot_err_deg": float(np.median([p["rot_err_deg"] for p in problems])),
        "median_trans_err_mm": float(np.median([p["trans_err_mm"] for p in problems])),
        "problems": problems,
    }
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "tests/PoseKD.Geometry.Tests/Fixtures/pnp/ransac_epnp_opencv.json")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {path}: opencv {cv2.__version__}, median {out['median_us_per_call']:.1f} us/call, "
          f"rot {out['median_rot_err_deg']:.3f} deg, trans {out['median_trans_err_mm']:.2f} mm")


def project(obj, R, t):
    cam = obj @ R.T + t
    return (cam @ K.T)[:, :2] / cam[:, 2:3]


def cases():
    """Small and degenerate PnP problems, each solved by OpenCV as PoseKD must."""
    rng = np.random.default_rng(4242)
    out = {"opencv": cv2.__version__, "K": [float(v) for v in K.reshape(-1)], "epnp": [], "ransac": []}

    def pose(zmin=500, zmax=1200):
        return random_rotation(rng), np.array([rng.uniform(-100, 100), rng.uniform(-80, 80), rng.uniform(zmin, zmax)])

    def record(kind, obj, uv, R, t, extra=None):
        obj = np.round(obj, 4)
        uv = np.round(uv, 4)
        if kind == "epnp":
            ok, rvec, tvec = cv2.solvePnP(obj, uv, K, None, flags=cv2.SOLVEPNP_EPNP)
            inl = None
        else:
            ok, rvec, tvec, inl = cv2.solvePnPRansac(obj, uv, K, None, flags=cv2.SOLVEPNP_EPNP, reprojectionError=5.0)
        # At 70 % outliers OpenCV 4.6 sometimes reports success with a NaN translation (its EPnP refit on
        # a degenerate consensus set): recorded as a failure, flagged.
        finite = bool(ok) and bool(np.all(np.isfinite(rvec))) and bool(np.all(np.isfinite(tvec)))
        c = {
            "opencv_returned_nan": bool(ok) and not finite,
            "object_points": [float(v) for v in obj.reshape(-1)],
            "image_points": [float(v) for v in uv.reshape(-1)],
            "R_gt": [float(v) for v in R.reshape(-1)], "t_gt": [float(v) for v in t],
            "ok": finite,
            "rvec": [float(v) for v in np.asarray(rvec).reshape(-1)] if finite else [],
            "tvec": [float(v) for v in np.asarray(tvec).reshape(-1)] if finite else [],
        }
        if inl is not None and finite:
            c["inliers"] = [int(v) for v in inl.reshape(-1)]
        if extra:
            c.update(extra)
        out[kind].append(c)

    for n in (4, 5, 6):
        for _ in range(12):
            obj = rng.uniform(-50, 50, size=(n, 3))
            R, t = pose()
            record("epnp", obj, project(obj, R, t) + rng.normal(scale=0.5, size=(n, 2)), R, t, {"set": f"random{n}"})
    for n in (4, 5, 6, 8):
        for flat in (0.0, 0.5):
            for _ in range(6):
                obj = np.column_stack([rng.uniform(-50, 50, size=(n, 2)), rng.uniform(-flat, flat, size=n)])
                R, t = pose()
                record("epnp", obj, project(obj, R, t) + rng.normal(scale=0.5, size=(n, 2)), R, t, {"set": f"planar{n}" if flat == 0 else f"nearplanar{n}"})
    for _ in range(12):
        obj = rng.uniform(-50, 50, size=(4, 3))
        R, t = pose()
        record("ransac", obj, project(obj, R, t) + rng.normal(scale=0.5, size=(4, 2)), R, t, {"set": "four"})
    box = np.tile(corners(), (CELLS, 1))
    for frac in (0.5, 0.7):
        for _ in range(16):
            R, t = pose()
            uv = project(box, R, t) + rng.normal(scale=1.0, size=(len(box), 2))
            idx = rng.choice(len(uv), int(round(frac * len(uv))), replace=False)
            uv[idx] += rng.uniform(20, 150, size=(len(idx), 1)) * np.column_stack([np.cos(a := rng.uniform(0, 2 * np.pi, len(idx))), np.sin(a)])
            record("ransac", box, uv, R, t, {"set": f"outliers{int(frac * 100)}", "outliers": [int(i) for i in idx]})
    for _ in range(12):
        obj = rng.uniform(-50, 50, size=(12, 3))
        R, t = pose(zmin=90, zmax=140)
        record("ransac", obj, project(obj, R, t) + rng.normal(scale=0.5, size=(12, 2)), R, t, {"set": "near"})
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "tests/PoseKD.Geometry.Tests/Fixtures/pnp/pnp_cases_opencv.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print(f"wrote {path}: {len(out['epnp'])} EPnP and {len(out['ransac'])} RANSAC problems")


def time_only():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "tests/PoseKD.Geometry.Tests/Fixtures/pnp/ransac_epnp_opencv.json")
    with open(path) as f:
        d = json.load(f)
    K = np.array(d["K"]).reshape(3, 3)
    obj = np.array(d["object_points"]).reshape(-1, 3)
    times = []
    for p in d["problems"]:
        uv = np.array(p["image_points"]).reshape(-1, 2)
        for _ in range(3):
            cv2.solvePnPRansac(obj, uv, K, None, flags=cv2.SOLVEPNP_EPNP, reprojectionError=5.0)
        reps = []
        for _ in range(25):
            t0 = time.perf_counter()
            cv2.solvePnPRansac(obj, uv, K, None, flags=cv2.SOLVEPNP_EPNP, reprojectionError=5.0)
            reps.append(time.perf_counter() - t0)
        times.append(float(np.median(reps)))
    print(f"opencv {cv2.__version__}: median {1e6 * float(np.median(times)):.1f} us/call over {len(times)} problems")


if __name__ == "__main__":
    if "--time-only" in sys.argv:
        time_only()
    elif "--cases-only" in sys.argv:
        cases()
    else:
        main()
        cases()

#!/usr/bin/python3
"""Golden PnP fixtures: OpenCV 4.x solvePnPRansac(..., SOLVEPNP_EPNP, reprojectionError=5.0).

Problems mimic PoseKD inference: the 8 corners of a LINEMOD-sized box as keypoints, predicted by
10 cells each (80 correspondences), 1 px Gaussian noise, 20 % of the correspondences replaced by
outliers (uniform offsets of 20..100 px). Writes
tests/PoseKD.Geometry.Tests/Fixtures/pnp/ransac_epnp_opencv.json with the inputs, OpenCV's rvec,
tvec and inliers, the ground truth, and OpenCV's median time per call on this machine.

Run with Debian's python3 (cv2 4.6): /usr/bin/python3 tools/golden/pnp_opencv.py
With --time-only it re-times OpenCV on the committed fixture's problems (to compare with
`PoseKD.Bench pnp` under the same machine load) and writes nothing.
"""
import json
import os
import sys
import time

import cv2
import numpy as np

K = np.array([[572.4114, 0, 325.2611], [0, 573.57043, 242.04899], [0, 0, 1]], dtype=np.float64)
HALF = np.array([37.9, 38.7, 45.9])  # ape-sized box (mm)
CELLS, KPTS, N_PROBLEMS = 10, 8, 64


def corners():
    c = np.zeros((8, 3))
    for i in range(8):
        c[i] = [HALF[0] if i & 4 else -HALF[0], HALF[1] if i & 2 else -HALF[1], HALF[2] if i & 1 else -HALF[2]]
    return c


def random_rotation(rng):
    q = rng.normal(size=4)
    q /= np.linalg.norm(q)
    w, x, y, z = q
    return np.array([[w*w+x*x-y*y-z*z, 2*(x*y-w*z), 2*(x*z+w*y)],
                     [2*(x*y+w*z), w*w-x*x+y*y-z*z, 2*(y*z-w*x)],
                     [2*(x*z-w*y), 2*(y*z+w*x), w*w-x*x-y*y+z*z]])


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
    else:
        main()

"""Collects the synthetic Table A runs of bench/table_a/run.sh into a markdown table (stdout).

  python3 bench/table_a/report.py OUT_DIR

Per run: ADI at 0.05/0.1/0.2/0.5 d, AUC, REP 2/5/10/20 px from runs/<name>/validation/metrics.json (the final
validation on the held-out test split), images/s and data-wait share from throughput.json, wall seconds from
wall_seconds.txt; then the mean and spread of the seeds and the share of the teacher-student gap closed.
"""
import json
import os
import statistics
import sys

out = sys.argv[1]
runs = os.path.join(out, "runs")
wall = {}
if os.path.exists(os.path.join(out, "wall_seconds.txt")):
    for line in open(os.path.join(out, "wall_seconds.txt")):
        name, s = line.split()
        wall[name] = int(s)


def load(name):
    d = os.path.join(runs, name)
    mp = os.path.join(d, "validation", "metrics.json")
    if not os.path.exists(mp):
        return None
    c = json.load(open(mp))["classes"][0]  # one object class
    t = json.load(open(os.path.join(d, "throughput.json")))
    return c, t


ROWS = [("teacher", "teacher", "darknet_tiny", "-"), ("student_s0", "student", "darknet_tiny_h", "0"),
        ("student_s1", "student", "darknet_tiny_h", "0"), ("student_s2", "student", "darknet_tiny_h", "0"),
        ("kd_s0", "distilled (Sinkhorn)", "darknet_tiny_h", "5"), ("kd_s1", "distilled (Sinkhorn)", "darknet_tiny_h", "5"),
        ("l2_s0", "distilled (l2)", "darknet_tiny_h", "5"), ("feat_s0", "feature imitation", "darknet_tiny_h", "feat 1")]
print("| run | method | backbone | kd | ADI-0.05d | ADI-0.1d | ADI-0.2d | ADI-0.5d | AUC | REP-2px | REP-5px | REP-10px | REP-20px | images/s | data wait | wall |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
adi = {}
for name, method, bb, kd in ROWS:
    r = load(name)
    if r is None:
        print(f"| {name} | {method} | {bb} | {kd} | not run | | | | | | | | | | | |")
        continue
    c, t = r
    vals = [c["adi"][k] for k in ("0.05", "0.10", "0.20", "0.50")] + [c["auc"]]
    reps = [c["rep"][k] for k in ("2px", "5px", "10px", "20px")]
    adi[name] = vals[1]
    cells = " | ".join(f"{v:.1f}" for v in vals + reps)
    print(f"| {name} | {method} | {bb} | {kd} | {cells} | {t['images_per_s']:.1f} | {100 * t['data_wait_share']:.1f} % | {wall.get(name, 0) / 60:.0f} min |")


def group(prefix):
    return [v for k, v in adi.items() if k.startswith(prefix)]


s, d = group("student_s"), group("kd_s")
print()
if s:
    print(f"student ADI-0.1d over {len(s)} seeds: mean {statistics.mean(s):.2f}, spread (max-min) {max(s) - min(s):.2f}")
if d:
    print(f"distilled ADI-0.1d over {len(d)} seeds: mean {statistics.mean(d):.2f}, spread {max(d) - min(d):.2f}")
if s and d and "teacher" in adi:
    gap = adi["teacher"] - statistics.mean(s)
    share = (statistics.mean(d) - statistics.mean(s)) / gap if abs(gap) > 1e-9 else float("nan")
    print(f"teacher - student gap {gap:.2f} points; share closed by distillation {100 * share:.0f} %")

"""Prints issue 12's speed table (markdown) from bench/results/speed.json, written by `./run bench speed`.

  python3 bench/speed_table.py [bench/results/speed.json]
"""
import json
import sys

path = sys.argv[1] if len(sys.argv) > 1 else "bench/results/speed.json"
doc = json.load(open(path))
r = doc["results"]


def med(key):
    v = r.get(key)
    return v["median_ms"] if isinstance(v, dict) else v


def spread(key):
    v = r.get(key)
    return f"{v['min_ms']:.0f}–{v['max_ms']:.0f}" if isinstance(v, dict) else ""


def torch(prefix, name="median_ms"):
    return r.get(f"{prefix}.torch_{name}")


rows = []


def row(measure, ours, ours_spread, theirs, theirs_spread, ratio, target, unit="ms"):
    if ours is None:
        rows.append(f"| {measure} | not measured | | | {target} | |")
        return
    ok = "" if ratio is None else ("yes" if ratio <= target else f"no ({ratio / target:.2f}× the target)")
    th = "" if theirs is None else f"{theirs:.1f} {unit} ({theirs_spread})"
    ra = "" if ratio is None else f"{ratio:.2f}"
    rows.append(f"| {measure} | {ours:.1f} {unit} ({ours_spread}) | {th} | {ra} | ≤ {target} | {ok} |")


for bb, bs, target in (("darknet_tiny_h", 16, 0.9), ("darknet_tiny", 16, 0.9), ("darknet53", 4, 1.0)):
    k = f"train_step.{bb}.bs{bs}"
    t = torch(k)
    ours = med(f"{k}.posekd")
    ts = f"{torch(k, 'min_ms'):.0f}–{torch(k, 'max_ms'):.0f}" if t else ""
    row(f"{bb} training step, batch {bs}, 256 px", ours, spread(f"{k}.posekd"), t, ts, ours / t if (t and ours) else None, target)
for bs, target in ((1, 0.7), (16, 0.8)):
    k = f"infer.darknet_tiny_h.bs{bs}"
    t = torch(k)
    ours = med(f"{k}.posekd_bn_folded")
    ts = f"{torch(k, 'min_ms'):.0f}–{torch(k, 'max_ms'):.0f}" if t else ""
    row(f"tiny-H inference, batch {bs}, eval + BN folded (network only)", ours, spread(f"{k}.posekd_bn_folded"), t, ts, ours / t if (t and ours) else None, target)
k = "test_path.darknet_tiny_h"
ours = med(f"{k}.posekd_ms_per_image")
t = torch(k, "median_ms_per_image")
ts = f"{torch(k, 'min_ms'):.0f}–{torch(k, 'max_ms'):.0f}" if t else ""
row("whole test path per image (decode, crop, network, post-processing, PnP), batch 1", ours, spread(f"{k}.posekd_ms_per_image"), t, ts, ours / t if (t and ours) else None, 0.5)
rss, trss = r.get("rss.posekd_peak_mb"), r.get("rss.torch_peak_mb")
row("peak RSS, tiny-H training process, batch 16", rss, "", trss, "", rss / trss if (rss and trss) else None, 1.0, "MB")
a = r.get("train_step.darknet_tiny_h.bs16.posekd_allocated_mb_per_step")
b = r.get("train_step.darknet_tiny_h.bs16.without_arena.posekd_allocated_mb_per_step")
if a is not None:
    rows.append(f"| bytes allocated per tiny-H step (bs 16), after warm-up | {a:.1f} MB | without the arena, same run: {'n/a' if b is None else f'{b:.0f} MB'} | {a / 1536:.3f} of 1.5 GB | ≤ 0.05 | {'yes' if a / 1536 <= 0.05 else 'no'} |")

print(f"Measured {doc['utc']}, {doc['machine']}, oneDNN ISA {r.get('onednn_isa')}, {r.get('threads')} threads, "
      f"load average {r.get('loadavg_1min_at_start')} at start, medians of {r.get('reps')} repetitions after warm-up (min–max in brackets).")
print()
print("| measure | PoseKD | PyTorch (same run) | ratio | target | met |")
print("| --- | --- | --- | --- | --- | --- |")
print("\n".join(rows))
print()
peak = r.get("sgemm_1024.gflops_per_s")
extra = [f"sgemm 1024³ ({r.get('sgemm_backend')}): {peak:.1f} GFLOP/s" if peak else None]
for bb, bs in (("darknet_tiny_h", 16), ("darknet_tiny", 16), ("darknet53", 4)):
    g = r.get(f"train_step.{bb}.bs{bs}.posekd_gflops_per_s")
    if g:
        extra.append(f"{bb} step: {g:.1f} GFLOP/s ({100 * g / peak:.0f} % of sgemm)")
g = r.get("conv3x3_64to128_32px_bs16.forward_gflops_per_s")
if g:
    extra.append(f"dominant 3×3 conv (64→128, 32×32, bs 16) forward {g:.1f} GFLOP/s ({100 * g / peak:.0f} % of sgemm), forward+backward {r.get('conv3x3_64to128_32px_bs16.forward_backward_gflops_per_s'):.1f} GFLOP/s")
print("; ".join(e for e in extra if e) + ".")

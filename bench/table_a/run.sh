#!/usr/bin/env bash
# Synthetic Table A (docs/results.md): teacher, students (3 seeds), Sinkhorn-KD students (2 seeds), l2 and
# feature-imitation baselines, on a synthetic LINEMOD-format benchmark. Two jobs at a time, one compute thread
# and one loader worker each (the 2-core machine). Usage: bench/table_a/run.sh OUT_DIR [POSEKD_DLL]
# RES, BS, T_ITERS, S_ITERS, N_IMAGES, VAL_FREQ, MIN_DIST and MAX_DIST (mm) override the design of docs/results.md from the environment.
set -euo pipefail
OUT=${1:?usage: run.sh OUT_DIR [POSEKD_DLL]}
DLL=${2:-$(cd "$(dirname "$0")/../.." && pwd)/src/PoseKD.Cli/bin/Release/net10.0/posekd.dll}
mkdir -p "$OUT" && cd "$OUT"
P() { dotnet "$DLL" "$@"; }
RES=${RES:-96}; BS=${BS:-8}; T_ITERS=${T_ITERS:-4000}; S_ITERS=${S_ITERS:-2000}; N_IMAGES=${N_IMAGES:-1200}; VAL_FREQ=${VAL_FREQ:-1000}
MIN_DIST=${MIN_DIST:-400}; MAX_DIST=${MAX_DIST:-650}
[ -d data ] || P synth -o data --objects lblock -n $N_IMAGES --train-fraction 0.15 --occlusion 0.3 --min-distance $MIN_DIST --max-distance $MAX_DIST --seed 0 --quiet
C=data/000001_lblock.yaml
COMMON=(--config $C --input-res $RES --batch-size $BS --threads 1 --workers 1 --val-freq $VAL_FREQ --log-freq 10 --quiet)
TEACH=(--teacher-backbone darknet_tiny --teacher-weights runs/teacher/final.safetensors)
job() { # name, args...: one run with its log and wall time
  local name=$1; shift
  [ -f runs/$name/DONE ] && { echo "$(date -u +%T) $name: done before"; return 0; }
  echo "$(date -u +%T) $name: start"
  local t0=$(date +%s)
  P train "${COMMON[@]}" --work-dir runs/$name "$@" > logs/$name.log 2>&1 || { echo "$(date -u +%T) $name: FAILED (logs/$name.log)"; return 1; }
  touch runs/$name/DONE
  echo "$name $(( $(date +%s) - t0 ))" >> wall_seconds.txt
  echo "$(date -u +%T) $name: end ($(( $(date +%s) - t0 )) s)"
}
mkdir -p logs runs
date -u > started.txt; uptime >> started.txt; echo "RES=$RES BS=$BS T_ITERS=$T_ITERS S_ITERS=$S_ITERS N_IMAGES=$N_IMAGES VAL_FREQ=$VAL_FREQ MIN_DIST=$MIN_DIST MAX_DIST=$MAX_DIST" >> started.txt; grep -m1 "model name" /proc/cpuinfo >> started.txt
( job teacher --backbone darknet_tiny --max-iters $T_ITERS --seed 0
  job kd_s0 --backbone darknet_tiny_h --max-iters $S_ITERS --seed 0 "${TEACH[@]}" --kd-weight 5
  job l2_s0 --backbone darknet_tiny_h --max-iters $S_ITERS --seed 0 "${TEACH[@]}" --kd-weight 5 --gtype l2 ) &
A=$!
( for s in 0 1 2; do job student_s$s --backbone darknet_tiny_h --max-iters $S_ITERS --seed $s --kd-weight 0; done
  while [ ! -f runs/teacher/DONE ]; do kill -0 $A 2>/dev/null || { echo "teacher failed"; exit 1; }; sleep 20; done
  job kd_s1 --backbone darknet_tiny_h --max-iters $S_ITERS --seed 1 "${TEACH[@]}" --kd-weight 5
  job feat_s0 --backbone darknet_tiny_h --max-iters $S_ITERS --seed 0 "${TEACH[@]}" --kd-weight 0 --feature-kd-weight 1 ) &
B=$!
wait $A $B
date -u > finished.txt

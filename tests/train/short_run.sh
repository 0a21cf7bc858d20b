#!/usr/bin/env bash
# short_run.sh QFLOW_TRAIN RUN_DIR [TRAIN OPTIONS]: a short CPU training run of a small W8A8 FlowNetQ
# on the synthetic data must bring the validation EPE well below the zero-flow baseline (under 80 %
# of it).
set -euo pipefail
train=$1
run=$2
shift 2
rm -rf "$run"
"$train" train --width-mult 0.125 --size 64x64 --steps 1000 --batch 8 --lr 1e-3 --val-every 500 \
  --val-samples 32 --out "$run" "$@" 2>/dev/null
tail -n 1 "$run/log.csv" | awk -F, '{
  printf "validation EPE %.3f, zero flow %.3f\n", $3, $5
  exit !($3 < 0.8 * $5) }'

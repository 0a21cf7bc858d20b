#!/usr/bin/env bash
# Reproduces the bundled model, models/flownetq-x0.25-384x512-w8a8 (README, "The bundled model"):
# the photo library, FlowNetQ W8A8 at width 1/4 trained on 128x128 photo scenes, exported at
# 384x512 with a golden case from the validation split. Resumable: rerun it after an interruption.
#   scripts/train-bundled.sh [RUN_DIR]      (default: runs/bundled; needs the build folder)
# Environment: STEPS (default 24000), THREADS (default 1), DEVICE (cpu or cuda).
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/bundled}
steps=${STEPS:-24000}
scripts/fetch-photos.sh
resume=()
[[ -f $run/checkpoint/state.json ]] && resume=(--resume "$run/checkpoint.resume") && rm -rf "$run/checkpoint.resume" &&
  cp -r "$run/checkpoint" "$run/checkpoint.resume"
./build/train/qflow-train train --data photos --width-mult 0.25 --size 128x128 --wbits 8 --abits 8 --lr 1e-3 \
  --steps "$steps" --val-every 2000 --val-samples 64 --seed 1 --threads "${THREADS:-1}" --device "${DEVICE:-cpu}" \
  --out "$run" "${resume[@]}"
./build/train/qflow-train export --checkpoint "$run/checkpoint" --out "$run/package" --data photos --size 384x512 \
  --cases 1 --eval-samples 16 --seed "${GOLDEN_SEED:-1}"
echo "train-bundled: package in $run/package (copy it to models/ to bundle it)"

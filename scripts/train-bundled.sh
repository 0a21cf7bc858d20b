#!/usr/bin/env bash
# Reproduces the bundled model, models/flownetq-x0.25-384x512-w8a8 (docs/training.md, "The bundled model"):
# the photo library; FlowNetQ W8A8 at width 1/4 trained on 128x128 photo scenes (lr 1e-3, 24000
# steps, then resumed to 32000), fine-tuned from there at lr 2e-4 and then at lr 1e-4 for 16000 steps
# each, each on another data order, and exported at 384x512 with a golden case from the validation
# split. Resumable: rerun it after an interruption; a finished stage is skipped.
#   scripts/train-bundled.sh [RUN_DIR]      (default: runs/bundled; needs the build folder)
# Environment: THREADS (default 1), DEVICE (cpu or cuda), GOLDEN_SEED (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
run=${1:-runs/bundled}
scripts/fetch-photos.sh

# train OUT STEPS ARGS...: a qflow-train run to STEPS steps, resumed from OUT's checkpoint if any.
train() {
  local out=$1 steps=$2
  shift 2
  local resume=()
  if [[ -f $out/checkpoint/state.json ]]; then
    rm -rf "$out/checkpoint.resume" && cp -r "$out/checkpoint" "$out/checkpoint.resume"
    resume=(--resume "$out/checkpoint.resume")
  fi
  ./build/train/qflow-train train --data photos --width-mult 0.25 --size 128x128 --wbits 8 --abits 8 \
    --steps "$steps" --val-every 2000 --val-samples 64 --threads "${THREADS:-1}" --device "${DEVICE:-cpu}" \
    --out "$out" "$@" "${resume[@]}"
}

# finetune OUT FROM ARGS...: a stage started from FROM's weights, or resumed once it has begun.
finetune() {
  local out=$1 from=$2
  shift 2
  if [[ -f $out/checkpoint/state.json ]]; then train "$out" 16000 "$@"; else train "$out" 16000 "$@" --init "$from"; fi
}

for steps in 24000 32000; do train "$run" "$steps" --lr 1e-3 --seed 1; done
finetune "$run/finetune" "$run/checkpoint" --lr 2e-4 --seed 3
finetune "$run/finetune2" "$run/finetune/checkpoint" --lr 1e-4 --seed 4
./build/train/qflow-train export --checkpoint "$run/finetune2/checkpoint" --out "$run/package" --data photos \
  --size 384x512 --cases 1 --eval-samples 16 --seed "${GOLDEN_SEED:-2}"
echo "train-bundled: package in $run/package (copy it to models/ to bundle it)"

#!/usr/bin/env bash
# Run 'flownets-float' of the study two folders up (written by qflow-study plan).
set -euo pipefail
cd "$(dirname "$0")"
source ../../tools.sh
rm -rf package sim ./*.json ./*.log layer_bits.txt done
start=''
[[ -f checkpoint/state.json ]] && start="--resume checkpoint"
"$train" train --net flownets --width-mult 0.5 --size 128x128 --wbits 0 --abits 0 --data 'photos' --steps 12000 --lr 0.0001 --seed 1 --threads 1 --bf16 --channels-last --val-every 2000 --val-samples 16 $start --out . > train.log 2>&1
"$train" eval --checkpoint checkpoint --data 'photos' --size 384x512 --samples 16 --seed 1 --json val.json > val.log 2>&1
"$train" eval --checkpoint checkpoint --data 'pairs:../../../../../shared/data/flow' --size 384x512 --samples 100000 --json real.json > real.log 2>&1
touch done

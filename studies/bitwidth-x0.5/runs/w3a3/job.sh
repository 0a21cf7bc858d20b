#!/usr/bin/env bash
# Run 'w3a3' of the study two folders up (written by qflow-study plan).
set -euo pipefail
cd "$(dirname "$0")"
source ../../tools.sh
rm -rf package sim ./*.json ./*.log layer_bits.txt done
[[ -f ../flownetq-float/done ]] || { echo "w3a3: run 'flownetq-float' has not finished (an earlier wave: run it first)" >&2; exit 1; }
start=' --init ../flownetq-float/checkpoint'
[[ -f checkpoint/state.json ]] && start="--resume checkpoint"
"$train" train --net flownetq --width-mult 0.5 --size 128x128 --wbits 3 --abits 3 --data 'photos' --steps 4000 --lr 0.0002 --seed 1 --threads 1 --bf16 --channels-last --val-every 666 --val-samples 16 $start --out . > train.log 2>&1
"$train" eval --checkpoint checkpoint --data 'photos' --size 384x512 --samples 16 --seed 1 --json val.json > val.log 2>&1
"$train" eval --checkpoint checkpoint --data 'pairs:../../../../../shared/data/flow' --size 384x512 --samples 100000 --json real.json > real.log 2>&1
"$train" export --checkpoint checkpoint --out package --data 'photos' --size 384x512 --cases 1 --eval-samples 4 --seed 1 > export.log 2>&1
"$sim" run --model package --multipliers 1024 --gt '' --vcd '' --out sim --quiet > sim.log 2>&1
"$study" cost . > cost.log 2>&1
touch done

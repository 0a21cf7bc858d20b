#!/usr/bin/env bash
# Run 'mixed-luts60' of the study two folders up (written by qflow-study plan).
set -euo pipefail
cd "$(dirname "$0")"
source ../../tools.sh
rm -rf checkpoint package sim log.csv ./*.json ./*.log layer_bits.txt done
[[ -f ../flownetq-float/done ]] || { echo "mixed-luts60: run 'flownetq-float' has not finished (an earlier wave: run it first)" >&2; exit 1; }
[[ -f ../sensitivity/done ]] || { echo "mixed-luts60: run 'sensitivity' has not finished (an earlier wave: run it first)" >&2; exit 1; }
"$study" mixed ../.. --luts-fraction 0.6 --out . > mixed.log 2>&1
"$train" train --net flownetq --width-mult 0.25 --size 128x128 --wbits 8 --abits 8 --layer-bits "$(cat layer_bits.txt)" --data 'photos' --steps 4000 --lr 0.0002 --seed 1 --threads 1 --val-every 666 --val-samples 16 --init ../flownetq-float/checkpoint --out . > train.log 2>&1
"$train" eval --checkpoint checkpoint --data 'photos' --size 384x512 --samples 16 --seed 1 --json val.json > val.log 2>&1
"$train" eval --checkpoint checkpoint --data 'pairs:../../../../../shared/data/flow' --size 384x512 --samples 100000 --json real.json > real.log 2>&1
"$train" export --checkpoint checkpoint --out package --data 'photos' --size 384x512 --cases 1 --eval-samples 4 --seed 1 > export.log 2>&1
"$sim" run --model package --multipliers 1024 --gt '' --vcd '' --out sim --quiet > sim.log 2>&1
"$study" cost . > cost.log 2>&1
touch done

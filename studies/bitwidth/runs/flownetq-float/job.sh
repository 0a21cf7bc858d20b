#!/usr/bin/env bash
# Run 'flownetq-float' of the study in /root/study/bitwidth (written by qflow-study plan).
set -euo pipefail
cd "$(dirname "$0")"
rm -rf checkpoint package sim log.csv ./*.json ./*.log layer_bits.txt done
cp -r '/root/runs/qfloat-12000' checkpoint
'/root/study/bin2/qflow-train' eval --checkpoint checkpoint --data 'photos' --size 384x512 --samples 16 --seed 1 --json val.json > val.log 2>&1
'/root/study/bin2/qflow-train' eval --checkpoint checkpoint --data 'pairs:/work/shared/data/flow' --size 384x512 --samples 100000 --json real.json > real.log 2>&1
touch done

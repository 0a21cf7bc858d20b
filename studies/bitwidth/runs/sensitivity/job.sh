#!/usr/bin/env bash
# Run 'sensitivity' of the study two folders up (written by qflow-study plan).
set -euo pipefail
cd "$(dirname "$0")"
source ../../tools.sh
rm -rf checkpoint package sim log.csv ./*.json ./*.log layer_bits.txt done
[[ -f ../w8a8/done ]] || { echo "sensitivity: run 'w8a8' has not finished (an earlier wave: run it first)" >&2; exit 1; }
"$train" sensitivity --checkpoint ../w8a8/checkpoint --data 'photos' --widths 6,4,3,2 --samples 64 --seed 1 --json sensitivity.json > sensitivity.log 2>&1
touch done

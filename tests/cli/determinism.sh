#!/usr/bin/env bash
# determinism.sh QFLOW_SIM QFLOW_TRAIN PACKAGE WORK: the same run gives byte-identical outputs on 1
# and 2 threads, with and without co-simulation (flow.flo, report.json/.csv/.md, the waves; the
# VCD's $date header aside, which SystemC stamps), and qflow-train with the same seed writes
# byte-identical checkpoints, also when resumed.
set -euo pipefail
sim=$1 train=$2 pkg=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
simulate() {  # THREADS NAME [ARGS...]
  local threads=$1 name=$2
  shift 2
  OMP_NUM_THREADS=$threads "$sim" run --quiet --model "$pkg" --gt '' --out "$work/$name" --vcd "$work/$name/q.vcd" "$@"
  sed '/^\$date/,/^\$end/d' "$work/$name/q.vcd" > "$work/$name/q.undated.vcd"
}
same() {  # A B: every output of run A equals run B's
  for f in flow.flo report.json report.csv report.md q.undated.vcd; do
    cmp "$work/$1/$f" "$work/$2/$f" || { echo "$f differs between $1 and $2"; exit 1; }
  done
}
simulate 1 one_thread
simulate 2 two_threads
same one_thread two_threads
simulate 1 cosim_one_thread --cosim conv1
simulate 2 cosim_two_threads --cosim conv1
same cosim_one_thread cosim_two_threads
cmp "$work/one_thread/flow.flo" "$work/cosim_one_thread/flow.flo"
for i in 1 2; do
  "$train" train --width-mult 0.125 --size 64x64 --steps 10 --val-every 10 --val-samples 2 --threads 1 --quiet \
    --seed 7 --out "$work/train$i" > /dev/null 2>&1
done
for f in model.pt optimizer.pt state.json; do
  cmp "$work/train1/checkpoint/$f" "$work/train2/checkpoint/$f" || { echo "checkpoint $f differs between two runs"; exit 1; }
done
# Resuming twice from one checkpoint gives one result (the moments come back by parameter order).
for i in 1 2; do
  "$train" train --width-mult 0.125 --size 64x64 --steps 20 --val-every 10 --val-samples 2 --threads 1 --quiet \
    --seed 7 --resume "$work/train1/checkpoint" --out "$work/resumed$i" > /dev/null 2>&1
done
grep -q '"step": 20' "$work/resumed1/checkpoint/state.json"
cmp "$work/resumed1/checkpoint/model.pt" "$work/resumed2/checkpoint/model.pt"
echo "byte-identical: simulations on 1 and 2 threads, with and without co-simulation; checkpoints of one seed"

#!/usr/bin/env bash
# Builds and runs qflow's benchmarks, printing their tables (Markdown). Not tests: run by hand on
# a quiet machine; every number is a median of repeated runs, measured side by side.
#   scripts/bench.sh            the fast reference vs LibTorch and oneDNN (extra arguments go to it)
#   scripts/bench.sh model      the accelerator model: a full-size frame, where its conv time goes (each layer whole
#                               vs row by row vs all rows interleaved), then a fully co-simulated small frame
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja > /dev/null
if [[ ${1:-} == model ]]; then
  shift
  cmake --build build --target qflow_model_bench
  ./build/tests/bench/qflow_model_bench frame "$@"
  ./build/tests/bench/qflow_model_bench rows "$@"
  ./build/tests/bench/qflow_model_bench cosim
  exit
fi
cmake --build build --target qflow_reference_bench
./build/tests/bench/qflow_reference_bench "$@"

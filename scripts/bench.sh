#!/usr/bin/env bash
# Builds and runs qflow's benchmarks, printing their tables (Markdown). Not tests: run by hand on
# a quiet machine; every number is a median of repeated runs, measured side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja > /dev/null
cmake --build build --target qflow_reference_bench
./build/tests/bench/qflow_reference_bench "$@"

#!/usr/bin/env bash
# Training steps per second: the C++ trainer against the same network and batch in Python PyTorch
# (Debian's python3-torch, hence /usr/bin/python3), alternating three times each on the same machine; prints medians and the ratio.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake --build build --target qflow_train_step_bench > /dev/null
args=("$@")
cpp=() py=()
for _ in 1 2 3; do
  cpp+=("$(./build/tests/bench/qflow_train_step_bench "${args[@]}" | awk '/^cpp/{print $2}')")
  py+=("$(/usr/bin/python3 tests/bench/train_step_bench.py "${args[@]}" | awk '/^python/{print $2}')")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
c=$(median "${cpp[@]}") p=$(median "${py[@]}")
echo "| trainer | steps/s (median of 3 runs) |"
echo "|---|---|"
echo "| C++ LibTorch | $c |"
echo "| Python PyTorch | $p |"
awk -v c="$c" -v p="$p" 'BEGIN { printf "C++ / Python: %.2f\n", c / p }'

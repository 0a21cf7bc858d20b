#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang + ASan + UBSan and runs each for SECONDS,
# from its committed seeds (tests/fuzz/corpus/<target>/) and what earlier runs found
# (BUILD_DIR/corpus/<target>/), under GNU parallel (FUZZ_JOBS at a time, default all cores).
# Prints one line per target and exits non-zero on any finding; the reproducer is kept under
# BUILD_DIR/findings/<target>/ (rerun it: BUILD_DIR/tests/fuzz/<target> FILE).
# Usage: scripts/fuzz.sh SECONDS [TARGET...]   (BUILD_DIR: build-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-fuzz}
all_targets=(fuzz_flo fuzz_kitti_png fuzz_image_pair fuzz_npy fuzz_rom_hex fuzz_package fuzz_arch_json fuzz_csr)

# One target, as GNU parallel runs it: scripts/fuzz.sh --one SECONDS TARGET
if [[ ${1:-} == --one ]]; then
  seconds=$2 target=$3
  mkdir -p "$build/corpus/$target" "$build/findings/$target" "$build/logs"
  log=$build/logs/$target.log
  status=0
  # -timeout: an input that runs 10 s is a hang; -rss_limit_mb: 2 GiB, so an allocation a file's
  # size asks for without a check is a finding, not a slow machine.
  "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$build/findings/$target/" "$build/corpus/$target" "tests/fuzz/corpus/$target" >"$log" 2>&1 ||
    status=$?
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [[ $status -eq 0 ]]; then
    echo "$target: ${execs:-0} execs, no crash"
  else
    finding=$(ls -t "$build/findings/$target" 2>/dev/null | head -1)
    echo "$target: FINDING after ${execs:-?} execs: $build/findings/$target/$finding (log: $log)"
    grep -m3 -E 'ERROR|SUMMARY|fuzz finding|terminate' "$log" | sed 's/^/  /' || true
  fi
  exit $status
fi

if [[ $# -lt 1 || ! $1 =~ ^[0-9]+$ || $1 -lt 1 ]]; then
  echo "usage: scripts/fuzz.sh SECONDS [TARGET...]   (targets: ${all_targets[*]})" >&2
  exit 2
fi
seconds=$1
shift
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=("${all_targets[@]}")
for t in "${targets[@]}"; do
  [[ " ${all_targets[*]} " == *" $t "* ]] || { echo "fuzz: unknown target '$t' (${all_targets[*]})" >&2; exit 2; }
done
command -v clang++ >/dev/null || { echo "fuzz: needs clang++ (Debian: clang, libclang-rt-dev)" >&2; exit 2; }

CXX=clang++ cmake -S . -B "$build" -G Ninja -DQFLOW_FUZZ=ON -DQFLOW_BUILD_TESTS=OFF -DQFLOW_BUILD_TRAINER=OFF \
  -DQFLOW_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target "${targets[@]}"
export ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
parallel -j "${FUZZ_JOBS:-$(nproc)}" --line-buffer "$0" --one "$seconds" ::: "${targets[@]}"

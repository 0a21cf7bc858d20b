#!/usr/bin/env bash
# Builds qflow with AddressSanitizer + UndefinedBehaviorSanitizer in its own folder and runs the whole
# test suite there (the README's test command, instrumented). Exits non-zero on any finding.
# Usage: scripts/sanitize.sh [BUILD_DIR]   (default build-sanitize; QFLOW_DATA is passed through)
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-sanitize}
here=$(pwd)

cmake -S . -B "$dir" -G Ninja -DQFLOW_SANITIZE=ON -DQFLOW_BUILD_BENCH=OFF
cmake --build "$dir"

# Leaks are checked at exit (not in SystemC processes: tests/sanitize/systemc_no_leak_check.cpp);
# SystemC switches stacks by hand, where ASan's use-after-return detection cannot follow.
# tests/sanitize/ubsan.supp holds the two suppressions (Verilator headers), with their reasons.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/tests/sanitize/ubsan.supp"
ctest --test-dir "$dir" --output-on-failure -j2
echo "sanitize: the whole suite passed under ASan + UBSan ($dir)"

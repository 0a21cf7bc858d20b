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

# Why each option and suppression is there: tests/sanitize/README.md.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:halt_on_error=1:detect_stack_use_after_return=0:suppressions=$here/tests/sanitize/asan.supp"
export LSAN_OPTIONS="suppressions=$here/tests/sanitize/lsan.supp:print_suppressions=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/tests/sanitize/ubsan.supp"
ctest --test-dir "$dir" --output-on-failure -j2
echo "sanitize: the whole suite passed under ASan + UBSan ($dir)"

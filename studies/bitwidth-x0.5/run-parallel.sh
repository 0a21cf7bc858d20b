#!/usr/bin/env bash
# Runs the study on this machine with GNU parallel, N jobs at a time (default: one per core;
# N may be a file holding the number, re-read as jobs finish). Each wave starts when the one
# before it has finished (quantized runs fine-tune from the float run). Rerun to continue:
# --resume-failed skips what finished and retries what failed.
set -euo pipefail
cd "$(dirname "$0")"
source tools.sh
jobs=${1:-$(nproc)}
parallel --will-cite --joblog joblog-wave1 --resume-failed -j "$jobs" < wave1.txt
parallel --will-cite --joblog joblog-wave2 --resume-failed -j "$jobs" < wave2.txt
"$study" report .

#!/usr/bin/env bash
# Runs the campaign's jobs on this machine with GNU parallel, N at a time (default: one per core);
# rerun to continue: --resume-failed skips the jobs that finished.
set -euo pipefail
cd "$(dirname "$0")"
source tools.sh
export sim
parallel --will-cite --joblog joblog --resume-failed -j "${1:-$(nproc)}" < jobs.txt
"$sim" faults report .

#!/usr/bin/env bash
# Runs the campaign's jobs on this machine with GNU parallel, N at a time (default: one per core);
# rerun to continue: --resume-failed skips the jobs that finished. A job ten times slower than the
# median is stopped (a simulation that no longer advances): its trials go missing from the report.
set -euo pipefail
cd "$(dirname "$0")"
source tools.sh
export sim
parallel --will-cite --joblog joblog --resume-failed --timeout 1000% -j "${1:-$(nproc)}" < jobs.txt
"$sim" faults report .

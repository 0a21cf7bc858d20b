#!/usr/bin/env bash
# fault-campaigns.sh OUT [TRIALS] [JOBS]: the same soft-error campaign on the bundled model three
# times, its ROMs and line buffers unprotected, under parity and under SECDED, then the three side
# by side (OUT/comparison.md). qflow-sim from $QFLOW_SIM, else build/sim/qflow-sim. With the
# trials already run (OUT/*/results), only the reports and the comparison are made again.
set -euo pipefail
out=$1 trials=${2:-5000} jobs=${3:-$(nproc)}
export QFLOW_SIM=${QFLOW_SIM:-$(cd "$(dirname "$0")/.." && pwd)/build/sim/qflow-sim}
for protection in none parity secded; do
  if [[ ! -f $out/$protection/campaign.json ]]; then
    "$QFLOW_SIM" faults plan --trials "$trials" --seed 1 --rom-protection $protection \
      --line-buffer-protection $protection --out "$out/$protection"
  fi
  "$out/$protection/run-parallel.sh" "$jobs"  # --resume-failed: jobs done are not run again
done
# Side by side at the campaigns' threshold (0.1 px), and at a tenfold stricter one.
{
  echo "# Soft errors on the bundled model: no protection, parity, SECDED"
  echo
  echo "Silent corruption: the flow's EPE against the fault-free flow at or above 0.1 px."
  echo
  "$QFLOW_SIM" faults compare "$out/none" "$out/parity" "$out/secded"
  echo
  echo "The same trials, silent corruption from 0.01 px on:"
  echo
  "$QFLOW_SIM" faults compare "$out/none" "$out/parity" "$out/secded" --threshold 0.01
} > "$out/comparison.md"
cat "$out/comparison.md"

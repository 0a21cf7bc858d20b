#!/usr/bin/env bash
# fault-campaigns.sh OUT [TRIALS] [JOBS]: the same soft-error campaign on the bundled model three
# times, its ROMs and line buffers unprotected, under parity and under SECDED, then the three side
# by side (OUT/comparison.md). qflow-sim from $QFLOW_SIM, else build/sim/qflow-sim.
set -euo pipefail
out=$1 trials=${2:-5000} jobs=${3:-$(nproc)}
export QFLOW_SIM=${QFLOW_SIM:-$(cd "$(dirname "$0")/.." && pwd)/build/sim/qflow-sim}
for protection in none parity secded; do
  "$QFLOW_SIM" faults plan --trials "$trials" --seed 1 --rom-protection $protection \
    --line-buffer-protection $protection --out "$out/$protection"
  "$out/$protection/run-parallel.sh" "$jobs"
done
"$QFLOW_SIM" faults compare "$out/none" "$out/parity" "$out/secded" --out "$out/comparison.md"
cat "$out/comparison.md"

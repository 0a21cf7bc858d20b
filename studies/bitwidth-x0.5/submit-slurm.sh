#!/usr/bin/env bash
# Submits the study to Slurm: each wave an array that starts once the wave before it succeeded.
set -euo pipefail
cd "$(dirname "$0")"
wave1=$(sbatch --parsable --array=1-2 slurm.sh wave1.txt)
echo "wave 1: job ${wave1%%;*}"
wave2=$(sbatch --parsable --dependency=afterok:${wave1%%;*} --array=1-6 slurm.sh wave2.txt)
echo "wave 2: job ${wave2%%;*}"

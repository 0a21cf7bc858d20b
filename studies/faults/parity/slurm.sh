#!/usr/bin/env bash
#SBATCH --job-name=qflow-faults
#SBATCH --cpus-per-task=1
#SBATCH --output=slurm-%A_%a.out
# One array task = one line of jobs.txt: sbatch --array=1-$(wc -l < jobs.txt) slurm.sh; then qflow-sim faults report .
set -euo pipefail
cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")}"
source tools.sh
: "${SLURM_ARRAY_TASK_ID:?slurm.sh runs as an array task}"
eval "$(sed -n "${SLURM_ARRAY_TASK_ID}p" jobs.txt)"

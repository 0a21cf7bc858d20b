#!/usr/bin/env bash
#SBATCH --job-name=qflow-study
#SBATCH --cpus-per-task=1
#SBATCH --output=/root/study/bitwidth/slurm-%A_%a.out
# One array task = one line of a jobs file (default: jobs.txt): line $SLURM_ARRAY_TASK_ID.
#   sbatch --array=1-N slurm.sh [waveK.txt]   (submit-slurm.sh submits every wave)
set -euo pipefail
jobs=${1:-/root/study/bitwidth/jobs.txt}
: "${SLURM_ARRAY_TASK_ID:?slurm.sh runs as an array task (sbatch --array=1-N)}"
line=$(sed -n "${SLURM_ARRAY_TASK_ID}p" "$jobs")
[[ -n $line ]] || { echo "slurm.sh: $jobs has no line $SLURM_ARRAY_TASK_ID" >&2; exit 1; }
eval "$line"

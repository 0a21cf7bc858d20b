#!/usr/bin/env bash
#SBATCH --job-name=qflow-study
#SBATCH --cpus-per-task=1
#SBATCH --output=slurm-%A_%a.out
# One array task = one line of a jobs file (default: jobs.txt): line $SLURM_ARRAY_TASK_ID,
# run from the study folder (Slurm runs a copy of this script: the folder it was submitted from).
#   sbatch --array=1-N slurm.sh [waveK.txt]   (submit-slurm.sh submits every wave)
set -euo pipefail
[[ -z ${1:-} ]] || jobs=$(realpath "$1")
cd "${SLURM_SUBMIT_DIR:-$(dirname "$0")}"
jobs=${jobs:-jobs.txt}
: "${SLURM_ARRAY_TASK_ID:?slurm.sh runs as an array task (sbatch --array=1-N)}"
line=$(sed -n "${SLURM_ARRAY_TASK_ID}p" "$jobs")
[[ -n $line ]] || { echo "slurm.sh: $jobs has no line $SLURM_ARRAY_TASK_ID" >&2; exit 1; }
eval "$line"

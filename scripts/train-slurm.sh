#!/usr/bin/env bash
# Data-parallel qflow-train on a Slurm cluster: srun starts one task per rank, and each rank joins
# the run from Slurm's variables (rank 0, on the job's first node, serves the rendezvous; the port
# comes from MASTER_PORT, else from the job id). Each rank reads --batch samples a step.
#   sbatch --nodes=2 --ntasks-per-node=4 --cpus-per-task=8 scripts/train-slurm.sh \
#     train --width-mult 1 --size 256x256 --batch 2 --steps 60000 --out runs/full
# The trainer: $QFLOW_TRAIN, else qflow-train on the PATH. Threads per rank: --cpus-per-task,
# unless the arguments give --threads.
#SBATCH --job-name=qflow-train
#SBATCH --output=qflow-train-%j.out
set -euo pipefail
train=${QFLOW_TRAIN:-qflow-train}
if [[ ${1:-} != train ]]; then
  echo "usage: sbatch [Slurm options] $0 train [qflow-train train options]" >&2
  exit 1
fi
: "${SLURM_NTASKS:?train-slurm.sh runs inside a Slurm job (sbatch or salloc)}"
threads=()
[[ " $* " == *" --threads "* ]] || threads=(--threads "${SLURM_CPUS_PER_TASK:-1}")
exec srun --ntasks="$SLURM_NTASKS" --kill-on-bad-exit=1 "$train" "$@" "${threads[@]}"

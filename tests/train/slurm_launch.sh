#!/usr/bin/env bash
# slurm_launch.sh QFLOW_TRAIN WORK: scripts/train-slurm.sh as a two-task job would run it, without a
# cluster: a stand-in srun starts the tasks with the variables Slurm gives them, and the ranks must
# find one another from those alone and train as one run.
set -euo pipefail
train=$1 work=$2
rm -rf "$work" && mkdir -p "$work/bin"
cat > "$work/bin/srun" <<'SRUN'
#!/usr/bin/env bash
# srun --ntasks=N --kill-on-bad-exit=1 COMMAND...: N copies, SLURM_PROCID 0..N-1.
n=${1#--ntasks=}; shift 2
pids=()
for ((i = 0; i < n; i++)); do SLURM_PROCID=$i SLURM_LOCALID=$i "$@" > "$SRUN_LOGS/task$i.log" 2>&1 & pids+=($!); done
status=0
for p in "${pids[@]}"; do wait "$p" || status=1; done
exit $status
SRUN
chmod +x "$work/bin/srun"
unset WORLD_SIZE RANK MASTER_ADDR MASTER_PORT
export PATH=$work/bin:$PATH QFLOW_TRAIN=$train SRUN_LOGS=$work
export SLURM_NTASKS=2 SLURM_JOB_ID=$((RANDOM % 20000)) SLURM_JOB_NODELIST=127.0.0.1 SLURM_CPUS_PER_TASK=1
"$(dirname "$0")/../../scripts/train-slurm.sh" train --width-mult 0.125 --size 64x64 --steps 6 --batch 2 \
  --val-every 6 --val-samples 2 --quiet --dist-timeout 60 --out "$work/run"
cat "$work/task0.log"
grep -q "2 ranks (Slurm) of batch 2" "$work/task0.log"
test "$(wc -l < "$work/run/log.csv")" = 2
grep -q '"ranks": 2' "$work/run/checkpoint/state.json"

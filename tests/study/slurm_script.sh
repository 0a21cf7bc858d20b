#!/usr/bin/env bash
# slurm_script.sh QFLOW_STUDY WORK: the Slurm files of a plan, without a cluster. slurm.sh runs as
# an array task would (SLURM_ARRAY_TASK_ID set) on a jobs file of our own; submit-slurm.sh runs
# against a stand-in sbatch that logs its arguments, to check that wave 2 depends on wave 1.
set -euo pipefail
study=$1 work=$2
rm -rf "$work" && mkdir -p "$work/bin"
"$study" plan --out "$work/s" --bits 8,6,4 --size 64x64 --data synthetic > /dev/null
grep -q '^#SBATCH --job-name=qflow-study' "$work/s/slurm.sh"
printf 'echo first > %s/one\necho second > %s/two\n' "$work" "$work" > "$work/lines.txt"
SLURM_ARRAY_TASK_ID=2 "$work/s/slurm.sh" "$work/lines.txt"
test "$(cat "$work/two")" = second && test ! -e "$work/one"
if SLURM_ARRAY_TASK_ID=3 "$work/s/slurm.sh" "$work/lines.txt" 2> "$work/err"; then echo "line 3 should not exist"; exit 1; fi
grep -q "has no line 3" "$work/err"
cat > "$work/bin/sbatch" <<'SB'
#!/bin/sh
echo "$*" >> "$SBATCH_LOG"
echo "$(wc -l < "$SBATCH_LOG")1;cluster"
SB
chmod +x "$work/bin/sbatch"
SBATCH_LOG=$work/sbatch.log PATH=$work/bin:$PATH "$work/s/submit-slurm.sh"
cat "$work/sbatch.log"
grep -qx -- "--parsable --array=1-1 slurm.sh wave1.txt" "$work/sbatch.log"
grep -qx -- "--parsable --dependency=afterok:11 --array=1-3 slurm.sh wave2.txt" "$work/sbatch.log"
test "$(wc -l < "$work/s/jobs.txt")" = 4

#!/usr/bin/env bash
# tiny_study.sh QFLOW_STUDY WORK: a two-width study at 64x64 for a few steps, with the per-layer
# sensitivity and a mixed-precision run, planned, run under GNU parallel (four waves) and reported;
# then the report again with one run removed (listed as missing, not fatal). The study is planned in
# one folder and run from another: nothing it wrote may name the folder it was planned in.
set -euo pipefail
study=$1 work=$2
rm -rf "$work" && mkdir -p "$work"
"$study" plan --out "$work/planned" --bits 8,3 --width-mult 0.125 --size 64x64 --steps 40 --finetune-steps 20 \
  --data synthetic --val-samples 4 --multipliers 256 --sensitivity-widths 4,2 \
  --sensitivity-samples 8 --mixed-luts 0.8
mv "$work/planned" "$work/s"
if grep -rl "$work/planned" "$work/s"; then echo "the plan names the folder it was planned in"; exit 1; fi
"$work/s/run-parallel.sh" 2
csv=$work/s/report.csv
cat "$work/s/report.md"
for name in flownetq-float w8a8 w3a3 mixed-luts80; do grep -q "^$name,flownetq," "$csv" || { echo "no row $name in $csv"; exit 1; }; done
# Quantized rows carry an integer EPE, LUTs and a frame rate; fewer bits cost fewer LUTs.
luts() { awk -F, -v n="$1" 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } $1 == n { print $c["luts"] }' "$csv"; }
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next } $3 > 0 && ($c["epe_val_integer"] == "" || $c["fps"] == "") { exit 1 }' "$csv" \
  || { echo "a quantized row lacks its integer EPE or frame rate"; exit 1; }
awk -v a="$(luts w3a3)" -v b="$(luts w8a8)" 'BEGIN { exit !(a > 0 && a < b) }' || { echo "w3a3 is not cheaper than w8a8"; exit 1; }
awk -v a="$(luts mixed-luts80)" -v b="$(luts w8a8)" 'BEGIN { exit !(a > 0 && a <= 0.8 * b) }' \
  || { echo "the mixed run is not within 80 % of w8a8's LUTs"; exit 1; }
grep -q "## Per-layer sensitivity" "$work/s/report.md" && test -s "$work/s/joblog-wave4"
if command -v gnuplot > /dev/null; then for c in epe_vs_bits luts_vs_bits epe_vs_luts; do test -s "$work/s/$c.svg"; done; fi
grep -q "parallel" "$work/s/run-parallel.sh" && test -s "$work/s/joblog-wave2"

# The study's page (skipped without chromium) and a run's page show their images and tables.
check_page() {
  local rc=0
  "$(dirname "$0")/../cli/page_check.sh" "$@" || rc=$?
  [[ $rc -eq 0 || $rc -eq 77 ]]
}
check_page "$work/s/report.html" w8a8 w3a3 mixed-luts80 conv1
check_page "$work/s/runs/w8a8/sim/index.html" conv1 predict_flow2

# A run that has not finished is listed, and the rest still reported.
cp -r "$work/s" "$work/partial"
rm "$work/partial/runs/w3a3/done"
out=$("$study" report "$work/partial")
echo "$out"
grep -q "missing w3a3" <<<"$out"
if grep -q "^w3a3," "$work/partial/report.csv"; then echo "an unfinished run is in the table"; exit 1; fi
grep -q "^w8a8," "$work/partial/report.csv"

# An interrupted training resumes from its checkpoint: w3a3 stopped at its last checkpoint (the
# steps of its log before it are kept, the run is not done) carries on to its steps, and its log
# holds each checkpoint's step once (its 'done' is already gone, above).
sed -i 's/"step": *[0-9]*/"step": 10/' "$work/partial/runs/w3a3/checkpoint/state.json"
# The kept lines are marked (a loss of 99): a run started afresh would write its log anew.
awk -F, -v OFS=, 'NR == 1 { print; next } $1 <= 10 { $2 = 99; print }' "$work/partial/runs/w3a3/log.csv" > "$work/partial/log10"
mv "$work/partial/log10" "$work/partial/runs/w3a3/log.csv"
(cd "$work/partial" && bash runs/w3a3/job.sh)
test -f "$work/partial/runs/w3a3/done"
steps=$(awk -F, 'NR > 1 { print $1 }' "$work/partial/runs/w3a3/log.csv" | tr '\n' ' ')
echo "w3a3 resumed; its log's steps: $steps"
[[ $steps == "3 6 9 "*"20 " && $(tr ' ' '\n' <<<"$steps" | sort | uniq -d) == "" ]] || { echo "w3a3 did not resume from step 10"; exit 1; }
grep -q "^3,99," "$work/partial/runs/w3a3/log.csv" || { echo "w3a3 started afresh instead of resuming"; exit 1; }

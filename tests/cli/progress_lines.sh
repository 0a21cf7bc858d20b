#!/usr/bin/env bash
# progress_lines.sh LABEL CMD ARGS...: CMD's stderr goes to a file, as in a log or CI: its progress
# must be plain lines (no carriage-return redraws), at most one per tenth of the work.
set -euo pipefail
label=$1
shift
log=$(mktemp)
trap 'rm -f "$log"' EXIT
"$@" 2> "$log" > /dev/null
cat "$log"
lines=$(grep -c "^ *$label " "$log" || true)
redraws=$(tr -cd '\r' < "$log" | wc -c)
echo "$lines progress lines, $redraws carriage returns"
[[ $lines -ge 1 && $lines -le 11 && $redraws -eq 0 ]]

#!/usr/bin/env bash
# Soak benchmark (not a test): FRAMES frames back to back through the whole simulated system
# (host driver, CSRs, DMA, the pipeline), the same pair each frame, and the process's resident memory
# after the first and the last frame, which should stay flat.
#   scripts/soak.sh [FRAMES] [PACKAGE]     (default: 200 frames of tests/data' small trained model)
set -euo pipefail
cd "$(dirname "$0")/.."
frames=${1:-200}
pkg=${2:-tests/data/flownetq-x0.125-128x128-w8a8}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
start=$(date +%s.%N)
./build/sim/qflow-sim run --quiet --model "$pkg" --gt '' --vcd '' --frames "$frames" --out "$out"
end=$(date +%s.%N)
python3 - "$out/report.json" "$frames" "$start" "$end" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))
rss, wall = r["simulation_resident_kib"], r["simulation_wall_seconds"]
print(f"| frames | wall (s) | median frame (ms) | resident after frame 1 (MiB) | after frame {len(rss)} (MiB) | growth |")
print("|---|---|---|---|---|---|")
print(f"| {sys.argv[2]} | {float(sys.argv[4]) - float(sys.argv[3]):.1f} | {1000 * statistics.median(wall):.1f} | "
      f"{rss[0] / 1024:.1f} | {rss[-1] / 1024:.1f} | {100 * (rss[-1] - rss[0]) / rss[0]:+.2f} % |")
PY

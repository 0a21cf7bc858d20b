#!/usr/bin/env bash
# Redraws the README's two pictures from qflow-sim's default run (bundled model and pair):
#   docs/img/panel.png  the run's panel (inputs, flow, ground truth, error), half size
#   docs/img/waves.png  GTKWave on the run's waves (the whole frame, the first units' groups),
#                       shot under Xvfb
# Needs the build (./build) and scripts/setup-debian.sh --view (GTKWave, Xvfb, ImageMagick).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in gtkwave Xvfb import convert; do
  command -v $tool > /dev/null || { echo "readme-pictures: $tool is missing (scripts/setup-debian.sh --view)" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'kill $(jobs -p) 2> /dev/null || true; rm -rf "$work"' EXIT
./build/sim/qflow-sim run --quiet --out "$work/out" --vcd "$work/qflow.vcd"
convert "$work/out/panel.png" -resize 50% docs/img/panel.png

display=:97
Xvfb $display -screen 0 1400x720x24 -nolisten tcp &
sleep 1
DISPLAY=$display gtkwave --rcvar 'splash_disable on' "$work/qflow.vcd" "$work/qflow.gtkw" > /dev/null 2>&1 &
sleep 6  # GTKWave loads the dump and draws the window
import -display $display -window root "$work/screen.png"
convert "$work/screen.png" -trim +repage docs/img/waves.png
echo "readme-pictures: wrote docs/img/panel.png and docs/img/waves.png"

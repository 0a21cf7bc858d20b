#!/usr/bin/env bash
# gtkwave_view.sh QFLOW_SIM PACKAGE WORK: simulates PACKAGE with conv1 co-simulated, opens the waves
# with their save file in GTKWave under Xvfb and asks GTKWave (Tcl) what it shows: the whole frame
# in the window, markers at the frame's start and the interrupt, groups in pipeline order, traces
# labelled with their unit; conv1's RTL waves (Verilator's FST) open with the array's ports, on the
# frame's time axis. vcd2fst must accept the VCD, and --fst must give a save file GTKWave opens. Skips (exit 77) when gtkwave or xvfb-run is absent.
set -euo pipefail
sim=$1 pkg=$2 work=$3
for tool in gtkwave xvfb-run vcd2fst; do
  command -v $tool > /dev/null || { echo "SKIP: $tool is not installed (scripts/setup-debian.sh --view)"; exit 77; }
done
rm -rf "$work" && mkdir -p "$work"
"$sim" run --quiet --model "$pkg" --gt '' --cosim conv1 --out "$work/out" --vcd "$work/q.vcd"
cat > "$work/probe.tcl" <<'TCL'
puts "DUMPEND [gtkwave::getMaxTime]"
puts "SPAN [expr {[gtkwave::getUnitTimePixels] * [gtkwave::getWaveWidth]}]"
puts "MARKER_A [gtkwave::getNamedMarker A]"
puts "MARKER_B [gtkwave::getNamedMarker B]"
for {set i 0} {$i < [gtkwave::getTotalNumTraces]} {incr i} {
  puts "TRACE [gtkwave::getTraceFlagsFromIndex $i] [gtkwave::getTraceNameFromIndex $i]"
}
gtkwave::/File/Quit
TCL
cat > "$work/facs.tcl" <<'TCL'
puts "DUMPEND [gtkwave::getMaxTime]"
for {set i 0} {$i < [gtkwave::getNumFacs]} {incr i} { puts "FAC [gtkwave::getFacName $i]" }
gtkwave::/File/Quit
TCL
view() { timeout 120 xvfb-run -a gtkwave -S "$work/probe.tcl" "$@" 2> /dev/null | grep -E "^(DUMPEND|SPAN|MARKER_[AB]|TRACE) "; }
view "$work/q.vcd" "$work/q.gtkw" > "$work/shown.txt"
get() { awk -v k="$1" '$1 == k { print $2 }' "$work/shown.txt"; }
end=$(get DUMPEND) span=$(get SPAN) a=$(get MARKER_A) b=$(get MARKER_B)
echo "dump ends at $end; the window spans $span; markers A=$a B=$b"
awk -v e="$end" -v s="$span" 'BEGIN { exit !(s >= e && s <= 1.5 * e) }' || { echo "the window does not show the whole frame"; exit 1; }
awk -v a="$a" -v b="$b" -v e="$end" 'BEGIN { exit !(a > 0 && a < b && b <= e) }' || { echo "markers are not at start < interrupt"; exit 1; }
# Groups (flag 0x800000 opens one) in pipeline order.
groups=$(awk '$1 == "TRACE" && int($2 / 8388608) % 2 == 1 { $1 = $2 = ""; sub(/^ +/, ""); print }' "$work/shown.txt" | tr '\n' '|')
echo "groups: $groups"
[[ $groups == "control: CSR status, interrupt|DRAM: bytes each DMA master moved this frame|input|conv1|conv2|conv3|"* ]] || { echo "groups are not in pipeline order"; exit 1; }
[[ $groups == *"|predict_flow2|flow_writer|" ]] || { echo "the flow head and writer do not close the pipeline"; exit 1; }
grep -q "^TRACE [0-9]* conv3_1 busy$" "$work/shown.txt" || { echo "traces are not labelled with their unit"; exit 1; }
grep -q "^TRACE [0-9]* dram input" "$work/shown.txt" || { echo "the input streamer's DRAM traffic is not shown"; exit 1; }
timeout 120 xvfb-run -a gtkwave -S "$work/facs.tcl" "$work/rtl/conv1_mac_array.fst" 2> /dev/null > "$work/rtl.txt"
grep -q "^FAC .*out_acc_o" "$work/rtl.txt" || { echo "conv1's array waves lack its ports"; exit 1; }
rtl_end=$(awk '$1 == "DUMPEND" { print $2 }' "$work/rtl.txt")
awk -v r="$rtl_end" -v a="$a" -v e="$end" 'BEGIN { exit !(r > a && r <= e) }' || { echo "conv1's RTL waves end at $rtl_end, outside the frame"; exit 1; }
vcd2fst -v "$work/q.vcd" -f "$work/check.fst" > /dev/null
test -s "$work/check.fst"
"$sim" run --quiet --model "$pkg" --gt '' --out "$work/out2" --vcd "$work/f.vcd" --fst
test -s "$work/f.fst" && test ! -e "$work/f.vcd"
view "$work/f.fst" "$work/f.gtkw" > "$work/shown_fst.txt"
grep -q "^TRACE [0-9]* conv1 busy$" "$work/shown_fst.txt" || { echo "GTKWave does not open the FST"; exit 1; }
echo "GTKWave shows the frame as laid out"

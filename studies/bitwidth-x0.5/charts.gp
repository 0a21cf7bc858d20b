# Drawn by qflow-study report from report.csv and pareto.csv: gnuplot charts.gp
set terminal svg size 640,420 dynamic font "sans,12" background "white"
set datafile separator comma
set datafile columnheaders
set grid
set key top right
A = "epe_real"
float_q = 4.37789
farneback = 2.07899
zero = 3.2631
fixed(c) = column("w_bits") > 0 && strcol("ranges") eq "fixed" ? column(c) : NaN
learned(c) = column("w_bits") > 0 && strcol("ranges") eq "learned" ? column(c) : NaN

set output "epe_vs_bits.svg"
set title "Accuracy against bit width (weights = activations)"
set xlabel "bits"
set ylabel "EPE on the real pairs (px)"
set xrange [1.5:8.5]
plot "report.csv" using (fixed("w_bits")):(column(A)) with linespoints pt 7 lw 2 title "fixed ranges (integer path)", \
     "" using (learned("w_bits")):(column(A)) with linespoints pt 5 lw 2 title "learned ranges, LSQ (integer path)", \
     float_q with lines dt 2 lw 2 title "float FlowNetQ", \
     farneback with lines dt 3 lw 2 title "Farneback", \
     zero with lines dt 4 lw 1 lc "gray" title "zero flow"

set output "luts_vs_bits.svg"
set title "MAC arrays + requant at the simulated folding (yosys synth_xilinx, multipliers in LUTs)"
set ylabel "LUTs"
set yrange [0:*]
plot "report.csv" using (fixed("w_bits")):(column("luts")) with linespoints pt 7 lw 2 title "total", \
     "" using (fixed("w_bits")):(column("array_luts")) with linespoints pt 5 title "MAC arrays", \
     "" using (fixed("w_bits")):(column("requant_luts")) with linespoints pt 9 title "requant lanes"

set output "epe_vs_luts.svg"
set title "Accuracy against circuit size"
set xlabel "LUTs"
set ylabel "EPE on the real pairs (px)"
set autoscale
set xrange [0:*]
plot "pareto.csv" using (column("luts")):(column(A)) with lines lw 2 title "Pareto front", \
     "report.csv" using (column("luts")):(column(A)) with points pt 7 title "configurations", \
     "" using (column("luts")):(column(A)):(stringcolumn("name")) with labels offset 0.6,0.6 left notitle

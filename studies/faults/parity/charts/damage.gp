# Drawn by qflow-sim faults report from damage.dat: gnuplot damage.gp
set terminal svg size 960,420 dynamic noenhanced font "sans,11" background "white"
set output "damage.svg"
set title "Flow damage of the trials that changed the flow"
set xlabel "log10 EPE against the fault-free flow (px)"
set ylabel "trials"
set arrow from -1,graph 0 to -1,graph 1 nohead dt 2
set key top right
plot 'damage.dat' index 0 using 1:2 with histeps lw 2 title 'acc', 'damage.dat' index 1 using 1:2 with histeps lw 2 title 'csr', 'damage.dat' index 2 using 1:2 with histeps lw 2 title 'fifo'

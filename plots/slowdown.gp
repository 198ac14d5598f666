# Noisy-neighbour slowdown per scenario: the victim's metric next to the
# aggressor divided by the victim alone. Reads: n_bars, n_series,
# series_title[] (backends); datafile blocks (one per backend): x, slowdown,
# ci95 low, ci95 high, label.
reset
load template_dir.'/common.gp'
set ylabel 'slowdown (× the victim alone): median ratio, bars = 95% interval'
set yrange [0:*]
set xrange [-0.7:n_bars - 0.3]
set xtics rotate by -30 font ',8'
set bmargin 12
set style fill solid 0.85 border -1
set boxwidth 0.7
set arrow 1 from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb '#333333'
set key top left font ',9'
plot for [i=1:n_series] datafile index (i-1) using 1:2:xtic(5) with boxes lt i \
       title series_title[i], \
     for [i=1:n_series] datafile index (i-1) using 1:2:3:4 with yerrorbars lc rgb 'black' lw 1.5 ps 0 \
       notitle

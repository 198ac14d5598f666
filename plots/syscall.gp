# System call cost per call, grouped bars per operation, one colour per
# backend (or cell). Reads: n_series, series_title[]; datafile rows:
# operation, then per series p50, ci95 low, ci95 high (ns).
reset
load template_dir.'/common.gp'
set style data histogram
set style histogram errorbars gap 1.5 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set logscale y 10
set ylabel 'cost per call (ns, log scale): median, bars = 95% interval'
set xlabel 'operation'
set yrange [1:*]
set xtics nomirror font ',9'
set key top left font ',9'
plot for [b=1:n_series] datafile using (column(3*b - 1)):(column(3*b)):(column(3*b + 1)):xtic(1) \
       lt b title series_title[b]

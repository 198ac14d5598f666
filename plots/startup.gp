# Startup latency, one ECDF per cell. Reads: unit_label, logx, n_series,
# series_title[]; datafile blocks (one per cell): value, cumulative fraction.
reset
load template_dir.'/common.gp'
set xlabel 'startup: host launch call to READY ('.unit_label.(logx ? ', log scale)' : ')')
set ylabel 'fraction of launches at or below (ECDF)'
set yrange [0:1.02]
set ytics 0.1
if (logx) { set logscale x 10; set mxtics 10 }
# Tight to the data: autoscaling to whole decades wastes half the width.
set autoscale xfix
set offsets graph 0.03, graph 0.03, 0, 0
# Outside: the curves of slow cells sit where an inside key would be.
set key outside right top vertical font ',8'
plot for [i=1:n_series] datafile index (i-1) using 1:2 with steps lt i title series_title[i]

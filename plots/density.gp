# Memory per instance against the number of instances up at once. Reads:
# y_min, y_max, n_max, n_series, series_title[], has_drop[], fit_title[]
# ('' without a fit),
# fit_slope[], fit_intercept[] (MiB; NaN without a fit); datafile blocks
# (one per backend/workload): N, host PSS p50 lo hi, MemAvailable drop per
# instance p50 lo hi (MiB). The fit is derived.density's model of the total,
# intercept + slope x N, drawn per instance: slope + intercept / N.
reset
load template_dir.'/common.gp'
set xlabel 'instances up at once (N)'
set ylabel 'memory per instance (MiB): median, bars = 95% interval'
# y_min, y_max: the medians and the PSS intervals (a MemAvailable drop can
# be negative noise with an interval 100x the data: its bars are cut).
set yrange [y_min:y_max]
if (n_max <= 16) set xtics 1
set xrange [0.8:n_max + 0.2]
set key outside right top vertical font ',8'
set rmargin 46
set samples 200
plot for [i=1:n_series] datafile index (i-1) using 1:2:3:4 with yerrorlines lt i \
       title series_title[i].': host PSS', \
     for [i=1:n_series] datafile index (i-1) using 1:5:6:7 with yerrorlines lt i dt 2 \
       title (has_drop[i] ? series_title[i].': MemAvailable drop (bars may be cut)' : ''), \
     for [i=1:n_series] fit_slope[i] + fit_intercept[i] / x with lines lt i dt 3 lw 1.5 \
       title fit_title[i]

# Startup phases, one horizontal stacked bar per backend, in percent of its
# median startup. Reads: n_bars, bar_label[], n_segments, seg_title[],
# seg_color[]; datafile blocks (one per segment): bar, start %, end %,
# duration text.
reset
load template_dir.'/common.gp'
set xlabel 'share of the median startup to READY (%); segments in order of time, labelled with their median duration'
set xrange [0:100]
# The first backend on top, as in the tables.
set yrange [-0.6:n_bars - 0.4] reverse
set ytics () font ',9'
do for [i=1:n_bars] { set ytics add (bar_label[i] (i - 1)) }
set grid noytics
set style fill solid 0.9 border lc rgb 'white'
set key outside right top vertical title 'segment ends at' font ',8' spacing 0.9
set rmargin 30
plot for [i=1:n_segments] datafile index (i-1) \
       using (($2 + $3) / 2):1:2:3:($1 - 0.32):($1 + 0.32) \
       with boxxyerror lc (int(seg_color[i])) title seg_title[i], \
     for [i=1:n_segments] datafile index (i-1) \
       using (($2 + $3) / 2):1:(($3 - $2) >= 9 ? stringcolumn(4) : '') \
       with labels font ',8' tc rgb 'black' notitle

# Shared look of the cvbench plots; every template loads it after `reset`.
# Variables set by the driver cvbench writes (NAME.gnuplot next to the
# images): datafile, plot_title, caption, and the template's own.
set encoding utf8
set datafile separator "\t"
set datafile missing '?'
set border 3 lc rgb '#555555'
set tics nomirror
set grid lc rgb '#e0e0e0' lt 1
set key noenhanced box lc rgb '#cccccc' opaque
set title plot_title font ',13'
# The caption names the host and accelerator: a figure without them is folklore.
set bmargin 7
set label 1001 caption at screen 0.01, screen 0.025 left font ',8' tc rgb '#555555'
# A 20-colour qualitative palette (tab20 order), so phases keep distinct colours.
array cvb_colors[20] = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', \
  '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#aec7e8', '#ffbb78', \
  '#98df8a', '#ff9896', '#c5b0d5', '#c49c94', '#f7b6d2', '#c7c7c7', '#dbdb8d', '#9edae5']
do for [i=1:20] { set linetype i lc rgb cvb_colors[i] lw 2 pt 7 ps 0.8 }
set linetype cycle 20

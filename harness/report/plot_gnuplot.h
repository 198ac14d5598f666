/* Drawing the plots: finding gnuplot and the templates, writing each plot's
 * data file and driver script, running gnuplot through cvb_spawn, and
 * putting the finished directory in place whole (or not at all). */
#ifndef CVB_PLOT_GNUPLOT_H
#define CVB_PLOT_GNUPLOT_H

#include "cvb_error.h"
#include "plot_data.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#define CVB_GNUPLOT_MISSING_MSG "gnuplot not found: install it with 'apt-get install gnuplot-nox'"
#define CVB_PLOT_MANIFEST "manifest.tsv"

/* cvb_plot_write's answers when gnuplot is not on PATH (err holds
 * CVB_GNUPLOT_MISSING_MSG) and when out_dir may not be replaced (bad
 * input, like the former); other failures are -1. */
#define CVB_PLOT_NO_GNUPLOT (-2)
#define CVB_PLOT_BAD_TARGET (-3)

struct cvb_plot_formats {
	bool png, svg;
};

/* Parses "png", "svg" or "png,svg". -1 with err on anything else. */
int cvb_plot_formats_parse(const char *list, struct cvb_plot_formats *f, struct cvb_error *err);

/* gnuplot's absolute path from $PATH; -1 with err = CVB_GNUPLOT_MISSING_MSG. */
int cvb_gnuplot_locate(char *out, size_t len, struct cvb_error *err);

/* The directory holding the templates (common.gp and one NAME.gp per plot):
 * $CVB_PLOTS_DIR, then share/cvbench/plots beside the installed binary
 * (../share/cvbench/plots), then the source tree's plots/ (../plots from
 * build/cvbench). Absolute; -1 with err listing where it looked. */
int cvb_plot_templates_locate(char *out, size_t len, struct cvb_error *err);

/* Writes NAME.dat, NAME.gnuplot and the images of every plot the document
 * has data for into the existing directory dir, running gnuplot once per
 * plot. -1 with err (gnuplot's own last words included) on failure. */
int cvb_plot_render(const cJSON *doc, const struct cvb_plot_set *set, const char *dir,
                    const char *gnuplot, const char *templates, struct cvb_plot_formats fmt,
                    struct cvb_error *err);

/* The whole `cvbench plot`: renders into a temporary sibling of out_dir and
 * renames it into place, replacing an earlier plots directory (one holding
 * a manifest.tsv) but never any other directory that is not empty. The
 * manifest lists each plot, made or not and why. 0; CVB_PLOT_NO_GNUPLOT;
 * CVB_PLOT_BAD_TARGET; or -1 with err (code EINTR when a stop signal
 * arrived: checked between plots and before the rename). Nothing is left
 * behind on failure. If set is not NULL it receives the plot data (free
 * with cvb_plot_data_free). */
int cvb_plot_write(const cJSON *doc, const char *out_dir, struct cvb_plot_formats fmt,
                   struct cvb_plot_set *set, struct cvb_error *err);

#endif

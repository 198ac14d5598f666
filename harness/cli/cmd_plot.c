/* `cvbench plot RESULTS.json`: gnuplot figures from a results file alone. */
#include "commands.h"
#include "plot_gnuplot.h"
#include "results_load.h"
#include "signals.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static void plot_usage(FILE *out)
{
	fprintf(out,
	        "usage: cvbench plot RESULTS.json [--out-dir DIR] [--format png,svg]\n"
	        "\n"
	        "Draws, from the results file alone, each figure it has data for:\n"
	        "  startup   ECDF of startup_ns per cell (log x when the spread is over 20x)\n"
	        "  phases    median launch phases, stacked per backend, in order of time\n"
	        "  syscall   cost per call of each syscall_*_ns metric, per backend (log y)\n"
	        "  density   memory per instance against N (density cells: run --instances),\n"
	        "            with the fit from derived.density where there is one\n"
	        "  slowdown  noisy-neighbour slowdown per scenario (derived.slowdowns)\n"
	        "Each comes as NAME.png / NAME.svg with its data (NAME.dat, tab-separated) and\n"
	        "gnuplot script (NAME.gnuplot: redraw with 'gnuplot NAME.gnuplot' in DIR);\n"
	        "manifest.tsv says which were made and why others were not. Captions name\n"
	        "the host, CPU, kernel and VM accelerator.\n"
	        "\n"
	        "  --out-dir DIR     where (default: the results file's directory + /plots);\n"
	        "                    replaced whole, never half-written; an existing DIR must\n"
	        "                    be empty or an earlier plots directory\n"
	        "  --format LIST     png, svg or png,svg (default: png,svg)\n"
	        "  --help            this text\n"
	        "\n"
	        "Needs gnuplot on PATH (apt-get install gnuplot-nox); templates come from\n"
	        "$CVB_PLOTS_DIR, ../share/cvbench/plots or ../plots beside the binary.\n"
	        "The startup ECDF of a cell with more than 1000 samples is drawn through\n"
	        "1000 quantiles (its title says so): the same curve, and gnuplot's time stays\n"
	        "bounded.\n"
	        "Exit status: 0 plots written; 1 gnuplot or writing failed; 2 bad usage, an\n"
	        "unreadable results file, an --out-dir that is not ours, or no gnuplot\n"
	        "(nothing written); 130 stopped by SIGINT/SIGTERM/SIGHUP (nothing written).\n");
}

int cvb_cmd_plot(int argc, char **argv)
{
	const char *results = NULL, *out_dir = NULL, *formats = "png,svg";
	cvb_signals_install_reading();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			plot_usage(stdout);
			return CVB_EXIT_OK;
		} else if (strcmp(a, "--out-dir") == 0 && i + 1 < argc) {
			out_dir = argv[++i];
		} else if (strcmp(a, "--format") == 0 && i + 1 < argc) {
			formats = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr,
			        "cvbench plot: unknown option or missing value '%s' (see 'cvbench "
			        "plot --help')\n",
			        a);
			return CVB_EXIT_USAGE;
		} else if (!results) {
			results = a;
		} else {
			fprintf(stderr, "cvbench plot: one results file only ('%s' is extra)\n", a);
			return CVB_EXIT_USAGE;
		}
	}
	if (!results) {
		fprintf(stderr, "cvbench plot: no results file (usage: cvbench plot RESULTS.json "
		                "[--out-dir DIR] [--format png,svg])\n");
		return CVB_EXIT_USAGE;
	}
	struct cvb_error err = {0};
	struct cvb_plot_formats fmt;
	if (cvb_plot_formats_parse(formats, &fmt, &err) < 0) {
		fprintf(stderr, "cvbench plot: %s\n", err.msg);
		return CVB_EXIT_USAGE;
	}
	char dflt[PATH_MAX], dbuf[PATH_MAX];
	if (!out_dir) {
		snprintf(dbuf, sizeof(dbuf), "%s", results);
		snprintf(dflt, sizeof(dflt), "%s/plots", dirname(dbuf));
		out_dir = dflt;
	}
	struct cvb_results_file f = {0};
	if (cvb_results_load(results, &f, &err) < 0) {
		int stopped = cvb_signals_stopped("plot");
		if (!stopped)
			fprintf(stderr, "cvbench plot: %s\n", err.msg);
		cvb_results_free(&f);
		return stopped ? stopped : CVB_EXIT_USAGE;
	}
	struct cvb_plot_set set;
	int rc = cvb_plot_write(f.doc, out_dir, fmt, &set, &err);
	cvb_results_free(&f);
	if (rc < 0 && cvb_stop_signal)
		return cvb_signals_stopped("plot");
	if (rc < 0) {
		fprintf(stderr, "cvbench plot: %s\n", err.msg);
		return rc == CVB_PLOT_NO_GNUPLOT || rc == CVB_PLOT_BAD_TARGET ? CVB_EXIT_USAGE
		                                                              : CVB_EXIT_FAILED;
	}
	printf("plots: %s\n", out_dir);
	for (int k = 0; k < CVB_PLOT_COUNT; k++) {
		const struct cvb_plot *p = &set.plot[k];
		if (p->made)
			printf("  %-9s %s\n", p->name, p->title);
		else
			printf("  %-9s not made: %s\n", p->name, p->why_not);
	}
	cvb_plot_data_free(&set);
	return CVB_EXIT_OK;
}

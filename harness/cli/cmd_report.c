/* `cvbench report RESULTS.json`: report.md and a self-contained report.html. */
#include "commands.h"
#include "report_write.h"
#include "results_load.h"
#include "signals.h"

#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

static void report_usage(FILE *out)
{
	fprintf(out,
	        "usage: cvbench report RESULTS.json [--out-dir DIR]\n"
	        "\n"
	        "Writes DIR/report.md and DIR/report.html (one self-contained page: CSS inline,\n"
	        "PNG plots embedded, nothing fetched from anywhere):\n"
	        "  - the run (id, status, dates, command) and the host's facts: CPU, topology,\n"
	        "    kernel, cgroup mode, KVM and the VM accelerator used and why,\n"
	        "    mitigations, QEMU and libvirt versions, the tool's git commit;\n"
	        "  - the seed tutorial's comparison table filled with this run's values:\n"
	        "    startup p50 and p99, memory per instance, syscall overhead against\n"
	        "    native, kernel shared or own, isolation facts (audit workload),\n"
	        "    noisy-neighbour slowdown with and without limits; each with its unit\n"
	        "    and 95%% interval, or 'not measured' and why;\n"
	        "  - every cell's metrics (n, p50, p99, interval), failed and skipped cells\n"
	        "    with their reasons, and the plots.\n"
	        "The plots are drawn first into DIR/plots (as 'cvbench plot' would) unless\n"
	        "they are there for this run already; without gnuplot the report is still\n"
	        "written and says why the plots are missing.\n"
	        "\n"
	        "  --out-dir DIR   where (default: the results file's directory; created if\n"
	        "                  absent)\n"
	        "  --help          this text\n"
	        "\n"
	        "Exit status: 0 report written; 1 writing failed; 2 bad usage or an\n"
	        "unreadable results file (nothing written); 130 stopped by\n"
	        "SIGINT/SIGTERM/SIGHUP (no report written).\n");
}

int cvb_cmd_report(int argc, char **argv)
{
	const char *results = NULL, *dir = NULL;
	cvb_signals_install_reading();
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			report_usage(stdout);
			return CVB_EXIT_OK;
		} else if (strcmp(a, "--out-dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (a[0] == '-' && a[1]) {
			fprintf(
			    stderr,
			    "cvbench report: unknown option or missing value '%s' (see 'cvbench "
			    "report --help')\n",
			    a);
			return CVB_EXIT_USAGE;
		} else if (!results) {
			results = a;
		} else {
			fprintf(stderr, "cvbench report: one results file only ('%s' is extra)\n",
			        a);
			return CVB_EXIT_USAGE;
		}
	}
	if (!results) {
		fprintf(stderr, "cvbench report: no results file (usage: cvbench report "
		                "RESULTS.json [--out-dir DIR])\n");
		return CVB_EXIT_USAGE;
	}
	char dbuf[PATH_MAX];
	if (!dir) {
		snprintf(dbuf, sizeof(dbuf), "%s", results);
		dir = dirname(dbuf);
	}
	struct cvb_error err = {0};
	struct cvb_results_file f = {0};
	if (cvb_results_load(results, &f, &err) < 0) {
		int stopped = cvb_signals_stopped("report");
		if (!stopped)
			fprintf(stderr, "cvbench report: %s\n", err.msg);
		cvb_results_free(&f);
		return stopped ? stopped : CVB_EXIT_USAGE;
	}
	char missing[512];
	int rc = CVB_EXIT_OK;
	if (cvb_report_write(f.doc, f.run_id, dir, missing, &err) == 0) {
		if (missing[0])
			fprintf(stderr, "cvbench report: plots missing: %s\n", missing);
		printf("report: %s/report.md, %s/report.html%s\n", dir, dir,
		       missing[0] ? " (without plots)" : "");
	} else if (cvb_stop_signal) {
		rc = cvb_signals_stopped("report");
	} else {
		if (missing[0])
			fprintf(stderr, "cvbench report: plots missing: %s\n", missing);
		fprintf(stderr, "cvbench report: %s\n", err.msg);
		rc = CVB_EXIT_FAILED;
	}
	cvb_results_free(&f);
	return rc;
}

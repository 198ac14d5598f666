/* `cvbench report RESULTS.json`: report.md and a self-contained report.html. */
#include "atomic_file.h"
#include "commands.h"
#include "plot_gnuplot.h"
#include "report_doc.h"
#include "report_html.h"
#include "report_md.h"
#include "results_load.h"
#include "signals.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Reads DIR/plots/manifest.tsv into p. true when it is this run's and
 * every plot it lists as made has its PNG: the plots need not be redrawn. */
static bool read_manifest(const char *plots_dir, const char *run_id, struct cvb_report_plots *p)
{
	char path[PATH_MAX], line[1024];
	snprintf(path, sizeof(path), "%s/%s", plots_dir, CVB_PLOT_MANIFEST);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool current = false, complete = true;
	p->n = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		char *name = line, *status, *text;
		if (line[0] == '#') {
			char *id = strstr(line, "\trun_id\t");
			if (id && run_id && strcmp(id + 8, run_id) == 0)
				current = true;
			continue;
		}
		if (!(status = strchr(name, '\t')) || !(text = strchr(status + 1, '\t')))
			continue;
		*status++ = '\0';
		*text++ = '\0';
		if (p->n == CVB_PLOT_COUNT)
			break;
		snprintf(p->item[p->n].name, sizeof(p->item[p->n].name), "%s", name);
		snprintf(p->item[p->n].title, sizeof(p->item[p->n].title), "%s", text);
		p->item[p->n].made = strcmp(status, "made") == 0;
		if (p->item[p->n].made) {
			char png[PATH_MAX + 64];
			snprintf(png, sizeof(png), "%s/%s.png", plots_dir, name);
			complete &= access(png, R_OK) == 0;
		}
		p->n++;
	}
	fclose(f);
	return current && complete;
}

/* Makes sure DIR/plots holds this run's plots; on failure p->missing says
 * why, and the report goes on without them. */
static void ensure_plots(const cJSON *doc, const char *run_id, const char *dir,
                         struct cvb_report_plots *p)
{
	char plots_dir[PATH_MAX];
	snprintf(p->rel_dir, sizeof(p->rel_dir), "plots");
	snprintf(plots_dir, sizeof(plots_dir), "%s/%s", dir, p->rel_dir);
	if (read_manifest(plots_dir, run_id, p))
		return;
	struct cvb_error err = {0};
	struct cvb_plot_formats fmt = {.png = true, .svg = true};
	int rc = cvb_plot_write(doc, plots_dir, fmt, NULL, &err);
	if (rc == 0 && read_manifest(plots_dir, run_id, p))
		return;
	snprintf(p->missing, sizeof(p->missing), "%s",
	         rc < 0 ? err.msg : "the plots directory has no complete manifest");
	if (!cvb_stop_signal) /* else the report is not written at all */
		fprintf(stderr, "cvbench report: plots missing: %s\n", p->missing);
}

static int write_text(const char *dir, const char *name, struct cvb_strbuf *b,
                      struct cvb_error *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (!cvb_strbuf_ok(b))
		return cvb_error_set(err, ENOMEM, "out of memory rendering '%s'", path);
	return cvb_atomic_write(path, cvb_strbuf_str(b), b->len, err);
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
	int rc = CVB_EXIT_FAILED;
	struct cvb_rdoc d = {0};
	struct cvb_strbuf md = {0}, html = {0};
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		cvb_error_errno(&err, errno, "cannot create '%s'", dir);
		goto out;
	}
	struct cvb_report_plots plots = {0};
	ensure_plots(f.doc, f.run_id, dir, &plots);
	if (cvb_stop_signal)
		goto out;
	if (cvb_report_build(f.doc, &plots, &d, &err) < 0)
		goto out;
	cvb_report_md(&d, &md);
	cvb_report_html(&d, dir, &html);
	/* Both files or, when a stop signal came, neither. */
	if (cvb_stop_signal)
		goto out;
	if (write_text(dir, "report.md", &md, &err) < 0 ||
	    write_text(dir, "report.html", &html, &err) < 0)
		goto out;
	printf("report: %s/report.md, %s/report.html%s\n", dir, dir,
	       plots.missing[0] ? " (without plots)" : "");
	rc = CVB_EXIT_OK;
out:
	if (rc != CVB_EXIT_OK && cvb_stop_signal)
		rc = cvb_signals_stopped("report");
	else if (rc != CVB_EXIT_OK)
		fprintf(stderr, "cvbench report: %s\n", err.msg);
	cvb_strbuf_free(&md);
	cvb_strbuf_free(&html);
	cvb_rdoc_free(&d);
	cvb_results_free(&f);
	return rc;
}

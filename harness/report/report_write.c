/* See report_write.h. */
#include "report_write.h"
#include "atomic_file.h"
#include "plot_gnuplot.h"
#include "report_doc.h"
#include "report_html.h"
#include "report_md.h"
#include "signals.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

int cvb_report_write(const cJSON *doc, const char *run_id, const char *dir, char *plots_missing,
                     struct cvb_error *err)
{
	struct cvb_rdoc d = {0};
	struct cvb_strbuf md = {0}, html = {0};
	struct cvb_report_plots plots = {0};
	int rc = -1;
	plots_missing[0] = '\0';
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		cvb_error_errno(err, errno, "cannot create '%s'", dir);
		return -1;
	}
	ensure_plots(doc, run_id, dir, &plots);
	snprintf(plots_missing, sizeof(plots.missing), "%s", plots.missing);
	if (cvb_stop_signal)
		goto out;
	if (cvb_report_build(doc, &plots, &d, err) < 0)
		goto out;
	cvb_report_md(&d, &md);
	cvb_report_html(&d, dir, &html);
	/* Both files or, when a stop signal came, neither. */
	if (cvb_stop_signal)
		goto out;
	if (write_text(dir, "report.md", &md, err) < 0 ||
	    write_text(dir, "report.html", &html, err) < 0)
		goto out;
	rc = 0;
out:
	cvb_strbuf_free(&md);
	cvb_strbuf_free(&html);
	cvb_rdoc_free(&d);
	return rc;
}

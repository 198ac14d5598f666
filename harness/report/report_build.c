/* The report's content, in order: run, host, the seed table measured, cell
 * summaries, failed and skipped cells, plots. */
#include "report_doc.h"
#include "numfmt.h"
#include "report_view.h"
#include "seed_table.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool any_precision(const cJSON *doc)
{
	const cJSON *c;
	cJSON_ArrayForEach(c, cvb_rv_get(doc, "cells"))
	{
		const char *mode = cvb_rv_path_str(c, "repetition.mode");
		if (mode && strcmp(mode, "precision") == 0)
			return true;
	}
	return false;
}

static void run_section(const cJSON *doc, struct cvb_rdoc *d)
{
	const char *id = cvb_rv_str(doc, "run_id");
	cvb_rdoc_heading(d, 1, "cvbench report: run %s", id ? id : "(no run id)");
	cvb_rdoc_para(d, "Native, container and VM runs of one identical workload agent, measured "
	                 "on one host in one run. Every value is a median (p50) with its 95%% "
	                 "interval in brackets unless it says otherwise; 'not measured' marks a "
	                 "value this run did not produce, with the reason when a cell failed or "
	                 "was skipped.");
	cvb_rdoc_list(d);
	cvb_rdoc_item(d, "Run id", "%s", id ? id : "not recorded");
	double sig;
	const char *status = cvb_rv_str(doc, "status");
	if (cvb_rv_num(doc, "stopped_by_signal", &sig))
		cvb_rdoc_item(d, "Status", "%s (stopped by signal %.0f)",
		              status ? status : "unknown", sig);
	else
		cvb_rdoc_item(d, "Status", "%s", status ? status : "unknown");
	const char *s = cvb_rv_str(doc, "started_at"), *f = cvb_rv_str(doc, "finished_at");
	cvb_rdoc_item(d, "Started", "%s", s ? s : "not recorded");
	cvb_rdoc_item(d, "Finished", "%s", f ? f : "not recorded");
	const cJSON *merged = cvb_rv_get(doc, "merged_from");
	if (cJSON_IsArray(merged))
		cvb_rdoc_item(d, "Merged from", "%d runs", cJSON_GetArraySize(merged));
	char cmd[1024] = "cvbench";
	size_t used = strlen(cmd);
	const cJSON *a;
	cJSON_ArrayForEach(a, cvb_rv_path(doc, "config.command_line"))
	{
		if (cJSON_IsString(a) && used < sizeof(cmd))
			used +=
			    (size_t)snprintf(cmd + used, sizeof(cmd) - used, " %s", a->valuestring);
	}
	cvb_rdoc_item(d, "Command", "%s", cmd);
	double reps = 0, warm = 0;
	const cJSON *cfg = cvb_rv_get(doc, "config");
	if (cvb_rv_num(cfg, "reps", &reps) && cvb_rv_num(cfg, "warmup", &warm))
		cvb_rdoc_item(d, "Launches per cell",
		              "%.0f measured after %.0f warm-up (discarded, "
		              "counted), cells interleaved round by round%s",
		              reps, warm,
		              any_precision(doc) ? "; cells with --precision repeat past their "
		                                   "--reps until their median is known well "
		                                   "enough (each cell says why it stopped)"
		                                 : "");
}

static int seed_section(const cJSON *doc, struct cvb_rdoc *d, struct cvb_error *err)
{
	struct cvb_seed_table t;
	if (cvb_seed_table_build(doc, &t, err) < 0) {
		cvb_seed_table_free(&t);
		return -1;
	}
	cvb_rdoc_heading(d, 2, "The seed's comparison, measured");
	cvb_rdoc_para(d, "The tutorial this project started from compares containers and VMs in "
	                 "one table: startup, isolation, resources, kernel. Here every row is "
	                 "measured on this host, native being the baseline; the last column is "
	                 "what the tutorial claims (containers / VMs).");
	const char *heads[CVB_SEED_MAX_BACKENDS + 2];
	heads[0] = "Feature";
	for (size_t c = 0; c < t.n_cols; c++)
		heads[c + 1] = t.backend[c];
	heads[t.n_cols + 1] = "Seed's claim (containers / VMs)";
	cvb_rdoc_table(d, t.n_cols + 2, heads);
	for (size_t r = 0; r < t.n_rows; r++) {
		const char *cells[CVB_SEED_MAX_BACKENDS + 2];
		cells[0] = t.rows[r].feature;
		for (size_t c = 0; c < t.n_cols; c++)
			cells[c + 1] = t.rows[r].value[c];
		cells[t.n_cols + 1] = t.rows[r].claim;
		cvb_rdoc_row(d, cells);
	}
	cvb_rdoc_list(d);
	for (size_t i = 0; i < t.n_notes; i++)
		cvb_rdoc_item(d, NULL, "%s", t.notes[i]);
	cvb_seed_table_free(&t);
	return 0;
}

static void cells_section(const cJSON *doc, struct cvb_rdoc *d)
{
	static const char *const heads[] = {"Cell", "Status", "Metric",       "n",
	                                    "p50",  "p99",    "95% CI of p50"};
	cvb_rdoc_heading(d, 2, "Cells");
	cvb_rdoc_para(d, "Every metric of every cell, from its ok measured launches.");
	cvb_rdoc_table(d, 7, heads);
	const cJSON *cell, *m;
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		char label[320];
		cvb_rv_cell_label(cell, label, sizeof(label));
		char status[320];
		const char *why = cvb_rv_path_str(cell, "repetition.stopped_because");
		snprintf(status, sizeof(status), "%s%s%s", cvb_rv_cell_status(cell),
		         why ? "; " : "", why ? why : "");
		bool any = false;
		cJSON_ArrayForEach(m, cvb_rv_get(cell, "metrics"))
		{
			struct cvb_rv_stat st;
			char n[24], p50[32], p99[32], ci[80], lo[32], hi[32];
			if (!cvb_rv_metric_stat(cell, m->string, &st))
				continue;
			snprintf(n, sizeof(n), "%zu", st.n);
			cvb_format_value(st.p50, st.unit, p50, sizeof(p50));
			cvb_format_value(st.p99, st.unit, p99, sizeof(p99));
			if (st.has_ci) {
				cvb_format_value(st.ci_lo, st.unit, lo, sizeof(lo));
				cvb_format_value(st.ci_hi, st.unit, hi, sizeof(hi));
				snprintf(ci, sizeof(ci), "%s .. %s", lo, hi);
			} else {
				snprintf(ci, sizeof(ci), "-");
			}
			/* A noisy-neighbour cell also holds its aggressor's metrics. */
			const char *role = cvb_rv_str(m, "role");
			char name[160];
			snprintf(name, sizeof(name), "%s%s%s%s", m->string, role ? " (" : "",
			         role ? role : "", role ? ")" : "");
			const char *row[] = {
			    any ? "" : label, any ? "" : status, name, n, p50, p99, ci};
			cvb_rdoc_row(d, row);
			any = true;
		}
		if (!any) {
			const char *row[] = {label, status, "(no samples)", "0", "-", "-", "-"};
			cvb_rdoc_row(d, row);
		}
	}
}

/* The first failed launch's reason of a cell, or NULL. */
static const char *first_failed_launch(const cJSON *cell)
{
	const cJSON *l;
	cJSON_ArrayForEach(l, cvb_rv_get(cell, "launches"))
	{
		const char *s = cvb_rv_str(l, "status");
		if (s && strcmp(s, "ok") != 0 && cvb_rv_str(l, "reason"))
			return cvb_rv_str(l, "reason");
	}
	return NULL;
}

static void failures_section(const cJSON *doc, struct cvb_rdoc *d)
{
	cvb_rdoc_heading(d, 2, "Failed and skipped cells");
	const cJSON *cell;
	size_t n = 0;
	cvb_rdoc_list(d);
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		char label[320];
		cvb_rv_cell_label(cell, label, sizeof(label));
		const char *status = cvb_rv_cell_status(cell), *reason = cvb_rv_cell_reason(cell);
		double failed = 0;
		cvb_rv_num(cvb_rv_get(cell, "launch_counts"), "failed", &failed);
		const char *first = first_failed_launch(cell);
		if (strcmp(status, "ok") != 0) {
			cvb_rdoc_item(d, label, "%s: %s", status,
			              reason ? reason : "no reason given");
			n++;
		} else if (failed > 0) {
			cvb_rdoc_item(d, label, "ok, but %.0f launch(es) failed; the first: %s",
			              failed, first ? first : "no reason given");
			n++;
		}
	}
	if (n == 0)
		cvb_rdoc_item(d, NULL, "None: every cell ran and every launch succeeded.");
}

static void plots_section(const struct cvb_report_plots *plots, struct cvb_rdoc *d)
{
	cvb_rdoc_heading(d, 2, "Plots");
	if (plots->missing[0]) {
		cvb_rdoc_para(d, "The plots are missing: %s", plots->missing);
		return;
	}
	size_t not_made = 0;
	for (size_t i = 0; i < plots->n; i++) {
		if (!plots->item[i].made) {
			not_made++;
			continue;
		}
		char path[128];
		snprintf(path, sizeof(path), "%s/%s.png", plots->rel_dir, plots->item[i].name);
		cvb_rdoc_heading(d, 3, "%s", plots->item[i].title);
		cvb_rdoc_image(d, path, plots->item[i].title);
	}
	if (!not_made)
		return;
	cvb_rdoc_para(d, "Not drawn, for want of data in this file:");
	cvb_rdoc_list(d);
	for (size_t i = 0; i < plots->n; i++)
		if (!plots->item[i].made)
			cvb_rdoc_item(d, plots->item[i].name, "%s", plots->item[i].title);
}

int cvb_report_build(const cJSON *doc, const struct cvb_report_plots *plots, struct cvb_rdoc *d,
                     struct cvb_error *err)
{
	*d = (struct cvb_rdoc){0};
	run_section(doc, d);
	cvb_report_warnings(doc, d);
	cvb_report_host(doc, d);
	if (seed_section(doc, d, err) < 0)
		return -1;
	cells_section(doc, d);
	failures_section(doc, d);
	plots_section(plots, d);
	if (d->broken)
		return cvb_error_set(err, ENOMEM, "out of memory while building the report");
	return 0;
}

/* Rendering a comparison in the formats of compare_report.h. */
#include "compare_report.h"
#include "json_util.h"
#include "numfmt.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* See compare_report.h. */
int cvb_compare_format_parse(const char *name, enum cvb_compare_format *out)
{
	static const char *const names[] = {"text", "json", "markdown", "github"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum cvb_compare_format)i;
			return 0;
		}
	return -1;
}

/* A number for people: whole numbers in full (ns and bytes are counted,
 * and 1.23457e+06 hides the digits that matter), others to four
 * significant digits. */
static char *human(double v, char *buf, size_t len)
{
	if (!isfinite(v))
		snprintf(buf, len, "%s", isnan(v) ? "n/a" : v > 0 ? "inf" : "-inf");
	else if (fabs(v) < 1e15 && v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else if (fabs(v) >= 1000.0 && fabs(v) < 1e15)
		snprintf(buf, len, "%.1f", v);
	else
		snprintf(buf, len, "%.4g", v);
	return buf;
}

static char *pct(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (isinf(v))
		snprintf(buf, len, "%sinf%%", v > 0 ? "+" : "-");
	else
		snprintf(buf, len, "%+.1f%%", v);
	return buf;
}

enum {
	COL_LABEL,
	COL_METRIC,
	COL_UNIT,
	COL_BASE,
	COL_NEW,
	COL_CHANGE,
	COL_CI,
	COL_P,
	COL_THR,
	COL_VERDICT,
	N_COLS
};

static const char *const col_titles[N_COLS] = {
    "cell",   "metric",           "unit", "base p50", "new p50",
    "change", "95% CI of change", "p",    "thr",      "verdict"};

/* One table row as text; label, metric and unit point into the files. */
struct row {
	const char *col[N_COLS];
	char base[32], cur[32], change[32], ci[80], p[32], thr[32];
};

static void fill_row(const struct cvb_pair *p, struct row *r, bool markdown)
{
	char lo[32], hi[32];

	r->col[COL_LABEL] = p->label;
	r->col[COL_METRIC] = p->metric;
	r->col[COL_UNIT] = p->unit;
	r->col[COL_BASE] = human(p->base_median, r->base, sizeof(r->base));
	r->col[COL_NEW] = human(p->new_median, r->cur, sizeof(r->cur));
	r->col[COL_CHANGE] = pct(p->change_pct, r->change, sizeof(r->change));
	snprintf(r->ci, sizeof(r->ci), "[%s, %s]", pct(p->change_lo, lo, sizeof(lo)),
	         pct(p->change_hi, hi, sizeof(hi)));
	r->col[COL_CI] = r->ci;
	snprintf(r->p, sizeof(r->p), "%.2g%s", p->test.p, p->test.exact ? " (exact)" : "");
	r->col[COL_P] = r->p;
	snprintf(r->thr, sizeof(r->thr), "%g%%", p->threshold_pct);
	r->col[COL_THR] = r->thr;
	if (p->verdict == CVB_VERDICT_REGRESSION)
		r->col[COL_VERDICT] = markdown ? "**REGRESSION**" : "REGRESSION";
	else
		r->col[COL_VERDICT] = cvb_verdict_name(p->verdict);
}

/* Markdown cells cannot hold a raw '|'. */
static void md_cell(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', out);
		fputc(*s, out);
	}
}

static void write_table(FILE *out, const struct row *rows, size_t n, bool markdown)
{
	int width[N_COLS];

	for (int c = 0; c < N_COLS; c++) {
		width[c] = (int)strlen(col_titles[c]);
		for (size_t i = 0; i < n; i++)
			if ((int)strlen(rows[i].col[c]) > width[c])
				width[c] = (int)strlen(rows[i].col[c]);
	}
	if (markdown) {
		fputs("|", out);
		for (int c = 0; c < N_COLS; c++)
			fprintf(out, " %s |", col_titles[c]);
		fputs("\n|", out);
		for (int c = 0; c < N_COLS; c++)
			fputs(c >= COL_BASE && c <= COL_THR ? " ---: |" : " --- |", out);
		fputs("\n", out);
		for (size_t i = 0; i < n; i++) {
			fputs("|", out);
			for (int c = 0; c < N_COLS; c++) {
				fputs(" ", out);
				md_cell(out, rows[i].col[c]);
				fputs(" |", out);
			}
			fputs("\n", out);
		}
		return;
	}
	for (int c = 0; c + 1 < N_COLS; c++)
		fprintf(out, "%-*s  ", width[c], col_titles[c]);
	fprintf(out, "%s\n", col_titles[N_COLS - 1]);
	for (size_t i = 0; i < n; i++)
		for (int c = 0; c < N_COLS; c++) {
			/* Numbers right-aligned so their digits line up. */
			bool right = c >= COL_BASE && c <= COL_CHANGE;
			if (c + 1 == N_COLS)
				fprintf(out, "%s\n", rows[i].col[c]);
			else
				fprintf(out, right ? "%*s  " : "%-*s  ", width[c], rows[i].col[c]);
		}
}

static void write_label_list(FILE *out, const char *title, const char *const *labels, size_t n,
                             bool markdown)
{
	if (n == 0)
		return;
	fprintf(out, "%s%s: ", markdown ? "\n" : "", title);
	for (size_t i = 0; i < n; i++) {
		if (markdown)
			fprintf(out, "%s`%s`", i ? ", " : "", labels[i]);
		else
			fprintf(out, "%s%s", i ? ", " : "", labels[i]);
	}
	fputs("\n", out);
}

static void write_summary_line(FILE *out, const struct cvb_comparison *c)
{
	fprintf(out, "%zu compared: %zu regression%s, %zu improvement%s, %zu same, %zu noise\n",
	        c->n_pairs, c->count[CVB_VERDICT_REGRESSION],
	        c->count[CVB_VERDICT_REGRESSION] == 1 ? "" : "s", c->count[CVB_VERDICT_IMPROVEMENT],
	        c->count[CVB_VERDICT_IMPROVEMENT] == 1 ? "" : "s", c->count[CVB_VERDICT_SAME],
	        c->count[CVB_VERDICT_NOISE]);
}

static int write_text(FILE *out, const struct cvb_compare_report *r, bool markdown,
                      struct cvb_error *err)
{
	const struct cvb_comparison *c = r->comparison;
	const struct cvb_compare_options *o = r->options;
	struct row *rows = calloc(c->n_pairs, sizeof(*rows));
	const char *bullet = markdown ? "- " : "";

	if (!rows)
		return cvb_error_set(err, ENOMEM, "out of memory writing the comparison");
	if (markdown)
		fputs("### cvbench compare\n\n", out);
	fprintf(out, "%sbase %s (run %s)\n", bullet, r->base->name, r->base->run_id);
	fprintf(out, "%snew  %s (run %s)\n", bullet, r->cur->name, r->cur->run_id);
	fprintf(out,
	        "%sverdict: regression/improvement when p < %g (two-sided Mann-Whitney U) and "
	        "|change| > thr; 95%% CI: bootstrap of the ratio of medians, %u resamples, seed "
	        "%llu\n",
	        bullet, o->alpha, o->resamples, (unsigned long long)o->seed);
	if (c->hosts_differ)
		fprintf(out,
		        "%snote: measured on different hosts (hostname, CPU or kernel differ); "
		        "changes may be the host's\n",
		        bullet);
	fputs("\n", out);
	for (size_t i = 0; i < c->n_pairs; i++)
		fill_row(&c->pairs[i], &rows[i], markdown);
	write_table(out, rows, c->n_pairs, markdown);
	free(rows);
	write_label_list(out, "only in base", c->only_base, c->n_only_base, markdown);
	write_label_list(out, "only in new", c->only_new, c->n_only_new, markdown);
	for (size_t i = 0; i < c->n_skipped; i++)
		fprintf(out, "%snot compared: %s %s (%s)\n", markdown && i == 0 ? "\n" : "",
		        c->skipped[i].label, c->skipped[i].metric, c->skipped[i].reason);
	if (markdown)
		fputs("\n", out);
	write_summary_line(out, c);
	return 0;
}

/* A number member, or null when it is not finite (JSON has no inf/nan). */
static bool add_num(cJSON *o, const char *key, double v)
{
	return cvb_json_add(o, key, isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull());
}

static bool add_pair_of(cJSON *o, const char *key, double a, double b)
{
	cJSON *arr = cJSON_CreateArray();

	if (!arr)
		return false;
	cJSON_AddItemToArray(arr, isfinite(a) ? cJSON_CreateNumber(a) : cJSON_CreateNull());
	cJSON_AddItemToArray(arr, isfinite(b) ? cJSON_CreateNumber(b) : cJSON_CreateNull());
	return cvb_json_add(o, key, arr);
}

static bool add_strings(cJSON *o, const char *key, const char *const *s, size_t n)
{
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(s[i]));
	return cvb_json_add(o, key, arr);
}

static cJSON *pair_json(const struct cvb_pair *p)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "label", p->label);
	cJSON_AddStringToObject(o, "metric", p->metric);
	cJSON_AddStringToObject(o, "unit", p->unit);
	cJSON_AddStringToObject(o, "better", p->lower_is_better ? "lower" : "higher");
	cJSON_AddNumberToObject(o, "n_base", (double)p->n_base);
	cJSON_AddNumberToObject(o, "n_new", (double)p->n_new);
	add_num(o, "base_median", p->base_median);
	add_num(o, "new_median", p->new_median);
	add_pair_of(o, "new_median_ci95", p->new_ci_lo, p->new_ci_hi);
	add_num(o, "change_pct", p->change_pct);
	add_pair_of(o, "change_pct_ci95", p->change_lo, p->change_hi);
	add_num(o, "u", p->test.u);
	add_num(o, "p", p->test.p);
	cJSON_AddStringToObject(o, "p_method", p->test.exact ? "exact" : "normal");
	add_num(o, "threshold_pct", p->threshold_pct);
	cJSON_AddStringToObject(o, "verdict", cvb_verdict_name(p->verdict));
	return o;
}

static cJSON *settings_json(const struct cvb_compare_options *o)
{
	cJSON *s = cJSON_CreateObject(), *thr, *globs;
	char seed[32];

	if (!s)
		return NULL;
	add_num(s, "alpha", o->alpha);
	add_num(s, "threshold_pct", o->threshold_pct);
	thr = cJSON_AddArrayToObject(s, "thresholds");
	for (size_t i = 0; thr && i < o->n_thresholds; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "metric", o->thresholds[i].pattern);
		add_num(t, "pct", o->thresholds[i].pct);
		cJSON_AddItemToArray(thr, t);
	}
	globs = cJSON_AddArrayToObject(s, "metrics");
	for (size_t i = 0; globs && i < o->n_metric_globs; i++)
		cJSON_AddItemToArray(globs, cJSON_CreateString(o->metric_globs[i]));
	cJSON_AddStringToObject(s, "test", "two-sided Mann-Whitney U");
	cJSON_AddStringToObject(s, "ci95", "percentile bootstrap of the ratio of medians");
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)o->seed);
	cJSON_AddStringToObject(s, "bootstrap_seed", seed);
	cJSON_AddNumberToObject(s, "bootstrap_resamples", o->resamples);
	return s;
}

static cJSON *side_json(const struct cvb_results_file *f)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "file", f->name);
	cJSON_AddStringToObject(o, "run_id", f->run_id);
	return o;
}

static cJSON *report_json(const struct cvb_compare_report *r)
{
	const struct cvb_comparison *c = r->comparison;
	cJSON *doc = cJSON_CreateObject(), *pairs, *skipped, *sum;

	if (!doc)
		return NULL;
	cvb_json_add(doc, "base", side_json(r->base));
	cvb_json_add(doc, "new", side_json(r->cur));
	cvb_json_add(doc, "settings", settings_json(r->options));
	cJSON_AddBoolToObject(doc, "hosts_differ", c->hosts_differ);
	pairs = cJSON_AddArrayToObject(doc, "comparisons");
	for (size_t i = 0; pairs && i < c->n_pairs; i++)
		cJSON_AddItemToArray(pairs, pair_json(&c->pairs[i]));
	add_strings(doc, "only_in_base", c->only_base, c->n_only_base);
	add_strings(doc, "only_in_new", c->only_new, c->n_only_new);
	skipped = cJSON_AddArrayToObject(doc, "not_compared");
	for (size_t i = 0; skipped && i < c->n_skipped; i++) {
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "label", c->skipped[i].label);
		cJSON_AddStringToObject(s, "metric", c->skipped[i].metric);
		cJSON_AddStringToObject(s, "reason", c->skipped[i].reason);
		cJSON_AddItemToArray(skipped, s);
	}
	sum = cJSON_AddObjectToObject(doc, "summary");
	cJSON_AddNumberToObject(sum, "compared", (double)c->n_pairs);
	for (int v = 0; v < CVB_VERDICT_COUNT; v++)
		cJSON_AddNumberToObject(sum, cvb_verdict_name((enum cvb_verdict)v),
		                        (double)c->count[v]);
	return doc;
}

/* github-action-benchmark's custom format: [{name, unit, value, range,
 * extra}], one direction per file. */
static cJSON *github_json(const struct cvb_compare_report *r)
{
	const struct cvb_comparison *c = r->comparison;
	cJSON *arr = cJSON_CreateArray();

	for (size_t i = 0; arr && i < c->n_pairs; i++) {
		const struct cvb_pair *p = &c->pairs[i];
		char name[512], range[64], extra[256], b[32], half[32], ch[32], lo[32], hi[32];
		cJSON *e;

		if (p->lower_is_better == r->github_bigger)
			continue;
		snprintf(name, sizeof(name), "%s %s", p->label, p->metric);
		snprintf(range, sizeof(range), "± %s",
		         human((p->new_ci_hi - p->new_ci_lo) / 2.0, half, sizeof(half)));
		snprintf(extra, sizeof(extra),
		         "base %s %s, change %s [%s, %s], p=%.2g, n=%zu/%zu, %s",
		         human(p->base_median, b, sizeof(b)), p->unit,
		         pct(p->change_pct, ch, sizeof(ch)), pct(p->change_lo, lo, sizeof(lo)),
		         pct(p->change_hi, hi, sizeof(hi)), p->test.p, p->n_base, p->n_new,
		         cvb_verdict_name(p->verdict));
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "name", name);
		cJSON_AddStringToObject(e, "unit", p->unit);
		add_num(e, "value", p->new_median);
		cJSON_AddStringToObject(e, "range", range);
		cJSON_AddStringToObject(e, "extra", extra);
		cJSON_AddItemToArray(arr, e);
	}
	return arr;
}

/* See compare_report.h. */
int cvb_compare_report_write(FILE *out, enum cvb_compare_format format,
                             const struct cvb_compare_report *r, struct cvb_error *err)
{
	cJSON *doc = NULL;
	char *text;

	switch (format) {
	case CVB_COMPARE_TEXT:
	case CVB_COMPARE_MARKDOWN:
		if (write_text(out, r, format == CVB_COMPARE_MARKDOWN, err) < 0)
			return -1;
		break;
	case CVB_COMPARE_JSON:
	case CVB_COMPARE_GITHUB:
		doc = format == CVB_COMPARE_JSON ? report_json(r) : github_json(r);
		text = doc ? cJSON_Print(doc) : NULL;
		cJSON_Delete(doc);
		if (!text)
			return cvb_error_set(err, ENOMEM, "out of memory writing the comparison");
		fprintf(out, "%s\n", text);
		free(text);
		break;
	}
	if (ferror(out))
		return cvb_error_errno(err, errno ? errno : EIO, "cannot write the comparison");
	return 0;
}

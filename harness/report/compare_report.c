/* Rendering a comparison in the formats of compare_report.h. */
#include "compare_report.h"
#include "compare_mde.h"
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

/* A value in its unit for people, to four significant digits: ns as ns,
 * us, ms or s; bytes (and bytes/s) as B, KiB, MiB, GiB; other units bare,
 * with k, M or G from 10000 on (the unit heads the table). */
static char *human_unit(double v, const char *unit, char *buf, size_t len)
{
	static const char *const bin[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	const char *suffix = "", *sep = "";
	double a = fabs(v), x = v;
	bool per_s = strcmp(unit, "bytes/s") == 0;

	if (!isfinite(v))
		return human(v, buf, len);
	if (strcmp(unit, "ns") == 0) {
		sep = " ";
		suffix = a >= 1e9 ? "s" : a >= 1e6 ? "ms" : a >= 1e3 ? "us" : "ns";
		x = a >= 1e9 ? v / 1e9 : a >= 1e6 ? v / 1e6 : a >= 1e3 ? v / 1e3 : v;
	} else if (strcmp(unit, "bytes") == 0 || per_s) {
		size_t k = 0;

		while (a >= 1024.0 && k + 1 < sizeof(bin) / sizeof(bin[0])) {
			a /= 1024.0;
			x /= 1024.0;
			k++;
		}
		sep = " ";
		suffix = bin[k];
		if (k == 0 && x == floor(x)) {
			snprintf(buf, len, "%.0f %s%s", x, suffix, per_s ? "/s" : "");
			return buf;
		}
	} else if (a >= 1e4) {
		suffix = a >= 1e9 ? "G" : a >= 1e6 ? "M" : "k";
		x = a >= 1e9 ? v / 1e9 : a >= 1e6 ? v / 1e6 : v / 1e3;
	} else if (v == floor(v)) {
		snprintf(buf, len, "%.0f", v);
		return buf;
	}
	double ax = fabs(x);
	int decimals = ax == 0.0 ? 0 : 3 - (int)floor(log10(ax));
	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	snprintf(buf, len, "%.*f%s%s%s", decimals, x, sep, suffix, per_s ? "/s" : "");
	return buf;
}

/* A percentage magnitude: one decimal below 10, whole above. */
static char *pct_mag(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "n/a");
	else if (isinf(v))
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, v < 9.95 ? "%.1f%%" : "%.0f%%", v);
	return buf;
}

/* "1.025 ms ± 4.1%": the median and half its 95% interval (the larger
 * side), in % of it, as benchstat writes it. */
static char *value_pm(double med, double lo, double hi, const char *unit, char *buf, size_t len)
{
	char v[40], h[32];
	double half = fmax(hi - med, med - lo) / fabs(med) * 100.0;

	human_unit(med, unit, v, sizeof(v));
	if (!isfinite(half) || med == 0.0)
		snprintf(buf, len, "%s", v);
	else
		snprintf(buf, len, "%s ± %s", v, pct_mag(half, h, sizeof(h)));
	return buf;
}

static char *sizes(const struct cvb_pair *p, char *buf, size_t len)
{
	if (p->n_base == p->n_new)
		snprintf(buf, len, "%zu", p->n_base);
	else
		snprintf(buf, len, "%zu+%zu", p->n_base, p->n_new);
	return buf;
}

/* The second half of a "too few samples to tell" verdict: what could have
 * been detected and how many samples would tell ("" for other verdicts). */
static char *too_few_note(const struct cvb_pair *p, double alpha, char *buf, size_t len)
{
	char mde[32], ch[32], n[48], reps[96] = "";
	size_t have = p->n_base < p->n_new ? p->n_base : p->n_new;
	int w;

	if (!p->too_few) {
		snprintf(buf, len, "%s", "");
		return buf;
	}
	pct(p->change_pct, ch, sizeof(ch));
	if (p->reps_needed > CVB_MDE_REPS_MAX)
		snprintf(reps, sizeof(reps), "; even --reps %u would not tell a %s change",
		         CVB_MDE_REPS_MAX, ch);
	else if (p->reps_needed > have)
		snprintf(reps, sizeof(reps),
		         "; raise --reps to about %zu to tell a %s change (%.0f%% power)",
		         p->reps_needed, ch, CVB_MDE_POWER * 100.0);
	if (isinf(p->mde_pct)) {
		size_t k = cvb_mde_min_reps(alpha);

		w = snprintf(buf, len,
		             "too few samples to tell: with n=%s no change can reach p < %g",
		             sizes(p, n, sizeof(n)), alpha);
		if (k > 0 && w > 0 && (size_t)w < len)
			snprintf(buf + w, len - (size_t)w, " (%zu per side at least)%s", k, reps);
		else if (w > 0 && (size_t)w < len)
			snprintf(buf + w, len - (size_t)w, "%s", reps);
	} else if (fabs(p->change_pct) < p->mde_pct) {
		snprintf(buf, len, "too few samples to tell: could detect only changes above %s%s",
		         pct_mag(p->mde_pct, mde, sizeof(mde)), reps);
	} else {
		/* Above the MDE and still not flagged: the MDE is the size
		 * flagged about half the time. */
		snprintf(
		    buf, len,
		    "too few samples to tell: a change near the MDE (%s) is flagged only about "
		    "half the time%s",
		    pct_mag(p->mde_pct, mde, sizeof(mde)), reps);
	}
	return buf;
}

static const char *verdict_text(const struct cvb_pair *p, bool markdown)
{
	if (p->verdict == CVB_VERDICT_REGRESSION)
		return markdown ? "**REGRESSION**" : "REGRESSION";
	if (p->too_few)
		return "noise: too few samples to tell";
	return cvb_verdict_name(p->verdict);
}

/* Whether the rank test found no shift at alpha: benchstat's "~". */
static bool not_significant(const struct cvb_pair *p, double alpha)
{
	return !(p->test.p < alpha);
}

/* --- tables: columns of strings, aligned (text) or as Markdown ------------ */

#define MAX_COLS 12

struct table {
	size_t n_cols, n_rows, cap;
	const char *title[MAX_COLS];
	bool right[MAX_COLS]; /* numbers right-aligned so their digits line up */
	char **cells;         /* n_rows * n_cols, owned */
	char **after;         /* per row: a line to print under it, or NULL; owned */
};

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
		free(t->cells[i]);
	for (size_t i = 0; i < t->n_rows; i++)
		free(t->after[i]);
	free(t->cells);
	free(t->after);
	memset(t, 0, sizeof(*t));
}

/* Appends a row of n_cols strings (copied); after may be NULL. -1 when out
 * of memory. */
static int table_add(struct table *t, const char *const *cols, const char *after)
{
	if (t->n_rows == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		char **cells = realloc(t->cells, cap * t->n_cols * sizeof(*cells));
		if (!cells)
			return -1;
		t->cells = cells;
		char **aft = realloc(t->after, cap * sizeof(*aft));
		if (!aft)
			return -1;
		t->after = aft;
		t->cap = cap;
	}
	char **row = t->cells + t->n_rows * t->n_cols;
	t->after[t->n_rows] = after && *after ? strdup(after) : NULL;
	for (size_t c = 0; c < t->n_cols; c++)
		row[c] = strdup(cols[c] ? cols[c] : "");
	t->n_rows++;
	for (size_t c = 0; c < t->n_cols; c++)
		if (!row[c])
			return -1;
	if (after && *after && !t->after[t->n_rows - 1])
		return -1;
	return 0;
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

static void table_write(FILE *out, const struct table *t, bool markdown)
{
	int width[MAX_COLS];

	if (markdown) {
		fputs("|", out);
		for (size_t c = 0; c < t->n_cols; c++)
			fprintf(out, " %s |", t->title[c]);
		fputs("\n|", out);
		for (size_t c = 0; c < t->n_cols; c++)
			fputs(t->right[c] ? " ---: |" : " --- |", out);
		fputs("\n", out);
		for (size_t i = 0; i < t->n_rows; i++) {
			fputs("|", out);
			for (size_t c = 0; c < t->n_cols; c++) {
				fputs(" ", out);
				md_cell(out, t->cells[i * t->n_cols + c]);
				fputs(" |", out);
			}
			fputs("\n", out);
		}
		return;
	}
	/* Widths in characters, not bytes: "±" is two bytes of UTF-8. */
	for (size_t c = 0; c < t->n_cols; c++) {
		width[c] = 0;
		for (const char *s = t->title[c]; *s; s++)
			width[c] += ((unsigned char)*s & 0xc0) != 0x80;
		for (size_t i = 0; i < t->n_rows; i++) {
			int w = 0;
			for (const char *s = t->cells[i * t->n_cols + c]; *s; s++)
				w += ((unsigned char)*s & 0xc0) != 0x80;
			if (w > width[c])
				width[c] = w;
		}
	}
	for (size_t i = 0; i <= t->n_rows; i++) {
		size_t last = t->n_cols - 1;

		/* No padding after a row's last non-empty cell. */
		while (last > 0 && i > 0 && !*t->cells[(i - 1) * t->n_cols + last])
			last--;
		for (size_t c = 0; c <= last; c++) {
			const char *s = i == 0 ? t->title[c] : t->cells[(i - 1) * t->n_cols + c];
			int w = 0, pad;

			for (const char *q = s; *q; q++)
				w += ((unsigned char)*q & 0xc0) != 0x80;
			pad = width[c] - w;
			if (t->right[c] && i > 0)
				fprintf(out, "%*s%s", pad, "", s);
			else if (c == last)
				fprintf(out, "%s", s);
			else
				fprintf(out, "%s%*s", s, pad, "");
			fputs(c == last ? "\n" : "  ", out);
		}
		if (i > 0 && t->after[i - 1])
			fprintf(out, "  %s\n", t->after[i - 1]);
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

/* Whether pair i is the first of its metric name. */
static bool first_of_metric(const struct cvb_comparison *c, size_t i)
{
	for (size_t k = 0; k < i; k++)
		if (strcmp(c->pairs[k].metric, c->pairs[i].metric) == 0)
			return false;
	return true;
}

/* Pairs that could not have flagged a change the size of their threshold. */
static size_t count_blind(const struct cvb_comparison *c)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_pairs; i++)
		if (c->pairs[i].mde_pct > c->pairs[i].threshold_pct)
			n++;
	return n;
}

static void write_header(FILE *out, const struct cvb_compare_report *r, bool markdown)
{
	const struct cvb_comparison *c = r->comparison;
	const struct cvb_compare_options *o = r->options;
	const char *bullet = markdown ? "- " : "";
	char warn[1024];

	if (markdown)
		fputs("### cvbench compare\n\n", out);
	fprintf(out, "%sbase %s (run %s)\n", bullet, r->base->name, r->base->run_id);
	fprintf(out, "%snew  %s (run %s)\n", bullet, r->cur->name, r->cur->run_id);
	if (c->same_run != CVB_SAME_RUN_NO)
		fprintf(out, "%s%s: %s\n", bullet, markdown ? "**warning**" : "warning",
		        cvb_compare_same_run_text(r->base, r->cur, c, warn, sizeof(warn)));
	fprintf(out,
	        "%sverdict: regression/improvement when p < %g (two-sided Mann-Whitney U) and "
	        "|change| > thr; 95%% CI: bootstrap of the ratio of medians, %u resamples, seed "
	        "%llu\n",
	        bullet, o->alpha, o->resamples, (unsigned long long)o->seed);
	double za = cvb_mde_normal_upper_quantile(o->alpha / 2.0),
	       zb = cvb_mde_normal_upper_quantile(1.0 - CVB_MDE_POWER);
	fprintf(out,
	        "%sMDE: the smallest change the rank test could flag at p < %g with these "
	        "samples' noise and n (flagged about half the time; %.2fx the MDE %.0f%% of the "
	        "time); %s: p >= %g%s\n",
	        bullet, o->alpha, (za + zb) / za, CVB_MDE_POWER * 100.0, markdown ? "`~`" : "~",
	        o->alpha, markdown ? "" : "; ±: half the median's 95% interval");
	if (c->hosts_differ)
		fprintf(out,
		        "%snote: measured on different hosts (hostname, CPU or kernel differ); "
		        "changes may be the host's\n",
		        bullet);
}

static void write_footer(FILE *out, const struct cvb_comparison *c, bool markdown)
{
	size_t blind = count_blind(c);

	write_label_list(out, "only in base", c->only_base, c->n_only_base, markdown);
	write_label_list(out, "only in new", c->only_new, c->n_only_new, markdown);
	for (size_t i = 0; i < c->n_skipped; i++)
		fprintf(out, "%snot compared: %s %s (%s)\n", markdown && i == 0 ? "\n" : "",
		        c->skipped[i].label, c->skipped[i].metric, c->skipped[i].reason);
	if (blind > 0)
		fprintf(
		    out,
		    "%s%zu of %zu compared have an MDE above their threshold: a change of the "
		    "threshold's size could not have been flagged there ('same' and 'noise' say "
		    "little)\n",
		    markdown ? "\n" : "", blind, c->n_pairs);
	if (markdown)
		fputs("\n", out);
	write_summary_line(out, c);
}

/* One table per metric name, in the order of first appearance, with a
 * geometric-mean row: benchstat's layout. */
static int write_text(FILE *out, const struct cvb_compare_report *r, struct cvb_error *err)
{
	const struct cvb_comparison *c = r->comparison;
	const double alpha = r->options->alpha;

	write_header(out, r, false);
	for (size_t i = 0; i < c->n_pairs; i++) {
		const struct cvb_pair *m = &c->pairs[i];
		struct table t = {
		    .n_cols = 10,
		    .title = {"cell", "base", "new", "change", "95% CI of change", "p", "n", "MDE",
		              "thr", "verdict"},
		    .right = {false, true, true, true, false, true, true, true, true, false}};
		struct cvb_geomean g;

		if (!first_of_metric(c, i))
			continue;
		fprintf(out, "\n%s (%s, %s is better)\n", m->metric, m->unit,
		        m->lower_is_better ? "lower" : "higher");
		for (size_t k = i; k < c->n_pairs; k++) {
			const struct cvb_pair *p = &c->pairs[k];
			char base[64], cur[64], change[40], ch[32], ci[80], lo[32], hi[32], pv[32],
			    n[48], mde[32], thr[32], note[512];
			const char *cols[10];

			if (strcmp(p->metric, m->metric) != 0)
				continue;
			pct(p->change_pct, ch, sizeof(ch));
			snprintf(change, sizeof(change), "%s%s",
			         not_significant(p, alpha) ? "~ " : "", ch);
			snprintf(ci, sizeof(ci), "[%s, %s]", pct(p->change_lo, lo, sizeof(lo)),
			         pct(p->change_hi, hi, sizeof(hi)));
			snprintf(pv, sizeof(pv), "%.2g", p->test.p);
			snprintf(thr, sizeof(thr), "%g%%", p->threshold_pct);
			cols[0] = p->label;
			cols[1] = value_pm(p->base_median, p->base_ci_lo, p->base_ci_hi, p->unit,
			                   base, sizeof(base));
			cols[2] = value_pm(p->new_median, p->new_ci_lo, p->new_ci_hi, p->unit, cur,
			                   sizeof(cur));
			cols[3] = change;
			cols[4] = ci;
			cols[5] = pv;
			cols[6] = sizes(p, n, sizeof(n));
			cols[7] = pct_mag(p->mde_pct, mde, sizeof(mde));
			cols[8] = thr;
			cols[9] = verdict_text(p, false);
			too_few_note(p, alpha, note + 2, sizeof(note) - 2);
			if (note[2]) {
				note[0] = '~';
				note[1] = ' ';
			}
			if (table_add(&t, cols, note[2] ? note : NULL) < 0) {
				table_free(&t);
				return cvb_error_set(err, ENOMEM,
				                     "out of memory writing the comparison");
			}
		}
		cvb_comparison_geomean(c, m->metric, &g);
		if (g.n >= 2) {
			char label[64], base[48], cur[48], ch[32];
			const char *cols[10] = {label, base, cur, ch};

			if (g.n_skipped)
				snprintf(label, sizeof(label), "geomean (%zu of %zu)", g.n,
				         g.n + g.n_skipped);
			else
				snprintf(label, sizeof(label), "geomean");
			human_unit(g.base, m->unit, base, sizeof(base));
			human_unit(g.cur, m->unit, cur, sizeof(cur));
			pct(g.change_pct, ch, sizeof(ch));
			if (table_add(&t, cols, NULL) < 0) {
				table_free(&t);
				return cvb_error_set(err, ENOMEM,
				                     "out of memory writing the comparison");
			}
		}
		table_write(out, &t, false);
		table_free(&t);
	}
	fputs("\n", out);
	write_footer(out, c, false);
	return 0;
}

/* The one-table Markdown report of before, with n and MDE columns, the
 * notes of "too few samples" verdicts and a table of geometric means. */
static int write_markdown(FILE *out, const struct cvb_compare_report *r, struct cvb_error *err)
{
	const struct cvb_comparison *c = r->comparison;
	const double alpha = r->options->alpha;
	struct table t = {
	    .n_cols = 12,
	    .title = {"cell", "metric", "unit", "base p50", "new p50", "change", "95% CI of change",
	              "p", "n", "MDE", "thr", "verdict"},
	    .right = {false, false, false, true, true, true, true, true, true, true, true, false}};
	struct table gt = {.n_cols = 5,
	                   .title = {"metric", "cells", "base geomean", "new geomean", "change"},
	                   .right = {false, true, true, true, true}};
	bool notes = false;
	int ret = -1;

	write_header(out, r, true);
	fputs("\n", out);
	for (size_t i = 0; i < c->n_pairs; i++) {
		const struct cvb_pair *p = &c->pairs[i];
		char base[48], cur[48], ch[32], change[40], ci[80], lo[32], hi[32], pv[32], n[48],
		    mde[32], thr[32];
		const char *cols[12] = {p->label, p->metric, p->unit, base,
		                        cur,      change,    ci,      pv,
		                        n,        mde,       thr,     verdict_text(p, true)};

		human(p->base_median, base, sizeof(base));
		human(p->new_median, cur, sizeof(cur));
		pct(p->change_pct, ch, sizeof(ch));
		snprintf(change, sizeof(change), "%s%s", not_significant(p, alpha) ? "~ " : "", ch);
		snprintf(ci, sizeof(ci), "[%s, %s]", pct(p->change_lo, lo, sizeof(lo)),
		         pct(p->change_hi, hi, sizeof(hi)));
		snprintf(pv, sizeof(pv), "%.2g%s", p->test.p, p->test.exact ? " (exact)" : "");
		sizes(p, n, sizeof(n));
		pct_mag(p->mde_pct, mde, sizeof(mde));
		snprintf(thr, sizeof(thr), "%g%%", p->threshold_pct);
		if (table_add(&t, cols, NULL) < 0)
			goto oom;
		if (first_of_metric(c, i)) {
			struct cvb_geomean g;
			char cells[48], gb[48], gn[48], gc[32];
			const char *gcols[5] = {p->metric, cells, gb, gn, gc};

			cvb_comparison_geomean(c, p->metric, &g);
			if (g.n < 2)
				continue;
			snprintf(cells, sizeof(cells), "%zu", g.n);
			human_unit(g.base, p->unit, gb, sizeof(gb));
			human_unit(g.cur, p->unit, gn, sizeof(gn));
			pct(g.change_pct, gc, sizeof(gc));
			if (table_add(&gt, gcols, NULL) < 0)
				goto oom;
		}
	}
	table_write(out, &t, true);
	for (size_t i = 0; i < c->n_pairs; i++) {
		char note[512];

		if (!c->pairs[i].too_few)
			continue;
		fprintf(out, "%s- %s %s: %s\n", notes ? "" : "\n", c->pairs[i].label,
		        c->pairs[i].metric, too_few_note(&c->pairs[i], alpha, note, sizeof(note)));
		notes = true;
	}
	if (gt.n_rows > 0) {
		fputs("\n", out);
		table_write(out, &gt, true);
	}
	write_footer(out, c, true);
	ret = 0;
	goto out;
oom:
	cvb_error_set(err, ENOMEM, "out of memory writing the comparison");
out:
	table_free(&t);
	table_free(&gt);
	return ret;
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

static cJSON *pair_json(const struct cvb_pair *p, double alpha)
{
	cJSON *o = cJSON_CreateObject();
	char note[512];

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "label", p->label);
	cJSON_AddStringToObject(o, "metric", p->metric);
	cJSON_AddStringToObject(o, "unit", p->unit);
	cJSON_AddStringToObject(o, "better", p->lower_is_better ? "lower" : "higher");
	cJSON_AddNumberToObject(o, "n_base", (double)p->n_base);
	cJSON_AddNumberToObject(o, "n_new", (double)p->n_new);
	add_num(o, "base_median", p->base_median);
	add_pair_of(o, "base_median_ci95", p->base_ci_lo, p->base_ci_hi);
	add_num(o, "new_median", p->new_median);
	add_pair_of(o, "new_median_ci95", p->new_ci_lo, p->new_ci_hi);
	add_num(o, "change_pct", p->change_pct);
	add_pair_of(o, "change_pct_ci95", p->change_lo, p->change_hi);
	add_num(o, "u", p->test.u);
	add_num(o, "p", p->test.p);
	cJSON_AddStringToObject(o, "p_method", p->test.exact ? "exact" : "normal");
	add_num(o, "threshold_pct", p->threshold_pct);
	cJSON_AddStringToObject(o, "verdict", cvb_verdict_name(p->verdict));
	add_num(o, "mde_pct", p->mde_pct);
	cJSON_AddStringToObject(o, "mde_status",
	                        isnan(p->mde_pct)   ? "undefined"
	                        : isinf(p->mde_pct) ? "unbounded"
	                                            : "ok");
	cJSON_AddBoolToObject(o, "too_few_samples", p->too_few);
	if (p->too_few && p->reps_needed > 0 && p->reps_needed <= CVB_MDE_REPS_MAX)
		cJSON_AddNumberToObject(o, "reps_needed", (double)p->reps_needed);
	else
		cJSON_AddNullToObject(o, "reps_needed");
	if (p->too_few)
		cJSON_AddStringToObject(o, "verdict_note",
		                        too_few_note(p, alpha, note, sizeof(note)));
	else
		cJSON_AddNullToObject(o, "verdict_note");
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
	cJSON_AddStringToObject(s, "mde",
	                        "smallest location shift of the new samples (moved onto the base "
	                        "by the Hodges-Lehmann shift) for which the rank test gives p < "
	                        "alpha, by bisection, in % of the base median; the larger of up "
	                        "and down");
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
	cJSON *doc = cJSON_CreateObject(), *pairs, *skipped, *sum, *warnings, *geo;
	char warn[1024];

	if (!doc)
		return NULL;
	cvb_json_add(doc, "base", side_json(r->base));
	cvb_json_add(doc, "new", side_json(r->cur));
	cvb_json_add(doc, "settings", settings_json(r->options));
	cJSON_AddBoolToObject(doc, "hosts_differ", c->hosts_differ);
	cJSON_AddBoolToObject(doc, "same_run", c->same_run != CVB_SAME_RUN_NO);
	warnings = cJSON_AddArrayToObject(doc, "warnings");
	if (warnings && c->same_run != CVB_SAME_RUN_NO)
		cJSON_AddItemToArray(warnings, cJSON_CreateString(cvb_compare_same_run_text(
		                                   r->base, r->cur, c, warn, sizeof(warn))));
	pairs = cJSON_AddArrayToObject(doc, "comparisons");
	for (size_t i = 0; pairs && i < c->n_pairs; i++)
		cJSON_AddItemToArray(pairs, pair_json(&c->pairs[i], r->options->alpha));
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
	geo = cJSON_AddArrayToObject(doc, "geomeans");
	for (size_t i = 0; geo && i < c->n_pairs; i++) {
		struct cvb_geomean g;
		cJSON *e;

		if (!first_of_metric(c, i))
			continue;
		cvb_comparison_geomean(c, c->pairs[i].metric, &g);
		e = cJSON_CreateObject();
		cJSON_AddStringToObject(e, "metric", c->pairs[i].metric);
		cJSON_AddStringToObject(e, "unit", c->pairs[i].unit);
		cJSON_AddNumberToObject(e, "pairs", (double)g.n);
		cJSON_AddNumberToObject(e, "skipped", (double)g.n_skipped);
		add_num(e, "base", g.base);
		add_num(e, "new", g.cur);
		add_num(e, "change_pct", g.change_pct);
		cJSON_AddItemToArray(geo, e);
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
		char name[512], range[64], extra[320], b[32], half[32], ch[32], lo[32], hi[32],
		    mde[32];
		cJSON *e;

		if (p->lower_is_better == r->github_bigger)
			continue;
		snprintf(name, sizeof(name), "%s %s", p->label, p->metric);
		snprintf(range, sizeof(range), "± %s",
		         human((p->new_ci_hi - p->new_ci_lo) / 2.0, half, sizeof(half)));
		snprintf(extra, sizeof(extra),
		         "base %s %s, change %s [%s, %s], p=%.2g, n=%zu/%zu, MDE %s, %s%s",
		         human(p->base_median, b, sizeof(b)), p->unit,
		         pct(p->change_pct, ch, sizeof(ch)), pct(p->change_lo, lo, sizeof(lo)),
		         pct(p->change_hi, hi, sizeof(hi)), p->test.p, p->n_base, p->n_new,
		         pct_mag(p->mde_pct, mde, sizeof(mde)), cvb_verdict_name(p->verdict),
		         p->too_few ? " (too few samples to tell)" : "");
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
		if (write_text(out, r, err) < 0)
			return -1;
		break;
	case CVB_COMPARE_MARKDOWN:
		if (write_markdown(out, r, err) < 0)
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

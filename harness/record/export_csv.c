/* Sample and summary rows of a results file as CSV; see export_csv.h. */
#include "export_csv.h"
#include "csv.h"
#include "numfmt.h"
#include "signals.h"
#include "stats.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

static const char *const cell_columns[] = {"run_id", "label",  "backend", "workload",
                                           "params", "metric", "unit",    "better"};

static void header(struct cvb_csv *csv, const char *const *more, size_t n_more)
{
	for (size_t i = 0; i < sizeof(cell_columns) / sizeof(cell_columns[0]); i++)
		cvb_csv_field(csv, cell_columns[i]);
	for (size_t i = 0; i < n_more; i++)
		cvb_csv_field(csv, more[i]);
	cvb_csv_end_row(csv);
}

/* The eight columns every row starts with. */
static void cell_fields(struct cvb_csv *csv, const char *run_id, const struct cvb_loaded_cell *c,
                        const char *params, const struct cvb_loaded_metric *m)
{
	cvb_csv_field(csv, run_id);
	cvb_csv_field(csv, c->label);
	cvb_csv_field(csv, c->backend);
	cvb_csv_field(csv, c->workload);
	cvb_csv_field(csv, params);
	cvb_csv_field(csv, m->name);
	cvb_csv_field(csv, m->unit);
	cvb_csv_field(csv, m->lower_is_better ? "lower" : "higher");
}

static int finish(FILE *out, struct cvb_error *err)
{
	if (fflush(out) != 0 || ferror(out))
		return cvb_error_errno(err, errno ? errno : EIO, "cannot write the CSV");
	return 0;
}

/* A number field as cvb_csv_number writes it (numfmt.h's shortest round
 * trip), with whole numbers below 1e15, which %.15g prints as their digits,
 * written without printf: a million rows of launch numbers and integer
 * nanoseconds. */
static void put_number(FILE *out, double v)
{
	char buf[32], *p = buf + sizeof(buf);
	double a = fabs(v);

	if (!isfinite(v))
		return;
	if (a < 1e15 && a == floor(a)) {
		uint64_t u = (uint64_t)a;

		do {
			*--p = (char)('0' + u % 10);
			u /= 10;
		} while (u);
		if (signbit(v))
			*--p = '-';
		fwrite_unlocked(p, 1, (size_t)(buf + sizeof(buf) - p), out);
		return;
	}
	fputs_unlocked(cvb_format_double(v, buf, sizeof(buf)), out);
}

/* The eight leading fields of a metric's rows, ending in a comma: the same
 * for every row that came from one run, so written once per run. */
static char *row_prefix(const char *run_id, const struct cvb_loaded_cell *c, const char *params,
                        const struct cvb_loaded_metric *m, size_t *len)
{
	char *text = NULL;
	FILE *mem = open_memstream(&text, len);
	struct cvb_csv csv = {.out = mem};

	if (!mem)
		return NULL;
	cell_fields(&csv, run_id, c, params, m);
	fputc(',', mem);
	if (fclose(mem) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* See export_csv.h. */
int cvb_export_samples_csv(FILE *out, const struct cvb_results_file *f, struct cvb_error *err)
{
	static const char *const more[] = {"launch_index", "value"};
	struct cvb_csv csv = {.out = out};

	header(&csv, more, 2);
	for (size_t i = 0; i < f->n_cells; i++) {
		const struct cvb_loaded_cell *c = &f->cells[i];
		char *params = cvb_cell_params_text(c->params);
		size_t n_runs = 0;
		const char **runs = cvb_results_launch_run_ids(f, c, &n_runs);

		if (!params || !runs) {
			free(params);
			free(runs);
			return cvb_error_set(err, ENOMEM, "out of memory writing the CSV");
		}
		for (size_t j = 0; j < c->n_metrics; j++) {
			const struct cvb_loaded_metric *m = &c->metrics[j];
			const char *prefix_run = NULL;
			char *prefix = NULL;
			size_t prefix_len = 0;

			for (size_t k = 0; k < m->n; k++) {
				size_t launch = m->launch ? (size_t)m->launch[k] : SIZE_MAX;
				const char *run = launch < n_runs ? runs[launch] : f->run_id;

				if ((k & 0xffff) == 0xffff && cvb_stop_signal) {
					free(prefix);
					free(params);
					free(runs);
					return cvb_error_set(
					    err, EINTR, "interrupted writing the CSV (signal %d)",
					    (int)cvb_stop_signal);
				}
				if (!prefix || run != prefix_run) {
					free(prefix);
					prefix = row_prefix(run, c, params, m, &prefix_len);
					prefix_run = run;
					if (!prefix) {
						free(params);
						free(runs);
						return cvb_error_set(
						    err, ENOMEM, "out of memory writing the CSV");
					}
				}
				fwrite_unlocked(prefix, 1, prefix_len, out);
				if (m->launch)
					put_number(out, m->launch[k]);
				fputc_unlocked(',', out);
				put_number(out, m->samples[k]);
				fputs_unlocked("\r\n", out);
			}
			free(prefix);
		}
		free(params);
		free(runs);
	}
	return finish(out, err);
}

/* See export_csv.h. */
int cvb_export_summary_csv(FILE *out, const struct cvb_results_file *f, struct cvb_error *err)
{
	static const char *const more[] = {"n",    "p50", "p90",     "p99",
	                                   "mean", "sd",  "ci95_lo", "ci95_hi"};
	struct cvb_csv csv = {.out = out};

	header(&csv, more, sizeof(more) / sizeof(more[0]));
	for (size_t i = 0; i < f->n_cells; i++) {
		const struct cvb_loaded_cell *c = &f->cells[i];
		char *params = cvb_cell_params_text(c->params);

		if (!params)
			return cvb_error_set(err, ENOMEM, "out of memory writing the CSV");
		for (size_t j = 0; j < c->n_metrics; j++) {
			const struct cvb_loaded_metric *m = &c->metrics[j];
			struct cvb_summary s;

			cell_fields(&csv, f->run_id, c, params, m);
			if (m->n == 0) {
				cvb_csv_number(&csv, 0);
				for (size_t k = 1; k < sizeof(more) / sizeof(more[0]); k++)
					cvb_csv_field(&csv, NULL);
				cvb_csv_end_row(&csv);
				continue;
			}
			if (cvb_stop_signal) {
				free(params);
				return cvb_error_set(err, EINTR,
				                     "interrupted writing the CSV (signal %d)",
				                     (int)cvb_stop_signal);
			}
			if (cvb_summarize(m->samples, m->n, f->seed, f->resamples, &s) < 0) {
				free(params);
				return cvb_error_errno(err, errno, "cannot summarise %s %s",
				                       c->label, m->name);
			}
			const double v[] = {(double)s.n, s.p50, s.p90,     s.p99,
			                    s.mean,      s.sd,  s.ci95_lo, s.ci95_hi};
			for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++)
				cvb_csv_number(&csv, v[k]);
			cvb_csv_end_row(&csv);
			cvb_summary_free(&s);
		}
		free(params);
	}
	return finish(out, err);
}

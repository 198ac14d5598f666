/* Sample and summary rows of a results file as CSV; see export_csv.h. */
#include "export_csv.h"
#include "csv.h"
#include "stats.h"

#include <errno.h>
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

/* See export_csv.h. */
int cvb_export_samples_csv(FILE *out, const struct cvb_results_file *f, struct cvb_error *err)
{
	static const char *const more[] = {"launch_index", "value"};
	struct cvb_csv csv = {.out = out};

	header(&csv, more, 2);
	for (size_t i = 0; i < f->n_cells; i++) {
		const struct cvb_loaded_cell *c = &f->cells[i];
		char *params = cvb_cell_params_text(c->params);

		if (!params)
			return cvb_error_set(err, ENOMEM, "out of memory writing the CSV");
		for (size_t j = 0; j < c->n_metrics; j++) {
			const struct cvb_loaded_metric *m = &c->metrics[j];
			/* Walked beside the samples: indexing a cJSON array is O(n). */
			const cJSON *li = m->launch_index ? m->launch_index->child : NULL;

			for (size_t k = 0; k < m->n; k++, li = li ? li->next : NULL) {
				int launch = li ? (int)li->valuedouble : -1;

				cell_fields(&csv, cvb_results_launch_run_id(f, c, launch), c,
				            params, m);
				if (li)
					cvb_csv_number(&csv, li->valuedouble);
				else
					cvb_csv_field(&csv, NULL);
				cvb_csv_number(&csv, m->samples[k]);
				cvb_csv_end_row(&csv);
			}
		}
		free(params);
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

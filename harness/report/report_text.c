#include "report_text.h"
#include "numfmt.h"
#include "stats.h"

#include <math.h>
#include <string.h>

void cvb_report_text(FILE *out, const struct cvb_run *run)
{
	const struct cvb_plan *plan = run->matrix->blocks[0];
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *c = &run->cells[k];
		fprintf(out, "%s: %s", c->label, cvb_cell_status_name(c->status));
		if (c->status != CVB_CELL_OK)
			fprintf(out, " (%s)", c->reason);
		fprintf(out, "\n");
		if (c->stop_reason[0])
			fprintf(out, "  repetition: %s\n", c->stop_reason);
		for (size_t i = 0; i < c->n_series; i++) {
			const struct cvb_series *s = &c->series[i];
			struct cvb_summary sum;
			if (s->n == 0 ||
			    cvb_summarize(s->values, s->n, plan->seed, plan->resamples, &sum) < 0)
				continue;
			char p50[32], p90[32], p99[32], lo[32], hi[32];
			cvb_format_value(sum.p50, s->unit, p50, sizeof(p50));
			cvb_format_value(sum.p90, s->unit, p90, sizeof(p90));
			cvb_format_value(sum.p99, s->unit, p99, sizeof(p99));
			cvb_format_value(sum.ci95_lo, s->unit, lo, sizeof(lo));
			cvb_format_value(sum.ci95_hi, s->unit, hi, sizeof(hi));
			fprintf(
			    out,
			    "  %s%-16s n=%-4zu p50 %-10s [95%% CI %s .. %s]  p90 %-10s p99 %-10s "
			    "CoV %.2f  outliers %zu\n",
			    s->role ? "aggressor " : "", s->name, sum.n, p50, lo, hi, p90, p99,
			    sum.cov, sum.n_outliers);
			cvb_summary_free(&sum);
		}
	}
}

#include "progress.h"
#include "clock.h"
#include "precision.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The terminal line of the last progress, so a note can clear it. */
static size_t tty_line_len;

static unsigned long rounds_left(const struct cvb_cell *c)
{
	if (c->status == CVB_CELL_SKIPPED || c->status == CVB_CELL_FAILED)
		return 0;
	unsigned want = cvb_precision_rounds(c), have = c->rounds_done + c->rounds_run;
	return want > have ? want - have : 0;
}

void cvb_progress_begin(struct cvb_progress *p, const struct cvb_run *run, FILE *out)
{
	memset(p, 0, sizeof(*p));
	p->out = out;
	p->run = run;
	p->tty = out && isatty(fileno(out));
	p->t_start = p->t_last_print = cvb_now_ns();
	p->spent_ns = calloc(run->n_cells ? run->n_cells : 1, sizeof(int64_t));
	p->steps = calloc(run->n_cells ? run->n_cells : 1, sizeof(unsigned));
	for (size_t k = 0; k < run->n_cells; k++)
		p->total += rounds_left(&run->cells[k]);
	double lo = cvb_estimate_seconds(run), hi = cvb_estimate_seconds_max(run);
	if (out && hi > lo)
		fprintf(out,
		        "cvbench: run %s: %zu cell(s), up to %lu launch round(s), about %.0f s (up "
		        "to %.0f s if --precision needs every --max-reps)\n",
		        run->id, run->n_cells, p->total, lo, hi);
	else if (out)
		fprintf(out, "cvbench: run %s: %zu cell(s), %lu launch round(s), about %.0f s\n",
		        run->id, run->n_cells, p->total, lo);
}

/* Remaining time: each cell's rounds left times its own mean round so far;
 * a cell not yet started borrows the mean of its backend's cells. */
static double eta_seconds(const struct cvb_progress *p)
{
	double eta = 0;
	const struct cvb_run *run = p->run;
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *c = &run->cells[k];
		unsigned long left = rounds_left(c);
		if (!left)
			continue;
		double mean = -1;
		if (p->steps && p->steps[k])
			mean = (double)p->spent_ns[k] / p->steps[k];
		else {
			int64_t spent = 0;
			unsigned n = 0;
			for (size_t j = 0; p->steps && j < run->n_cells; j++)
				if (run->cells[j].backend == c->backend) {
					spent += p->spent_ns[j];
					n += p->steps[j];
				}
			mean = n ? (double)spent / n : 0;
		}
		eta += mean * (double)left / 1e9;
	}
	return eta;
}

static void fmt_duration(double s, char *buf, size_t len)
{
	if (s >= 3600)
		snprintf(buf, len, "%dh%02dm", (int)(s / 3600), (int)(s / 60) % 60);
	else if (s >= 60)
		snprintf(buf, len, "%dm%02ds", (int)(s / 60), (int)s % 60);
	else
		snprintf(buf, len, "%.0fs", s);
}

void cvb_progress_step(struct cvb_progress *p, size_t k, int64_t dt_ns)
{
	if (!p->out)
		return;
	p->done++;
	if (p->spent_ns && p->steps) {
		p->spent_ns[k] += dt_ns;
		p->steps[k]++;
	}
	int64_t now = cvb_now_ns();
	/* A terminal line costs nothing; a log gets a line every 30 s. */
	if (!p->tty && now - p->t_last_print < 30 * (int64_t)1000000000 && p->done < p->total)
		return;
	p->t_last_print = now;
	const struct cvb_cell *c = &p->run->cells[k];
	char eta[32];
	fmt_duration(eta_seconds(p), eta, sizeof(eta));
	char line[400];
	int n = snprintf(line, sizeof(line), "[%lu/%lu] %.200s %u/%u ETA %s", p->done, p->total,
	                 c->label, c->rounds_done + c->rounds_run, cvb_precision_rounds(c), eta);
	if (n < 0)
		return;
	if (p->tty) {
		/* Clear to the end of the line: the new text may be shorter. */
		fprintf(p->out, "\r%s\033[K", line);
		tty_line_len = (size_t)n;
	} else {
		fprintf(p->out, "cvbench: %s\n", line);
	}
	fflush(p->out);
}

void cvb_progress_note(FILE *out, const char *fmt, ...)
{
	va_list ap;
	if (!out)
		return;
	if (tty_line_len && isatty(fileno(out)))
		fputs("\r\033[K", out);
	tty_line_len = 0;
	fputs("cvbench: ", out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

void cvb_progress_end(struct cvb_progress *p)
{
	if (p->out && p->tty && tty_line_len)
		fputc('\n', p->out);
	tty_line_len = 0;
	free(p->spent_ns);
	free(p->steps);
	p->spent_ns = NULL;
	p->steps = NULL;
}

/* Typical costs on a small host, for the estimate only: a launch's own
 * time and how much slower a workload runs there than natively, as the
 * backend states them (a plain process where it does not). */
static void backend_typical(const struct cvb_backend *be, double *launch_s, double *factor)
{
	*launch_s = be->typical_launch_s > 0 ? be->typical_launch_s : 0.005;
	*factor = be->typical_slowdown > 0 ? be->typical_slowdown : 1.0;
}

static double estimate(const struct cvb_run *run, bool upper)
{
	double total = 0;
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *c = &run->cells[k];
		if (c->status == CVB_CELL_SKIPPED)
			continue;
		double launch, factor;
		backend_typical(c->backend, &launch, &factor);
		double work = (c->workload->typical_ms ? c->workload->typical_ms : 200) / 1000.0;
		if (c->workload->holds_until_stopped)
			work = c->plan->settle_ms / 1000.0;
		double round = c->plan->gap_ms / 1000.0 + launch + work * factor;
		if (c->instances) /* launches in a group follow one another */
			round = c->plan->gap_ms / 1000.0 + c->instances * launch +
			        c->plan->settle_ms / 1000.0 + work * factor + 0.3;
		if (c->scenario && c->scenario->aggressor)
			round += launch + c->plan->settle_ms / 1000.0;
		unsigned want = upper || c->closed ? cvb_precision_rounds(c)
		                                   : c->plan->warmup + c->plan->reps;
		total += round * (want > c->rounds_done ? want - c->rounds_done : 0);
	}
	return total;
}

double cvb_estimate_seconds(const struct cvb_run *run)
{
	return estimate(run, false);
}

double cvb_estimate_seconds_max(const struct cvb_run *run)
{
	return estimate(run, true);
}

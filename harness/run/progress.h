/* Progress of a run: on a terminal one line rewritten in place (cell,
 * launches done, ETA); otherwise plain lines now and then. Also the
 * duration estimate that --dry-run prints. */
#ifndef CVB_PROGRESS_H
#define CVB_PROGRESS_H

#include "run_record.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct cvb_progress {
	FILE *out; /* NULL: silent */
	bool tty;
	const struct cvb_run *run;
	int64_t t_start, t_last_print;
	unsigned long total, done;
	int64_t *spent_ns; /* per cell */
	unsigned *steps;   /* per cell */
	size_t line_len;   /* what is on the terminal line now */
};

void cvb_progress_begin(struct cvb_progress *p, const struct cvb_run *run, FILE *out);

/* One round of cell k took dt_ns. */
void cvb_progress_step(struct cvb_progress *p, size_t k, int64_t dt_ns);

/* A message line (a failed launch) that must not be overwritten. */
void cvb_progress_note(FILE *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void cvb_progress_end(struct cvb_progress *p);

/* A rough estimate of how long the run's cells take here, in seconds, from
 * typical launch and workload times per backend; documented as rough. Cells
 * with --precision count their --reps (the minimum) here, and their
 * --max-reps in the _max variant. */
double cvb_estimate_seconds(const struct cvb_run *run);
double cvb_estimate_seconds_max(const struct cvb_run *run);

#endif

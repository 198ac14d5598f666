/* Runs a matrix: launches of every cell interleaved round by round
 * (A B A B ...) so that drift on the host spreads evenly over them. */
#ifndef CVB_RUNNER_H
#define CVB_RUNNER_H

#include "plan.h"
#include "run_record.h"

#include <cjson/cJSON.h>
#include <stdio.h>

/* Gives up on a cell after this many failed launches in a row with none ok:
 * a broken agent should not cost reps x timeout. */
#define CVB_MAX_CONSECUTIVE_FAILURES 3

#define CVB_RUN_MAX_BEGUN (CVB_MATRIX_MAX_BLOCKS * CVB_PLAN_MAX_BACKENDS)

/* A backend's shared set-up for one block (run_begin), undone at the end. */
struct cvb_begun {
	const struct cvb_backend *backend;
	const struct cvb_plan *block;
	void *state;
};

/* The runner's own state while a run is measured (not part of the
 * record): which backends' shared set-ups are up, to undo them. */
struct cvb_runner {
	struct cvb_run *run;
	struct cvb_begun begun[CVB_RUN_MAX_BEGUN];
	size_t n_begun;
};

/* Once per backend and block with cells to run, outside every measured
 * window: the backend's shared set-up (run_begin). A backend whose set-up
 * fails has its cells marked failed with the reason. */
void cvb_runner_begin(struct cvb_runner *r, struct cvb_run *run);

/* Undoes cvb_runner_begin; safe to call more than once, and on a runner
 * that never began (zeroed). */
void cvb_runner_end(struct cvb_runner *r);

/* Runs every cell's warm-up and measured launches, interleaved; progress goes
 * to `progress` (NULL: silent). Stops early, keeping what it has, when a
 * signal arrives. */
void cvb_run_execute(struct cvb_run *run, FILE *progress);

/* One launch of cell's instance, filling *sample (harness/run/sample.c). */
void cvb_sample_run(const struct cvb_run *run, struct cvb_cell *cell, struct cvb_sample *sample);

/* One round of a group cell: N instances at once, or a victim next to its
 * aggressor (harness/run/group.c). Adds the round's samples to the cell and
 * returns false if the round failed. */
bool cvb_group_run(struct cvb_run *run, struct cvb_cell *cell, unsigned round);

#endif

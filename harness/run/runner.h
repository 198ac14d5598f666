/* Runs a matrix: launches of every cell interleaved round by round
 * (A B A B ...) so that drift on the host spreads evenly over them. */
#ifndef CVB_RUNNER_H
#define CVB_RUNNER_H

#include "load_watch.h"
#include "plan.h"
#include "results.h"

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

struct cvb_run {
	char id[48];         /* names what the run creates: cvb-<id>-<n> */
	char started_at[40]; /* RFC 3339, UTC */
	char finished_at[40];
	char agent_path[4096];
	const struct cvb_matrix *matrix;
	struct cvb_cell *cells;
	size_t n_cells;
	int stop_signal; /* nonzero if a signal cut the run short */
	cJSON *host;     /* host facts; owned */
	struct cvb_begun begun[CVB_RUN_MAX_BEGUN];
	size_t n_begun;
	unsigned next_instance; /* instance numbers are unique within the run */
	char resumed_from[48];  /* run id of the record a resumed run continues */
	char **argv;            /* the command line, for the record */
	int argc;
	bool owns_argv; /* argv (not its strings) allocated by a resume */
	struct cvb_load_watch load; /* other processes' CPU use during the run */
};

/* Fills run->id and run->started_at from the current time and pid. */
void cvb_run_init(struct cvb_run *run, int argc, char **argv);

/* Creates the cells (per block: backend x workload x instances x scenario x
 * placement), labels them, and probes every backend: a cell whose backend
 * is unusable here is `skipped` with the probe's reason. */
int cvb_run_prepare(const struct cvb_matrix *m, struct cvb_run *run, struct cvb_error *err);

/* Measured launches a cell still has to make (warm-ups included). */
unsigned cvb_cell_rounds(const struct cvb_cell *c);

/* Once per backend and block with cells to run, outside every measured
 * window: the backend's shared set-up (run_begin). A backend whose set-up
 * fails has its cells marked failed with the reason. */
void cvb_run_begin_backends(struct cvb_run *run);

/* Undoes cvb_run_begin_backends; safe to call more than once. */
void cvb_run_end_backends(struct cvb_run *run);

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

void cvb_run_free(struct cvb_run *run);

#endif

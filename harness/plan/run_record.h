/* A run's record: what was planned (the matrix, its cells) and what the
 * runner filled in (launches, host facts, times, the load watch). The
 * planner creates it, the runner fills it, results_json.c writes it and a
 * resume reads it back; the runner's own state is in run/runner.h. */
#ifndef CVB_RUN_RECORD_H
#define CVB_RUN_RECORD_H

#include "cvb_error.h"
#include "load_watch.h"
#include "plan.h"
#include "results.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

struct cvb_run {
	char id[48];         /* names what the run creates: cvb-<id>-<n> */
	char started_at[40]; /* RFC 3339, UTC */
	char finished_at[40];
	char agent_path[4096];
	const struct cvb_matrix *matrix;
	struct cvb_cell *cells;
	size_t n_cells;
	int stop_signal;        /* nonzero if a signal cut the run short */
	cJSON *host;            /* host facts; owned */
	unsigned next_instance; /* instance numbers are unique within the run */
	char resumed_from[48];  /* run id of the record a resumed run continues */
	char **argv;            /* the command line, for the record */
	int argc;
	bool owns_argv;             /* argv (not its strings) allocated by a resume */
	struct cvb_load_watch load; /* other processes' CPU use during the run */
};

/* Fills run->id and run->started_at from the current time and pid. */
void cvb_run_init(struct cvb_run *run, int argc, char **argv);

/* Creates the cells (per block: backend x workload x instances x scenario x
 * placement), labels them, and probes every backend: a cell whose backend
 * is unusable here is `skipped` with the probe's reason. */
int cvb_run_prepare(const struct cvb_matrix *m, struct cvb_run *run, struct cvb_error *err);

/* Sets run->finished_at to now. */
void cvb_run_finish(struct cvb_run *run);

void cvb_run_free(struct cvb_run *run);

#endif

/* The in-memory record of a run: cells, their launches (samples) and metric
 * series. The runner fills it; results_json.c and report_text.c read it. */
#ifndef CVB_RESULTS_H
#define CVB_RESULTS_H

#include "backend.h"
#include "workload.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cvb_cell_status { CVB_CELL_OK, CVB_CELL_FAILED, CVB_CELL_SKIPPED, CVB_CELL_INCOMPLETE };
enum cvb_sample_status { CVB_SAMPLE_OK, CVB_SAMPLE_FAILED, CVB_SAMPLE_INTERRUPTED };

/* Values of one metric over the cell's ok, measured (non-warm-up) samples,
 * in launch order; sample_index[i] names the launch values[i] came from. */
struct cvb_series {
	const char *name; /* static: from the workload table or the harness */
	const char *role; /* static: "aggressor" for an aggressor's metrics, else NULL */
	const char *unit;
	enum cvb_better better;
	double *values;
	unsigned *sample_index;
	size_t n, cap;
};

/* One launch of one instance. */
struct cvb_sample {
	unsigned index;    /* launch number within the cell, warm-ups included */
	unsigned instance; /* unique within the run: names the instance cvb-<run-id>-<instance> */
	bool warmup;
	/* In a group (density, noisy neighbours): "instance", "victim" or
	 * "aggressor"; NULL for a plain one-instance launch. */
	const char *role;
	enum cvb_sample_status status;
	char reason[512];       /* when not ok: what went wrong, with the last output */
	int64_t startup_ns;     /* host launch call -> READY arrival; -1 if none */
	int64_t agent_ready_ns; /* the agent's own clock in READY (reported, never subtracted) */
	struct cvb_phase phases[CVB_MAX_PHASES + 1];
	size_t n_phases;
	struct cvb_exit exit;
	bool done_seen;
	int done_status; /* valid when done_seen */
	size_t noise_lines;
	cJSON *backend_facts; /* owned: what the backend saw of this launch, or NULL */
	cJSON *facts;         /* owned: what the agent reported seeing (fact lines), or NULL */
};

struct cvb_plan;
struct cvb_scenario;
struct cvb_placement;

struct cvb_cell {
	const struct cvb_plan *plan;           /* the block (of a matrix) it comes from */
	char label[1024];                      /* unique in the run, stable across runs */
	unsigned instances;                    /* a group of N at once; 0: one launch at a time */
	const struct cvb_scenario *scenario;   /* noisy neighbours, else NULL */
	const struct cvb_placement *placement; /* with a scenario, else NULL */
	unsigned rounds_done;                  /* rounds already in the record (a resumed run) */
	unsigned rounds_run;                   /* rounds this run attempted */
	const struct cvb_backend *backend;
	const struct cvb_workload *workload;
	int64_t params[CVB_MAX_PARAMS];
	const char *cpus;     /* pinning used, or NULL */
	void *run_state;      /* the backend's run_begin state (owned by the run) */
	cJSON *backend_setup; /* owned: the backend's describe_run, or NULL */
	int timeout_ms;
	enum cvb_cell_status status;
	char reason[512];
	struct cvb_sample *samples;
	size_t n_samples, cap_samples;
	struct cvb_series *series;
	size_t n_series, cap_series;
	unsigned measured_ok, warmup_done;
	unsigned aggressor_failures; /* an aggressor killed, limited or failed: data */
	cJSON *prior_launches;       /* owned: launches of a resumed record, or NULL */
	/* Repetition (harness/run/precision.c): a cell with --precision is closed
	 * once it has what it needs; closed_rounds is then its round count. */
	bool closed;
	unsigned closed_rounds;
	char stop_reason[256]; /* why it stopped repeating; "" until it did */
	double half_width[8]; /* per --precision-metric, relative, at the last check */
};

const char *cvb_cell_status_name(enum cvb_cell_status s);
const char *cvb_sample_status_name(enum cvb_sample_status s);

/* Appends a new zeroed sample; NULL on allocation failure. */
struct cvb_sample *cvb_cell_add_sample(struct cvb_cell *cell);

/* The series named `name`, created with unit/better if new; NULL on ENOMEM. */
struct cvb_series *cvb_cell_series(struct cvb_cell *cell, const char *name, const char *unit,
                                   enum cvb_better better);

/* Appends one value (from launch `sample_index`); -1 on ENOMEM. */
int cvb_series_add(struct cvb_series *s, double v, unsigned sample_index);

void cvb_cell_free(struct cvb_cell *cell);

#endif

/* Reading a results file back: parse, check that it is a cvbench results
 * document this build understands, and index its cells by label and their
 * metrics by name. compare, export and merge read files only through this,
 * so they accept the same files (run output and merged files alike) and
 * refuse the rest with the same messages. */
#ifndef CVB_RESULTS_LOAD_H
#define CVB_RESULTS_LOAD_H

#include "cvb_error.h"
#include "json_fast.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The newest schema_version this build reads (results_json.h writes it). */
#define CVB_RESULTS_SCHEMA_READ 1

struct cvb_loaded_metric {
	const char *name, *unit; /* borrowed from the document */
	bool lower_is_better;
	double *samples; /* owned; n values in file order */
	size_t n;
	/* The JSON array parallel to samples, or NULL. Its nodes may be empty
	 * (the numbers held aside, see cvb_results_file.aside): read the
	 * launch numbers from launch. */
	const cJSON *launch_index;
	double *launch; /* owned: launch_index's n values (whole numbers), or NULL */
	const cJSON *json;
};

struct cvb_loaded_cell {
	char *label;        /* owned: the cell's "label", or the fallback */
	bool label_derived; /* the file had no label; see cvb_cell_label_fallback */
	const char *backend, *workload, *status;
	const cJSON *params; /* object, or NULL */
	const cJSON *json;   /* the whole cell */
	int host_ref;        /* index into the file's "hosts", -1 without */
	struct cvb_loaded_metric *metrics;
	size_t n_metrics;
};

struct cvb_results_file {
	char *name; /* owned: the path (or name) given, for messages */
	/* owned. Its long arrays of numbers (samples, launch_index, outlier
	 * lists) are EMPTY in the tree, their numbers held in aside
	 * (json_fast.h): the loaded metrics have them, cvb_json_numbers finds
	 * them for code handed only the tree, cvb_results_materialize puts
	 * them in for code that copies or edits it. */
	cJSON *doc;
	struct cvb_json_aside *aside;
	int schema_version;
	const char *run_id;
	const cJSON *hosts;       /* merged files: the "hosts" array, else NULL */
	const cJSON *merged_from; /* merged files: array of run ids, else NULL */
	uint64_t seed;            /* the run's bootstrap seed and resamples, or */
	unsigned resamples;       /* the defaults when the file does not say */
	struct cvb_loaded_cell *cells;
	size_t n_cells;
};

/* Reads and checks path. 0, or -1 with err saying what is wrong with which
 * file and what to pass instead; *out is then empty (freeing it is safe).
 * err->code is EINTR when a stop signal (signals.h: cvb_stop_signal) ended
 * the reading, e.g. while open() waited on a FIFO without a writer. Long
 * arrays of numbers are parsed by json_fast.h (the same tree cJSON gives).
 * Free with cvb_results_free. */
int cvb_results_load(const char *path, struct cvb_results_file *out, struct cvb_error *err);

/* Like cvb_results_load, from text already in memory; name is for messages. */
int cvb_results_parse(const char *text, size_t len, const char *name, struct cvb_results_file *out,
                      struct cvb_error *err);

void cvb_results_free(struct cvb_results_file *f);

/* Puts the numbers held aside into f->doc's arrays, as cJSON_Parse would
 * have made it. 0, or -1 with err (ENOMEM). */
int cvb_results_materialize(struct cvb_results_file *f, struct cvb_error *err);

/* The cell with this label, or NULL. */
const struct cvb_loaded_cell *cvb_results_find_cell(const struct cvb_results_file *f,
                                                    const char *label);

/* The cell's metric of this name, or NULL. */
const struct cvb_loaded_metric *cvb_cell_find_metric(const struct cvb_loaded_cell *c,
                                                     const char *name);

/* The host facts a cell was measured on: hosts[host_ref] in merged files,
 * the top-level "host" otherwise (NULL if the file has neither). */
const cJSON *cvb_results_cell_host(const struct cvb_results_file *f,
                                   const struct cvb_loaded_cell *c);

/* The run launch number `launch` of a cell came from (a sample's launch is
 * its launch_index): in merged files the launch's "run_ref" into
 * "merged_from"; otherwise, or when unknown (launch < 0), the file's run_id. */
const char *cvb_results_launch_run_id(const struct cvb_results_file *f,
                                      const struct cvb_loaded_cell *c, int launch);

/* cvb_results_launch_run_id of each of the cell's launches, in one walk
 * (looking launches up one by one is a walk each): a new array of *n
 * borrowed strings (free() it), NULL when out of memory. */
const char **cvb_results_launch_run_ids(const struct cvb_results_file *f,
                                        const struct cvb_loaded_cell *c, size_t *n);

/* The label of a cell from a file written before cells had one: backend "/"
 * workload, then " name=value" for each parameter sorted by name, e.g.
 * "native/idle max_s=600". Newly allocated; NULL when out of memory. */
char *cvb_cell_label_fallback(const char *backend, const char *workload, const cJSON *params);

/* Parameters as "name=value;name=value", sorted by name ("" without any).
 * Newly allocated; NULL when out of memory. */
char *cvb_cell_params_text(const cJSON *params);

#endif

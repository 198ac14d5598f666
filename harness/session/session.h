/* One `cvbench run` (or `cvbench plan`) from its arguments to a prepared
 * run: the matrix parsed or loaded, a resumed record read, the agent found,
 * the matrix checked against each backend and the host, the results path
 * chosen, and the cells created and probed. Nothing is measured or
 * written yet; the commands call this, then print or measure. */
#ifndef CVB_SESSION_H
#define CVB_SESSION_H

#include "cvb_error.h"
#include "plan.h"
#include "run_record.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>

struct cvb_session {
	struct cvb_matrix m;
	struct cvb_run run;
	cJSON *record;        /* the results file a --resume continues, or NULL */
	const char *out_path; /* where the results go: --out, the resumed file, or default_out */
	char default_out[PATH_MAX];
	/* A matrix run is a results directory: the JSON, plots and report. */
	bool with_report;
	bool parsed; /* m holds something to free */
};

enum cvb_session_result {
	CVB_SESSION_OK,
	CVB_SESSION_HELP,   /* --help: nothing prepared */
	CVB_SESSION_USAGE,  /* bad options, matrix or record; err says which */
	CVB_SESSION_FAILED, /* the run could not be prepared (err) */
};

/* From `cvbench run` arguments (argv[0] is "run"). */
enum cvb_session_result cvb_session_from_args(int argc, char **argv, struct cvb_session *s,
                                              struct cvb_error *err);

/* From a matrix file, as `cvbench run --matrix PATH --dry-run` would;
 * argv is the command line (for messages only). */
enum cvb_session_result cvb_session_from_matrix(const char *path, int argc, char **argv,
                                                struct cvb_session *s, struct cvb_error *err);

/* The plan: every cell with its warm-ups and measured launches, skips and
 * why, the agent, the results path and the estimated duration. */
void cvb_session_print_plan(FILE *out, const struct cvb_session *s);

/* What `cvbench run` does with a prepared session (session_run.c): the
 * results directory and path checked, the preflight (refusing on a failure
 * unless --force), host facts, the runner, the self-checked results written
 * atomically, the summary and, for a matrix run, the report beside them.
 * Says what it does on stdout and stderr; returns the exit status
 * (exit_status.h). */
int cvb_session_run(struct cvb_session *s);

/* For a session that could not be prepared (CVB_SESSION_USAGE or
 * CVB_SESSION_FAILED): says err on stderr as `cvbench run` does and
 * returns the exit status. */
int cvb_session_refused(enum cvb_session_result r, const struct cvb_error *err);

void cvb_session_free(struct cvb_session *s);

#endif

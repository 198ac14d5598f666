/* --resume FILE: continues an interrupted run from its own record. The
 * record says what was measured (its matrix or command line) and holds the
 * samples so far; the resumed run makes only the rounds still missing and
 * writes one document with both. */
#ifndef CVB_RESUME_H
#define CVB_RESUME_H

#include "run_record.h"

#include <cjson/cJSON.h>

/* Reads the record at path and rebuilds the matrix it was measured with into
 * m (whose m->resume is path); *record gets the parsed document (caller
 * deletes it). run->argv becomes the original command line. -1 with err:
 * unreadable, not a cvbench record, another schema version, nothing left. */
int cvb_resume_load(const char *path, struct cvb_matrix *m, cJSON **record, struct cvb_run *run,
                    struct cvb_error *err);

/* The record's samples were measured with one agent: -1 with err if the
 * agent located for this run (from the command line, never from the record)
 * is another file. */
int cvb_resume_check_agent(const cJSON *record, const char *agent_path, struct cvb_error *err);

/* After cvb_run_prepare: gives each cell the samples, launches and round
 * count the record has for its label. */
int cvb_resume_apply(const cJSON *record, struct cvb_run *run, struct cvb_error *err);

#endif

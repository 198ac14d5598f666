/* The rows of every `cvbench run` option: the generic ones (here) and each
 * registered backend's (struct cvb_backend.options), in one list that
 * drives getopt, the dispatch, matrix keys and --help. Adding an option is
 * adding one row: to plan_options.c if generic, else to its backend's. */
#ifndef CVB_PLAN_OPTIONS_H
#define CVB_PLAN_OPTIONS_H

#include "backend_options.h"
#include "plan.h"

#include <getopt.h>
#include <stdio.h>

#define CVB_PLAN_MAX_OPTIONS 128

/* One option of the list, with the backend that declared it (NULL: generic). */
struct cvb_plan_option {
	const struct cvb_option *row;
	const struct cvb_backend *backend;
};

/* All rows, generic ones first, then each backend's in registry order. */
size_t cvb_plan_options(const struct cvb_plan_option **out);

/* The option named exactly `name` (no dashes), or NULL. */
const struct cvb_plan_option *cvb_plan_option_find(const char *name);

/* Fills getopt_long's array from the rows given to the block parser: the
 * option at index i of cvb_plan_options() returns CVB_PLAN_OPTION_VAL + i.
 * out has room for CVB_PLAN_MAX_OPTIONS + 1 entries (the last is zeros). */
#define CVB_PLAN_OPTION_VAL 256
void cvb_plan_options_getopt(struct option *out);

/* Parses arg for option o into plan (generic rows) or plan->config (a
 * backend's). -1 with err naming the option if the value is bad. */
int cvb_plan_option_apply(const struct cvb_plan_option *o, struct cvb_plan *plan, const char *arg,
                          struct cvb_error *err);

/* Calls add for each non-empty item of a comma-separated list. */
int cvb_plan_each_item(const char *list, const char *what,
                       int (*add)(struct cvb_plan *, const char *, struct cvb_error *),
                       struct cvb_plan *plan, struct cvb_error *err);

/* The options part of `cvbench run --help`, grouped: the generic rows up to
 * the first heading, each backend's under its heading, the other generic
 * groups. */
void cvb_plan_options_usage(FILE *out);

#endif

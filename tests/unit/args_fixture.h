/* Helpers for the parser tests: command lines ("run" followed by the given
 * arguments; getopt_long may permute argv and keeps pointers into it, so the
 * arguments live in writable storage that outlives the plan), parsing with
 * an expected outcome, and message checks. Include after cmocka.h. */
#ifndef CVB_TEST_ARGS_FIXTURE_H
#define CVB_TEST_ARGS_FIXTURE_H

#include "plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define TEST_MAX_ARGS 40

struct args {
	char storage[TEST_MAX_ARGS][200];
	char *argv[TEST_MAX_ARGS + 1];
	int argc;
};

/* Fills a with "run" and the NULL-terminated list of arguments. */
static inline void build_args(struct args *a, ...)
{
	va_list ap;
	const char *s;

	memset(a, 0, sizeof(*a));
	snprintf(a->storage[0], sizeof(a->storage[0]), "run");
	a->argv[0] = a->storage[0];
	a->argc = 1;
	va_start(ap, a);
	while ((s = va_arg(ap, const char *)) != NULL) {
		assert_true(a->argc < TEST_MAX_ARGS);
		assert_true(strlen(s) < sizeof(a->storage[0]));
		snprintf(a->storage[a->argc], sizeof(a->storage[0]), "%s", s);
		a->argv[a->argc] = a->storage[a->argc];
		a->argc++;
	}
	va_end(ap);
	a->argv[a->argc] = NULL;
}

#define ARGS(a, ...) build_args((a), __VA_ARGS__, (const char *)NULL)

/* Asserts that err.msg contains needle, showing the message if not. */
#define assert_msg_has(err, needle)                                                                \
	do {                                                                                       \
		if (strstr((err).msg, (needle)) == NULL)                                           \
			fail_msg("message \"%s\" lacks \"%s\"", (err).msg, (needle));              \
	} while (0)

static inline enum cvb_parse_result parse(struct args *a, struct cvb_plan *plan,
                                          struct cvb_error *err)
{
	memset(err, 0, sizeof(*err));
	return cvb_plan_parse(a->argc, a->argv, plan, err);
}

/* Parses and expects CVB_PARSE_OK, failing with the message otherwise. */
static inline void parse_ok(struct args *a, struct cvb_plan *plan)
{
	struct cvb_error err;
	enum cvb_parse_result r = parse(a, plan, &err);
	if (r != CVB_PARSE_OK)
		fail_msg("parse returned %d: %s", (int)r, err.msg);
	assert_string_equal(err.msg, "");
}

/* Parses and expects CVB_PARSE_ERROR with a non-empty one-line message. */
static inline void parse_err(struct args *a, struct cvb_error *err)
{
	struct cvb_plan plan;
	enum cvb_parse_result r = parse(a, &plan, err);
	if (r != CVB_PARSE_ERROR)
		fail_msg("parse returned %d, expected an error", (int)r);
	assert_true(err->msg[0] != '\0');
	assert_null(strchr(err->msg, '\n')); /* one line */
}

/* Index of a workload's parameter, which must exist. */
static inline int param_idx(const char *workload, const char *param)
{
	const struct cvb_workload *w = cvb_workload_find(workload);
	assert_non_null(w);
	int idx = cvb_workload_param_index(w, param);
	assert_true(idx >= 0);
	return idx;
}

#endif

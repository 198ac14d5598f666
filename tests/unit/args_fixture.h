/* Command lines for parser tests: "run" followed by the given arguments.
 * getopt_long may permute argv and keeps pointers into it, so the arguments
 * live in writable storage that outlives the plan. Include after cmocka.h. */
#ifndef CVB_TEST_ARGS_FIXTURE_H
#define CVB_TEST_ARGS_FIXTURE_H

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

#endif

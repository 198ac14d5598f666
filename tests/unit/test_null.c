/* The test-only null backend (backends/null.c): absent from the registry
 * unless CVB_TEST_BACKENDS=1, and then present, with none of native's roles.
 * The registry is settled before main(), so the "asked for" case is this
 * binary run again with the variable set. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backend.h"

#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool listed(const char *name)
{
	for (size_t i = 0; cvb_backends[i]; i++)
		if (strcmp(cvb_backends[i]->name, name) == 0)
			return true;
	return false;
}

static void test_hidden_by_default(void **state)
{
	(void)state;
	if (getenv("CVB_TEST_BACKENDS"))
		skip();
	assert_null(cvb_backend_find("null"));
	assert_false(listed("null"));
	assert_non_null(cvb_backend_find("vm")); /* the others stay, in order */
	assert_string_equal(cvb_backends[0]->name, "native");
}

static void test_offered_when_asked(void **state)
{
	(void)state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char self[] = "/proc/self/exe", arg[] = "--expect-null";
		char env[] = "CVB_TEST_BACKENDS=1";
		char *argv[] = {self, arg, NULL}, *envp[] = {env, NULL};
		execve(self, argv, envp);
		_exit(127);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* Run again with CVB_TEST_BACKENDS=1: null is there, a plain backend. */
static int expect_null(void)
{
	const struct cvb_backend *b = cvb_backend_find("null");
	return b && listed("null") && !(b->caps & (CVB_CAP_BASELINE | CVB_CAP_LAUNCHER)) &&
	               b->launch && b->destroy && b->release
	           ? 0
	           : 1;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "--expect-null") == 0)
		return expect_null();
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hidden_by_default),
	    cmocka_unit_test(test_offered_when_asked),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

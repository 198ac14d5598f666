/* What option rows share (backends/backend_options.c): comma lists of
 * names into bits, with all, none and the error for an unknown name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "backend_options.h"

#include <string.h>

static const char *const names[] = {"caps", "nnp", "seccomp", NULL};

static void test_names(void **state)
{
	struct cvb_error err = {0};
	unsigned bits = 99;
	(void)state;
	assert_int_equal(cvb_option_parse_names("--x", "nnp", names, &bits, &err), 0);
	assert_int_equal(bits, 2);
	assert_int_equal(cvb_option_parse_names("--x", "seccomp,caps", names, &bits, &err), 0);
	assert_int_equal(bits, 5);
	assert_int_equal(cvb_option_parse_names("--x", "caps,,nnp", names, &bits, &err), 0);
	assert_int_equal(bits, 3);
	assert_int_equal(cvb_option_parse_names("--x", "all", names, &bits, &err), 0);
	assert_int_equal(bits, 7);
	assert_int_equal(cvb_option_parse_names("--x", "none", names, &bits, &err), 0);
	assert_int_equal(bits, 0);
}

static void test_names_errors(void **state)
{
	struct cvb_error err = {0};
	unsigned bits = 42;
	char long_list[400];
	(void)state;
	assert_int_equal(cvb_option_parse_names("--x", "caps,bogus", names, &bits, &err), -1);
	assert_string_equal(err.msg, "--x: unknown 'bogus' (known: caps,nnp,seccomp, all, none)");
	assert_int_equal(bits, 42); /* untouched on error */
	memset(long_list, 'a', sizeof(long_list) - 1);
	long_list[sizeof(long_list) - 1] = '\0';
	assert_int_equal(cvb_option_parse_names("--x", long_list, names, &bits, &err), -1);
	assert_string_equal(err.msg, "--x: list too long");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_names_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

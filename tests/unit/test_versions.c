/* Version strings for the host facts (host/versions.c): libvirt's packed
 * numbers and the version in `qemu-system-x86_64 --version` output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "versions.h"

#include <string.h>

/* major*1000000 + minor*1000 + release, each part in decimal. */
static void test_unpack(void **state)
{
	char v[32];

	(void)state;
	cvb_version_unpack(9000000, v, sizeof(v));
	assert_string_equal(v, "9.0.0");
	cvb_version_unpack(1002003, v, sizeof(v));
	assert_string_equal(v, "1.2.3");
	cvb_version_unpack(10010999, v, sizeof(v));
	assert_string_equal(v, "10.10.999");
	cvb_version_unpack(0, v, sizeof(v));
	assert_string_equal(v, "0.0.0");
}

/* A short buffer gets a cut, NUL-terminated prefix. */
static void test_unpack_short_buffer(void **state)
{
	char v[5];

	(void)state;
	memset(v, 'X', sizeof(v));
	cvb_version_unpack(10010999, v, sizeof(v));
	assert_string_equal(v, "10.1");
}

/* The version number after "version ", stopping at the first space. */
static void test_qemu_parse(void **state)
{
	char v[32];

	(void)state;
	memset(v, 0, sizeof(v));
	assert_int_equal(cvb_qemu_version_parse("QEMU emulator version 7.2.19 (Debian "
	                                        "1:7.2+dfsg-7+deb12u18)\n"
	                                        "Copyright (c) 2003-2022 Fabrice Bellard and the "
	                                        "QEMU Project developers\n",
	                                        v, sizeof(v)),
	                 0);
	assert_string_equal(v, "7.2.19");

	assert_int_equal(cvb_qemu_version_parse("QEMU emulator version 8.2.2\n", v, sizeof(v)), 0);
	assert_string_equal(v, "8.2.2");
}

/* No "version N" in the text: -1. */
static void test_qemu_parse_garbage(void **state)
{
	char v[32] = "unchanged";

	(void)state;
	assert_int_equal(cvb_qemu_version_parse("garbage", v, sizeof(v)), -1);
	assert_int_equal(cvb_qemu_version_parse("", v, sizeof(v)), -1);
	assert_int_equal(cvb_qemu_version_parse("QEMU emulator version (none)\n", v, sizeof(v)),
	                 -1);
	assert_int_equal(
	    cvb_qemu_version_parse("sh: qemu-system-x86_64: not found\n", v, sizeof(v)), -1);
	assert_string_equal(v, "unchanged");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_unpack),
	    cmocka_unit_test(test_unpack_short_buffer),
	    cmocka_unit_test(test_qemu_parse),
	    cmocka_unit_test(test_qemu_parse_garbage),
	};

	return cmocka_run_group_tests_name("versions", tests, NULL, NULL);
}

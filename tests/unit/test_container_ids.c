/* The container's host id block (backends/container_ids.c) against fixture
 * /etc/subuid and /etc/subgid files written into a mkdtemp directory:
 * missing and empty files, Debian's first range, a range overlapping the
 * default block (and one overlapping the next), ranges adjacent on either
 * side, malformed lines, no room left, and an unreadable file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "container_ids.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BASE CVB_CONTAINER_IDS_DEFAULT_BASE
#define COUNT CVB_CONTAINER_IDS_COUNT

struct fixture {
	char dir[64], subuid[96], subgid[96];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cvb-test-ids-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	snprintf(f->subuid, sizeof(f->subuid), "%s/subuid", f->dir);
	snprintf(f->subgid, sizeof(f->subgid), "%s/subgid", f->dir);
	*state = f;
	return 0;
}

/* Only the two fixture files (or directories) are ever created. */
static int teardown(void **state)
{
	struct fixture *f = *state;
	unlink(f->subuid);
	unlink(f->subgid);
	rmdir(f->subuid);
	rmdir(f->subgid);
	rmdir(f->dir);
	free(f);
	return 0;
}

static void put(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	assert_int_equal(fclose(fp), 0);
}

static struct cvb_container_ids choose_ok(const struct fixture *f)
{
	struct cvb_container_ids ids;
	struct cvb_error err = {0};
	if (cvb_container_ids_choose(f->subuid, f->subgid, &ids, &err) < 0)
		fail_msg("choose failed: %s", err.msg);
	assert_int_equal(ids.count, COUNT);
	assert_int_equal(ids.base % COUNT, 0);
	return ids;
}

static void test_missing_files(void **state)
{
	struct cvb_container_ids ids = choose_ok(*state);
	assert_int_equal(ids.base, BASE);
	assert_string_equal(ids.note, "");
	char line[64];
	cvb_container_ids_map_line(&ids, line, sizeof(line));
	assert_string_equal(line, "0 1879048192 65536");
}

static void test_empty_files(void **state)
{
	struct fixture *f = *state;
	put(f->subuid, "");
	put(f->subgid, "\n  \n");
	struct cvb_container_ids ids = choose_ok(f);
	assert_int_equal(ids.base, BASE);
	assert_string_equal(ids.note, "");
}

/* Debian's useradd hands out 100000, 165536, ...: far below the default. */
static void test_debian_ranges(void **state)
{
	struct fixture *f = *state;
	put(f->subuid, "alice:100000:65536\nbob:165536:65536\n");
	put(f->subgid, "alice:100000:65536\nbob:165536:65536\n");
	struct cvb_container_ids ids = choose_ok(f);
	assert_int_equal(ids.base, BASE);
}

/* A range over the default block's middle moves it to the next aligned
 * block past the range's end. */
static void test_overlap(void **state)
{
	struct fixture *f = *state;
	put(f->subuid, "alice:100000:65536\nbig:1879000000:100000\n");
	struct cvb_container_ids ids = choose_ok(f);
	/* 1879000000 + 100000 = 1879100000, aligned up: 28673 * 65536 */
	assert_int_equal(ids.base, 1879113728u);
	assert_int_equal(ids.base, BASE + COUNT);
}

/* A subgid range over the block the subuid range pushed us to: both files
 * count, and the candidate moves again. */
static void test_overlap_chain(void **state)
{
	struct fixture *f = *state;
	put(f->subuid, "a:1879048192:65536\n");
	put(f->subgid, "b:1879113728:1\nc:1879179264:131072\n");
	struct cvb_container_ids ids = choose_ok(f);
	assert_int_equal(ids.base, BASE + 4 * COUNT);
}

/* Ranges ending just before the block or starting just after it leave it. */
static void test_adjacent(void **state)
{
	struct fixture *f = *state;
	char text[128];
	snprintf(text, sizeof(text), "below:%u:%u\nabove:%u:10\n", BASE - COUNT, COUNT,
	         BASE + COUNT);
	put(f->subuid, text);
	put(f->subgid, text);
	struct cvb_container_ids ids = choose_ok(f);
	assert_int_equal(ids.base, BASE);

	/* One id more on either side overlaps. */
	put(f->subgid, "");
	snprintf(text, sizeof(text), "below:%u:%u\n", BASE - COUNT, COUNT + 1);
	put(f->subuid, text);
	assert_int_equal(choose_ok(f).base, BASE + COUNT);
	snprintf(text, sizeof(text), "above:%u:10\n", BASE + COUNT - 1);
	put(f->subuid, text);
	assert_int_equal(choose_ok(f).base, BASE + 2 * COUNT);
}

/* Malformed lines are skipped with a note naming the first; valid lines
 * around them still count. */
static void test_malformed(void **state)
{
	struct fixture *f = *state;
	put(f->subuid, "alice:100000:65536\n"
	               "garbage\n"
	               "x:abc:1\n"
	               "x:1:0\n"
	               "x:1:\n"
	               ":1879048192:65536\n"
	               "x:-1:5\n"
	               "x:4294967295:2\n"
	               "x:1879048192:65536 trailing\n"
	               "ok:1879048192:1\n");
	struct cvb_container_ids ids = choose_ok(f);
	assert_int_equal(ids.base, BASE + COUNT);
	char want[160];
	snprintf(want, sizeof(want), "%s:2: not name:start:count, ignored (8 such lines)",
	         f->subuid);
	assert_string_equal(ids.note, want);
}

/* Ranges up to the last valid id leave no block: an error naming the fix. */
static void test_no_room(void **state)
{
	struct fixture *f = *state;
	char text[64];
	snprintf(text, sizeof(text), "all:%u:%u\n", BASE, UINT32_MAX - BASE - COUNT + 1);
	put(f->subgid, text);
	struct cvb_container_ids ids;
	struct cvb_error err = {0};
	assert_int_equal(cvb_container_ids_choose(f->subuid, f->subgid, &ids, &err), -1);
	assert_int_equal(err.code, ENOSPC);
	assert_non_null(strstr(err.msg, "shrink a subordinate range"));

	/* One id less, and the last aligned block fits. */
	snprintf(text, sizeof(text), "all:%u:%u\n", BASE, UINT32_MAX - BASE - 2 * COUNT + 1);
	put(f->subgid, text);
	assert_int_equal(choose_ok(f).base, 0xfffe0000u);
}

static void test_unreadable(void **state)
{
	struct fixture *f = *state;
	assert_int_equal(mkdir(f->subuid, 0700), 0); /* read() fails: EISDIR */
	struct cvb_container_ids ids;
	struct cvb_error err = {0};
	assert_int_equal(cvb_container_ids_choose(f->subuid, f->subgid, &ids, &err), -1);
	assert_non_null(strstr(err.msg, f->subuid));
}

/* The host's choice is made once and kept: the uid helper agrees with it. */
static void test_host_choice_stable(void **state)
{
	(void)state;
	const struct cvb_container_ids *a, *b;
	struct cvb_error err = {0};
	if (cvb_container_ids_get(&a, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(cvb_container_ids_get(&b, &err), 0);
	assert_ptr_equal(a, b);
	assert_true(a->base >= BASE);
	assert_int_equal(cvb_container_host_root_uid(), a->base);
	assert_int_equal(cvb_container_host_root_gid(), a->base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_missing_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_empty_files, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_debian_ranges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlap, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overlap_chain, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_adjacent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_room, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_unreadable, setup, teardown),
	    cmocka_unit_test(test_host_choice_stable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

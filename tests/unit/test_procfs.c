/* Host-side /proc readings (host/procfs.c): smaps_rollup and stat parsing
 * with hand-computed values, reading through a fake proc root built under a
 * mkdtemp directory in /tmp, against the real /proc for this process, and
 * cvb_read_file's errors and truncation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define assert_msg_has(err, needle)                                                                \
	do {                                                                                       \
		if (strstr((err).msg, (needle)) == NULL)                                           \
			fail_msg("message \"%s\" lacks \"%s\"", (err).msg, (needle));              \
	} while (0)

/* Copied from /proc/self/smaps_rollup of a `cat` on the development host. */
static const char smaps_rollup[] =
    "55bbe77d3000-7ffc4c292000 ---p 00000000 00:00 0                          [rollup]\n"
    "Rss:                1692 kB\n"
    "Pss:                 392 kB\n"
    "Pss_Dirty:           116 kB\n"
    "Pss_Anon:            116 kB\n"
    "Pss_File:            276 kB\n"
    "Pss_Shmem:             0 kB\n"
    "Shared_Clean:       1504 kB\n"
    "Shared_Dirty:          0 kB\n"
    "Private_Clean:        72 kB\n"
    "Private_Dirty:       116 kB\n"
    "Referenced:         1692 kB\n"
    "Anonymous:           116 kB\n"
    "KSM:                   0 kB\n"
    "LazyFree:              0 kB\n"
    "AnonHugePages:         0 kB\n"
    "ShmemPmdMapped:        0 kB\n"
    "FilePmdMapped:         0 kB\n"
    "Shared_Hugetlb:        0 kB\n"
    "Private_Hugetlb:       0 kB\n"
    "Swap:                  0 kB\n"
    "SwapPss:               0 kB\n"
    "Locked:                0 kB\n";

/* Expected from the text above, by hand. */
#define RSS_BYTES (1692 * 1024)       /* 1732608 */
#define PSS_BYTES (392 * 1024)        /* 401408 */
#define USS_BYTES ((72 + 116) * 1024) /* 192512 */

/* A stat line whose comm holds spaces and a ')'. Fields 14/15 (utime,
 * stime) are 150 and 50; cutime/cstime (16/17) are 7 and 9 and must not be
 * counted. */
static const char stat_line[] =
    "1234 (a b) c) S 1 1234 1234 0 -1 4194304 100 3 2 1 150 50 7 9 20 0 1 0 370616 "
    "3133440 394 18446744073709551615 93825268355072 93825268374953 140725466896544 0 "
    "0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 93825268390960 93825268392576 93825541427200 "
    "140725466901122 140725466901142 140725466901142 140725466902507 0\n";

#define FAKE_PID 4242

struct fixture {
	char root[64];
};

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

static void fake_path(const struct fixture *f, pid_t pid, const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%d/%s", f->root, (int)pid, name);
}

/* A fake proc root: <root>/4242/{smaps_rollup,stat}. */
static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[PATH_MAX];

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/cvb-test-procfs-XXXXXX");
	if (!mkdtemp(f->root)) {
		free(f);
		return -1;
	}
	*state = f;
	snprintf(path, sizeof(path), "%s/%d", f->root, FAKE_PID);
	if (mkdir(path, 0755) < 0)
		return -1;
	fake_path(f, FAKE_PID, "smaps_rollup", path, sizeof(path));
	write_file(path, smaps_rollup);
	fake_path(f, FAKE_PID, "stat", path, sizeof(path));
	write_file(path, stat_line);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	static const char *const names[] = {"smaps_rollup", "stat", "small"};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		fake_path(f, FAKE_PID, names[i], path, sizeof(path));
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/%d", f->root, FAKE_PID);
	rmdir(path);
	rmdir(f->root);
	free(f);
	return 0;
}

/* Rss, Pss and USS (private clean + dirty) in bytes from kB lines. */
static void test_memory_parse(void **state)
{
	struct cvb_proc_memory m = {-2, -2, -2};
	struct cvb_error err = {0};

	(void)state;
	assert_int_equal(cvb_proc_memory_parse(smaps_rollup, &m, &err), 0);
	assert_int_equal(m.rss_bytes, RSS_BYTES);
	assert_int_equal(m.rss_bytes, 1732608);
	assert_int_equal(m.pss_bytes, PSS_BYTES);
	assert_int_equal(m.pss_bytes, 401408);
	assert_int_equal(m.uss_bytes, USS_BYTES);
	assert_int_equal(m.uss_bytes, 192512);
}

/* Without Private_* lines USS is unknown (-1), not an error. */
static void test_memory_parse_no_private(void **state)
{
	struct cvb_proc_memory m = {-2, -2, -2};
	struct cvb_error err = {0};

	(void)state;
	assert_int_equal(
	    cvb_proc_memory_parse("Rss: 10 kB\nPss: 4 kB\nPrivate_Clean: 1 kB\n", &m, &err), 0);
	assert_int_equal(m.rss_bytes, 10240);
	assert_int_equal(m.pss_bytes, 4096);
	assert_int_equal(m.uss_bytes, -1);
}

/* No Pss line (Pss_* lines do not count) or no Rss line: an error. */
static void test_memory_parse_missing(void **state)
{
	struct cvb_proc_memory m;
	struct cvb_error err = {0};

	(void)state;
	assert_int_equal(cvb_proc_memory_parse("Rss: 10 kB\nPss_Anon: 4 kB\nPss_File: 2 kB\n"
	                                       "Private_Clean: 1 kB\nPrivate_Dirty: 1 kB\n",
	                                       &m, &err),
	                 -1);
	assert_msg_has(err, "Pss");

	memset(&err, 0, sizeof(err));
	assert_int_equal(cvb_proc_memory_parse("RssAnon: 10 kB\nPss: 4 kB\n", &m, &err), -1);
	assert_msg_has(err, "Rss");

	memset(&err, 0, sizeof(err));
	assert_int_equal(cvb_proc_memory_parse("", &m, &err), -1);
	assert_true(err.msg[0] != '\0');
}

/* utime + stime after the last ')' of the comm, ticks to ns. */
static void test_stat_parse(void **state)
{
	int64_t ns = -1;
	struct cvb_error err = {0};

	(void)state;
	assert_int_equal(cvb_proc_stat_cpu_parse(stat_line, 100, &ns, &err), 0);
	assert_int_equal(ns, 2000000000);
	assert_int_equal(cvb_proc_stat_cpu_parse(stat_line, 1000, &ns, &err), 0);
	assert_int_equal(ns, 200000000);
	/* A plain comm, trailing fields cut after stime. */
	assert_int_equal(
	    cvb_proc_stat_cpu_parse("7 (sh) R 1 7 7 0 -1 0 0 0 0 0 3 4", 100, &ns, &err), 0);
	assert_int_equal(ns, 70000000);
}

/* Lines without a ')' or without fields up to stime, or a bad tick rate,
 * are errors. */
static void test_stat_parse_malformed(void **state)
{
	static const char *const bad[] = {
	    "",
	    "1234 (cat",
	    "1234 (cat) S 1 2 3",
	    "1234 (cat) S 1 1234 1234 0 -1 4194304 100 0 0 0 150",
	    "1234 (cat) S 1 1234 1234 0 -1 4194304 100 0 0 0 x 50",
	    "garbage without parentheses 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15",
	};
	struct cvb_error err;
	int64_t ns = 12345;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&err, 0, sizeof(err));
		if (cvb_proc_stat_cpu_parse(bad[i], 100, &ns, &err) != -1)
			fail_msg("accepted malformed stat line \"%s\"", bad[i]);
		assert_msg_has(err, "malformed");
		assert_int_equal(ns, 12345);
	}
	memset(&err, 0, sizeof(err));
	assert_int_equal(cvb_proc_stat_cpu_parse(stat_line, 0, &ns, &err), -1);
	assert_true(err.msg[0] != '\0');
}

/* Reading through a fake proc root gives the parsed values. */
static void test_read_fake_root(void **state)
{
	struct fixture *f = *state;
	struct cvb_proc_memory m = {-2, -2, -2};
	struct cvb_error err = {0};
	long tck = sysconf(_SC_CLK_TCK);
	int64_t ns = -1;

	assert_int_equal(cvb_proc_memory_read(f->root, FAKE_PID, &m, &err), 0);
	assert_int_equal(m.rss_bytes, RSS_BYTES);
	assert_int_equal(m.pss_bytes, PSS_BYTES);
	assert_int_equal(m.uss_bytes, USS_BYTES);

	assert_true(tck > 0);
	if (cvb_proc_cpu_ns_read(f->root, FAKE_PID, &ns, &err) != 0)
		fail_msg("cpu read failed: %s", err.msg);
	assert_int_equal(ns, (int64_t)200 * (1000000000 / tck));
}

/* A missing pid or a bad file gives an error naming the file. */
static void test_read_fake_root_errors(void **state)
{
	struct fixture *f = *state;
	struct cvb_proc_memory m;
	struct cvb_error err = {0};
	char path[PATH_MAX];
	int64_t ns;

	fake_path(f, 999, "smaps_rollup", path, sizeof(path));
	assert_int_equal(cvb_proc_memory_read(f->root, 999, &m, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_msg_has(err, path);

	memset(&err, 0, sizeof(err));
	fake_path(f, 999, "stat", path, sizeof(path));
	assert_int_equal(cvb_proc_cpu_ns_read(f->root, 999, &ns, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_msg_has(err, path);

	/* Present but unparsable: the message names the file and the problem. */
	fake_path(f, FAKE_PID, "smaps_rollup", path, sizeof(path));
	write_file(path, "Rss: 5 kB\n");
	memset(&err, 0, sizeof(err));
	assert_int_equal(cvb_proc_memory_read(f->root, FAKE_PID, &m, &err), -1);
	assert_msg_has(err, path);
	assert_msg_has(err, "Pss");

	fake_path(f, FAKE_PID, "stat", path, sizeof(path));
	write_file(path, "1 (x) S 1\n");
	memset(&err, 0, sizeof(err));
	assert_int_equal(cvb_proc_cpu_ns_read(f->root, FAKE_PID, &ns, &err), -1);
	assert_msg_has(err, path);
	assert_msg_has(err, "malformed");
}

static int64_t process_cpu_ns(void)
{
	struct timespec ts;
	assert_int_equal(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts), 0);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The real /proc for this process: memory is non-zero, and after burning
 * some CPU the stat reading is of the order of the process CPU clock: not
 * above it (plus a tick), and not below half of it. Tick-based accounting
 * can lag the clock by a tick or so, hence no tighter lower bound. */
static void test_read_real_proc(void **state)
{
	struct cvb_proc_memory m = {-2, -2, -2};
	struct cvb_error err = {0};
	int64_t ns = -1, before, after, tick_ns = 1000000000 / sysconf(_SC_CLK_TCK);
	volatile uint64_t x = 1;

	(void)state;
	if (cvb_proc_memory_read("/proc", getpid(), &m, &err) != 0)
		fail_msg("memory read failed: %s", err.msg);
	assert_true(m.rss_bytes > 0);
	assert_true(m.pss_bytes > 0);
	assert_true(m.pss_bytes <= m.rss_bytes);
	assert_true(m.uss_bytes > 0);
	assert_true(m.uss_bytes <= m.rss_bytes);
	assert_int_equal(m.rss_bytes % 1024, 0);

	while (process_cpu_ns() < 10 * tick_ns)
		for (int i = 0; i < 100000; i++)
			x = x * 6364136223846793005ull + 1442695040888963407ull;
	before = process_cpu_ns();
	if (cvb_proc_cpu_ns_read("/proc", getpid(), &ns, &err) != 0)
		fail_msg("cpu read failed: %s", err.msg);
	after = process_cpu_ns();
	assert_true(ns > 0);
	if (ns < before / 2 || ns > after + tick_ns)
		fail_msg("stat says %lld ns, CPU clock %lld..%lld ns", (long long)ns,
		         (long long)before, (long long)after);
}

/* A missing file: -1, ENOENT, the path in the message. */
static void test_read_file_missing(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], buf[16];
	struct cvb_error err = {0};

	snprintf(path, sizeof(path), "%s/no-such-file", f->root);
	assert_int_equal(cvb_read_file(path, buf, sizeof(buf), &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_msg_has(err, path);
}

/* Content is NUL-terminated and cut to buflen - 1 bytes. */
static void test_read_file_truncates(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], buf[5];
	struct cvb_error err = {0};

	fake_path(f, FAKE_PID, "small", path, sizeof(path));
	write_file(path, "abcdefghij");
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(cvb_read_file(path, buf, sizeof(buf), &err), 4);
	assert_string_equal(buf, "abcd");

	char whole[64];
	assert_int_equal(cvb_read_file(path, whole, sizeof(whole), &err), 10);
	assert_string_equal(whole, "abcdefghij");
}

/* A VM's guest RAM: the mapping of exactly its size, and its Rss/Pss. */
static void test_mapping_of_size(void **state)
{
	(void)state;
	const char *smaps = "55d0-55e0 r-xp 00000000 fe:00 1 /usr/bin/qemu-system-x86_64\n"
	                    "Size:               4096 kB\nRss:                1000 kB\n"
	                    "Pss:                 900 kB\n"
	                    "7f00-7f10 rw-p 00000000 00:00 0\n"
	                    "Size:             262144 kB\nKernelPageSize: 4 kB\n"
	                    "Rss:              125000 kB\nPss:              124000 kB\n";
	int64_t rss = 0, pss = 0;
	struct cvb_error err = {0};
	assert_int_equal(cvb_proc_mapping_of_size_parse(smaps, 256LL << 20, &rss, &pss, &err), 0);
	assert_int_equal(rss, 125000LL * 1024);
	assert_int_equal(pss, 124000LL * 1024);
	assert_int_equal(cvb_proc_mapping_of_size_parse(smaps, 512LL << 20, &rss, &pss, &err), -1);
	assert_non_null(strstr(err.msg, "no mapping"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_memory_parse),
	    cmocka_unit_test(test_memory_parse_no_private),
	    cmocka_unit_test(test_memory_parse_missing),
	    cmocka_unit_test(test_stat_parse),
	    cmocka_unit_test(test_stat_parse_malformed),
	    cmocka_unit_test_setup_teardown(test_read_fake_root, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_fake_root_errors, setup, teardown),
	    cmocka_unit_test(test_read_real_proc),
	    cmocka_unit_test_setup_teardown(test_read_file_missing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_read_file_truncates, setup, teardown),
	    cmocka_unit_test(test_mapping_of_size),
	};

	return cmocka_run_group_tests_name("procfs", tests, NULL, NULL);
}

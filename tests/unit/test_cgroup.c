/* The container backend's cgroup layer. Fake cgroup trees (pure v1, pure v2,
 * this project's hybrid host, and a hybrid with controllers on both sides)
 * are built in a mkdtemp directory for each test, with a proc/self/mountinfo
 * that cvb_cgroup_layout_detect() reads; the tests then read back every file
 * the module wrote. The test_real_* tests run against the real host's
 * cgroups when it is root, and skip with the reason otherwise. */
#include "cgroup.h"
#include "device_filter.h"
#include "cgroup_layout.h"
#include "procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* Above the largest pid_max Linux allows (2^22): names no process, so even a
 * mistaken kill() could not hit anything. */
#define FAKE_PID 4194305
#define MIB (1024LL * 1024)

/* ---------------------------------------------------------------------- */
/* Fake hosts                                                              */

enum fake_kind {
	FAKE_V1,     /* CentOS 7 style: cpu,cpuacct together, name=systemd */
	FAKE_V2,     /* one cgroup2 mount at /sys/fs/cgroup */
	FAKE_HYBRID, /* this project's machines: every controller on v1, cgroup2 with hugetlb */
	FAKE_MIXED,  /* v1 cpu,cpuacct + memory + freezer, cgroup2 with cpuset io pids */
};
#define FAKE_NO_MEMSW (1u << 0) /* swap accounting off */
#define FAKE_NO_PIDS (1u << 1)  /* no pids controller anywhere */
#define FAKE_NO_IO (1u << 2)    /* no io controller on v2 */

struct fake {
	char root[64];
	struct cvb_cgroup_layout layout;
	struct cvb_cgroup *cg, *cg2;
};

static void mkdirs(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", buf, strerror(errno));
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", buf, strerror(errno));
}

/* <root><rel>, from a ring of buffers so that several fit in one call. */
static const char *fp(const struct fake *f, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static const char *fp(const struct fake *f, const char *fmt, ...)
{
	static char ring[8][PATH_MAX];
	static unsigned next;
	char *buf = ring[next++ % 8];
	int n = snprintf(buf, PATH_MAX, "%s", f->root);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf + n, PATH_MAX - (size_t)n, fmt, ap);
	va_end(ap);
	return buf;
}

static void put_abs(const char *path, const char *content)
{
	char dir[PATH_MAX];
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	f = fopen(path, "w");
	if (!f)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	fputs(content, f);
	assert_int_equal(fclose(f), 0);
}

static void put(const struct fake *f, const char *rel, const char *content)
{
	put_abs(fp(f, "%s", rel), content);
}

static void assert_abs_file(const char *path, const char *expected)
{
	char buf[4096];
	struct cvb_error err = {0};

	if (cvb_read_file(path, buf, sizeof(buf), &err) < 0)
		fail_msg("%s", err.msg);
	if (strcmp(buf, expected) != 0)
		fail_msg("%s holds '%s', expected '%s'", path, buf, expected);
}

/* Exact content of <root><rel>. */
static void assert_file(const struct fake *f, const char *rel, const char *expected)
{
	assert_abs_file(fp(f, "%s", rel), expected);
}

static bool exists(const char *path)
{
	return access(path, F_OK) == 0;
}

static void assert_exists(const struct fake *f, const char *rel)
{
	if (!exists(fp(f, "%s", rel)))
		fail_msg("%s should exist", rel);
}

static void assert_missing(const struct fake *f, const char *rel)
{
	if (exists(fp(f, "%s", rel)))
		fail_msg("%s should not exist", rel);
}

static void assert_contains(const char *haystack, const char *needle)
{
	if (!strstr(haystack, needle))
		fail_msg("'%s' does not contain '%s'", haystack, needle);
}

struct mount_spec {
	const char *mount;
	const char *opts; /* super options; NULL for cgroup2 */
};

/* Builds the tree: mountinfo, mount dirs, and the root files the module
 * reads (v2 cgroup.controllers, v1 cpuset.cpus/mems, memsw). */
static void fake_build(struct fake *f, enum fake_kind kind, unsigned flags)
{
	static const struct mount_spec v1[] = {{"/sys/fs/cgroup/systemd", "rw,xattr,name=systemd"},
	                                       {"/sys/fs/cgroup/cpuset", "rw,cpuset"},
	                                       {"/sys/fs/cgroup/cpu,cpuacct", "rw,cpuacct,cpu"},
	                                       {"/sys/fs/cgroup/memory", "rw,memory"},
	                                       {"/sys/fs/cgroup/devices", "rw,devices"},
	                                       {"/sys/fs/cgroup/freezer", "rw,freezer"},
	                                       {"/sys/fs/cgroup/blkio", "rw,blkio"},
	                                       {"/sys/fs/cgroup/pids", "rw,pids"},
	                                       {NULL, NULL}};
	static const struct mount_spec v2[] = {{"/sys/fs/cgroup", NULL}, {NULL, NULL}};
	static const struct mount_spec hybrid[] = {{"/sys/fs/cgroup/cpu", "rw,cpu"},
	                                           {"/sys/fs/cgroup/cpuacct", "rw,cpuacct"},
	                                           {"/sys/fs/cgroup/cpuset", "rw,cpuset"},
	                                           {"/sys/fs/cgroup/memory", "rw,memory"},
	                                           {"/sys/fs/cgroup/devices", "rw,devices"},
	                                           {"/sys/fs/cgroup/freezer", "rw,freezer"},
	                                           {"/sys/fs/cgroup/blkio", "rw,blkio"},
	                                           {"/sys/fs/cgroup/pids", "rw,pids"},
	                                           {"/sys/fs/cgroup/systemd", "rw,name=systemd"},
	                                           {"/sys/fs/cgroup/unified", NULL},
	                                           {NULL, NULL}};
	static const struct mount_spec mixed[] = {{"/sys/fs/cgroup/cpu,cpuacct", "rw,cpu,cpuacct"},
	                                          {"/sys/fs/cgroup/memory", "rw,memory"},
	                                          {"/sys/fs/cgroup/freezer", "rw,freezer"},
	                                          {"/sys/fs/cgroup/unified", NULL},
	                                          {NULL, NULL}};
	const struct mount_spec *m = kind == FAKE_V1       ? v1
	                             : kind == FAKE_V2     ? v2
	                             : kind == FAKE_HYBRID ? hybrid
	                                                   : mixed;
	char mountinfo[4096] = "22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw\n";
	size_t len = strlen(mountinfo);
	struct cvb_error err = {0};

	for (unsigned i = 0; m[i].mount; i++) {
		const char *mount = m[i].mount;

		if ((flags & FAKE_NO_PIDS) && m[i].opts && strstr(m[i].opts, "pids"))
			continue;
		len += (size_t)snprintf(
		    mountinfo + len, sizeof(mountinfo) - len,
		    "%u 24 0:%u / %s rw,nosuid,nodev,noexec,relatime - %s %s %s\n", 30 + i, 30 + i,
		    mount, m[i].opts ? "cgroup" : "cgroup2", m[i].opts ? "cgroup" : "cgroup2",
		    m[i].opts ? m[i].opts : "rw,nsdelegate");
		mkdirs(fp(f, "%s", mount));
		if (!m[i].opts) {
			char ctrls[128];

			if (kind == FAKE_HYBRID)
				snprintf(ctrls, sizeof(ctrls), "hugetlb\n");
			else
				snprintf(ctrls, sizeof(ctrls),
				         "cpuset cpu %smemory hugetlb %srdma misc\n",
				         flags & FAKE_NO_IO ? "" : "io ",
				         flags & FAKE_NO_PIDS ? "" : "pids ");
			if (kind == FAKE_MIXED)
				snprintf(ctrls, sizeof(ctrls), "cpuset io hugetlb pids\n");
			put(f, fp(f, "%s/cgroup.controllers", mount) + strlen(f->root), ctrls);
		} else if (strstr(m[i].opts, "cpuset")) {
			put(f, fp(f, "%s/cpuset.cpus", mount) + strlen(f->root), "0-1\n");
			put(f, fp(f, "%s/cpuset.mems", mount) + strlen(f->root), "0\n");
		} else if (strstr(m[i].opts, "memory") && !(flags & FAKE_NO_MEMSW)) {
			put(f, fp(f, "%s/memory.memsw.limit_in_bytes", mount) + strlen(f->root),
			    "9223372036854771712\n");
		}
	}
	put(f, "/proc/self/mountinfo", mountinfo);
	if (cvb_cgroup_layout_detect(f->root, &f->layout, &err) < 0)
		fail_msg("layout: %s", err.msg);
}

static int fake_setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	snprintf(f->root, sizeof(f->root), "/tmp/cvb-test-cgroup-XXXXXX");
	if (!mkdtemp(f->root)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

/* Removes a fake tree; refuses anything outside /tmp/cvb-test-cgroup-. */
static void remove_tree(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;

	if (strncmp(path, "/tmp/cvb-test-cgroup-", 21) != 0)
		return;
	if (d) {
		while ((de = readdir(d))) {
			char child[PATH_MAX];
			struct stat st;

			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			snprintf(child, sizeof(child), "%s/%s", path, de->d_name);
			if (lstat(child, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(child);
			else
				unlink(child);
		}
		closedir(d);
	}
	rmdir(path);
}

static int fake_teardown(void **state)
{
	struct fake *f = *state;

	/* Never cvb_cgroup_kill() here: fake cgroup.procs files hold FAKE_PID. */
	cvb_cgroup_free(f->cg);
	cvb_cgroup_free(f->cg2);
	cvb_cgroup_layout_clear(&f->layout);
	remove_tree(f->root);
	free(f);
	return 0;
}

static struct cvb_limits no_limits(void)
{
	return (struct cvb_limits){-1, -1, -1, NULL, NULL, -1, -1, -1, -1};
}

static struct cvb_limits all_limits(void)
{
	return (struct cvb_limits){
	    .cpu_quota_us = 50000,
	    .cpu_period_us = 200000,
	    .cpu_weight = 200,
	    .cpuset_cpus = "1",
	    .cpuset_mems = "0",
	    .memory_max_bytes = 64 * MIB,
	    .swap_max_bytes = 32 * MIB,
	    .pids_max = 16,
	    .io_weight = 300,
	};
}

static void create_ok(struct fake *f, const char *name, const struct cvb_limits *lim,
                      struct cvb_cgroup **out)
{
	struct cvb_error err = {0};

	if (cvb_cgroup_create(&f->layout, f->root, "cvbench", name, lim, out, &err) < 0)
		fail_msg("create %s: %s", name, err.msg);
	assert_non_null(*out);
}

/* Creation must fail with a message holding each of the needles. */
static void create_fails(struct fake *f, const struct cvb_limits *lim, const char *needle1,
                         const char *needle2)
{
	struct cvb_error err = {0};
	struct cvb_cgroup *cg = (struct cvb_cgroup *)1;

	assert_int_equal(
	    cvb_cgroup_create(&f->layout, f->root, "cvbench", "cvb-t-1", lim, &cg, &err), -1);
	assert_null(cg);
	assert_contains(err.msg, needle1);
	if (needle2)
		assert_contains(err.msg, needle2);
}

/* Number of "writes" entries in describe() naming <root><rel>. */
static int writes_of(const struct fake *f, const struct cvb_cgroup *cg, const char *rel)
{
	cJSON *d = cvb_cgroup_describe(cg), *w;
	const char *want = fp(f, "%s", rel);
	int n = 0;

	assert_non_null(d);
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(d, "writes"))
	{
		const cJSON *file = cJSON_GetObjectItemCaseSensitive(w, "file");

		if (cJSON_IsString(file) && strcmp(file->valuestring, want) == 0)
			n++;
	}
	cJSON_Delete(d);
	return n;
}

/* The v1 device allowlist of instance `name`: "a" denied, then every rule
 * allowed, in order (a fake devices.allow keeps only the last write). */
static void assert_devices_v1(const struct fake *f, const struct cvb_cgroup *cg, const char *name)
{
	char rel[PATH_MAX], last[64];

	snprintf(rel, sizeof(rel), "/sys/fs/cgroup/devices/cvbench/%s/devices.deny", name);
	assert_file(f, rel, "a");
	assert_int_equal(writes_of(f, cg, rel), 1);
	snprintf(rel, sizeof(rel), "/sys/fs/cgroup/devices/cvbench/%s/devices.allow", name);
	assert_int_equal(writes_of(f, cg, rel), (int)cvb_device_rule_count);
	cvb_device_rule_format(&cvb_device_rules[cvb_device_rule_count - 1], last, sizeof(last));
	assert_file(f, rel, last);
	assert_true(cvb_cgroup_has_devices_v1(cg));
}

/* ---------------------------------------------------------------------- */
/* cgroup v2                                                                */

static void test_v2_all_limits(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_file(f, "/sys/fs/cgroup/cgroup.subtree_control", "+cpu +cpuset +io +memory +pids");
	assert_file(f, "/sys/fs/cgroup/cvbench/cgroup.subtree_control",
	            "+cpu +cpuset +io +memory +pids");
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpu.max", "50000 200000");
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpu.weight", "200");
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpuset.cpus", "1");
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpuset.mems", "0");
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.max", "67108864");
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.swap.max", "33554432");
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/pids.max", "16");
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/io.weight", "default 300");
	/* v1 names never appear on v2 */
	assert_missing(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpu.shares");
	assert_missing(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.limit_in_bytes");
	assert_missing(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpu.cfs_quota_us");
	assert_true(cvb_cgroup_dirfd_v2(f->cg) >= 0);
}

/* The period defaults to 100000 with a quota; a period alone keeps "max". */
static void test_v2_cpu_max_period(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();

	fake_build(f, FAKE_V2, 0);
	lim.cpu_quota_us = 50000;
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpu.max", "50000 100000");
	lim = no_limits();
	lim.cpu_period_us = 20000;
	create_ok(f, "cvb-t-2", &lim, &f->cg2);
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-2/cpu.max", "max 20000");
}

/* Only the controllers used and not yet enabled are written; no limits
 * means no limit file at all. */
static void test_v2_subtree_control(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();

	fake_build(f, FAKE_V2, 0);
	put(f, "/sys/fs/cgroup/cgroup.subtree_control", "cpu memory\n");
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_file(f, "/sys/fs/cgroup/cgroup.subtree_control", "+pids");
	assert_file(f, "/sys/fs/cgroup/cvbench/cgroup.subtree_control", "+cpu +memory +pids");
	assert_missing(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.max");
	assert_missing(f, "/sys/fs/cgroup/cvbench/cvb-t-1/pids.max");
	assert_missing(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpu.max");
	assert_int_equal(writes_of(f, f->cg, "/sys/fs/cgroup/cvbench/cgroup.subtree_control"), 1);

	/* The second instance finds everything enabled, as the kernel shows it. */
	put(f, "/sys/fs/cgroup/cgroup.subtree_control", "cpu memory pids\n");
	put(f, "/sys/fs/cgroup/cvbench/cgroup.subtree_control", "cpu memory pids\n");
	create_ok(f, "cvb-t-2", &lim, &f->cg2);
	assert_int_equal(writes_of(f, f->cg2, "/sys/fs/cgroup/cgroup.subtree_control"), 0);
	assert_int_equal(writes_of(f, f->cg2, "/sys/fs/cgroup/cvbench/cgroup.subtree_control"), 0);
	assert_exists(f, "/sys/fs/cgroup/cvbench/cvb-t-2");
}

/* ---------------------------------------------------------------------- */
/* cgroup v1                                                                */

static void test_v1_all_limits(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();
	static const char *const hier[] = {"cpuset",  "cpu,cpuacct", "memory",
	                                   "freezer", "blkio",       "pids"};

	fake_build(f, FAKE_V1, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	for (size_t i = 0; i < sizeof(hier) / sizeof(hier[0]); i++)
		assert_exists(f, fp(f, "/sys/fs/cgroup/%s/cvbench/cvb-t-1", hier[i]) +
		                     strlen(f->root));
	assert_devices_v1(f, f->cg, "cvb-t-1");
	assert_missing(f, "/sys/fs/cgroup/systemd/cvbench");
	assert_file(f, "/sys/fs/cgroup/cpu,cpuacct/cvbench/cvb-t-1/cpu.cfs_period_us", "200000");
	assert_file(f, "/sys/fs/cgroup/cpu,cpuacct/cvbench/cvb-t-1/cpu.cfs_quota_us", "50000");
	assert_file(f, "/sys/fs/cgroup/cpu,cpuacct/cvbench/cvb-t-1/cpu.shares", "2048");
	/* the parent gets the root's cpus and mems, the instance its limit */
	assert_file(f, "/sys/fs/cgroup/cpuset/cvbench/cpuset.cpus", "0-1");
	assert_file(f, "/sys/fs/cgroup/cpuset/cvbench/cpuset.mems", "0");
	assert_file(f, "/sys/fs/cgroup/cpuset/cvbench/cvb-t-1/cpuset.cpus", "1");
	assert_file(f, "/sys/fs/cgroup/cpuset/cvbench/cvb-t-1/cpuset.mems", "0");
	assert_file(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.limit_in_bytes", "67108864");
	/* memsw = memory + swap */
	assert_file(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.memsw.limit_in_bytes",
	            "100663296");
	assert_file(f, "/sys/fs/cgroup/pids/cvbench/cvb-t-1/pids.max", "16");
	assert_file(f, "/sys/fs/cgroup/blkio/cvbench/cvb-t-1/blkio.weight", "300");
	/* v2 names never appear on v1 */
	assert_missing(f, "/sys/fs/cgroup/cpu,cpuacct/cvbench/cvb-t-1/cpu.max");
	assert_missing(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.max");
	assert_missing(f, "/sys/fs/cgroup/cpu,cpuacct/cvbench/cgroup.subtree_control");
	assert_int_equal(cvb_cgroup_dirfd_v2(f->cg), -1);
	/* the period precedes the quota */
	{
		cJSON *d = cvb_cgroup_describe(f->cg), *w;
		int period = -1, quota = -1, i = 0;

		cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(d, "writes"))
		{
			const char *file = cJSON_GetObjectItemCaseSensitive(w, "file")->valuestring;

			if (strstr(file, "cpu.cfs_period_us"))
				period = i;
			if (strstr(file, "cpu.cfs_quota_us"))
				quota = i;
			i++;
		}
		cJSON_Delete(d);
		assert_true(period >= 0 && quota > period);
	}
}

/* cpu.shares = weight * 1024 / 100; out-of-range weights are refused. */
static void test_v1_cpu_shares(void **state)
{
	struct fake *f = *state;
	static const struct {
		int64_t weight;
		const char *shares;
	} cases[] = {{1, "10"}, {100, "1024"}, {200, "2048"}, {10000, "102400"}};

	fake_build(f, FAKE_V1, 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct cvb_limits lim = no_limits();
		struct cvb_error err = {0};
		char name[32], rel[128];

		lim.cpu_weight = cases[i].weight;
		snprintf(name, sizeof(name), "cvb-t-%zu", i);
		create_ok(f, name, &lim, &f->cg);
		snprintf(rel, sizeof(rel), "/sys/fs/cgroup/cpu,cpuacct/cvbench/%s/cpu.shares",
		         name);
		assert_file(f, rel, cases[i].shares);
		assert_int_equal(cvb_cgroup_destroy(f->cg, &err), 0);
		cvb_cgroup_free(f->cg);
		f->cg = NULL;
	}
	{
		struct cvb_limits lim = no_limits();

		lim.cpu_weight = 0;
		create_fails(f, &lim, "cpu_weight 0", "1..10000");
		lim.cpu_weight = 10001;
		create_fails(f, &lim, "cpu_weight 10001", "cpu.shares");
	}
}

/* v1 cpuset: the unset half is copied from the parent; without a cpuset
 * limit the cpuset hierarchy is not joined at all. */
static void test_v1_cpuset_inherit(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();

	fake_build(f, FAKE_V1, 0);
	put(f, "/sys/fs/cgroup/cpuset/cpuset.cpus", "0-3\n");
	put(f, "/sys/fs/cgroup/cpuset/cpuset.mems", "0-1\n");
	lim.cpuset_cpus = "2";
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_file(f, "/sys/fs/cgroup/cpuset/cvbench/cpuset.cpus", "0-3");
	assert_file(f, "/sys/fs/cgroup/cpuset/cvbench/cpuset.mems", "0-1");
	assert_file(f, "/sys/fs/cgroup/cpuset/cvbench/cvb-t-1/cpuset.cpus", "2");
	assert_file(f, "/sys/fs/cgroup/cpuset/cvbench/cvb-t-1/cpuset.mems", "0-1");

	lim = no_limits();
	create_ok(f, "cvb-t-2", &lim, &f->cg2);
	assert_missing(f, "/sys/fs/cgroup/cpuset/cvbench/cvb-t-2");
	assert_missing(f, "/sys/fs/cgroup/blkio/cvbench");
	assert_exists(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-2");
	assert_exists(f, "/sys/fs/cgroup/pids/cvbench/cvb-t-2");
	assert_exists(f, "/sys/fs/cgroup/freezer/cvbench/cvb-t-2");
	assert_exists(f, "/sys/fs/cgroup/cpu,cpuacct/cvbench/cvb-t-2");
}

/* No memsw file at the hierarchy root: swap accounting is off. Nothing is
 * created. */
static void test_v1_memsw_missing(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();

	fake_build(f, FAKE_V1, FAKE_NO_MEMSW);
	create_fails(f, &lim, "memory.memsw.limit_in_bytes", "swap accounting is off");
	assert_missing(f, "/sys/fs/cgroup/memory/cvbench");
	assert_missing(f, "/sys/fs/cgroup/pids/cvbench");
	/* without a swap limit the same host is fine */
	lim.swap_max_bytes = -1;
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_missing(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.memsw.limit_in_bytes");
}

static void test_v1_swap_needs_memory(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();

	fake_build(f, FAKE_V1, 0);
	lim.swap_max_bytes = 32 * MIB;
	create_fails(f, &lim, "swap_max_bytes needs memory_max_bytes", "memsw");
	assert_missing(f, "/sys/fs/cgroup/memory/cvbench");
}

static void test_v1_blkio_range(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();

	fake_build(f, FAKE_V1, 0);
	lim.io_weight = 5;
	create_fails(f, &lim, "io_weight 5", "10..1000");
	lim.io_weight = 2000;
	create_fails(f, &lim, "io_weight 2000", "blkio.weight");
	assert_missing(f, "/sys/fs/cgroup/blkio/cvbench");
	lim.io_weight = 10;
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_file(f, "/sys/fs/cgroup/blkio/cvbench/cvb-t-1/blkio.weight", "10");
}

/* An instance that asks for no pids limit gets the default, written to the
 * v2 directory or the v1 pids hierarchy; one it asked for is kept; a host
 * without a pids controller gets none (and no error). */
static void test_default_pids(void **state)
{
	struct fake *f = *state;
	static const struct {
		enum fake_kind kind;
		const char *file;
	} hosts[] = {{FAKE_V2, "/sys/fs/cgroup/cvbench/cvb-t-1/pids.max"},
	             {FAKE_V1, "/sys/fs/cgroup/pids/cvbench/cvb-t-1/pids.max"},
	             {FAKE_HYBRID, "/sys/fs/cgroup/pids/cvbench/cvb-t-1/pids.max"},
	             {FAKE_MIXED, "/sys/fs/cgroup/unified/cvbench/cvb-t-1/pids.max"}};
	char want[32];
	snprintf(want, sizeof(want), "%d", CVB_CGROUP_DEFAULT_PIDS_MAX);
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++) {
		struct cvb_limits lim = no_limits();
		fake_build(f, hosts[i].kind, 0);
		assert_true(cvb_cgroup_default_pids(&f->layout, &lim));
		assert_int_equal(lim.pids_max, CVB_CGROUP_DEFAULT_PIDS_MAX);
		create_ok(f, "cvb-t-1", &lim, &f->cg);
		assert_file(f, hosts[i].file, want);
		/* asked for: kept */
		lim.pids_max = 16;
		assert_false(cvb_cgroup_default_pids(&f->layout, &lim));
		assert_int_equal(lim.pids_max, 16);
		struct cvb_error err = {0};
		assert_int_equal(cvb_cgroup_destroy(f->cg, &err), 0);
		cvb_cgroup_free(f->cg);
		f->cg = NULL;
		cvb_cgroup_layout_clear(&f->layout);
	}
	struct cvb_limits lim = no_limits();
	fake_build(f, FAKE_V2, FAKE_NO_PIDS);
	assert_false(cvb_cgroup_default_pids(&f->layout, &lim));
	assert_int_equal(lim.pids_max, -1);
}

/* A limit whose controller is nowhere names the controller; nothing is
 * created. Without the limit the controller is simply not joined. */
static void test_missing_controller(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();

	fake_build(f, FAKE_V1, FAKE_NO_PIDS);
	lim.pids_max = 16;
	create_fails(f, &lim, "pids_max", "controller 'pids', which this host lacks");
	assert_missing(f, "/sys/fs/cgroup/memory/cvbench");
	lim.pids_max = -1;
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_exists(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1");
}

static void test_missing_controller_v2(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	char expect[PATH_MAX];

	fake_build(f, FAKE_V2, FAKE_NO_IO);
	lim.io_weight = 100;
	snprintf(expect, sizeof(expect), "%s/sys/fs/cgroup/cgroup.controllers does not list it",
	         f->root);
	create_fails(f, &lim, "controller 'io' (v2) or 'blkio'", expect);
	assert_missing(f, "/sys/fs/cgroup/cvbench");
	assert_missing(f, "/sys/fs/cgroup/cgroup.subtree_control");
}

/* ---------------------------------------------------------------------- */
/* hybrid                                                                   */

/* This project's machines: every controller is v1; cgroup2 is left alone. */
static void test_hybrid_all_limits(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();
	cJSON *d, *h;

	fake_build(f, FAKE_HYBRID, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_missing(f, "/sys/fs/cgroup/unified/cvbench");
	assert_missing(f, "/sys/fs/cgroup/unified/cgroup.subtree_control");
	assert_file(f, "/sys/fs/cgroup/cpu/cvbench/cvb-t-1/cpu.cfs_period_us", "200000");
	assert_file(f, "/sys/fs/cgroup/cpu/cvbench/cvb-t-1/cpu.cfs_quota_us", "50000");
	assert_file(f, "/sys/fs/cgroup/cpu/cvbench/cvb-t-1/cpu.shares", "2048");
	assert_exists(f, "/sys/fs/cgroup/cpuacct/cvbench/cvb-t-1");
	assert_missing(f, "/sys/fs/cgroup/cpuacct/cvbench/cvb-t-1/cpu.shares");
	assert_file(f, "/sys/fs/cgroup/cpuset/cvbench/cvb-t-1/cpuset.cpus", "1");
	assert_file(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.limit_in_bytes", "67108864");
	assert_file(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.memsw.limit_in_bytes",
	            "100663296");
	assert_file(f, "/sys/fs/cgroup/pids/cvbench/cvb-t-1/pids.max", "16");
	assert_file(f, "/sys/fs/cgroup/blkio/cvbench/cvb-t-1/blkio.weight", "300");
	assert_exists(f, "/sys/fs/cgroup/freezer/cvbench/cvb-t-1");
	assert_devices_v1(f, f->cg, "cvb-t-1");
	assert_int_equal(cvb_cgroup_dirfd_v2(f->cg), -1);

	d = cvb_cgroup_describe(f->cg);
	assert_non_null(d);
	h = cJSON_GetObjectItemCaseSensitive(d, "hierarchies");
	assert_int_equal(cJSON_GetArraySize(h), 8); /* devices too */
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "cpuacct")->valuestring,
	                    fp(f, "/sys/fs/cgroup/cpuacct/cvbench/cvb-t-1"));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "blkio")->valuestring,
	                    fp(f, "/sys/fs/cgroup/blkio/cvbench/cvb-t-1"));
	cJSON_Delete(d);
}

/* Controllers on both sides: a v1 directory each, plus one v2 directory
 * with its controllers enabled; no CLONE_INTO_CGROUP fd. */
static void test_hybrid_mixed(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();
	struct cvb_error err = {0};

	lim.swap_max_bytes = -1;
	fake_build(f, FAKE_MIXED, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_file(f, "/sys/fs/cgroup/unified/cgroup.subtree_control", "+cpuset +io +pids");
	assert_file(f, "/sys/fs/cgroup/unified/cvbench/cgroup.subtree_control",
	            "+cpuset +io +pids");
	assert_file(f, "/sys/fs/cgroup/unified/cvbench/cvb-t-1/pids.max", "16");
	assert_file(f, "/sys/fs/cgroup/unified/cvbench/cvb-t-1/io.weight", "default 300");
	assert_file(f, "/sys/fs/cgroup/unified/cvbench/cvb-t-1/cpuset.cpus", "1");
	assert_file(f, "/sys/fs/cgroup/cpu,cpuacct/cvbench/cvb-t-1/cpu.shares", "2048");
	assert_file(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.limit_in_bytes", "67108864");
	assert_int_equal(cvb_cgroup_dirfd_v2(f->cg), -1);

	assert_int_equal(cvb_cgroup_attach(f->cg, FAKE_PID, &err), 0);
	assert_file(f, "/sys/fs/cgroup/unified/cvbench/cvb-t-1/cgroup.procs", "4194305");
	assert_file(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/cgroup.procs", "4194305");
}

/* ---------------------------------------------------------------------- */
/* attach, usage, describe                                                  */

static void test_attach_every_hierarchy(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();
	struct cvb_error err = {0};
	static const char *const hier[] = {"cpu",     "cpuacct", "cpuset", "memory",
	                                   "freezer", "blkio",   "pids"};

	fake_build(f, FAKE_HYBRID, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_int_equal(cvb_cgroup_attach(f->cg, FAKE_PID, &err), 0);
	for (size_t i = 0; i < sizeof(hier) / sizeof(hier[0]); i++)
		assert_file(f,
		            fp(f, "/sys/fs/cgroup/%s/cvbench/cvb-t-1/cgroup.procs", hier[i]) +
		                strlen(f->root),
		            "4194305");
	assert_file(f, "/sys/fs/cgroup/devices/cvbench/cvb-t-1/cgroup.procs", "4194305");
	/* attach is no configuration write */
	assert_int_equal(writes_of(f, f->cg, "/sys/fs/cgroup/pids/cvbench/cvb-t-1/cgroup.procs"),
	                 0);
}

/* The v1 `tasks` files the init writes "0" to (self-attach), and the v2-only
 * attach the parent does on a mixed hybrid host. */
static void test_task_files_and_attach_v2_only(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();
	struct cvb_error err = {0};
	char paths[16][PATH_MAX];

	lim.swap_max_bytes = -1;
	fake_build(f, FAKE_MIXED, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	size_t n = cvb_cgroup_v1_task_files(f->cg, paths, 16);
	assert_true(n >= 2);
	bool memory = false;
	for (size_t i = 0; i < n; i++) {
		assert_non_null(strstr(paths[i], "/cvbench/cvb-t-1/tasks"));
		assert_null(strstr(paths[i], "/unified/"));
		memory |= strstr(paths[i], "/sys/fs/cgroup/memory/cvbench/cvb-t-1/tasks") != NULL;
	}
	assert_true(memory);
	assert_int_equal(cvb_cgroup_v1_task_files(f->cg, paths, 1), 1); /* bounded */
	assert_int_equal(cvb_cgroup_attach_v2(f->cg, FAKE_PID, &err), 0);
	assert_file(f, "/sys/fs/cgroup/unified/cvbench/cvb-t-1/cgroup.procs", "4194305");
	assert_missing(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/cgroup.procs");
}

static void test_attach_v2(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	assert_int_equal(cvb_cgroup_attach(f->cg, FAKE_PID, &err), 0);
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cgroup.procs", "4194305");
	assert_missing(f, "/sys/fs/cgroup/cvbench/cgroup.procs");
}

static void test_usage_v2(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_cgroup_usage u;
	struct cvb_error err = {0};

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.current", "1234567\n");
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.peak", "2345678\n");
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpu.stat",
	    "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 3\n"
	    "throttled_usec 250\nnr_bursts 0\nburst_usec 0\n");
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/pids.current", "2\n");
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.events",
	    "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\noom_group_kill 0\n");
	assert_int_equal(cvb_cgroup_usage_read(f->cg, &u, &err), 0);
	assert_int_equal(u.memory_current, 1234567);
	assert_int_equal(u.memory_peak, 2345678);
	assert_int_equal(u.cpu_usage_ns, 1500000);
	assert_int_equal(u.nr_periods, 7);
	assert_int_equal(u.nr_throttled, 3);
	assert_int_equal(u.throttled_ns, 250000);
	assert_int_equal(u.pids_current, 2);
	assert_int_equal(u.oom_kills, 1);
}

static void test_usage_v1(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_cgroup_usage u;
	struct cvb_error err = {0};

	fake_build(f, FAKE_HYBRID, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	put(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.usage_in_bytes", "4096000\n");
	put(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.max_usage_in_bytes", "8192000\n");
	put(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n");
	put(f, "/sys/fs/cgroup/cpuacct/cvbench/cvb-t-1/cpuacct.usage", "987654321\n");
	put(f, "/sys/fs/cgroup/cpu/cvbench/cvb-t-1/cpu.stat",
	    "nr_periods 11\nnr_throttled 5\nthrottled_time 123456\nnr_bursts 0\nburst_time 0\n");
	put(f, "/sys/fs/cgroup/pids/cvbench/cvb-t-1/pids.current", "3\n");
	assert_int_equal(cvb_cgroup_usage_read(f->cg, &u, &err), 0);
	assert_int_equal(u.memory_current, 4096000);
	assert_int_equal(u.memory_peak, 8192000);
	assert_int_equal(u.cpu_usage_ns, 987654321);
	assert_int_equal(u.nr_periods, 11);
	assert_int_equal(u.nr_throttled, 5);
	assert_int_equal(u.throttled_ns, 123456);
	assert_int_equal(u.pids_current, 3);
	assert_int_equal(u.oom_kills, 2);
}

/* Missing files are unknown (-1), not errors: memory.peak before Linux
 * 5.19, oom_kill before 4.13. */
static void test_usage_missing_files(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_cgroup_usage u;
	struct cvb_error err = {0};

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.current", "100\n");
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.events", "low 0\nhigh 0\n");
	assert_int_equal(cvb_cgroup_usage_read(f->cg, &u, &err), 0);
	assert_int_equal(u.memory_current, 100);
	assert_int_equal(u.memory_peak, -1);
	assert_int_equal(u.cpu_usage_ns, -1);
	assert_int_equal(u.nr_periods, -1);
	assert_int_equal(u.throttled_ns, -1);
	assert_int_equal(u.pids_current, -1);
	assert_int_equal(u.oom_kills, -1);
}

static void test_usage_malformed(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_cgroup_usage u;
	struct cvb_error err = {0};

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.current", "lots\n");
	assert_int_equal(cvb_cgroup_usage_read(f->cg, &u, &err), -1);
	assert_contains(err.msg, "'lots'");
	assert_contains(err.msg, "cvb-t-1/memory.current");

	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.current", "100\n");
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cpu.stat", "usage_usec many\n");
	assert_int_equal(cvb_cgroup_usage_read(f->cg, &u, &err), -1);
	assert_contains(err.msg, "usage_usec many");
	assert_contains(err.msg, "cvb-t-1/cpu.stat");
}

static void test_describe(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	cJSON *d, *h, *w, *first;

	fake_build(f, FAKE_V2, 0);
	lim.memory_max_bytes = 64 * MIB;
	lim.pids_max = 16;
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	d = cvb_cgroup_describe(f->cg);
	assert_non_null(d);
	h = cJSON_GetObjectItemCaseSensitive(d, "hierarchies");
	assert_int_equal(cJSON_GetArraySize(h), 3);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "memory")->valuestring,
	                    fp(f, "/sys/fs/cgroup/cvbench/cvb-t-1"));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "cpu")->valuestring,
	                    fp(f, "/sys/fs/cgroup/cvbench/cvb-t-1"));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(h, "pids")->valuestring,
	                    fp(f, "/sys/fs/cgroup/cvbench/cvb-t-1"));
	w = cJSON_GetObjectItemCaseSensitive(d, "writes");
	/* root and parent subtree_control, memory.max, pids.max */
	assert_int_equal(cJSON_GetArraySize(w), 4);
	first = cJSON_GetArrayItem(w, 2);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "file")->valuestring,
	                    fp(f, "/sys/fs/cgroup/cvbench/cvb-t-1/memory.max"));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(first, "value")->valuestring,
	                    "67108864");
	cJSON_Delete(d);
}

/* ---------------------------------------------------------------------- */
/* failures and rollback                                                    */

/* A refused write names value, file and errno, and undoes everything. */
static void test_write_refused(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	char expect[PATH_MAX];

	fake_build(f, FAKE_V2, 0);
	/* /dev/full reads as empty and refuses every write with ENOSPC */
	assert_int_equal(symlink("/dev/full", fp(f, "/sys/fs/cgroup/cgroup.subtree_control")), 0);
	snprintf(expect, sizeof(expect),
	         "cannot write '+cpu +memory +pids' to %s/sys/fs/cgroup/cgroup.subtree_control: "
	         "No space left on device",
	         f->root);
	create_fails(f, &lim, expect, NULL);
	assert_missing(f, "/sys/fs/cgroup/cvbench");
}

/* A failure in a later hierarchy removes the instance directories already
 * made in the earlier ones, and the parents this call made. */
static void test_create_rollback(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();

	fake_build(f, FAKE_V1, 0);
	put(f, "/sys/fs/cgroup/pids/cvbench", "not a directory\n");
	create_fails(f, &lim, "cannot create cgroup", "pids/cvbench/cvb-t-1: Not a directory");
	assert_missing(f, "/sys/fs/cgroup/cpuset/cvbench");
	assert_missing(f, "/sys/fs/cgroup/cpu,cpuacct/cvbench");
	assert_missing(f, "/sys/fs/cgroup/memory/cvbench");
	assert_missing(f, "/sys/fs/cgroup/freezer/cvbench");
	assert_missing(f, "/sys/fs/cgroup/blkio/cvbench");
}

/* A parent kept from earlier stays even when creation fails. */
static void test_create_rollback_keeps_old_parent(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();

	fake_build(f, FAKE_V1, 0);
	mkdirs(fp(f, "/sys/fs/cgroup/memory/cvbench/cvb-other-1"));
	put(f, "/sys/fs/cgroup/pids/cvbench", "not a directory\n");
	create_fails(f, &lim, "Not a directory", NULL);
	assert_exists(f, "/sys/fs/cgroup/memory/cvbench/cvb-other-1");
	assert_missing(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1");
}

static void test_create_existing(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();

	fake_build(f, FAKE_V2, 0);
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/marker", "x");
	create_fails(f, &lim, "already exists", "cvbench cleanup");
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/marker", "x");
}

static void test_bad_names(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	struct cvb_cgroup *cg = NULL;

	fake_build(f, FAKE_V2, 0);
	assert_int_equal(cvb_cgroup_create(&f->layout, f->root, "cvbench", "../x", &lim, &cg, &err),
	                 -1);
	assert_contains(err.msg, "invalid cgroup instance name '../x'");
	assert_int_equal(cvb_cgroup_create(&f->layout, f->root, "", "cvb-t-1", &lim, &cg, &err),
	                 -1);
	assert_contains(err.msg, "invalid cgroup parent name");
	assert_null(cg);
}

/* ---------------------------------------------------------------------- */
/* destroy, kill, cleanup                                                   */

static void test_destroy(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();
	struct cvb_error err = {0};
	static const char *const hier[] = {"cpu",     "cpuacct", "cpuset", "memory",
	                                   "freezer", "blkio",   "pids"};

	fake_build(f, FAKE_HYBRID, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	create_ok(f, "cvb-t-2", &lim, &f->cg2);
	assert_int_equal(cvb_cgroup_attach(f->cg, FAKE_PID, &err), 0);
	if (cvb_cgroup_destroy(f->cg, &err) < 0)
		fail_msg("destroy: %s", err.msg);
	for (size_t i = 0; i < sizeof(hier) / sizeof(hier[0]); i++) {
		assert_missing(f, fp(f, "/sys/fs/cgroup/%s/cvbench/cvb-t-1", hier[i]) +
		                      strlen(f->root));
		assert_exists(f, fp(f, "/sys/fs/cgroup/%s/cvbench/cvb-t-2", hier[i]) +
		                     strlen(f->root));
	}
	/* idempotent */
	assert_int_equal(cvb_cgroup_destroy(f->cg, &err), 0);
	assert_int_equal(cvb_cgroup_destroy(f->cg2, &err), 0);
	for (size_t i = 0; i < sizeof(hier) / sizeof(hier[0]); i++)
		assert_exists(f, fp(f, "/sys/fs/cgroup/%s/cvbench", hier[i]) + strlen(f->root));
}

static void test_destroy_v2_closes_fd(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	mkdirs(fp(f, "/sys/fs/cgroup/cvbench/cvb-t-1/sub/deeper"));
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/sub/cgroup.procs", "");
	assert_true(cvb_cgroup_dirfd_v2(f->cg) >= 0);
	assert_int_equal(cvb_cgroup_destroy(f->cg, &err), 0);
	assert_int_equal(cvb_cgroup_dirfd_v2(f->cg), -1);
	assert_missing(f, "/sys/fs/cgroup/cvbench/cvb-t-1");
	assert_exists(f, "/sys/fs/cgroup/cvbench");
}

/* Empty cgroup.procs: kill returns at once; the v1 freezer is frozen and
 * thawed again, v2 uses cgroup.kill when the kernel has it. */
static void test_kill_empty(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};

	fake_build(f, FAKE_HYBRID, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	put(f, "/sys/fs/cgroup/freezer/cvbench/cvb-t-1/freezer.state", "THAWED\n");
	put(f, "/sys/fs/cgroup/memory/cvbench/cvb-t-1/cgroup.procs", "");
	assert_int_equal(cvb_cgroup_kill(f->cg, &err), 0);
	assert_file(f, "/sys/fs/cgroup/freezer/cvbench/cvb-t-1/freezer.state", "THAWED");
	cvb_cgroup_layout_clear(&f->layout);

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg2);
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cgroup.kill", "");
	assert_int_equal(cvb_cgroup_kill(f->cg2, &err), 0);
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cgroup.kill", "1");
}

/* Tasks that never leave: kill gives up after the bound, naming the
 * cgroup (a fake tree's pids are counted, never signalled). */
static void test_kill_bounded(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	struct timespec t0, t1;
	double s;

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cgroup.freeze", "0\n");
	put(f, "/sys/fs/cgroup/cvbench/cvb-t-1/sub/cgroup.procs", "4194305\n");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(cvb_cgroup_kill(f->cg, &err), -1);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(s >= CVB_CGROUP_KILL_TIMEOUT_MS / 1000.0 && s < 10);
	assert_contains(err.msg, "cannot empty cgroup");
	assert_contains(err.msg, fp(f, "/sys/fs/cgroup/cvbench/cvb-t-1"));
	assert_contains(err.msg, "1 task(s)");
	/* thawed again after each round */
	assert_file(f, "/sys/fs/cgroup/cvbench/cvb-t-1/cgroup.freeze", "0");
}

static void test_kill_refuses_self(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	char pid[32];

	fake_build(f, FAKE_V1, 0);
	create_ok(f, "cvb-t-1", &lim, &f->cg);
	snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	put(f, "/sys/fs/cgroup/pids/cvbench/cvb-t-1/cgroup.procs", pid);
	assert_int_equal(cvb_cgroup_kill(f->cg, &err), -1);
	assert_contains(err.msg, "this process");
	assert_contains(err.msg, "refusing");
}

struct reported {
	char paths[32][PATH_MAX];
	int n;
};

static void report_cb(void *ctx, const char *what)
{
	struct reported *r = ctx;

	if (r->n < 32)
		snprintf(r->paths[r->n], PATH_MAX, "%s", what);
	r->n++;
}

static bool was_reported(const struct reported *r, const char *path)
{
	for (int i = 0; i < r->n && i < 32; i++) {
		if (strcmp(r->paths[i], path) == 0)
			return true;
	}
	return false;
}

/* Leftovers of a killed run in every hierarchy, sub-cgroups included; other
 * directories under the parent stay, and so does a parent still in use. */
static void test_cleanup_stale_v1(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	struct reported r = {0};
	static const char *const hier[] = {"cpu,cpuacct", "memory", "freezer", "pids", "devices"};
	int n;

	fake_build(f, FAKE_V1, 0);
	create_ok(f, "cvb-r1-1", &lim, &f->cg);
	create_ok(f, "cvb-r1-2", &lim, &f->cg2);
	cvb_cgroup_free(f->cg);
	cvb_cgroup_free(f->cg2);
	f->cg = f->cg2 = NULL; /* as if the run was killed */
	mkdirs(fp(f, "/sys/fs/cgroup/memory/cvbench/cvb-r1-1/nested"));
	put(f, "/sys/fs/cgroup/memory/cvbench/cvb-r1-1/nested/cgroup.procs", "");
	mkdirs(fp(f, "/sys/fs/cgroup/memory/cvbench/keep-me"));
	mkdirs(fp(f, "/sys/fs/cgroup/memory/cvbench/cvbx-1"));
	put(f, "/sys/fs/cgroup/memory/cvbench/cvb-not-a-dir", "");

	n = cvb_cgroup_cleanup_stale(&f->layout, f->root, "cvbench", report_cb, &r, &err);
	if (n < 0)
		fail_msg("cleanup: %s", err.msg);
	assert_int_equal(n, 10);
	assert_int_equal(r.n, 10);
	for (size_t i = 0; i < sizeof(hier) / sizeof(hier[0]); i++) {
		for (int k = 1; k <= 2; k++) {
			const char *p = fp(f, "/sys/fs/cgroup/%s/cvbench/cvb-r1-%d", hier[i], k);

			if (!was_reported(&r, p))
				fail_msg("%s not reported", p);
			assert_false(exists(p));
		}
	}
	assert_exists(f, "/sys/fs/cgroup/memory/cvbench/keep-me");
	assert_exists(f, "/sys/fs/cgroup/memory/cvbench/cvbx-1");
	assert_exists(f, "/sys/fs/cgroup/memory/cvbench/cvb-not-a-dir");
	assert_missing(f, "/sys/fs/cgroup/pids/cvbench");
	assert_missing(f, "/sys/fs/cgroup/freezer/cvbench");
	assert_missing(f, "/sys/fs/cgroup/cpu,cpuacct/cvbench");

	/* nothing left: 0, and no error */
	r.n = 0;
	assert_int_equal(
	    cvb_cgroup_cleanup_stale(&f->layout, f->root, "cvbench", report_cb, &r, &err), 0);
	assert_int_equal(r.n, 0);
}

static void test_cleanup_stale_v2(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = all_limits();
	struct cvb_error err = {0};
	struct reported r = {0};

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-r2-7", &lim, &f->cg);
	cvb_cgroup_free(f->cg);
	f->cg = NULL;
	assert_int_equal(
	    cvb_cgroup_cleanup_stale(&f->layout, f->root, "cvbench", report_cb, &r, &err), 1);
	assert_string_equal(r.paths[0], fp(f, "/sys/fs/cgroup/cvbench/cvb-r2-7"));
	assert_missing(f, "/sys/fs/cgroup/cvbench");
	/* the host's own files are left alone */
	assert_exists(f, "/sys/fs/cgroup/cgroup.controllers");
}

/* A stale cgroup whose tasks will not go: -1 with the reason; the others
 * are still removed. */
static void test_cleanup_stale_stuck(void **state)
{
	struct fake *f = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	struct reported r = {0};

	fake_build(f, FAKE_V2, 0);
	create_ok(f, "cvb-a-1", &lim, &f->cg);
	create_ok(f, "cvb-a-2", &lim, &f->cg2);
	cvb_cgroup_free(f->cg);
	cvb_cgroup_free(f->cg2);
	f->cg = f->cg2 = NULL;
	put(f, "/sys/fs/cgroup/cvbench/cvb-a-1/cgroup.procs", "4194305\n");
	assert_int_equal(
	    cvb_cgroup_cleanup_stale(&f->layout, f->root, "cvbench", report_cb, &r, &err), -1);
	assert_contains(err.msg, "cvb-a-1");
	assert_int_equal(r.n, 1);
	assert_missing(f, "/sys/fs/cgroup/cvbench/cvb-a-2");
	assert_exists(f, "/sys/fs/cgroup/cvbench/cvb-a-1");
}

/* ---------------------------------------------------------------------- */
/* The real host                                                            */

static struct {
	bool ok;
	char reason[256];
	struct cvb_cgroup_layout layout;
	char *made_parents[32]; /* cvbench dirs that did not exist before */
	int n_made;
	char parent[64]; /* private parent for the cleanup test */
} real;

struct real_state {
	struct cvb_cgroup *cg;
	pid_t child;
	int go_w, ready_r;
};

static const char *real_mounts(size_t i)
{
	if (i < real.layout.n_v1)
		return real.layout.v1[i].mount;
	return i == real.layout.n_v1 ? real.layout.v2_mount : NULL;
}

static int real_group_setup(void **state)
{
	struct cvb_error err = {0};

	(void)state;
	snprintf(real.parent, sizeof(real.parent), "cvbench-unittest-%d", (int)getpid());
	if (geteuid() != 0) {
		snprintf(real.reason, sizeof(real.reason), "not root: cannot create cgroups");
		return 0;
	}
	if (cvb_cgroup_layout_detect("/", &real.layout, &err) < 0) {
		snprintf(real.reason, sizeof(real.reason), "no cgroup layout: %s", err.msg);
		return 0;
	}
	if (cvb_cgroup_layout_find(&real.layout, "memory").version == 0 ||
	    cvb_cgroup_layout_find(&real.layout, "pids").version == 0) {
		snprintf(real.reason, sizeof(real.reason),
		         "no memory or pids controller mounted (cgroup mode %s)",
		         cvb_cgroup_mode_name(real.layout.mode));
		return 0;
	}
	for (size_t i = 0; i <= real.layout.n_v1; i++) {
		char path[PATH_MAX];

		if (!real_mounts(i))
			continue;
		snprintf(path, sizeof(path), "%s/cvbench", real_mounts(i));
		if (!exists(path) && real.n_made < 32)
			real.made_parents[real.n_made++] = strdup(path);
	}
	/* fork-bomb grandchildren come back to us to be reaped */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	real.ok = true;
	return 0;
}

static int real_group_teardown(void **state)
{
	(void)state;
	for (int i = 0; i < real.n_made; i++) {
		if (real.made_parents[i])
			rmdir(real.made_parents[i]); /* only when empty */
		free(real.made_parents[i]);
	}
	cvb_cgroup_layout_clear(&real.layout);
	return 0;
}

static void reap_all(void)
{
	for (int i = 0; i < 200; i++) {
		pid_t p = waitpid(-1, NULL, WNOHANG);

		if (p < 0)
			return; /* ECHILD */
		if (p == 0)
			usleep(10000);
	}
}

/* Removes whatever this process left under any cvbench*-parent. */
static void real_sweep(void)
{
	char pattern[PATH_MAX];
	glob_t g;

	for (size_t i = 0; i <= real.layout.n_v1; i++) {
		if (!real_mounts(i))
			continue;
		snprintf(pattern, sizeof(pattern), "%s/cvbench*/cvb-unittest-%d-*", real_mounts(i),
		         (int)getpid());
		if (glob(pattern, 0, NULL, &g) == 0) {
			for (size_t k = 0; k < g.gl_pathc; k++)
				rmdir(g.gl_pathv[k]);
		}
		globfree(&g);
		snprintf(pattern, sizeof(pattern), "%s/%s", real_mounts(i), real.parent);
		rmdir(pattern);
	}
}

static int real_setup(void **state)
{
	struct real_state *s = calloc(1, sizeof(*s));

	if (!s)
		return -1;
	s->go_w = s->ready_r = -1;
	*state = s;
	return 0;
}

static int real_teardown(void **state)
{
	struct real_state *s = *state;
	struct cvb_error err = {0};

	if (s->child > 0) {
		kill(s->child, SIGKILL);
		waitpid(s->child, NULL, 0);
	}
	if (s->cg) {
		cvb_cgroup_kill(s->cg, &err);
		reap_all();
		cvb_cgroup_destroy(s->cg, &err);
		cvb_cgroup_free(s->cg);
	}
	if (s->go_w >= 0)
		close(s->go_w);
	if (s->ready_r >= 0)
		close(s->ready_r);
	reap_all();
	if (real.ok)
		real_sweep();
	free(s);
	return 0;
}

#define REAL_REQUIRED()                                                                            \
	do {                                                                                       \
		if (!real.ok) {                                                                    \
			print_message("skipping: %s\n", real.reason);                              \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

static void real_name(char *buf, size_t size, int n)
{
	snprintf(buf, size, "cvb-unittest-%d-%d", (int)getpid(), n);
}

enum child_mode { CHILD_SLEEP, CHILD_FORK_BOMB };

/* Forks a child that waits for a byte on the go pipe, then touches `touch`
 * bytes of fresh memory (charged to the cgroup it was attached to), reports
 * on the ready pipe and sleeps, or fork-bombs. */
static void spawn_child(struct real_state *s, size_t touch, enum child_mode mode)
{
	int go[2], ready[2];
	char c;

	assert_int_equal(pipe2(go, O_CLOEXEC), 0);
	assert_int_equal(pipe2(ready, O_CLOEXEC), 0);
	s->child = fork();
	assert_true(s->child >= 0);
	if (s->child == 0) {
		close(go[1]);
		close(ready[0]);
		if (read(go[0], &c, 1) != 1)
			_exit(2);
		if (touch) {
			char *p = mmap(NULL, touch, PROT_READ | PROT_WRITE,
			               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

			if (p == MAP_FAILED)
				_exit(3);
			for (size_t i = 0; i < touch; i += 4096)
				p[i] = 1;
		}
		if (write(ready[1], "r", 1) != 1)
			_exit(4);
		if (mode == CHILD_FORK_BOMB) {
			for (;;) {
				if (fork() < 0)
					usleep(1000);
			}
		}
		for (;;)
			pause();
	}
	close(go[0]);
	close(ready[1]);
	s->go_w = go[1];
	s->ready_r = ready[0];
}

/* Lets the child go; true when it reports ready, false when it died. */
static bool child_go(struct real_state *s)
{
	char c;

	assert_int_equal(write(s->go_w, "g", 1), 1);
	return read(s->ready_r, &c, 1) == 1;
}

static void assert_no_unittest_cgroups(void)
{
	char pattern[PATH_MAX];
	glob_t g;

	snprintf(pattern, sizeof(pattern), "/sys/fs/cgroup/*/cvbench/cvb-unittest-%d-*",
	         (int)getpid());
	if (glob(pattern, 0, NULL, &g) == 0) {
		char first[PATH_MAX];

		snprintf(first, sizeof(first), "%s", g.gl_pathv[0]);
		globfree(&g);
		fail_msg("left behind: %s", first);
	}
	globfree(&g);
	snprintf(pattern, sizeof(pattern), "/sys/fs/cgroup/cvbench/cvb-unittest-%d-*",
	         (int)getpid());
	assert_int_not_equal(glob(pattern, 0, NULL, &g), 0);
	globfree(&g);
}

static void test_real_lifecycle(void **state)
{
	struct real_state *s = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	struct cvb_cgroup_usage u;
	char name[64], path[PATH_MAX];
	int status;
	cJSON *d;
	const cJSON *mem;

	REAL_REQUIRED();
	real_name(name, sizeof(name), 1);
	lim.memory_max_bytes = 64 * MIB;
	lim.pids_max = 16;
	if (cvb_cgroup_create(&real.layout, "/", "cvbench", name, &lim, &s->cg, &err) < 0)
		fail_msg("create: %s", err.msg);

	/* the kernel accepted and reads back what was written */
	d = cvb_cgroup_describe(s->cg);
	mem = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "hierarchies"),
	                                       "memory");
	assert_true(cJSON_IsString(mem));
	snprintf(path, sizeof(path), "%s/%s", mem->valuestring,
	         cvb_cgroup_layout_find(&real.layout, "memory").version == 2
	             ? "memory.max"
	             : "memory.limit_in_bytes");
	cJSON_Delete(d);
	assert_abs_file(path, "67108864\n");

	spawn_child(s, 4 * MIB, CHILD_SLEEP);
	if (cvb_cgroup_attach(s->cg, s->child, &err) < 0)
		fail_msg("attach: %s", err.msg);
	assert_true(child_go(s));
	if (cvb_cgroup_usage_read(s->cg, &u, &err) < 0)
		fail_msg("usage: %s", err.msg);
	print_message("usage: memory %lld peak %lld cpu %lld ns pids %lld oom %lld\n",
	              (long long)u.memory_current, (long long)u.memory_peak,
	              (long long)u.cpu_usage_ns, (long long)u.pids_current, (long long)u.oom_kills);
	assert_true(u.memory_current >= 4 * MIB);
	assert_true(u.memory_peak >= u.memory_current);
	assert_int_equal(u.pids_current, 1);
	assert_true(u.cpu_usage_ns > 0);
	assert_int_equal(u.oom_kills, 0);

	if (cvb_cgroup_kill(s->cg, &err) < 0)
		fail_msg("kill: %s", err.msg);
	assert_int_equal(waitpid(s->child, &status, 0), s->child);
	s->child = 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	if (cvb_cgroup_destroy(s->cg, &err) < 0)
		fail_msg("destroy: %s", err.msg);
	assert_int_equal(cvb_cgroup_destroy(s->cg, &err), 0);
	assert_no_unittest_cgroups();
}

/* Every limit on the real host: the kernel takes each value. */
static void test_real_all_limits(void **state)
{
	struct real_state *s = *state;
	struct cvb_limits lim = all_limits();
	struct cvb_error err = {0};
	char name[64];
	cJSON *d, *w;
	char *devices_dir = NULL;
	int n = 0;

	REAL_REQUIRED();
	real_name(name, sizeof(name), 2);
	lim.cpuset_cpus = "0";
	if (cvb_cgroup_create(&real.layout, "/", "cvbench", name, &lim, &s->cg, &err) < 0) {
		/* A kernel without BFQ or io.cost has no I/O weight file: that
		 * must be the clear error below, and the other limits still hold. */
		if (!strstr(err.msg, "no proportional I/O weight"))
			fail_msg("create: %s", err.msg);
		print_message("  no I/O weight on this host (%s): the other limits only\n", err.msg);
		assert_no_unittest_cgroups();
		lim.io_weight = -1;
		err = (struct cvb_error){0};
		if (cvb_cgroup_create(&real.layout, "/", "cvbench", name, &lim, &s->cg, &err) < 0)
			fail_msg("create without io weight: %s", err.msg);
	}
	d = cvb_cgroup_describe(s->cg);
	cJSON_ArrayForEach(w, cJSON_GetObjectItemCaseSensitive(d, "writes"))
	{
		const char *file = cJSON_GetObjectItemCaseSensitive(w, "file")->valuestring;
		const char *value = cJSON_GetObjectItemCaseSensitive(w, "value")->valuestring;
		char expect[128];

		print_message("  %s = %s\n", file, value);
		/* cpu.max and io.weight print differently from what is written */
		if (strstr(file, "cpu.max") || strstr(file, "io.weight") ||
		    strstr(file, "subtree_control"))
			continue;
		/* write-only: the outcome is in devices.list, checked below */
		if (strstr(file, "/devices.")) {
			if (!devices_dir)
				devices_dir = strndup(file, (size_t)(strrchr(file, '/') - file));
			continue;
		}
		snprintf(expect, sizeof(expect), "%s\n", value);
		assert_abs_file(file, expect);
		n++;
	}
	cJSON_Delete(d);
	assert_true(n >= 5);
	if (devices_dir) {
		char list[PATH_MAX], text[4096], rule[64];
		struct cvb_error e2 = {0};

		snprintf(list, sizeof(list), "%s/devices.list", devices_dir);
		if (cvb_read_file(list, text, sizeof(text), &e2) < 0)
			fail_msg("%s", e2.msg);
		for (size_t i = 0; i < cvb_device_rule_count; i++) {
			cvb_device_rule_format(&cvb_device_rules[i], rule, sizeof(rule));
			assert_contains(text, rule);
		}
		assert_null(strstr(text, "a *:* rwm"));
		free(devices_dir);
	}
	if (cvb_cgroup_kill(s->cg, &err) < 0 || cvb_cgroup_destroy(s->cg, &err) < 0)
		fail_msg("%s", err.msg);
	assert_no_unittest_cgroups();
}

/* A refused write, with the kernel's errno, and nothing left behind. */
static void test_real_refused_write(void **state)
{
	struct real_state *s = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	struct cvb_cgroup_location loc;
	char name[64], expect[PATH_MAX];

	REAL_REQUIRED();
	loc = cvb_cgroup_layout_find(&real.layout, "cpuset");
	if (loc.version == 0) {
		print_message("skipping: no cpuset controller\n");
		skip();
	}
	real_name(name, sizeof(name), 3);
	lim.cpuset_cpus = "999";
	assert_int_equal(cvb_cgroup_create(&real.layout, "/", "cvbench", name, &lim, &s->cg, &err),
	                 -1);
	snprintf(expect, sizeof(expect),
	         "cannot write '999' to %s/cvbench/%s/cpuset.cpus: ", loc.mount, name);
	assert_contains(err.msg, expect);
	print_message("refused: %s\n", err.msg);
	assert_no_unittest_cgroups();
}

/* pids.max holds a fork bomb; kill empties the cgroup anyway. */
static void test_real_fork_bomb(void **state)
{
	struct real_state *s = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	struct cvb_cgroup_usage u;
	char name[64];
	int status;

	REAL_REQUIRED();
	real_name(name, sizeof(name), 4);
	lim.pids_max = 16;
	if (cvb_cgroup_create(&real.layout, "/", "cvbench", name, &lim, &s->cg, &err) < 0)
		fail_msg("create: %s", err.msg);
	spawn_child(s, 0, CHILD_FORK_BOMB);
	if (cvb_cgroup_attach(s->cg, s->child, &err) < 0)
		fail_msg("attach: %s", err.msg);
	assert_true(child_go(s));
	/* Polled until the bomb has forked (up to 10 s: a loaded host may not
	 * run it for a while); pids.max must hold at every reading. */
	for (int i = 0; i < 1000; i++) {
		assert_int_equal(cvb_cgroup_usage_read(s->cg, &u, &err), 0);
		assert_true(u.pids_current <= 16);
		if (u.pids_current > 1 && i >= 20) /* and 200 ms of bombing at least */
			break;
		usleep(10000);
	}
	print_message("fork bomb: %lld tasks\n", (long long)u.pids_current);
	assert_true(u.pids_current > 1 && u.pids_current <= 16);
	if (cvb_cgroup_kill(s->cg, &err) < 0)
		fail_msg("kill: %s", err.msg);
	assert_int_equal(waitpid(s->child, &status, 0), s->child);
	s->child = 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	reap_all();
	if (cvb_cgroup_destroy(s->cg, &err) < 0)
		fail_msg("destroy: %s", err.msg);
	assert_no_unittest_cgroups();
}

/* Memory limit with no swap: the kernel OOM-kills the child, and the usage
 * shows the kill and a peak near the limit. */
static void test_real_oom(void **state)
{
	struct real_state *s = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	struct cvb_cgroup_usage u;
	char name[64];
	int status;

	REAL_REQUIRED();
	real_name(name, sizeof(name), 5);
	lim.memory_max_bytes = 32 * MIB;
	lim.swap_max_bytes = 0;
	if (cvb_cgroup_create(&real.layout, "/", "cvbench", name, &lim, &s->cg, &err) < 0) {
		if (err.code == ENOENT && strstr(err.msg, "swap")) {
			print_message("skipping: %s\n", err.msg);
			skip();
		}
		fail_msg("create: %s", err.msg);
	}
	spawn_child(s, 128 * MIB, CHILD_SLEEP);
	if (cvb_cgroup_attach(s->cg, s->child, &err) < 0)
		fail_msg("attach: %s", err.msg);
	assert_false(child_go(s)); /* died before it could report */
	assert_int_equal(waitpid(s->child, &status, 0), s->child);
	s->child = 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	assert_int_equal(cvb_cgroup_usage_read(s->cg, &u, &err), 0);
	print_message("oom: peak %lld, kills %lld\n", (long long)u.memory_peak,
	              (long long)u.oom_kills);
	assert_true(u.oom_kills >= 1);
	assert_true(u.memory_peak > 16 * MIB && u.memory_peak <= 32 * MIB);
	assert_int_equal(cvb_cgroup_kill(s->cg, &err), 0);
	if (cvb_cgroup_destroy(s->cg, &err) < 0)
		fail_msg("destroy: %s", err.msg);
	assert_no_unittest_cgroups();
}

/* A run killed with its instance alive: cleanup kills the task, removes
 * the cgroup in every hierarchy and the then empty private parent. */
static void test_real_cleanup_stale(void **state)
{
	struct real_state *s = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	struct reported r = {0};
	char name[64];
	cJSON *d;
	int status, n, n_dirs = 0;

	REAL_REQUIRED();
	real_name(name, sizeof(name), 6);
	lim.pids_max = 8;
	if (cvb_cgroup_create(&real.layout, "/", real.parent, name, &lim, &s->cg, &err) < 0)
		fail_msg("create: %s", err.msg);
	d = cvb_cgroup_describe(s->cg);
	{
		/* distinct directories: v2 controllers share one */
		const cJSON *h = cJSON_GetObjectItemCaseSensitive(d, "hierarchies"), *it, *jt;

		cJSON_ArrayForEach(it, h)
		{
			bool seen = false;

			cJSON_ArrayForEach(jt, h)
			{
				if (jt == it)
					break;
				seen = seen || strcmp(jt->valuestring, it->valuestring) == 0;
			}
			n_dirs += !seen;
		}
	}
	cJSON_Delete(d);
	spawn_child(s, 0, CHILD_SLEEP);
	if (cvb_cgroup_attach(s->cg, s->child, &err) < 0)
		fail_msg("attach: %s", err.msg);
	assert_true(child_go(s));
	cvb_cgroup_free(s->cg);
	s->cg = NULL;

	n = cvb_cgroup_cleanup_stale(&real.layout, "/", real.parent, report_cb, &r, &err);
	if (n < 0)
		fail_msg("cleanup: %s", err.msg);
	assert_int_equal(n, n_dirs);
	assert_int_equal(r.n, n_dirs);
	assert_int_equal(waitpid(s->child, &status, 0), s->child);
	s->child = 0;
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	for (size_t i = 0; i < real.layout.n_v1; i++) {
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/%s", real.layout.v1[i].mount, real.parent);
		assert_false(exists(path));
	}
}

/* The hybrid host here has no CLONE_INTO_CGROUP path. */
static void test_real_dirfd(void **state)
{
	struct real_state *s = *state;
	struct cvb_limits lim = no_limits();
	struct cvb_error err = {0};
	char name[64];

	REAL_REQUIRED();
	real_name(name, sizeof(name), 7);
	if (cvb_cgroup_create(&real.layout, "/", "cvbench", name, &lim, &s->cg, &err) < 0)
		fail_msg("create: %s", err.msg);
	if (real.layout.mode == CVB_CGROUP_MODE_V2)
		assert_true(cvb_cgroup_dirfd_v2(s->cg) >= 0);
	else if (cvb_cgroup_layout_find(&real.layout, "memory").version == 1)
		assert_int_equal(cvb_cgroup_dirfd_v2(s->cg), -1);
	assert_int_equal(cvb_cgroup_destroy(s->cg, &err), 0);
	assert_no_unittest_cgroups();
}

#define FAKE_TEST(f) cmocka_unit_test_setup_teardown(f, fake_setup, fake_teardown)
#define REAL_TEST(f) cmocka_unit_test_setup_teardown(f, real_setup, real_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    FAKE_TEST(test_v2_all_limits),
	    FAKE_TEST(test_v2_cpu_max_period),
	    FAKE_TEST(test_v2_subtree_control),
	    FAKE_TEST(test_v1_all_limits),
	    FAKE_TEST(test_v1_cpu_shares),
	    FAKE_TEST(test_v1_cpuset_inherit),
	    FAKE_TEST(test_v1_memsw_missing),
	    FAKE_TEST(test_v1_swap_needs_memory),
	    FAKE_TEST(test_v1_blkio_range),
	    FAKE_TEST(test_default_pids),
	    FAKE_TEST(test_missing_controller),
	    FAKE_TEST(test_missing_controller_v2),
	    FAKE_TEST(test_hybrid_all_limits),
	    FAKE_TEST(test_hybrid_mixed),
	    FAKE_TEST(test_attach_every_hierarchy),
	    FAKE_TEST(test_attach_v2),
	    FAKE_TEST(test_task_files_and_attach_v2_only),
	    FAKE_TEST(test_usage_v2),
	    FAKE_TEST(test_usage_v1),
	    FAKE_TEST(test_usage_missing_files),
	    FAKE_TEST(test_usage_malformed),
	    FAKE_TEST(test_describe),
	    FAKE_TEST(test_write_refused),
	    FAKE_TEST(test_create_rollback),
	    FAKE_TEST(test_create_rollback_keeps_old_parent),
	    FAKE_TEST(test_create_existing),
	    FAKE_TEST(test_bad_names),
	    FAKE_TEST(test_destroy),
	    FAKE_TEST(test_destroy_v2_closes_fd),
	    FAKE_TEST(test_kill_empty),
	    FAKE_TEST(test_kill_bounded),
	    FAKE_TEST(test_kill_refuses_self),
	    FAKE_TEST(test_cleanup_stale_v1),
	    FAKE_TEST(test_cleanup_stale_v2),
	    FAKE_TEST(test_cleanup_stale_stuck),
	    REAL_TEST(test_real_lifecycle),
	    REAL_TEST(test_real_all_limits),
	    REAL_TEST(test_real_refused_write),
	    REAL_TEST(test_real_fork_bomb),
	    REAL_TEST(test_real_oom),
	    REAL_TEST(test_real_cleanup_stale),
	    REAL_TEST(test_real_dirfd),
	};

	/* One group, so that tests/run.sh reads one summary; its setup only
	 * probes the real host (the fake tests ignore it). */
	return cmocka_run_group_tests(tests, real_group_setup, real_group_teardown);
}

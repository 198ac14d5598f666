/* Host facts and cgroup layout detection against fake host roots under
 * tests/fixtures/hosts (or $CVB_FIXTURES/hosts): pure v1 (CentOS 7), pure v2
 * (Ubuntu 22.04 bare metal), this project's hybrid machine, a systemd hybrid
 * with an empty cgroup2, and broken or sparse trees. */
#include "cgroup_layout.h"
#include "hostfacts.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

static const char *fixture(const char *name)
{
	static char path[PATH_MAX];
	const char *base = getenv("CVB_FIXTURES");

	snprintf(path, sizeof(path), "%s/hosts/%s", base && *base ? base : "tests/fixtures", name);
	return path;
}

/* ---- small JSON accessors that fail the test on a wrong type ---- */

static const cJSON *get(const cJSON *obj, const char *path)
{
	char buf[256], *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *key = strtok_r(buf, ".", &save); key; key = strtok_r(NULL, ".", &save)) {
		obj = cJSON_GetObjectItemCaseSensitive(obj, key);
		if (!obj)
			fail_msg("missing key %s (in %s)", key, path);
	}
	return obj;
}

static const char *str(const cJSON *obj, const char *path)
{
	const cJSON *it = get(obj, path);

	if (!cJSON_IsString(it))
		fail_msg("%s is not a string", path);
	return it->valuestring;
}

static double num(const cJSON *obj, const char *path)
{
	const cJSON *it = get(obj, path);

	if (!cJSON_IsNumber(it))
		fail_msg("%s is not a number", path);
	return it->valuedouble;
}

static bool boolean(const cJSON *obj, const char *path)
{
	const cJSON *it = get(obj, path);

	if (!cJSON_IsBool(it))
		fail_msg("%s is not a bool", path);
	return cJSON_IsTrue(it);
}

static void assert_json_null(const cJSON *obj, const char *path)
{
	if (!cJSON_IsNull(get(obj, path)))
		fail_msg("%s is not null", path);
}

/* Compares a JSON string array with a NULL-terminated list. */
static void assert_strings(const cJSON *arr, const char *const *expected)
{
	int n = 0;

	assert_true(cJSON_IsArray(arr));
	for (; expected[n]; n++) {
		const cJSON *it = cJSON_GetArrayItem(arr, n);

		assert_true(cJSON_IsString(it));
		assert_string_equal(it->valuestring, expected[n]);
	}
	assert_int_equal(cJSON_GetArraySize(arr), n);
}

static void assert_strv(char *const *v, const char *const *expected)
{
	size_t n = 0;

	assert_non_null(v);
	for (; expected[n]; n++) {
		assert_non_null(v[n]);
		assert_string_equal(v[n], expected[n]);
	}
	assert_null(v[n]);
}

#define STRS(...) ((const char *const[]){__VA_ARGS__, NULL})
#define NO_STRS ((const char *const[]){NULL})

static void assert_find(const struct cvb_cgroup_layout *l, const char *controller, int version,
                        const char *mount)
{
	struct cvb_cgroup_location loc = cvb_cgroup_layout_find(l, controller);

	if (loc.version != version)
		fail_msg("find(%s): version %d, expected %d", controller, loc.version, version);
	if (mount)
		assert_string_equal(loc.mount, mount);
	else
		assert_null(loc.mount);
}

static void assert_v1(const struct cvb_cgroup_v1_hierarchy *h, const char *mount, const char *name,
                      const char *const *controllers)
{
	assert_string_equal(h->mount, mount);
	if (name)
		assert_string_equal(h->name, name);
	else
		assert_null(h->name);
	assert_strv(h->controllers, controllers);
}

/* ---- paths and files ---- */

static void test_host_path(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	char buf[64];

	assert_int_equal(cvb_host_path(buf, sizeof(buf), "/", "/proc/cpuinfo", &err), 0);
	assert_string_equal(buf, "/proc/cpuinfo");
	assert_int_equal(cvb_host_path(buf, sizeof(buf), NULL, "/proc/cpuinfo", &err), 0);
	assert_string_equal(buf, "/proc/cpuinfo");
	assert_int_equal(cvb_host_path(buf, sizeof(buf), "fx/v2/", "/proc/cpuinfo", &err), 0);
	assert_string_equal(buf, "fx/v2/proc/cpuinfo");
	assert_int_equal(cvb_host_path(buf, sizeof(buf), "fx//", "proc/cpuinfo", &err), 0);
	assert_string_equal(buf, "fx/proc/cpuinfo");
	assert_int_equal(cvb_host_path(buf, 16, "fixtures/hosts/v2", "/proc/cpuinfo", &err), -1);
	assert_int_equal(err.code, ENAMETOOLONG);
	assert_string_equal(err.msg, "path too long: fixtures/hosts/v2/proc/cpuinfo");
	assert_true(cvb_host_root_is_real("/"));
	assert_true(cvb_host_root_is_real(""));
	assert_false(cvb_host_root_is_real("/tmp"));
}

static void test_file_read(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	char expected[PATH_MAX + 64];
	size_t len = 0;
	char *text = cvb_host_file_read(fixture("v1"), "/proc/sys/kernel/hostname", &len, &err);

	assert_non_null(text);
	assert_string_equal(text, "centos7\n");
	assert_int_equal(len, 8);
	free(text);

	/* Larger than the first buffer: the read loop must grow it. */
	text = cvb_host_file_read(fixture("v2"), "/proc/cpuinfo", &len, &err);
	assert_non_null(text);
	assert_true(len > 4096);
	assert_int_equal(strlen(text), len);
	free(text);

	assert_null(cvb_host_file_read(fixture("v1"), "/proc/nothing", NULL, &err));
	assert_int_equal(err.code, ENOENT);
	snprintf(expected, sizeof(expected), "cannot open %s/proc/nothing: %s", fixture("v1"),
	         strerror(ENOENT));
	assert_string_equal(err.msg, expected);
}

/* ---- cgroup layouts ---- */

static void test_layout_v1(void **state)
{
	(void)state;
	struct cvb_cgroup_layout l;
	struct cvb_error err = {0};

	assert_int_equal(cvb_cgroup_layout_detect(fixture("v1"), &l, &err), 0);
	assert_int_equal(l.mode, CVB_CGROUP_MODE_V1);
	assert_string_equal(cvb_cgroup_mode_name(l.mode), "v1");
	assert_null(l.v2_mount);
	assert_null(l.v2_controllers);
	/* The bind mount of memory and its over-mount are the same hierarchy. */
	assert_int_equal(l.n_v1, 11);
	assert_v1(&l.v1[0], "/sys/fs/cgroup/systemd", "systemd", NO_STRS);
	assert_v1(&l.v1[1], "/sys/fs/cgroup/cpuset", NULL, STRS("cpuset"));
	assert_v1(&l.v1[2], "/sys/fs/cgroup/cpu,cpuacct", NULL, STRS("cpuacct", "cpu"));
	/* First seen as a bind of /cvb; the mount of the hierarchy's root wins. */
	assert_v1(&l.v1[3], "/sys/fs/cgroup/memory", NULL, STRS("memory"));
	assert_string_equal(l.v1[3].mount_root, "/");
	assert_v1(&l.v1[6], "/sys/fs/cgroup/net_cls,net_prio", NULL, STRS("net_prio", "net_cls"));
	assert_v1(&l.v1[10], "/sys/fs/cgroup/pids", NULL, STRS("pids"));

	assert_find(&l, "memory", 1, "/sys/fs/cgroup/memory");
	assert_find(&l, "cpu", 1, "/sys/fs/cgroup/cpu,cpuacct");
	assert_find(&l, "cpuacct", 1, "/sys/fs/cgroup/cpu,cpuacct");
	assert_find(&l, "net_cls", 1, "/sys/fs/cgroup/net_cls,net_prio");
	assert_find(&l, "hugetlb", 1, "/sys/fs/cgroup/hugetlb");
	/* Named hierarchies and mount options are not controllers. */
	assert_find(&l, "systemd", 0, NULL);
	assert_find(&l, "name=systemd", 0, NULL);
	assert_find(&l, "xattr", 0, NULL);
	assert_find(&l, "rw", 0, NULL);
	assert_find(&l, "io", 0, NULL);
	cvb_cgroup_layout_clear(&l);
	assert_int_equal(l.n_v1, 0);
	assert_null(l.v1);
}

static void test_layout_v2(void **state)
{
	(void)state;
	struct cvb_cgroup_layout l;
	struct cvb_error err = {0};

	assert_int_equal(cvb_cgroup_layout_detect(fixture("v2"), &l, &err), 0);
	assert_int_equal(l.mode, CVB_CGROUP_MODE_V2);
	assert_string_equal(cvb_cgroup_mode_name(l.mode), "v2");
	assert_string_equal(l.v2_mount, "/sys/fs/cgroup");
	assert_strv(l.v2_controllers,
	            STRS("cpuset", "cpu", "io", "memory", "hugetlb", "pids", "rdma", "misc"));
	assert_int_equal(l.n_v1, 0);
	assert_find(&l, "memory", 2, "/sys/fs/cgroup");
	assert_find(&l, "io", 2, "/sys/fs/cgroup");
	/* v2 has no cpuacct (cpu.stat is always there) and no blkio. */
	assert_find(&l, "cpuacct", 0, NULL);
	assert_find(&l, "blkio", 0, NULL);
	cvb_cgroup_layout_clear(&l);
}

static void test_layout_hybrid(void **state)
{
	(void)state;
	struct cvb_cgroup_layout l;
	struct cvb_error err = {0};
	static const char *const v1[][2] = {
	    {"/sys/fs/cgroup/cpu", "cpu"},         {"/sys/fs/cgroup/cpuacct", "cpuacct"},
	    {"/sys/fs/cgroup/cpuset", "cpuset"},   {"/sys/fs/cgroup/memory", "memory"},
	    {"/sys/fs/cgroup/devices", "devices"}, {"/sys/fs/cgroup/freezer", "freezer"},
	    {"/sys/fs/cgroup/blkio", "blkio"},     {"/sys/fs/cgroup/pids", "pids"},
	};

	assert_int_equal(cvb_cgroup_layout_detect(fixture("hybrid"), &l, &err), 0);
	assert_int_equal(l.mode, CVB_CGROUP_MODE_HYBRID);
	assert_string_equal(cvb_cgroup_mode_name(l.mode), "hybrid");
	assert_string_equal(l.v2_mount, "/sys/fs/cgroup/unified");
	assert_strv(l.v2_controllers, STRS("hugetlb"));
	assert_int_equal(l.n_v1, 9);
	for (size_t i = 0; i < 8; i++) {
		assert_v1(&l.v1[i], v1[i][0], NULL, (const char *const[]){v1[i][1], NULL});
		assert_find(&l, v1[i][1], 1, v1[i][0]);
	}
	assert_v1(&l.v1[8], "/sys/fs/cgroup/systemd", "systemd", NO_STRS);
	assert_find(&l, "hugetlb", 2, "/sys/fs/cgroup/unified");
	assert_find(&l, "net_cls", 0, NULL);
	assert_find(&l, "systemd", 0, NULL);
	cvb_cgroup_layout_clear(&l);
}

static void test_layout_hybrid_empty_v2(void **state)
{
	(void)state;
	struct cvb_cgroup_layout l;
	struct cvb_error err = {0};

	assert_int_equal(cvb_cgroup_layout_detect(fixture("hybrid-systemd"), &l, &err), 0);
	assert_int_equal(l.mode, CVB_CGROUP_MODE_HYBRID);
	assert_string_equal(l.v2_mount, "/sys/fs/cgroup/unified");
	/* Empty, not unknown: the file is there and every controller is on v1. */
	assert_strv(l.v2_controllers, NO_STRS);
	assert_int_equal(l.n_v1, 8);
	assert_v1(&l.v1[1], "/sys/fs/cgroup/cpu,cpuacct", NULL, STRS("cpu", "cpuacct"));
	assert_find(&l, "cpu", 1, "/sys/fs/cgroup/cpu,cpuacct");
	assert_find(&l, "rdma", 1, "/sys/fs/cgroup/rdma");
	assert_find(&l, "hugetlb", 1, "/sys/fs/cgroup/hugetlb");
	assert_find(&l, "io", 0, NULL);
	cvb_cgroup_layout_clear(&l);
}

/* Escaped mount points, a cgroup2 mount of a sub-cgroup seen first, a
 * named-only v1 hierarchy (still "v2"), and no cgroup.controllers file. */
static void test_layout_v2_bare(void **state)
{
	(void)state;
	struct cvb_cgroup_layout l;
	struct cvb_error err = {0};

	assert_int_equal(cvb_cgroup_layout_detect(fixture("v2-bare"), &l, &err), 0);
	assert_int_equal(l.mode, CVB_CGROUP_MODE_V2);
	assert_string_equal(l.v2_mount, "/run/cvb\tall");
	assert_null(l.v2_controllers);
	assert_int_equal(l.n_v1, 1);
	assert_v1(&l.v1[0], "/sys/fs/cgroup/systemd", "systemd", NO_STRS);
	assert_find(&l, "memory", 0, NULL);
	cvb_cgroup_layout_clear(&l);
}

static void test_layout_none(void **state)
{
	(void)state;
	struct cvb_cgroup_layout l;
	struct cvb_error err = {0};

	assert_int_equal(cvb_cgroup_layout_detect(fixture("sparse"), &l, &err), 0);
	assert_int_equal(l.mode, CVB_CGROUP_MODE_NONE);
	assert_string_equal(cvb_cgroup_mode_name(l.mode), "none");
	assert_null(l.v2_mount);
	assert_int_equal(l.n_v1, 0);
	assert_find(&l, "memory", 0, NULL);
	cvb_cgroup_layout_clear(&l);
}

static void test_layout_truncated_mountinfo(void **state)
{
	(void)state;
	struct cvb_cgroup_layout l;
	struct cvb_error err = {0};
	char expected[PATH_MAX + 256];

	assert_int_equal(cvb_cgroup_layout_detect(fixture("malformed"), &l, &err), -1);
	assert_int_equal(err.code, EINVAL);
	snprintf(expected, sizeof(expected),
	         "%s/proc/self/mountinfo line 3: truncated or malformed (expected 'ID PARENT "
	         "MAJ:MIN ROOT MOUNT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS')",
	         fixture("malformed"));
	assert_string_equal(err.msg, expected);
	/* Left empty: clearing it again is harmless. */
	assert_int_equal(l.n_v1, 0);
	assert_null(l.v2_mount);
	cvb_cgroup_layout_clear(&l);
}

static void test_layout_missing_mountinfo(void **state)
{
	(void)state;
	struct cvb_cgroup_layout l;
	struct cvb_error err = {0};

	assert_int_equal(cvb_cgroup_layout_detect(fixture("no-such-host"), &l, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_non_null(strstr(err.msg, "no-such-host/proc/self/mountinfo"));
	cvb_cgroup_layout_clear(&l);
}

static void test_layout_to_json(void **state)
{
	(void)state;
	struct cvb_cgroup_layout l;
	struct cvb_error err = {0};
	cJSON *j;

	assert_int_equal(cvb_cgroup_layout_detect(fixture("v1"), &l, &err), 0);
	j = cvb_cgroup_layout_to_json(&l);
	cvb_cgroup_layout_clear(&l);
	assert_non_null(j);
	assert_string_equal(str(j, "mode"), "v1");
	assert_json_null(j, "v2_mount");
	assert_json_null(j, "v2_controllers");
	assert_int_equal(cJSON_GetArraySize(get(j, "v1")), 11);
	const cJSON *first = cJSON_GetArrayItem(get(j, "v1"), 0);
	const cJSON *third = cJSON_GetArrayItem(get(j, "v1"), 2);

	assert_string_equal(str(first, "mount"), "/sys/fs/cgroup/systemd");
	assert_string_equal(str(first, "name"), "systemd");
	assert_strings(get(first, "controllers"), NO_STRS);
	assert_string_equal(str(third, "mount"), "/sys/fs/cgroup/cpu,cpuacct");
	assert_json_null(third, "name");
	assert_strings(get(third, "controllers"), STRS("cpuacct", "cpu"));
	cJSON_Delete(j);
}

/* ---- collect() ---- */

static const char *const host_keys[] = {
    "hostname", "kernel", "cpu", "memory_total_bytes", "topology",
    "cgroup",   "root",   "kvm", "mitigations",        "cmdline",
};

static cJSON *collect_ok(const char *name)
{
	struct cvb_error err = {0};
	cJSON *facts = cvb_host_facts_collect(fixture(name), &err);

	if (!facts)
		fail_msg("collect(%s): %s", name, err.msg);
	/* Exactly the documented keys, in order. */
	assert_int_equal(cJSON_GetArraySize(facts), sizeof(host_keys) / sizeof(host_keys[0]));
	for (size_t i = 0; i < sizeof(host_keys) / sizeof(host_keys[0]); i++)
		assert_string_equal(cJSON_GetArrayItem(facts, (int)i)->string, host_keys[i]);
	assert_int_equal(boolean(facts, "root"), geteuid() == 0);
	/* Probes of the real /dev/kvm and hwloc are never made for a fixture. */
	assert_json_null(facts, "topology");
	assert_json_null(facts, "kvm.accessible");
	assert_json_null(facts, "kvm.api_version");
	return facts;
}

static void test_collect_hybrid(void **state)
{
	(void)state;
	cJSON *f = collect_ok("hybrid");

	assert_string_equal(str(f, "hostname"), "vm");
	assert_string_equal(str(f, "kernel.release"), "6.18.44-fc-v782");
	assert_string_equal(str(f, "kernel.version"), "#1 SMP PREEMPT_DYNAMIC @0");
	assert_string_equal(str(f, "kernel.machine"), "x86_64");
	assert_string_equal(str(f, "cpu.model"), "AMD EPYC");
	assert_string_equal(str(f, "cpu.vendor"), "AuthenticAMD");
	assert_true(boolean(f, "cpu.hypervisor"));
	assert_json_null(f, "cpu.governor");
	assert_true(num(f, "memory_total_bytes") == 24683656.0 * 1024);

	assert_string_equal(str(f, "cgroup.mode"), "hybrid");
	assert_string_equal(str(f, "cgroup.v2_mount"), "/sys/fs/cgroup/unified");
	assert_strings(get(f, "cgroup.v2_controllers"), STRS("hugetlb"));
	assert_int_equal(cJSON_GetArraySize(get(f, "cgroup.v1")), 9);
	assert_string_equal(str(cJSON_GetArrayItem(get(f, "cgroup.v1"), 3), "mount"),
	                    "/sys/fs/cgroup/memory");

	assert_true(boolean(f, "kvm.device"));
	assert_strings(get(f, "kvm.modules"), STRS("kvm", "kvm_pvm"));
	assert_true(boolean(f, "kvm.paravirtual"));
	assert_string_equal(str(f, "kvm.note"), "kvm_pvm is a paravirtual KVM: stock Linux guests "
	                                        "hang on it; VMs will run under TCG");

	assert_int_equal(cJSON_GetArraySize(get(f, "mitigations")), 5);
	assert_string_equal(str(f, "mitigations.spec_rstack_overflow"), "Mitigation: Safe RET");
	assert_string_equal(str(f, "mitigations.meltdown"), "Not affected");
	assert_non_null(strstr(str(f, "cmdline"), "nested_pvm=1"));
	assert_null(strchr(str(f, "cmdline"), '\n'));
	cJSON_Delete(f);
}

static void test_collect_v1(void **state)
{
	(void)state;
	cJSON *f = collect_ok("v1");

	assert_string_equal(str(f, "hostname"), "centos7");
	assert_string_equal(str(f, "kernel.release"), "3.10.0-1160.el7.x86_64");
	/* No kernel.arch before Linux 6.1, and a fixture never borrows uname(). */
	assert_json_null(f, "kernel.machine");
	assert_string_equal(str(f, "cpu.model"), "Intel(R) Xeon(R) CPU E5-2680 v4 @ 2.40GHz");
	assert_string_equal(str(f, "cpu.vendor"), "GenuineIntel");
	assert_true(boolean(f, "cpu.hypervisor"));
	assert_true(num(f, "memory_total_bytes") == 3861080.0 * 1024);
	assert_string_equal(str(f, "cgroup.mode"), "v1");
	assert_json_null(f, "cgroup.v2_mount");

	assert_false(boolean(f, "kvm.device"));
	assert_strings(get(f, "kvm.modules"), NO_STRS);
	assert_false(boolean(f, "kvm.paravirtual"));
	assert_string_equal(str(f, "kvm.note"), "no /dev/kvm: VMs will run under TCG");

	assert_int_equal(cJSON_GetArraySize(get(f, "mitigations")), 5);
	assert_string_equal(str(f, "mitigations.l1tf"), "Mitigation: PTE Inversion");
	/* Sorted by name whatever readdir() returns. */
	assert_string_equal(cJSON_GetArrayItem(get(f, "mitigations"), 0)->string, "l1tf");
	assert_string_equal(cJSON_GetArrayItem(get(f, "mitigations"), 4)->string, "spectre_v2");
	assert_string_equal(
	    str(f, "cmdline"),
	    "BOOT_IMAGE=/vmlinuz-3.10.0-1160.el7.x86_64 root=/dev/mapper/centos-root "
	    "ro crashkernel=auto rhgb quiet LANG=en_US.UTF-8");
	cJSON_Delete(f);
}

static void test_collect_v2(void **state)
{
	(void)state;
	cJSON *f = collect_ok("v2");

	assert_string_equal(str(f, "hostname"), "xeon-bm");
	assert_string_equal(str(f, "kernel.release"), "5.15.0-91-generic");
	assert_string_equal(str(f, "kernel.machine"), "x86_64");
	assert_string_equal(str(f, "cpu.model"), "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz");
	/* "vmx flags" must not be taken for "flags": bare metal, no hypervisor. */
	assert_false(boolean(f, "cpu.hypervisor"));
	assert_string_equal(str(f, "cpu.governor"), "performance");
	assert_true(num(f, "memory_total_bytes") == 65590840.0 * 1024);
	assert_string_equal(str(f, "cgroup.mode"), "v2");
	assert_string_equal(str(f, "cgroup.v2_mount"), "/sys/fs/cgroup");
	assert_int_equal(cJSON_GetArraySize(get(f, "cgroup.v2_controllers")), 8);
	assert_int_equal(cJSON_GetArraySize(get(f, "cgroup.v1")), 0);

	assert_true(boolean(f, "kvm.device"));
	/* proc/modules and sys/module merged, deduplicated, sorted. */
	assert_strings(get(f, "kvm.modules"), STRS("kvm", "kvm_intel"));
	assert_false(boolean(f, "kvm.paravirtual"));
	assert_json_null(f, "kvm.note");
	assert_int_equal(cJSON_GetArraySize(get(f, "mitigations")), 8);
	assert_string_equal(str(f, "mitigations.spectre_v2"),
	                    "Mitigation: Enhanced IBRS, IBPB: conditional, RSB filling, "
	                    "PBRSB-eIBRS: SW sequence");
	cJSON_Delete(f);
}

/* Nothing but a mountinfo: every other fact is null, not an error. */
static void test_collect_nearly_empty_root(void **state)
{
	(void)state;
	cJSON *f = collect_ok("v2-bare");

	assert_json_null(f, "hostname");
	assert_json_null(f, "kernel.release");
	assert_json_null(f, "kernel.version");
	assert_json_null(f, "kernel.machine");
	assert_json_null(f, "cpu.model");
	assert_json_null(f, "cpu.vendor");
	assert_json_null(f, "cpu.hypervisor");
	assert_json_null(f, "cpu.governor");
	assert_json_null(f, "memory_total_bytes");
	assert_string_equal(str(f, "cgroup.mode"), "v2");
	assert_json_null(f, "cgroup.v2_controllers");
	assert_false(boolean(f, "kvm.device"));
	assert_json_null(f, "kvm.modules");
	assert_json_null(f, "kvm.paravirtual");
	assert_json_null(f, "mitigations");
	assert_json_null(f, "cmdline");
	cJSON_Delete(f);
}

/* Empty cpuinfo and an unparsable MemTotal give nulls. */
static void test_collect_sparse(void **state)
{
	(void)state;
	cJSON *f = collect_ok("sparse");

	assert_json_null(f, "cpu.model");
	assert_json_null(f, "cpu.vendor");
	assert_json_null(f, "cpu.hypervisor");
	assert_json_null(f, "memory_total_bytes");
	assert_string_equal(str(f, "cgroup.mode"), "none");
	assert_json_null(f, "cgroup.v2_mount");
	assert_int_equal(cJSON_GetArraySize(get(f, "cgroup.v1")), 0);
	cJSON_Delete(f);
}

static void test_collect_no_mountinfo(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	char root[PATH_MAX + 16];
	cJSON *f;

	/* A directory without proc/ at all, such as the v1 tree's sys. */
	snprintf(root, sizeof(root), "%s/sys", fixture("v1"));
	f = cvb_host_facts_collect(root, &err);
	assert_non_null(f);
	assert_json_null(f, "cgroup");
	cJSON_Delete(f);
}

static void test_collect_malformed(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	char expected[PATH_MAX + 64];

	assert_null(cvb_host_facts_collect(fixture("malformed"), &err));
	assert_int_equal(err.code, EINVAL);
	snprintf(expected, sizeof(expected), "%s/proc/self/mountinfo line 3: truncated",
	         fixture("malformed"));
	assert_memory_equal(err.msg, expected, strlen(expected));
}

static void test_collect_bad_root(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	char expected[PATH_MAX + 128], file[PATH_MAX + 16];

	assert_null(cvb_host_facts_collect(fixture("no-such-host"), &err));
	assert_int_equal(err.code, ENOENT);
	snprintf(expected, sizeof(expected), "cannot use host root %s: %s", fixture("no-such-host"),
	         strerror(ENOENT));
	assert_string_equal(err.msg, expected);

	snprintf(file, sizeof(file), "%s/proc/cpuinfo", fixture("v1"));
	assert_null(cvb_host_facts_collect(file, &err));
	assert_int_equal(err.code, ENOTDIR);
	snprintf(expected, sizeof(expected), "cannot use host root %s: not a directory", file);
	assert_string_equal(err.msg, expected);
}

static void test_collect_real_host(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	cJSON *f = cvb_host_facts_collect("/", &err);

	if (!f)
		fail_msg("collect(/): %s", err.msg);
	assert_true(strlen(str(f, "kernel.release")) > 0);
	assert_true(strlen(str(f, "kernel.machine")) > 0);
	assert_true(strlen(str(f, "hostname")) > 0);
	assert_true(num(f, "topology.pus") >= 1);
	assert_true(num(f, "topology.pus") >= num(f, "topology.cores"));
	assert_true(num(f, "memory_total_bytes") > 0);
	assert_true(cJSON_IsObject(get(f, "cgroup")));
	assert_true(cJSON_IsBool(get(f, "kvm.device")));
	if (boolean(f, "kvm.device"))
		assert_true(cJSON_IsBool(get(f, "kvm.accessible")));
	else
		assert_false(boolean(f, "kvm.accessible"));
	cJSON_Delete(f);
}

/* ---- print() ---- */

static char *print_to_string(const cJSON *facts)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	cvb_host_facts_print(out, facts);
	assert_int_equal(fclose(out), 0);
	return buf;
}

static void test_print_hybrid(void **state)
{
	(void)state;
	cJSON *f = collect_ok("hybrid");
	char *text;
	char cmdline[1024];
	char expected[4096];

	snprintf(cmdline, sizeof(cmdline), "%s", str(f, "cmdline"));
	/* Pin "root" so the text does not depend on who runs the test. */
	cJSON_ReplaceItemInObjectCaseSensitive(f, "root", cJSON_CreateTrue());
	text = print_to_string(f);
	snprintf(
	    expected, sizeof(expected),
	    "hostname:         vm\n"
	    "kernel:           6.18.44-fc-v782 #1 SMP PREEMPT_DYNAMIC @0 (x86_64)\n"
	    "cpu model:        AMD EPYC (AuthenticAMD)\n"
	    "hypervisor:       yes (this host is a guest: VMs here are nested)\n"
	    "memory:           23.5 GiB\n"
	    "cgroup mode:      hybrid (v2 at /sys/fs/cgroup/unified: hugetlb; v1: cpu, "
	    "cpuacct, cpuset, memory, devices, freezer, blkio, pids, name=systemd)\n"
	    "running as root:  yes\n"
	    "kvm:              /dev/kvm present, paravirtual (kvm_pvm)\n"
	    "kvm modules:      kvm, kvm_pvm\n"
	    "kvm note:         kvm_pvm is a paravirtual KVM: stock Linux guests hang on it; "
	    "VMs will run under TCG\n"
	    "mitigations:\n"
	    "  meltdown:             Not affected\n"
	    "  spec_rstack_overflow: Mitigation: Safe RET\n"
	    "  spec_store_bypass:    Mitigation: Speculative Store Bypass disabled via prctl\n"
	    "  spectre_v1:           Mitigation: usercopy/swapgs barriers and __user pointer "
	    "sanitization\n"
	    "  spectre_v2:           Mitigation: Retpolines; IBPB: conditional; IBRS_FW; STIBP: "
	    "disabled; RSB filling; PBRSB-eIBRS: Not affected; BHI: Not affected\n"
	    "cmdline:          %s\n",
	    cmdline);
	assert_string_equal(text, expected);
	free(text);
	cJSON_Delete(f);
}

static void test_print_v1_and_v2(void **state)
{
	(void)state;
	cJSON *f = collect_ok("v1");
	char *text = print_to_string(f);

	assert_non_null(strstr(text,
	                       "\ncgroup mode:      v1 (v1: name=systemd, cpuset, cpuacct+cpu, "
	                       "memory, devices, freezer, net_prio+net_cls, blkio, perf_event, "
	                       "hugetlb, pids)\n"));
	assert_non_null(strstr(text, "\nkvm:              no /dev/kvm\n"
	                             "kvm modules:      none\n"
	                             "kvm note:         no /dev/kvm: VMs will run under TCG\n"));
	assert_non_null(strstr(text, "\nmemory:           3.7 GiB\n"));
	assert_null(strstr(text, "governor"));
	free(text);
	cJSON_Delete(f);

	f = collect_ok("v2");
	text = print_to_string(f);
	assert_non_null(strstr(text,
	                       "\ncgroup mode:      v2 (v2 at /sys/fs/cgroup: cpuset, cpu, io, "
	                       "memory, hugetlb, pids, rdma, misc)\n"));
	assert_non_null(strstr(text, "\nhypervisor:       no\ncpu governor:     performance\n"));
	assert_non_null(strstr(text, "\nkvm:              /dev/kvm present\n"
	                             "kvm modules:      kvm, kvm_intel\n"
	                             "mitigations:\n"));
	free(text);
	cJSON_Delete(f);

	f = collect_ok("hybrid-systemd");
	text = print_to_string(f);
	assert_non_null(strstr(text, "cgroup mode:      hybrid (v2 at /sys/fs/cgroup/unified: no "
	                             "controllers; v1: name=systemd, cpu+cpuacct, memory, pids, "
	                             "blkio, rdma, cpuset, hugetlb)\n"));
	free(text);
	cJSON_Delete(f);
}

static void test_print_topology(void **state)
{
	(void)state;
	cJSON *f = cJSON_Parse(
	    "{\"topology\": {\"packages\": 1, \"cores\": 2, \"pus\": 4, \"numa_nodes\": 1,"
	    " \"caches\": [{\"level\": 1, \"type\": \"data\", \"size_bytes\": 49152, \"count\": 2},"
	    " {\"level\": 1, \"type\": \"instruction\", \"size_bytes\": 32768, \"count\": 2},"
	    " {\"level\": 2, \"type\": \"unified\", \"size_bytes\": 1310720, \"count\": 2},"
	    " {\"level\": 3, \"type\": \"unified\", \"size_bytes\": 33554432, \"count\": 1}],"
	    " \"allowed_cpus\": \"0-3\"}}");
	char *text;

	assert_non_null(f);
	text = print_to_string(f);
	assert_string_equal(text,
	                    "topology:         1 package, 2 cores, 4 PUs, 1 NUMA node; L1d 48 "
	                    "KiB x2, L1i 32 KiB x2, L2 1.2 MiB x2, L3 32 MiB x1\n"
	                    "allowed cpus:     0-3\n");
	free(text);
	cJSON_Delete(f);
}

/* Keys added later (libvirt, qemu) still show; nulls and odd types do not crash. */
static void test_print_unknown_and_odd(void **state)
{
	(void)state;
	cJSON *f = cJSON_Parse("{\"hostname\": null, \"kernel\": 3, \"cpu\": {\"model\": 7},"
	                       " \"cgroup\": {\"mode\": null, \"v1\": \"x\"}, \"kvm\": {},"
	                       " \"mitigations\": {\"x\": null}, \"libvirt\": \"9.0.0\","
	                       " \"qemu\": {\"version\": \"7.2.0\"}, \"nested\": true,"
	                       " \"gone\": null}");
	char *text;

	assert_non_null(f);
	text = print_to_string(f);
	assert_string_equal(text, "cgroup mode:      unknown\n"
	                          "kvm:              no /dev/kvm\n"
	                          "mitigations:\n"
	                          "  x: unknown\n"
	                          "libvirt:          9.0.0\n"
	                          "qemu:             version 7.2.0\n"
	                          "nested:           yes\n");
	free(text);
	cJSON_Delete(f);

	f = cJSON_CreateObject();
	text = print_to_string(f);
	assert_string_equal(text, "");
	free(text);
	cJSON_Delete(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_host_path),
	    cmocka_unit_test(test_file_read),
	    cmocka_unit_test(test_layout_v1),
	    cmocka_unit_test(test_layout_v2),
	    cmocka_unit_test(test_layout_hybrid),
	    cmocka_unit_test(test_layout_hybrid_empty_v2),
	    cmocka_unit_test(test_layout_v2_bare),
	    cmocka_unit_test(test_layout_none),
	    cmocka_unit_test(test_layout_truncated_mountinfo),
	    cmocka_unit_test(test_layout_missing_mountinfo),
	    cmocka_unit_test(test_layout_to_json),
	    cmocka_unit_test(test_collect_hybrid),
	    cmocka_unit_test(test_collect_v1),
	    cmocka_unit_test(test_collect_v2),
	    cmocka_unit_test(test_collect_nearly_empty_root),
	    cmocka_unit_test(test_collect_sparse),
	    cmocka_unit_test(test_collect_no_mountinfo),
	    cmocka_unit_test(test_collect_malformed),
	    cmocka_unit_test(test_collect_bad_root),
	    cmocka_unit_test(test_collect_real_host),
	    cmocka_unit_test(test_print_hybrid),
	    cmocka_unit_test(test_print_v1_and_v2),
	    cmocka_unit_test(test_print_topology),
	    cmocka_unit_test(test_print_unknown_and_odd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* The VM backend's doctor verdicts (backends/vm_doctor.c) and the host
 * helpers behind them (backends/vm_host.c), fed made-up facts: who may open
 * a device node by its mode bits, QEMU's user from qemu.conf, the /dev/kvm,
 * KVM-boots and capability-cache findings with their evidence and fixes,
 * and the guest kernel's default path. Nothing here touches libvirt. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vm_doctor.h"
#include "vm_host.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define assert_has(text, needle)                                                                   \
	do {                                                                                       \
		if (strstr((text), (needle)) == NULL)                                              \
			fail_msg("\"%s\" lacks \"%s\"", (text), (needle));                         \
	} while (0)

static struct stat node(uid_t uid, gid_t gid, mode_t mode)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_uid = uid;
	st.st_gid = gid;
	st.st_mode = S_IFCHR | mode;
	return st;
}

/* The kernel's order: owner bits for the owner, else group bits for a
 * member, else others' bits; never a mix. */
static void test_node_grants_rw(void **state)
{
	(void)state;
	const gid_t kvm[] = {64055, 107};
	struct stat st = node(0, 0, 0600); /* a fresh boot without udev */
	assert_false(cvb_vm_node_grants_rw(&st, 64055, kvm, 2));
	assert_true(cvb_vm_node_grants_rw(&st, 0, NULL, 0)); /* root: DAC override */
	st = node(0, 107, 0660);                             /* Debian's udev rule */
	assert_true(cvb_vm_node_grants_rw(&st, 64055, kvm, 2));
	assert_false(cvb_vm_node_grants_rw(&st, 1000, (gid_t[]){1000}, 1));
	st = node(0, 107, 0640); /* read is not enough */
	assert_false(cvb_vm_node_grants_rw(&st, 64055, kvm, 2));
	st = node(0, 107, 0606); /* a member gets the group's bits, not others' */
	assert_false(cvb_vm_node_grants_rw(&st, 64055, kvm, 2));
	assert_true(cvb_vm_node_grants_rw(&st, 1000, (gid_t[]){1000}, 1));
	st = node(64055, 0, 0600); /* owned by the user */
	assert_true(cvb_vm_node_grants_rw(&st, 64055, kvm, 2));
	st = node(64055, 107, 0060); /* the owner gets the owner's bits only */
	assert_false(cvb_vm_node_grants_rw(&st, 64055, kvm, 2));
	st = node(0, 0, 0666);
	assert_true(cvb_vm_node_grants_rw(&st, 1000, NULL, 0));
}

static void test_qemu_user_parse(void **state)
{
	(void)state;
	char u[64];
	cvb_vm_qemu_user_parse(NULL, u, sizeof(u));
	assert_string_equal(u, "libvirt-qemu");
	cvb_vm_qemu_user_parse("# user = \"root\"\n#group = \"root\"\n", u, sizeof(u));
	assert_string_equal(u, "libvirt-qemu");
	cvb_vm_qemu_user_parse("user = \"qemu\"\n", u, sizeof(u));
	assert_string_equal(u, "qemu");
	cvb_vm_qemu_user_parse("  user=\"a\"\nuser   =   \"b\"  # last wins\ngroup = \"kvm\"\n", u,
	                       sizeof(u));
	assert_string_equal(u, "b");
	cvb_vm_qemu_user_parse("username = \"x\"\nuser = \"broken\n\"\n", u, sizeof(u));
	assert_string_equal(u, "libvirt-qemu");
	cvb_vm_qemu_user_parse("user = \"+0\"\n", u, sizeof(u)); /* a uid */
	assert_string_equal(u, "root");
}

static const struct cvb_finding *only(const struct cvb_findings *f, const char *check)
{
	assert_int_equal(f->n, 1);
	assert_string_equal(f->v[0].check, check);
	assert_string_equal(f->v[0].subject, "vm");
	return &f->v[0];
}

/* This machine on a fresh boot: root:root 0600, no udev -> fail, fixed by
 * scripts/services.sh or Debian's chgrp/chmod. */
static void test_kvm_node_finding(void **state)
{
	(void)state;
	struct cvb_findings f = {0};
	struct cvb_vm_kvm_node_facts k = {.present = true,
	                                  .user_known = true,
	                                  .accessible = false,
	                                  .user_in_kvm_group = true,
	                                  .node = "root:root 0600",
	                                  .user = "libvirt-qemu"};
	cvb_vm_kvm_node_finding(&k, &f);
	const struct cvb_finding *x = only(&f, "vm.kvm_device");
	assert_int_equal(x->verdict, CVB_LEVEL_FAIL);
	assert_has(x->evidence, "/dev/kvm root:root 0600 is closed to QEMU's user libvirt-qemu");
	assert_has(x->evidence, "no udev runs here");
	assert_has(x->fix, "scripts/services.sh");
	assert_has(x->fix, "chgrp kvm /dev/kvm && chmod 0660 /dev/kvm");
	assert_null(strstr(x->fix, "usermod"));
	cvb_findings_free(&f);

	k.user_in_kvm_group = false; /* packaging did not add it */
	cvb_vm_kvm_node_finding(&k, &f);
	assert_has(only(&f, "vm.kvm_device")->fix, "usermod -a -G kvm libvirt-qemu");
	cvb_findings_free(&f);

	k.user_in_kvm_group = true;
	k.udev = true; /* then it is udev's rule that is wrong */
	cvb_vm_kvm_node_finding(&k, &f);
	x = only(&f, "vm.kvm_device");
	assert_int_equal(x->verdict, CVB_LEVEL_FAIL);
	assert_has(x->fix, "udevadm trigger");
	cvb_findings_free(&f);

	k = (struct cvb_vm_kvm_node_facts){.present = true,
	                                   .user_known = true,
	                                   .accessible = true,
	                                   .node = "root:kvm 0660",
	                                   .user = "libvirt-qemu"};
	cvb_vm_kvm_node_finding(&k, &f);
	x = only(&f, "vm.kvm_device");
	assert_int_equal(x->verdict, CVB_LEVEL_OK);
	assert_has(x->evidence, "root:kvm 0660: QEMU's user libvirt-qemu can open it");
	cvb_findings_free(&f);

	k.present = false;
	cvb_vm_kvm_node_finding(&k, &f);
	x = only(&f, "vm.kvm_device");
	assert_int_equal(x->verdict, CVB_LEVEL_WARN);
	assert_has(x->evidence, "no /dev/kvm: VMs run under TCG");
	cvb_findings_free(&f);

	k = (struct cvb_vm_kvm_node_facts){
	    .present = true, .node = "root:kvm 0660", .user = "qemu"};
	cvb_vm_kvm_node_finding(&k, &f);
	x = only(&f, "vm.kvm_device");
	assert_int_equal(x->verdict, CVB_LEVEL_FAIL);
	assert_has(x->evidence, "QEMU's user 'qemu'");
	cvb_findings_free(&f);
}

/* KVM that does not boot a guest is ok (nothing to fix; figures say tcg). */
static void test_kvm_boots_finding(void **state)
{
	(void)state;
	struct cvb_findings f = {0};
	struct cvb_vm_probe_verdict v = {
	    .probe = CVB_PROBE_TIMEOUT, .probe_ms = 4003, .probed_at = 1796191546};
	cvb_vm_kvm_boots_finding(1, &v, "", true, &f);
	const struct cvb_finding *x = only(&f, "vm.kvm_boots");
	assert_int_equal(x->verdict, CVB_LEVEL_OK);
	assert_has(x->evidence, "KVM does not boot a guest here: a probe guest did not reach READY "
	                        "under KVM within 4003 ms (this host's KVM is paravirtual");
	assert_has(x->evidence, "probed 2026-12-02T06:05:46Z");
	assert_has(x->evidence, "VMs run under TCG: figures are emulation, and labelled tcg");
	assert_string_equal(x->fix, "");
	cvb_findings_free(&f);

	v = (struct cvb_vm_probe_verdict){.probe = CVB_PROBE_FAILED,
	                                  .probe_ms = 700,
	                                  .detail = "libvirt could not start the domain: failed "
	                                            "to set MSR 0x10a"};
	cvb_vm_kvm_boots_finding(1, &v, "", true, &f);
	assert_has(only(&f, "vm.kvm_boots")->evidence, "could not start under KVM: libvirt could "
	                                               "not start the domain: failed to set MSR");
	cvb_findings_free(&f);

	v = (struct cvb_vm_probe_verdict){.probe = CVB_PROBE_READY, .probe_ms = 900};
	cvb_vm_kvm_boots_finding(1, &v, "", false, &f);
	x = only(&f, "vm.kvm_boots");
	assert_int_equal(x->verdict, CVB_LEVEL_OK);
	assert_has(x->evidence,
	           "KVM boots a guest: a probe guest reached READY under KVM in 900 ms");
	cvb_findings_free(&f);

	cvb_vm_kvm_boots_finding(0, &v, "not probed yet", false, &f);
	x = only(&f, "vm.kvm_boots");
	assert_int_equal(x->verdict, CVB_LEVEL_OK);
	assert_string_equal(x->evidence,
	                    "not probed yet: the first VM run probes (~5 s) and caches it");
	cvb_findings_free(&f);

	cvb_vm_kvm_boots_finding(-1, &v, "/run/cvbench/kvm-probe.json is not a private file", false,
	                         &f);
	x = only(&f, "vm.kvm_boots");
	assert_int_equal(x->verdict, CVB_LEVEL_WARN);
	assert_has(x->fix, "rm -f /run/cvbench/kvm-probe.json");
	cvb_findings_free(&f);
}

static void test_caps_query_decisions(void **state)
{
	(void)state;
	struct cvb_vm_caps_obs o = {.n = 1, .ms = {1, -2}};
	assert_false(cvb_vm_caps_query_bad(&o, 0));
	o.ms[0] = CVB_VM_CAPS_QUERY_SLOW_MS;
	assert_true(cvb_vm_caps_query_bad(&o, 0));
	o.ms[0] = 5;
	o.rewritten[0] = true; /* fast but re-probed: still a probe */
	assert_true(cvb_vm_caps_query_bad(&o, 0));
	o.rewritten[0] = false;
	o.ms[0] = -1; /* failed */
	assert_true(cvb_vm_caps_query_bad(&o, 0));
	/* Thorough and good: confirm. Cheap and good: done. Bad with a known
	 * cause: no second wait. Bad without one: tell once from always. */
	assert_true(cvb_vm_caps_want_second(true, false, false));
	assert_false(cvb_vm_caps_want_second(false, false, true));
	assert_false(cvb_vm_caps_want_second(true, true, true));
	assert_false(cvb_vm_caps_want_second(false, true, true));
	assert_true(cvb_vm_caps_want_second(false, true, false));
	assert_true(cvb_vm_caps_want_second(true, true, false));
}

static void test_caps_finding(void **state)
{
	(void)state;
	struct cvb_findings f = {0};
	struct cvb_vm_caps_obs o = {.n = 2, .ms = {1, 0}, .n_files = 2};
	cvb_vm_caps_finding(&o, false, "libvirt-qemu", &f);
	const struct cvb_finding *x = only(&f, "libvirt.caps_cache");
	assert_int_equal(x->verdict, CVB_LEVEL_OK);
	assert_has(x->evidence, "1 ms, then 0 ms, nothing rewritten; 2 cache file(s)");
	cvb_findings_free(&f);

	/* This machine with /dev/kvm 0600: ~4 s and the cache rewritten. */
	o = (struct cvb_vm_caps_obs){.n = 1, .ms = {3918}, .rewritten = {true}, .n_files = 2};
	snprintf(o.changed[0], sizeof(o.changed[0]), "rewrote 926803a9278e445ec919c2b6...");
	cvb_vm_caps_finding(&o, true, "libvirt-qemu", &f);
	x = only(&f, "libvirt.caps_cache");
	assert_int_equal(x->verdict, CVB_LEVEL_FAIL);
	assert_has(x->evidence, "3918 ms, and rewrote 926803a9278e445ec919c2b6...");
	assert_has(x->evidence, "re-probed QEMU");
	assert_has(x->evidence, "no second query: /dev/kvm is closed to libvirt-qemu");
	assert_has(x->fix, "scripts/services.sh");
	cvb_findings_free(&f);

	/* Still waiting at the deadline: what the cache did meanwhile. */
	o = (struct cvb_vm_caps_obs){.n = 1, .ms = {CVB_VM_CAPS_PENDING}, .rewritten = {true}};
	snprintf(o.changed[0], sizeof(o.changed[0]), "removed 926803a9278e445ec919c2b6...");
	cvb_vm_caps_finding(&o, true, "libvirt-qemu", &f);
	x = only(&f, "libvirt.caps_cache");
	assert_int_equal(x->verdict, CVB_LEVEL_FAIL);
	assert_has(x->evidence, "no answer within 2500 ms, meanwhile libvirt removed 926803a9");
	assert_has(x->evidence, "no cache file in /var/cache/libvirt/qemu/capabilities before");
	cvb_findings_free(&f);

	/* Slow without a known cause, twice: restart libvirtd. */
	o = (struct cvb_vm_caps_obs){.n = 2, .ms = {2100, 2050}, .cache_unreadable = true};
	cvb_vm_caps_finding(&o, false, "libvirt-qemu", &f);
	x = only(&f, "libvirt.caps_cache");
	assert_int_equal(x->verdict, CVB_LEVEL_FAIL);
	assert_has(x->evidence, "2100 ms (slow), then 2050 ms (slow)");
	assert_has(x->evidence, "judged by time alone");
	assert_has(x->fix, "run it again");
	assert_has(x->fix, "restart libvirtd");
	cvb_findings_free(&f);

	/* A one-time re-probe (QEMU upgraded, libvirtd just started) settles. */
	o = (struct cvb_vm_caps_obs){.n = 2, .ms = {3900, 1}, .rewritten = {true, false}};
	cvb_vm_caps_finding(&o, false, "libvirt-qemu", &f);
	x = only(&f, "libvirt.caps_cache");
	assert_int_equal(x->verdict, CVB_LEVEL_OK);
	assert_has(x->evidence, "the first query re-probed QEMU once; the cache holds now");
	cvb_findings_free(&f);

	o = (struct cvb_vm_caps_obs){.n = 2, .ms = {-1, -1}, .error = "no emulator"};
	cvb_vm_caps_finding(&o, false, "libvirt-qemu", &f);
	x = only(&f, "libvirt.caps_cache");
	assert_int_equal(x->verdict, CVB_LEVEL_FAIL);
	assert_has(x->evidence, "failed (no emulator)");
	assert_has(x->fix, "virsh domcapabilities");
	cvb_findings_free(&f);
}

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* The kernel is looked for next to the agent, then in the installed
 * layout; a missing one names the path and `make guest`. */
static void test_kernel_path(void **state)
{
	(void)state;
	char dir[] = "/tmp/cvb-test-vmhost-XXXXXX", path[512], agent[512], got[512];
	struct cvb_error err = {0};
	assert_non_null(mkdtemp(dir));
	snprintf(agent, sizeof(agent), "%s/cvb-agent", dir);
	assert_int_equal(cvb_vm_kernel_path(agent, NULL, got, sizeof(got), &err), -1);
	snprintf(path, sizeof(path), "no guest kernel at %s/guest/vmlinuz (run make guest", dir);
	assert_has(err.msg, path);
	assert_int_equal(cvb_vm_kernel_path(NULL, NULL, got, sizeof(got), &err), -1);
	assert_has(err.msg, "cvb-agent, which was not found");
	assert_int_equal(cvb_vm_kernel_path(agent, "/nonexistent", got, sizeof(got), &err), -1);
	assert_has(err.msg, "no guest kernel at /nonexistent (--kernel)");

	snprintf(path, sizeof(path), "%s/guest", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/guest/vmlinuz", dir);
	write_file(path, "kernel");
	assert_int_equal(cvb_vm_kernel_path(agent, NULL, got, sizeof(got), &err), 0);
	assert_string_equal(got, path);
	unlink(path);
	snprintf(path, sizeof(path), "%s/guest", dir);
	rmdir(path);
	rmdir(dir);
}

/* A pgrep of our own: comm must match exactly. */
static void test_process_find(void **state)
{
	(void)state;
	char dir[] = "/tmp/cvb-test-proc-XXXXXX", path[512];
	assert_non_null(mkdtemp(dir));
	const char *const procs[][2] = {
	    {"1", "init\n"}, {"42", "virtlogd\n"}, {"77", "libvirtd\n"}};
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, procs[i][0]);
		assert_int_equal(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/%s/comm", dir, procs[i][0]);
		write_file(path, procs[i][1]);
	}
	snprintf(path, sizeof(path), "%s/self", dir); /* not a pid */
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(cvb_vm_process_find(dir, "virtlogd"), 42);
	assert_int_equal(cvb_vm_process_find(dir, "libvirtd"), 77);
	assert_int_equal(cvb_vm_process_find(dir, "libvirt"), 0);
	assert_int_equal(cvb_vm_process_find("/nonexistent", "init"), 0);
	rmdir(path);
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s/comm", dir, procs[i][0]);
		unlink(path);
		snprintf(path, sizeof(path), "%s/%s", dir, procs[i][0]);
		rmdir(path);
	}
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_node_grants_rw),       cmocka_unit_test(test_qemu_user_parse),
	    cmocka_unit_test(test_kvm_node_finding),     cmocka_unit_test(test_kvm_boots_finding),
	    cmocka_unit_test(test_caps_query_decisions), cmocka_unit_test(test_caps_finding),
	    cmocka_unit_test(test_kernel_path),          cmocka_unit_test(test_process_find),
	};
	return cmocka_run_group_tests_name("vm_doctor", tests, NULL, NULL);
}

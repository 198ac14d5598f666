/* The per-boot KVM probe verdict cache (backends/vm_probe_cache.c): its
 * file round-trips, a key that differs in anything means "not probed", the
 * file and its directory are private and written whole, one verdict per
 * guest kernel is kept, and a file anyone else could have written is not
 * trusted. Each test works in its own mkdtemp directory, never in /run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vm_host.h"
#include "vm_probe_cache.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define assert_has(text, needle)                                                                   \
	do {                                                                                       \
		if (strstr((text), (needle)) == NULL)                                              \
			fail_msg("\"%s\" lacks \"%s\"", (text), (needle));                         \
	} while (0)

struct fixture {
	char dir[64];        /* mkdtemp */
	char cache[128];     /* <dir>/run/kvm-probe.json: its directory made by store */
	char kernel[2][128]; /* two fake guest kernels */
};

static void write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cvb-test-probecache-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	snprintf(f->cache, sizeof(f->cache), "%s/run/kvm-probe.json", f->dir);
	for (int i = 0; i < 2; i++) {
		snprintf(f->kernel[i], sizeof(f->kernel[i]), "%s/vmlinuz-%d", f->dir, i);
		write_file(f->kernel[i], i ? "another kernel" : "a kernel");
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char path[256];
	DIR *d;
	struct dirent *e;
	snprintf(path, sizeof(path), "%s/run", f->dir);
	if ((d = opendir(path))) {
		while ((e = readdir(d))) {
			char p[512];
			snprintf(p, sizeof(p), "%s/%s", path, e->d_name);
			if (e->d_name[0] != '.')
				unlink(p);
		}
		closedir(d);
	}
	rmdir(path);
	unlink(f->kernel[0]);
	unlink(f->kernel[1]);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* The key needs this host's boot id and QEMU: without QEMU (a build host)
 * the file tests have nothing to key on. */
static bool have_qemu(void)
{
	if (access(CVB_VM_QEMU_BINARY, F_OK) == 0)
		return true;
	print_message("skipped: no %s here\n", CVB_VM_QEMU_BINARY);
	return false;
}

static const struct cvb_vm_probe_verdict hang = {CVB_PROBE_TIMEOUT, 4003, "", 1796191546};

static void test_format_parse_round_trip(void **state)
{
	(void)state;
	struct cvb_vm_probe_entry in[2] = {0}, out[4];
	size_t n = 99;
	struct cvb_error err = {0};
	snprintf(in[0].key.boot_id, sizeof(in[0].key.boot_id), "c81cc66f-eed7");
	in[0].key.qemu_size = 18397984;
	in[0].key.qemu_mtime_ns = 1779741869123456789; /* beyond a double's 53 bits */
	in[0].key.kvm_rdev = 2792;
	snprintf(in[0].key.modules, sizeof(in[0].key.modules), "kvm_pvm");
	snprintf(in[0].key.kernel, sizeof(in[0].key.kernel), "/k/vmlinuz");
	in[0].key.kernel_size = 14190528;
	in[0].key.kernel_mtime_ns = 1796191258754731945;
	in[0].v = hang;
	in[1] = in[0];
	in[1].v = (struct cvb_vm_probe_verdict){CVB_PROBE_FAILED, 700, "MSR 0x10a", 1796191000};
	char *text = cvb_vm_probe_cache_format(in, 2);
	assert_non_null(text);
	assert_has(text, "\"cvbench_kvm_probe\"");
	assert_has(text, "\"boots_guest\":\tfalse");
	assert_has(text, "\"probed_at\":\t\"2026-12-02T06:05:46Z\"");
	assert_int_equal(cvb_vm_probe_cache_parse(text, out, 4, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_null(cvb_vm_probe_key_diff(&in[0].key, &out[0].key));
	assert_int_equal(out[0].key.qemu_mtime_ns, 1779741869123456789);
	assert_int_equal(out[0].v.probe, CVB_PROBE_TIMEOUT);
	assert_int_equal(out[0].v.probe_ms, 4003);
	assert_int_equal(out[0].v.probed_at, 1796191546);
	assert_int_equal(out[1].v.probe, CVB_PROBE_FAILED);
	assert_string_equal(out[1].v.detail, "MSR 0x10a");
	assert_int_equal(cvb_vm_probe_cache_parse(text, out, 1, &n, &err), 0); /* only what fits */
	assert_int_equal(n, 1);
	free(text);
	assert_int_equal(cvb_vm_probe_cache_parse("{\"verdicts\": []}", out, 4, &n, &err), -1);
	assert_int_equal(cvb_vm_probe_cache_parse("not json", out, 4, &n, &err), -1);
	assert_int_equal(n, 0);
	assert_int_equal(cvb_vm_probe_cache_parse("{\"cvbench_kvm_probe\": 1, \"verdicts\": "
	                                          "[{\"key\": {}, \"verdict\": {}}]}",
	                                          out, 4, &n, &err),
	                 -1);
}

/* Each part of the key is a reason to probe again, said in words. */
static void test_key_diff(void **state)
{
	(void)state;
	struct cvb_vm_probe_key a = {.boot_id = "b1",
	                             .qemu_size = 1,
	                             .kvm_rdev = 2792,
	                             .modules = "kvm_pvm",
	                             .kernel = "/k",
	                             .kernel_size = 5};
	struct cvb_vm_probe_key b = a;
	assert_null(cvb_vm_probe_key_diff(&a, &b));
	snprintf(b.boot_id, sizeof(b.boot_id), "b2");
	assert_has(cvb_vm_probe_key_diff(&a, &b), "another boot");
	b = a;
	b.qemu_mtime_ns = 1;
	assert_has(cvb_vm_probe_key_diff(&a, &b), "QEMU changed");
	b = a;
	b.kvm_rdev = 0;
	assert_has(cvb_vm_probe_key_diff(&a, &b), "/dev/kvm changed");
	b = a;
	snprintf(b.modules, sizeof(b.modules), "kvm_intel");
	assert_has(cvb_vm_probe_key_diff(&a, &b), "KVM modules changed");
	b = a;
	snprintf(b.kernel, sizeof(b.kernel), "/other");
	assert_has(cvb_vm_probe_key_diff(&a, &b), "another guest kernel");
	b = a;
	b.kernel_size = 6;
	assert_has(cvb_vm_probe_key_diff(&a, &b), "guest kernel changed");
}

/* Stored, then found for the same kernel; private; nothing left beside it. */
static void test_store_load(void **state)
{
	struct fixture *f = *state;
	struct cvb_vm_probe_key key;
	struct cvb_vm_probe_verdict v = {0};
	struct cvb_error err = {0};
	char why[512], probed[256], dir[128];
	struct stat st;
	if (!have_qemu())
		return;
	assert_int_equal(
	    cvb_vm_probe_cache_load(f->cache, f->kernel[0], &v, NULL, 0, why, sizeof(why)), 0);
	assert_string_equal(why, "not probed yet");
	assert_int_equal(cvb_vm_probe_key_read(f->kernel[0], &key, &err), 0);
	assert_int_equal(cvb_vm_probe_cache_store(f->cache, &key, &hang, &err), 0);
	snprintf(dir, sizeof(dir), "%s/run", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(stat(f->cache, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(cvb_vm_probe_cache_load(f->cache, f->kernel[0], &v, probed, sizeof(probed),
	                                         why, sizeof(why)),
	                 1);
	assert_int_equal(v.probe, CVB_PROBE_TIMEOUT);
	assert_int_equal(v.probe_ms, 4003);
	assert_string_equal(probed, key.kernel);
	/* NULL: whichever kernel still matches. */
	assert_int_equal(cvb_vm_probe_cache_load(f->cache, NULL, &v, NULL, 0, why, sizeof(why)), 1);
	/* Another kernel has no verdict yet. */
	assert_int_equal(
	    cvb_vm_probe_cache_load(f->cache, f->kernel[1], &v, NULL, 0, why, sizeof(why)), 0);
	assert_string_equal(why, "not probed yet");
	DIR *d = opendir(dir);
	int entries = 0;
	for (struct dirent *e; (e = readdir(d));)
		entries += e->d_name[0] != '.';
	closedir(d);
	assert_int_equal(entries, 1); /* no temporary file left */
}

/* A rebuilt kernel (new mtime) is a new key: not probed. */
static void test_changed_kernel(void **state)
{
	struct fixture *f = *state;
	struct cvb_vm_probe_key key;
	struct cvb_vm_probe_verdict v;
	struct cvb_error err = {0};
	char why[512];
	if (!have_qemu())
		return;
	assert_int_equal(cvb_vm_probe_key_read(f->kernel[0], &key, &err), 0);
	assert_int_equal(cvb_vm_probe_cache_store(f->cache, &key, &hang, &err), 0);
	struct timeval later[2] = {{1800000000, 0}, {1800000000, 0}};
	assert_int_equal(utimes(f->kernel[0], later), 0);
	assert_int_equal(
	    cvb_vm_probe_cache_load(f->cache, f->kernel[0], &v, NULL, 0, why, sizeof(why)), 0);
	assert_has(why, "a verdict is cached, but the guest kernel changed since it was probed");
	unlink(f->kernel[0]);
	assert_int_equal(cvb_vm_probe_cache_load(f->cache, NULL, &v, NULL, 0, why, sizeof(why)), 0);
	assert_has(why, "its guest kernel is gone");
}

/* Two builds' kernels keep a verdict each; a new verdict for one replaces
 * only its own. */
static void test_one_verdict_per_kernel(void **state)
{
	struct fixture *f = *state;
	struct cvb_vm_probe_key k0, k1;
	struct cvb_vm_probe_verdict v, ready = {CVB_PROBE_READY, 900, "", 1796191600};
	struct cvb_error err = {0};
	struct cvb_vm_probe_entry e[CVB_VM_PROBE_CACHE_ENTRIES];
	char why[512], text[65536];
	size_t n;
	if (!have_qemu())
		return;
	assert_int_equal(cvb_vm_probe_key_read(f->kernel[0], &k0, &err), 0);
	assert_int_equal(cvb_vm_probe_key_read(f->kernel[1], &k1, &err), 0);
	assert_int_equal(cvb_vm_probe_cache_store(f->cache, &k0, &hang, &err), 0);
	assert_int_equal(cvb_vm_probe_cache_store(f->cache, &k1, &ready, &err), 0);
	assert_int_equal(cvb_vm_probe_cache_store(f->cache, &k0, &hang, &err), 0);
	int fd = open(f->cache, O_RDONLY);
	ssize_t len = read(fd, text, sizeof(text) - 1);
	close(fd);
	assert_true(len > 0);
	text[len] = '\0';
	assert_int_equal(cvb_vm_probe_cache_parse(text, e, CVB_VM_PROBE_CACHE_ENTRIES, &n, &err),
	                 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].key.kernel, k0.kernel); /* newest first */
	assert_int_equal(
	    cvb_vm_probe_cache_load(f->cache, f->kernel[1], &v, NULL, 0, why, sizeof(why)), 1);
	assert_int_equal(v.probe, CVB_PROBE_READY);
	assert_int_equal(
	    cvb_vm_probe_cache_load(f->cache, f->kernel[0], &v, NULL, 0, why, sizeof(why)), 1);
	assert_int_equal(v.probe, CVB_PROBE_TIMEOUT);
}

/* A verdict file that others could have written is not believed. */
static void test_untrusted_file(void **state)
{
	struct fixture *f = *state;
	struct cvb_vm_probe_key key;
	struct cvb_vm_probe_verdict v;
	struct cvb_error err = {0};
	char why[512];
	if (!have_qemu())
		return;
	assert_int_equal(cvb_vm_probe_key_read(f->kernel[0], &key, &err), 0);
	assert_int_equal(cvb_vm_probe_cache_store(f->cache, &key, &hang, &err), 0);
	assert_int_equal(chmod(f->cache, 0666), 0);
	assert_int_equal(
	    cvb_vm_probe_cache_load(f->cache, f->kernel[0], &v, NULL, 0, why, sizeof(why)), -1);
	assert_has(why, "is not a private file");
	write_file(f->cache, "garbage");
	chmod(f->cache, 0600);
	assert_int_equal(
	    cvb_vm_probe_cache_load(f->cache, f->kernel[0], &v, NULL, 0, why, sizeof(why)), -1);
	assert_has(why, "not a KVM probe verdict file");
	/* Storing replaces a file it cannot read. */
	assert_int_equal(cvb_vm_probe_cache_store(f->cache, &key, &hang, &err), 0);
	assert_int_equal(
	    cvb_vm_probe_cache_load(f->cache, f->kernel[0], &v, NULL, 0, why, sizeof(why)), 1);
}

static void test_describe(void **state)
{
	(void)state;
	char out[512];
	cvb_vm_probe_verdict_describe(&hang, true, out, sizeof(out));
	assert_string_equal(out, "a probe guest did not reach READY under KVM within 4003 ms "
	                         "(this host's KVM is paravirtual, kvm_pvm: stock Linux guests "
	                         "hang on it)");
	cvb_vm_probe_time_format(0, out, sizeof(out));
	assert_string_equal(out, "1970-01-01T00:00:00Z");
	assert_string_equal(cvb_vm_probe_result_name(CVB_PROBE_READY), "ready");
	assert_string_equal(cvb_vm_probe_result_name(CVB_PROBE_NOT_RUN), "not_run");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_parse_round_trip),
	    cmocka_unit_test(test_key_diff),
	    cmocka_unit_test_setup_teardown(test_store_load, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_changed_kernel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_one_verdict_per_kernel, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_untrusted_file, setup, teardown),
	    cmocka_unit_test(test_describe),
	};
	return cmocka_run_group_tests_name("vm_probe_cache", tests, NULL, NULL);
}

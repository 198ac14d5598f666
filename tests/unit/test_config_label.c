/* The backends' words in a cell's label (backends/config_label.h: the
 * bounded append, the container and VM describe_config hooks, native's
 * launcher). Labels identify results: these strings must never change. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config_label.h"
#include "seccomp_profile.h"

#include <string.h>

static void test_append_bounded(void **state)
{
	char buf[8];
	size_t off = 0;
	(void)state;
	cvb_label_append(buf, sizeof(buf), &off, " a=%d", 1);
	assert_string_equal(buf, " a=1");
	assert_int_equal(off, 4);
	/* Cut at the buffer, off past it as snprintf says, then nothing more. */
	cvb_label_append(buf, sizeof(buf), &off, " bb=%d", 22);
	assert_string_equal(buf, " a=1 bb");
	assert_int_equal(off, 10);
	cvb_label_append(buf, sizeof(buf), &off, "zz");
	assert_string_equal(buf, " a=1 bb");
	assert_int_equal(off, 10);
}

static void describe(const struct cvb_backend *be, const struct cvb_config_desc *d, char *buf,
                     size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	assert_non_null(be->describe_config);
	be->describe_config(d, buf, len, &off);
}

static void test_container_words(void **state)
{
	struct cvb_instance_config c;
	struct cvb_config_desc d = {.config = &c, .launcher = NULL, .ksm = 1};
	char buf[256];
	(void)state;
	cvb_instance_config_init(&c);
	describe(cvb_backend_find("container"), &d, buf, sizeof(buf));
	assert_string_equal(buf, ""); /* the defaults say nothing, ksm is not its */

	c.namespaces = CVB_NS_PID | CVB_NS_MNT;
	c.harden = CVB_HARDEN_CAPS | CVB_HARDEN_SECCOMP;
	c.seccomp_profile = CVB_SECCOMP_PROFILE_DENYLIST;
	c.rootfs_writable = true;
	c.limits.cpu_quota_us = 20000;
	c.limits.cpu_period_us = 100000;
	c.limits.memory_max_bytes = (int64_t)64 << 20;
	c.limits.pids_max = 10;
	describe(cvb_backend_find("container"), &d, buf, sizeof(buf));
	assert_string_equal(buf, " ns=pid,mnt harden=caps,seccomp=denylist rootfs-rw"
	                         " cpu-quota=20% memory-max=64M pids-max=10");

	c.namespaces = 0;
	c.harden = 0;
	c.rootfs_writable = false;
	c.no_cgroup = true;
	c.limits = (struct cvb_limits){-1, -1, -1, NULL, NULL, -1, -1, -1, -1};
	describe(cvb_backend_find("container"), &d, buf, sizeof(buf));
	assert_string_equal(buf, " ns=none no-cgroup");
}

static void test_vm_words(void **state)
{
	struct cvb_instance_config c;
	struct cvb_config_desc d = {.config = &c, .launcher = NULL, .ksm = -1};
	char buf[256];
	(void)state;
	cvb_instance_config_init(&c);
	describe(cvb_backend_find("vm"), &d, buf, sizeof(buf));
	assert_string_equal(buf, "");

	c.vm.vcpus = 2;
	c.vm.memory_mib = 512;
	c.vm.pin_vcpus = "1";
	c.vm.pin_emulator = "0";
	d.ksm = 0;
	describe(cvb_backend_find("vm"), &d, buf, sizeof(buf));
	assert_string_equal(buf,
	                    " vcpus=2 vm-memory=512M vm-pin-vcpus=1 vm-pin-emulator=0 ksm=off");
}

static void test_native_launcher(void **state)
{
	struct cvb_instance_config c;
	char w0[] = "unshare", w1[] = "{agent}";
	char *words[] = {w0, w1, NULL}, *none[] = {NULL};
	struct cvb_config_desc d = {.config = &c, .launcher = none, .ksm = -1};
	char buf[64];
	(void)state;
	cvb_instance_config_init(&c);
	describe(cvb_backend_find("native"), &d, buf, sizeof(buf));
	assert_string_equal(buf, "");
	d.launcher = words;
	describe(cvb_backend_find("native"), &d, buf, sizeof(buf));
	assert_string_equal(buf, " launcher=unshare");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_append_bounded),
	    cmocka_unit_test(test_container_words),
	    cmocka_unit_test(test_vm_words),
	    cmocka_unit_test(test_native_launcher),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

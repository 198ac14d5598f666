/* VM domain XML: golden files for the main option combinations (checked
 * once by hand and by libvirt's own schema, virt-xml-validate), escaping,
 * and rejection of bad values before any domain is defined. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cvb_spawn.h"
#include "vm_domain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct cvb_vm_options base(void)
{
	return (struct cvb_vm_options){
	    .name = "cvb-20261127T190000-1a2b-0",
	    .kernel = "/var/lib/cvbench/guest/vmlinuz",
	    .initrd = "/var/lib/cvbench/guest/initramfs.img",
	    .cmdline = "console=ttyS0 quiet panic=-1 CVB_CHANNEL=/dev/ttyS1 -- ready",
	    .vcpus = 1,
	    .memory_mib = 256,
	    .machine = "q35",
	    .accel = CVB_ACCEL_TCG,
	    .console_log = "/var/lib/cvbench/cvb-x/console-0.log",
	    .channel_socket = "/var/lib/cvbench/cvb-x/agent-0.sock",
	};
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "re");
	assert_non_null(f);
	char *s = calloc(1, 1 << 16);
	size_t n = fread(s, 1, (1 << 16) - 1, f);
	s[n] = '\0';
	fclose(f);
	return s;
}

static void assert_golden(const struct cvb_vm_options *o, const char *golden)
{
	char *xml = NULL, path[256];
	struct cvb_error err = {0};
	if (cvb_vm_domain_xml(o, &xml, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	snprintf(path, sizeof(path), "tests/fixtures/vm/%s", golden);
	char *want = slurp(path);
	assert_string_equal(xml, want);
	free(want);
	free(xml);
}

/* TCG, one vCPU, no pinning: the default instance. */
static void test_tcg_default(void **state)
{
	(void)state;
	struct cvb_vm_options o = base();
	assert_golden(&o, "tcg-default.xml");
}

/* KVM with vCPU and emulator pinning; a command line full of XML specials. */
static void test_kvm_pinned_escaped(void **state)
{
	(void)state;
	struct cvb_vm_options o = base();
	o.accel = CVB_ACCEL_KVM;
	o.vcpus = 2;
	o.vcpu_cpus = "1";
	o.emulator_cpus = "0";
	o.memory_mib = 512;
	o.cmdline = "console=ttyS0 a=\"b\" c<d & e>'f' -- idle max_s=5";
	assert_golden(&o, "kvm-pinned-escaped.xml");
}

/* The golden files are what libvirt itself accepts. */
static void test_golden_files_validate(void **state)
{
	(void)state;
	static const char *const files[] = {"tests/fixtures/vm/tcg-default.xml",
	                                    "tests/fixtures/vm/kvm-pinned-escaped.xml"};
	if (access("/usr/bin/virt-xml-validate", X_OK) != 0) {
		fprintf(stderr, "skipping: virt-xml-validate (libvirt-clients) is not installed\n");
		skip();
	}
	for (size_t i = 0; i < 2; i++) {
		char *argv[] = {"virt-xml-validate", (char *)files[i], "domain", NULL};
		char out[1024];
		struct cvb_error err = {0};
		int rc = cvb_spawn_capture(argv, out, sizeof(out), 30000, &err);
		if (rc != 0)
			fail_msg("%s: %s %s", files[i], out, err.msg);
	}
}

static void expect_error(struct cvb_vm_options o, const char *needle)
{
	char *xml = NULL;
	struct cvb_error err = {0};
	assert_int_equal(cvb_vm_domain_xml(&o, &xml, &err), -1);
	assert_null(xml);
	if (!strstr(err.msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
}

/* Bad values are refused with the value and the accepted range. */
static void test_rejects_bad_values(void **state)
{
	(void)state;
	struct cvb_vm_options o = base();
	o.vcpus = 0;
	expect_error(o, "--vcpus: 0 is out of range (1..256)");
	o = base();
	o.vcpus = 1000;
	expect_error(o, "1000");
	o = base();
	o.memory_mib = 8;
	expect_error(o, "8 MiB is out of range");
	o = base();
	o.machine = "q35'><evil/";
	expect_error(o, "--machine");
	o = base();
	o.cpu_model = "max host";
	expect_error(o, "--cpu-model");
	o = base();
	o.name = "cvb x";
	expect_error(o, "VM name");
	o = base();
	o.kernel = "relative/vmlinuz";
	expect_error(o, "kernel path must be absolute");
	o = base();
	o.initrd = NULL;
	expect_error(o, "initramfs path");
	o = base();
	o.vcpu_cpus = "x";
	expect_error(o, "--vm-pin-vcpus");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tcg_default),
	    cmocka_unit_test(test_kvm_pinned_escaped),
	    cmocka_unit_test(test_golden_files_validate),
	    cmocka_unit_test(test_rejects_bad_values),
	};
	return cmocka_run_group_tests_name("vm_domain", tests, NULL, NULL);
}

/* The accelerator decision, fed made-up probe outcomes: KVM only where a
 * probe guest proved it, TCG otherwise, always with the reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "vm_accel.h"

#include <string.h>

static void expect(enum cvb_accel_request req, struct cvb_kvm_facts f, int rc,
                   enum cvb_vm_accel want, const char *needle)
{
	char reason[512] = "";
	enum cvb_vm_accel got = (enum cvb_vm_accel) - 1;
	assert_int_equal(cvb_accel_decide(req, &f, &got, reason, sizeof(reason)), rc);
	if (rc == 0)
		assert_int_equal(got, want);
	if (!strstr(reason, needle))
		fail_msg("reason \"%s\" lacks \"%s\"", reason, needle);
}

static const struct cvb_kvm_facts working = {true, true, false, CVB_PROBE_READY, 900, NULL};

/* auto: KVM only when a probe guest reached READY. */
static void test_auto(void **state)
{
	(void)state;
	struct cvb_kvm_facts f = working;
	expect(CVB_ACCEL_REQ_AUTO, f, 0, CVB_ACCEL_KVM, "reached READY under KVM in 900 ms");
	f.device = false;
	expect(CVB_ACCEL_REQ_AUTO, f, 0, CVB_ACCEL_TCG, "tcg: there is no /dev/kvm");
	f = working;
	f.accessible = false;
	expect(CVB_ACCEL_REQ_AUTO, f, 0, CVB_ACCEL_TCG, "cannot be opened");
	f = working;
	f.probe = CVB_PROBE_NOT_RUN;
	expect(CVB_ACCEL_REQ_AUTO, f, 0, CVB_ACCEL_TCG, "no probe guest confirmed it");
	f = working;
	f.probe = CVB_PROBE_FAILED;
	f.probe_detail = "MSR 0x10a";
	expect(CVB_ACCEL_REQ_AUTO, f, 0, CVB_ACCEL_TCG, "could not start under KVM: MSR 0x10a");
}

/* This machine: paravirtual KVM on which the probe hangs -> TCG, saying why. */
static void test_auto_paravirtual_hang(void **state)
{
	(void)state;
	struct cvb_kvm_facts f = {true, true, true, CVB_PROBE_TIMEOUT, 5000, NULL};
	expect(CVB_ACCEL_REQ_AUTO, f, 0, CVB_ACCEL_TCG,
	       "did not reach READY under KVM within 5000 ms (this host's KVM is paravirtual");
}

/* --accel kvm where KVM cannot work is an error naming the fix. */
static void test_forced(void **state)
{
	(void)state;
	struct cvb_kvm_facts f = {true, true, true, CVB_PROBE_TIMEOUT, 5000, NULL};
	expect(CVB_ACCEL_REQ_KVM, f, -1, CVB_ACCEL_TCG, "use --accel tcg or auto");
	expect(CVB_ACCEL_REQ_KVM, working, 0, CVB_ACCEL_KVM, "requested");
	expect(CVB_ACCEL_REQ_TCG, working, 0, CVB_ACCEL_TCG, "tcg: requested");
}

static void test_parse(void **state)
{
	(void)state;
	enum cvb_accel_request r;
	assert_int_equal(cvb_accel_request_parse("auto", &r), 0);
	assert_int_equal(r, CVB_ACCEL_REQ_AUTO);
	assert_int_equal(cvb_accel_request_parse("tcg", &r), 0);
	assert_int_equal(r, CVB_ACCEL_REQ_TCG);
	assert_int_equal(cvb_accel_request_parse("KVM", &r), -1);
	assert_int_equal(cvb_accel_request_parse(NULL, &r), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_auto),
	    cmocka_unit_test(test_auto_paravirtual_hang),
	    cmocka_unit_test(test_forced),
	    cmocka_unit_test(test_parse),
	};
	return cmocka_run_group_tests_name("vm_accel", tests, NULL, NULL);
}

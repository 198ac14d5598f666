#include "vm_accel.h"

#include <stdio.h>
#include <string.h>

int cvb_accel_request_parse(const char *text, enum cvb_accel_request *out)
{
	static const char *const names[] = {"auto", "kvm", "tcg"};
	for (int i = 0; i < 3; i++)
		if (text && strcmp(text, names[i]) == 0) {
			*out = (enum cvb_accel_request)i;
			return 0;
		}
	return -1;
}

/* Why KVM cannot serve this guest, or NULL if it can. */
static const char *kvm_unusable(const struct cvb_kvm_facts *f, char *buf, size_t len)
{
	if (!f->device)
		return "there is no /dev/kvm (no hardware virtualisation, or the kvm module is not "
		       "loaded)";
	if (!f->accessible)
		return "/dev/kvm cannot be opened read-write by this user";
	switch (f->probe) {
	case CVB_PROBE_READY:
	case CVB_PROBE_NOT_RUN:
		return NULL;
	case CVB_PROBE_TIMEOUT:
		snprintf(buf, len, "a probe guest did not reach READY under KVM within %d ms%s",
		         f->probe_ms,
		         f->paravirtual ? " (this host's KVM is paravirtual, kvm_pvm: stock Linux "
		                          "guests hang on it)"
		                        : "");
		return buf;
	case CVB_PROBE_FAILED:
		snprintf(buf, len, "a probe guest could not start under KVM: %s",
		         f->probe_detail ? f->probe_detail : "unknown error");
		return buf;
	}
	return NULL;
}

int cvb_accel_decide(enum cvb_accel_request req, const struct cvb_kvm_facts *f,
                     enum cvb_vm_accel *accel, char *reason, size_t len)
{
	char why[384];
	const char *no = kvm_unusable(f, why, sizeof(why));
	switch (req) {
	case CVB_ACCEL_REQ_TCG:
		*accel = CVB_ACCEL_TCG;
		snprintf(reason, len, "tcg: requested with --accel tcg");
		return 0;
	case CVB_ACCEL_REQ_KVM:
		if (no) {
			snprintf(reason, len,
			         "--accel kvm cannot work here: %s; use --accel tcg or auto", no);
			return -1;
		}
		*accel = CVB_ACCEL_KVM;
		snprintf(reason, len, "kvm: requested with --accel kvm");
		return 0;
	case CVB_ACCEL_REQ_AUTO:
		break;
	}
	if (no) {
		*accel = CVB_ACCEL_TCG;
		snprintf(reason, len, "tcg: %s", no);
	} else if (f->probe == CVB_PROBE_READY) {
		*accel = CVB_ACCEL_KVM;
		snprintf(reason, len, "kvm: a probe guest reached READY under KVM in %d ms",
		         f->probe_ms);
	} else {
		/* Usable device but no probe: do not trust it blindly. */
		*accel = CVB_ACCEL_TCG;
		snprintf(reason, len, "tcg: /dev/kvm is usable but no probe guest confirmed it");
	}
	return 0;
}

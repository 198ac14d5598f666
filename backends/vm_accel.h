/* Which accelerator a VM gets: KVM only where it works for this guest,
 * otherwise TCG, and always the reason in words (recorded with every VM
 * figure). The decision is a pure function of facts gathered beforehand, so
 * that it is tested on its own with made-up facts. */
#ifndef CVB_VM_ACCEL_H
#define CVB_VM_ACCEL_H

#include "vm_domain.h"

#include <stdbool.h>
#include <stddef.h>

enum cvb_accel_request { CVB_ACCEL_REQ_AUTO, CVB_ACCEL_REQ_KVM, CVB_ACCEL_REQ_TCG };

enum cvb_kvm_probe {
	CVB_PROBE_NOT_RUN, /* no probe guest was booted */
	CVB_PROBE_READY,   /* a probe guest said READY under KVM within the bound */
	CVB_PROBE_TIMEOUT, /* it did not (a stock kernel hangs on kvm_pvm, for one) */
	CVB_PROBE_FAILED,  /* QEMU or libvirt refused to start it */
};

struct cvb_kvm_facts {
	bool device;      /* /dev/kvm exists */
	bool accessible;  /* it opens read-write */
	bool paravirtual; /* kvm_pvm is loaded */
	enum cvb_kvm_probe probe;
	int probe_ms;             /* how long the probe took or waited */
	const char *probe_detail; /* QEMU's or libvirt's words when it failed, or NULL */
};

/* Decides; writes the reason into `reason`. Returns 0 with *accel set, or -1
 * when KVM was demanded (--accel kvm) and cannot work (reason says why). */
int cvb_accel_decide(enum cvb_accel_request req, const struct cvb_kvm_facts *f,
                     enum cvb_vm_accel *accel, char *reason, size_t len);

/* Parses auto|kvm|tcg; -1 if it is none of them. */
int cvb_accel_request_parse(const char *text, enum cvb_accel_request *out);

#endif

/* The VM backend's doctor hook: what would make its cells slow, fail or lie
 * on this host, each finding with its evidence and fix. libvirtd and
 * virtlogd, the guest kernel, /dev/kvm and QEMU's user, whether KVM boots a
 * guest (the cached probe verdict), and whether libvirt's capability cache
 * is stable (libvirt 9.0 re-probes QEMU on every call when /dev/kvm is
 * closed to QEMU's user: each virDomainCreateXML then waits ~52 s).
 *
 * The verdicts are pure functions of observations gathered beforehand, so
 * that tests/unit/test_vm_doctor.c checks them with made-up facts. */
#ifndef CVB_VM_DOCTOR_H
#define CVB_VM_DOCTOR_H

#include "backend.h"
#include "findings.h"
#include "vm_probe_cache.h"

#include <stdbool.h>
#include <stdint.h>

/* A capability query slower than this means libvirt re-probed QEMU
 * (seconds) instead of answering from its cache (a millisecond here). */
#define CVB_VM_CAPS_QUERY_SLOW_MS 1000
/* The doctor waits this long for libvirt at most (connect and queries):
 * a re-probing libvirtd takes ~4 s per query here, a hung one forever. */
#define CVB_VM_LIBVIRT_DEADLINE_MS 2500
/* A cvb_vm_caps_obs.ms[] of a query still unanswered at the deadline. */
#define CVB_VM_CAPS_PENDING (-2)

/* The doctor hook (cvb_backend_vm.doctor). Well under a second when all is
 * well (~10 ms here); never more than CVB_VM_LIBVIRT_DEADLINE_MS and a few
 * ms, whatever state libvirtd is in. */
void cvb_vm_doctor(const struct cvb_probe_ctx *ctx, struct cvb_findings *out);

/* What was seen of /dev/kvm and QEMU's user. */
struct cvb_vm_kvm_node_facts {
	bool present;
	bool user_known;        /* QEMU's user exists */
	bool accessible;        /* the node's mode lets that user open it read-write */
	bool user_in_kvm_group; /* it is a member of group kvm */
	bool udev;              /* a udev daemon runs (device modes are its job) */
	const char *node;       /* "root:root 0600" */
	const char *user;       /* "libvirt-qemu" */
};

/* Adds the vm.kvm_device finding: ok when QEMU's user can open /dev/kvm;
 * fail (fix: scripts/services.sh, or chgrp/chmod) when it cannot; warn when
 * there is no /dev/kvm. */
void cvb_vm_kvm_node_finding(const struct cvb_vm_kvm_node_facts *f, struct cvb_findings *out);

/* Adds the vm.kvm_boots finding for a cache lookup (load_rc and why as
 * cvb_vm_probe_cache_load returned them). Always ok, unless the cache file
 * cannot be trusted (warn): a KVM that does not boot a guest has nothing to
 * fix, and the figures say tcg. */
void cvb_vm_kvm_boots_finding(int load_rc, const struct cvb_vm_probe_verdict *v, const char *why,
                              bool paravirtual, struct cvb_findings *out);

/* One or two capability queries and what they did to the cache files. */
struct cvb_vm_caps_obs {
	int n;                 /* queries made: 1 or 2 */
	int64_t ms[2];         /* each one's duration; -1 failed, CVB_VM_CAPS_PENDING */
	bool rewritten[2];     /* the cache files changed during it */
	char changed[2][96];   /* what changed first: "rewrote X...", "removed X..." */
	bool cache_unreadable; /* the cache directory could not be read (not root) */
	int n_files;           /* cache files seen before the first query */
	char error[256];       /* libvirt's words when a query failed */
};

/* True if query i re-probed QEMU (slow or rewrote the cache) or failed. */
bool cvb_vm_caps_query_bad(const struct cvb_vm_caps_obs *o, int i);

/* Whether a second query is worth its time: always to confirm a good
 * first one in a thorough check; after a bad one only when no known cause
 * explains it (it tells a one-time re-probe from a loop, and a loop with a
 * known cause would cost seconds more for nothing). */
bool cvb_vm_caps_want_second(bool thorough, bool first_bad, bool known_cause);

/* Adds the libvirt.caps_cache finding: fail when the last query re-probed
 * QEMU (the cache is not stable), ok otherwise. known_cause: /dev/kvm is
 * closed to QEMU's user (then the fix is scripts/services.sh). */
void cvb_vm_caps_finding(const struct cvb_vm_caps_obs *o, bool known_cause, const char *user,
                         struct cvb_findings *out);

#endif

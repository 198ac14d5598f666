/* Optional hardening of a container's init child: capability drop, no_new_privs
 * and a seccomp filter (enum cvb_harden in instance_config.h). Each step is off
 * by default and turned on by its own flag so that its cost is measured alone.
 *
 * The *_apply functions run in the init child after clone() and before the
 * agent's execve(), i.e. inside the measured startup window: they only make a
 * fixed, small number of system calls, allocate nothing and use no stdio, so
 * they are safe in a clone() child. Everything that can be prepared is prepared
 * by the parent once per run (cvb_harden_cap_last_cap, cvb_seccomp_build).
 *
 * Order in the child: cvb_harden_caps_apply, cvb_harden_nnp_apply,
 * cvb_seccomp_apply, execve (runc's order when no_new_privs is set: the filter
 * goes last so that it sees only execve). Installing a filter needs
 * no_new_privs or CAP_SYS_ADMIN, and the kept set has no CAP_SYS_ADMIN: with
 * CVB_HARDEN_CAPS and CVB_HARDEN_SECCOMP but without CVB_HARDEN_NNP, that order
 * makes cvb_seccomp_apply return -EACCES (by design: nnp is not set behind the caller's back). A
 * caller that wants that combination installs the filter before dropping capabilities (runc's order
 * without no_new_privs); the profile allows prctl and capset, so the caps step still works after
 * it. Whatever the profile denies (mount, pivot_root, unshare, setns, ...) must be done before the
 * filter. */
#ifndef CVB_HARDEN_H
#define CVB_HARDEN_H

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>

#include "cvb_error.h"
#include "seccomp_profile.h"

/* Capabilities kept by CVB_HARDEN_CAPS: Docker/containerd's default set,
 * CHOWN, DAC_OVERRIDE, FSETID, FOWNER, MKNOD, NET_RAW, SETGID, SETUID, SETFCAP,
 * SETPCAP, NET_BIND_SERVICE, SYS_CHROOT, KILL, AUDIT_WRITE (14 capabilities).
 * They stay in the bounding, effective and permitted sets (if the child holds
 * them at all); the inheritable and ambient sets end empty, as in Docker since
 * CVE-2022-24769. Every other capability up to cap_last_cap leaves the bounding
 * set, so the agent, which runs as uid 0, gets no more back at execve(). */
extern const int cvb_harden_caps_kept[];
extern const size_t cvb_harden_caps_kept_count;

/* The kept set as a bit mask (bit n = capability n), as shown by CapBnd in
 * /proc/PID/status after cvb_harden_caps_apply. */
uint64_t cvb_harden_caps_kept_mask(void);

/* Parent side, once per run: the highest capability number this kernel knows,
 * from /proc/sys/kernel/cap_last_cap. Returns it (0..63) or < 0 with err set. */
int cvb_harden_cap_last_cap(struct cvb_error *err);

/* Child side: drops every capability 0..cap_last_cap that is not kept from the
 * bounding set (PR_CAPBSET_DROP; needs CAP_SETPCAP), clears the ambient set,
 * and sets effective = permitted = kept & currently permitted, inheritable =
 * empty with the raw capset system call (no libcap). In a new user namespace
 * this acts on the child's capabilities in that namespace, as it should.
 * cap_last_cap comes from cvb_harden_cap_last_cap in the parent.
 * Async-signal-safe. Returns 0 or -errno (-EINVAL for a cap_last_cap outside
 * 0..63); on failure the sets may be partly reduced. */
int cvb_harden_caps_apply(int cap_last_cap);

/* Child side: prctl(PR_SET_NO_NEW_PRIVS, 1). Async-signal-safe; 0 or -errno. */
int cvb_harden_nnp_apply(void);

/* A classic BPF program, as handed to the kernel. */
struct cvb_seccomp_prog {
	struct sock_filter *filter; /* malloc'ed, owned; NULL when empty */
	unsigned short len;         /* instructions */
};

/* The seccomp profiles (CVB_HARDEN_SECCOMP) are tables in seccomp_profile.c:
 * "default", a default-deny allowlist in the manner of moby's default
 * profile, and "denylist", the default-allow deny list of earlier versions
 * (seccomp_profile.h says what each lets through and why). Both filter the
 * native ABI only: system calls made through another ABI (i386 int 0x80,
 * x32) fail with ENOSYS, as on a kernel without that ABI.
 *
 * The runtime mounts /proc (and anything else) before installing the filter:
 * with mount denied the agent, as PID 1, cannot mount /proc itself. */

/* Parent side, once per run: builds the profile with libseccomp and exports
 * it as classic BPF (through a memfd: libseccomp 2.5 has no export to
 * memory) into prog, which the caller frees with cvb_seccomp_free. For a
 * profile with enosys_above_known, a short prologue returns ENOSYS for
 * native numbers above the highest libseccomp knows (libseccomp cannot say
 * "any number above N"). Returns 0, or < 0 with err set and prog empty. */
int cvb_seccomp_build(enum cvb_seccomp_profile_id profile, struct cvb_seccomp_prog *prog,
                      struct cvb_error *err);

/* Frees prog's filter and leaves it empty; safe on an empty prog. */
void cvb_seccomp_free(struct cvb_seccomp_prog *prog);

/* Child side: installs prog with seccomp(SECCOMP_SET_MODE_FILTER), or
 * prctl(PR_SET_SECCOMP) on kernels without seccomp(2). The kernel requires
 * no_new_privs or CAP_SYS_ADMIN: without either this returns -EACCES and does
 * not set no_new_privs itself. Async-signal-safe. Returns 0 or -errno
 * (-EINVAL for an empty prog). */
int cvb_seccomp_apply(const struct cvb_seccomp_prog *prog);

#endif

/* Container hardening steps; see harden.h for the order, seccomp_profile.c
 * for the profiles' tables.
 * Parent-side functions may allocate and report through cvb_error; child-side
 * (*_apply) functions only make system calls and return -errno. */
#include "harden.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

const int cvb_harden_caps_kept[] = {
    CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
    CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
    CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
    CAP_KILL,    CAP_AUDIT_WRITE,
};
const size_t cvb_harden_caps_kept_count =
    sizeof(cvb_harden_caps_kept) / sizeof(cvb_harden_caps_kept[0]);

uint64_t cvb_harden_caps_kept_mask(void)
{
	uint64_t mask = 0;
	for (size_t i = 0; i < cvb_harden_caps_kept_count; i++)
		mask |= UINT64_C(1) << cvb_harden_caps_kept[i];
	return mask;
}

int cvb_harden_cap_last_cap(struct cvb_error *err)
{
	static const char path[] = "/proc/sys/kernel/cap_last_cap";
	char buf[32];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cvb_error_errno(err, errno, "cannot open %s", path);
	ssize_t n;
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	int read_errno = errno;
	close(fd);
	if (n < 0)
		return cvb_error_errno(err, read_errno, "cannot read %s", path);
	buf[n] = '\0';
	char *end;
	errno = 0;
	long value = strtol(buf, &end, 10);
	/* Masks are 64 bits wide here and in the kernel's capset ABI v3. */
	if (end == buf || (*end != '\n' && *end != '\0') || errno || value < 0 || value > 63)
		return cvb_error_set(err, EINVAL, "unexpected content in %s: \"%.*s\"", path,
		                     (int)strcspn(buf, "\n"), buf);
	return (int)value;
}

/* Child side. The raw syscall() wrapper leaves its error in errno, which in a
 * CLONE_VM child is the parent's (suspended) thread's errno: harmless, and
 * read at once. */
int cvb_harden_caps_apply(int cap_last_cap)
{
	if (cap_last_cap < 0 || cap_last_cap > 63)
		return -EINVAL;
	uint64_t kept = cvb_harden_caps_kept_mask();

	/* Bounding set first: it needs CAP_SETPCAP in the effective set, which
	 * is kept anyway but must still be there when the loop runs. */
	for (int cap = 0; cap <= cap_last_cap; cap++) {
		if (kept & (UINT64_C(1) << cap))
			continue;
		if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0UL, 0UL, 0UL) < 0)
			return -errno;
	}
	/* EINVAL: a kernel before 4.3 has no ambient set, so nothing to clear. */
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0UL, 0UL, 0UL) < 0 && errno != EINVAL)
		return -errno;

	struct __user_cap_header_struct header = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];
	if (syscall(SYS_capget, &header, data) < 0)
		return -errno;
	/* Keep only what is held: capset cannot add to the permitted set, and
	 * asking for it would fail the whole step with EPERM. */
	uint64_t permitted = (uint64_t)data[0].permitted | (uint64_t)data[1].permitted << 32;
	uint64_t keep = kept & permitted;
	for (int i = 0; i < _LINUX_CAPABILITY_U32S_3; i++) {
		data[i].effective = (uint32_t)(keep >> (32 * i));
		data[i].permitted = data[i].effective;
		/* Empty, as in Docker since CVE-2022-24769: a non-root execve()
		 * of a file with inheritable file caps gains nothing. */
		data[i].inheritable = 0;
	}
	if (syscall(SYS_capset, &header, data) < 0)
		return -errno;
	return 0;
}

int cvb_harden_nnp_apply(void)
{
	if (prctl(PR_SET_NO_NEW_PRIVS, 1UL, 0UL, 0UL, 0UL) < 0)
		return -errno;
	return 0;
}

/* Reads the whole of fd (a memfd) from offset 0 into a new buffer. */
static int read_bpf_back(int fd, struct cvb_seccomp_prog *prog, struct cvb_error *err)
{
	off_t size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return cvb_error_errno(err, errno, "cannot size the exported seccomp filter");
	if (size == 0 || size % (off_t)sizeof(struct sock_filter) != 0 ||
	    size / (off_t)sizeof(struct sock_filter) > BPF_MAXINSNS)
		return cvb_error_set(
		    err, EINVAL,
		    "libseccomp exported a seccomp filter of %lld bytes, not 1..%d "
		    "BPF instructions",
		    (long long)size, BPF_MAXINSNS);
	struct sock_filter *filter = malloc((size_t)size);
	if (!filter)
		return cvb_error_errno(err, ENOMEM, "cannot hold the seccomp filter");
	size_t done = 0;
	while (done < (size_t)size) {
		ssize_t n = pread(fd, (char *)filter + done, (size_t)size - done, (off_t)done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = n < 0 ? errno : EIO;
			free(filter);
			return cvb_error_errno(err, e,
			                       "cannot read back the exported seccomp filter");
		}
		done += (size_t)n;
	}
	prog->filter = filter;
	prog->len = (unsigned short)(size / (off_t)sizeof(struct sock_filter));
	return 0;
}

/* Adds one group's rule for each of its names this architecture has. A
 * group whose action is the profile's default adds nothing: libseccomp
 * refuses such rules (the table lists them for the reason). */
static int add_group(scmp_filter_ctx ctx, const struct cvb_seccomp_profile *p,
                     const struct cvb_seccomp_group *g, struct cvb_error *err)
{
	bool allows = g->rule != CVB_SCMP_ERRNO;
	if (allows ? p->default_allow : !p->default_allow && g->errno_ret == EPERM)
		return 0;
	for (size_t i = 0; g->names[i]; i++) {
		int nr = cvb_seccomp_name_nr(g->names[i]), rc = 0;
		if (nr < 0)
			continue;
		switch (g->rule) {
		case CVB_SCMP_ALLOW:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
			break;
		case CVB_SCMP_ALLOW_ARG_IN:
			for (size_t v = 0; v < g->n_values && rc == 0; v++)
				rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
				                      SCMP_CMP(g->arg, SCMP_CMP_EQ, g->values[v]));
			break;
		case CVB_SCMP_ALLOW_ARG_MASK_0:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1,
			                      SCMP_CMP(g->arg, SCMP_CMP_MASKED_EQ, g->mask, 0));
			break;
		case CVB_SCMP_ERRNO:
			rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint32_t)g->errno_ret), nr, 0);
			break;
		}
		if (rc < 0)
			return cvb_error_errno(err, -rc, "cannot add a seccomp rule for %s (%s)",
			                       g->names[i], g->what);
	}
	return 0;
}

/* Puts "native ABI and a number above `highest`: ENOSYS" in front of prog.
 * The program's jumps are relative, so the rest needs no change; the
 * kernel's per-number cache of always-allowed calls still works, as these
 * instructions only read the architecture and the number. */
static int prepend_enosys_above(struct cvb_seccomp_prog *prog, int highest, struct cvb_error *err)
{
	const struct sock_filter head[] = {
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
	    /* Another ABI: on to libseccomp's own check (ENOSYS). */
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, seccomp_arch_native(), 0, 3),
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
	    BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, (uint32_t)highest, 0, 1),
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
	};
	const size_t nhead = sizeof(head) / sizeof(head[0]);
	if (highest < 0)
		return cvb_error_set(err, EINVAL,
		                     "libseccomp knows no system call of this "
		                     "architecture");
	if (prog->len + nhead > BPF_MAXINSNS)
		return cvb_error_set(err, E2BIG, "the seccomp filter would exceed %d instructions",
		                     BPF_MAXINSNS);
	struct sock_filter *f = malloc((prog->len + nhead) * sizeof(*f));
	if (!f)
		return cvb_error_errno(err, ENOMEM, "cannot hold the seccomp filter");
	memcpy(f, head, sizeof(head));
	memcpy(f + nhead, prog->filter, prog->len * sizeof(*f));
	free(prog->filter);
	prog->filter = f;
	prog->len = (unsigned short)(prog->len + nhead);
	return 0;
}

int cvb_seccomp_build(enum cvb_seccomp_profile_id profile, struct cvb_seccomp_prog *prog,
                      struct cvb_error *err)
{
	int ret = -1, fd = -1, rc;
	*prog = (struct cvb_seccomp_prog){0};
	const struct cvb_seccomp_profile *p = cvb_seccomp_profile_get(profile);
	if (!p)
		return cvb_error_set(err, EINVAL, "no seccomp profile number %d", (int)profile);
	scmp_filter_ctx ctx =
	    seccomp_init(p->default_allow ? SCMP_ACT_ALLOW : SCMP_ACT_ERRNO(EPERM));
	if (!ctx)
		return cvb_error_set(err, ENOMEM, "cannot create a seccomp filter (seccomp_init)");
	/* Other ABIs (i386 int 0x80, x32) would bypass a native-only profile:
	 * they get ENOSYS, as on a kernel built without them. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
	if (rc < 0) {
		cvb_error_errno(err, -rc, "cannot set the seccomp bad-architecture action");
		goto cleanup;
	}
	/* A binary tree of syscall numbers instead of a linear list: installing
	 * a filter makes the kernel (5.11+) run it once per syscall number to
	 * cache the always-allowed ones, inside the measured window, and a
	 * tree halves that (measured: ~160 -> ~70 us); uncached calls also walk
	 * fewer jumps. */
	rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	if (rc < 0) {
		cvb_error_errno(err, -rc, "cannot ask libseccomp for a binary-tree filter");
		goto cleanup;
	}
	for (size_t g = 0; g < p->n_groups; g++)
		if (add_group(ctx, p, &p->groups[g], err) < 0)
			goto cleanup;
	fd = memfd_create("cvb-seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0) {
		cvb_error_errno(err, errno, "cannot create a memfd for the seccomp filter");
		goto cleanup;
	}
	rc = seccomp_export_bpf(ctx, fd);
	if (rc < 0) {
		cvb_error_errno(err, -rc, "cannot export the seccomp filter (seccomp_export_bpf)");
		goto cleanup;
	}
	if (read_bpf_back(fd, prog, err) < 0)
		goto cleanup;
	if (p->enosys_above_known &&
	    prepend_enosys_above(prog, cvb_seccomp_highest_known_nr(), err) < 0) {
		cvb_seccomp_free(prog);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return ret;
}

void cvb_seccomp_free(struct cvb_seccomp_prog *prog)
{
	if (!prog)
		return;
	free(prog->filter);
	*prog = (struct cvb_seccomp_prog){0};
}

int cvb_seccomp_apply(const struct cvb_seccomp_prog *prog)
{
	if (!prog || !prog->filter || prog->len == 0)
		return -EINVAL;
	/* The kernel copies the program; it never writes through the pointer. */
	struct sock_fprog fprog = {.len = prog->len, .filter = prog->filter};
	/* No flags: the child is single-threaded (no TSYNC), and the kernel's
	 * default speculation mitigation for filtered tasks is part of what a
	 * filter costs (no SPEC_ALLOW). */
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0UL, &fprog) == 0)
		return 0;
	if (errno != ENOSYS)
		return -errno;
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0UL, 0UL) < 0)
		return -errno;
	return 0;
}

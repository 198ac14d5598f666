/* The seccomp profiles of CVB_HARDEN_SECCOMP as data: each profile is one
 * table of groups, every group a list of system call names, one rule for all
 * of them and the reason for that rule (seccomp_profile.c). harden.c turns a
 * profile into BPF; the summaries and the unit tests read the same table.
 *
 * - "default" (default-deny), the default of `--harden seccomp`: an
 *   allowlist in the manner of moby's default profile. Anything not listed
 *   fails with EPERM; numbers above the highest one libseccomp knows (calls
 *   newer than the library, e.g. open_tree_attr on a 6.15+ kernel) fail with
 *   ENOSYS instead, as on a kernel without them, so that a program probing a
 *   new call falls back as it would on an older kernel (runc does the same);
 *   an EPERM there would read as "forbidden" and stop it. clone passes only
 *   without namespace flags, clone3 gets ENOSYS (glibc falls back to clone),
 *   socket only for AF_UNIX, AF_INET, AF_INET6, AF_NETLINK, personality only
 *   with moby's personas. Its deny groups only document what the default
 *   action already refuses (and let the tests check that no call is both).
 * - "denylist" (default-allow), `--harden seccomp=denylist`: the profile of
 *   earlier versions, kept to measure what a short deny list costs against
 *   an allowlist; it leaves the gaps named in its groups open.
 *
 * Both filter the native ABI only: other ABIs (i386 int 0x80, x32) get
 * ENOSYS, as on a kernel built without them. Names this architecture does
 * not have (mmap2 on x86_64, arch_prctl on arm64) are skipped. */
#ifndef CVB_SECCOMP_PROFILE_H
#define CVB_SECCOMP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cvb_seccomp_profile_id {
	CVB_SECCOMP_PROFILE_DEFAULT = 0, /* default-deny allowlist */
	CVB_SECCOMP_PROFILE_DENYLIST,    /* default-allow, EPERM for a list */
	CVB_SECCOMP_PROFILE_COUNT,
};

enum cvb_seccomp_rule {
	CVB_SCMP_ALLOW,            /* allowed whatever the arguments */
	CVB_SCMP_ALLOW_ARG_IN,     /* allowed if argument `arg` is one of values[] */
	CVB_SCMP_ALLOW_ARG_MASK_0, /* allowed if (argument `arg` & mask) == 0 */
	CVB_SCMP_ERRNO,            /* fails with errno_ret */
};

#define CVB_SCMP_MAX_VALUES 6

struct cvb_seccomp_group {
	const char *what; /* "file I/O" */
	const char *why;  /* the reason for the rule, one sentence or two */
	enum cvb_seccomp_rule rule;
	unsigned arg;                         /* CVB_SCMP_ALLOW_ARG_*: which argument (0-based) */
	uint64_t mask;                        /* CVB_SCMP_ALLOW_ARG_MASK_0 */
	uint64_t values[CVB_SCMP_MAX_VALUES]; /* CVB_SCMP_ALLOW_ARG_IN */
	size_t n_values;
	int errno_ret;            /* CVB_SCMP_ERRNO */
	const char *const *names; /* NULL-terminated */
};

struct cvb_seccomp_profile {
	const char *name;   /* "default", "denylist": the --harden spelling */
	bool default_allow; /* else ERRNO(EPERM) for anything not listed */
	/* ENOSYS for every native number above the highest libseccomp knows
	 * (only meaningful for a default-deny profile). */
	bool enosys_above_known;
	const struct cvb_seccomp_group *groups;
	size_t n_groups;
};

/* The profile, or NULL for an id out of range. */
const struct cvb_seccomp_profile *cvb_seccomp_profile_get(enum cvb_seccomp_profile_id id);

/* The id of a profile by name ("default", "denylist"), or -1. */
int cvb_seccomp_profile_find(const char *name);

/* The native number of a name, or < 0 when this architecture has no such
 * call or libseccomp does not know it (such names are skipped). */
int cvb_seccomp_name_nr(const char *name);

/* The highest native system call number libseccomp knows (456 with Debian
 * 12's 2.5.4 on x86_64); computed once. */
int cvb_seccomp_highest_known_nr(void);

/* Distinct names of the profile, resolved on this architecture, that some
 * group allows (also conditionally) or, for a default-allow profile, that
 * some group denies. */
size_t cvb_seccomp_profile_count(const struct cvb_seccomp_profile *p);

/* "default-deny (312 allowed)" or "default-allow (52 denied)". Static
 * storage per profile, built on first use; never NULL ("unknown profile"
 * for an id out of range). */
const char *cvb_seccomp_profile_summary(enum cvb_seccomp_profile_id id);

/* The long form for the results: the names per rule, what is skipped on
 * this architecture, the default action and the ABI rule. Same storage
 * rules as the summary. */
const char *cvb_seccomp_profile_detail(enum cvb_seccomp_profile_id id);

#endif

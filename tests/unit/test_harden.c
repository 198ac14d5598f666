/* Container hardening steps (backends/harden.c): each step runs in a fork()ed
 * child, which checks /proc/self/status and system call results and reports
 * the first failed check on a pipe and in its exit status; the parent asserts.
 * Needs root (capabilities to drop, mounts that would otherwise get past the
 * permission check); skipped with a printed reason otherwise. Also prints, not
 * asserts, the cost of each step in a fresh child (median of 50). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "harden.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Valgrind runs the fork()ed children too, and it does not emulate every
 * system call path (int 0x80 on amd64): such checks are skipped under it. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

/* ---- running checks in a child ---- */

static int report_fd = -1;

/* In the child: writes "line N: what" to the parent and exits non-zero. */
__attribute__((format(printf, 2, 3), noreturn)) static void child_fail(int line, const char *fmt,
                                                                       ...)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "line %d: ", line);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	if (write(report_fd, msg, strlen(msg)) < 0)
		_exit(3);
	_exit(2);
}

#define CHILD_CHECK(cond)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			child_fail(__LINE__, "%s (errno %d: %s)", #cond, errno, strerror(errno));  \
	} while (0)

#define CHILD_CHECK_EQ(a, b)                                                                       \
	do {                                                                                       \
		long long a_ = (long long)(a), b_ = (long long)(b);                                \
		if (a_ != b_)                                                                      \
			child_fail(__LINE__, "%s == %s: %lld != %lld (%#llx != %#llx)", #a, #b,    \
			           a_, b_, a_, b_);                                                \
	} while (0)

/* Runs fn(arg) in a fork()ed child and fails the test with the child's
 * message unless it exits 0. Extra data may come back on data_fd, if given. */
static void run_in_child_with_data(void (*fn)(void *), void *arg, void *data, size_t data_len)
{
	int report[2], back[2];
	assert_int_equal(pipe2(report, O_CLOEXEC), 0);
	assert_int_equal(pipe2(back, O_CLOEXEC), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(report[0]);
		close(back[0]);
		report_fd = report[1];
		fn(arg);
		if (data_len && write(back[1], data, data_len) != (ssize_t)data_len)
			child_fail(__LINE__, "cannot send %zu bytes back", data_len);
		_exit(0);
	}
	close(report[1]);
	close(back[1]);
	char msg[512];
	size_t got = 0;
	ssize_t n;
	while ((n = read(report[0], msg + got, sizeof(msg) - 1 - got)) > 0)
		got += (size_t)n;
	msg[got] = '\0';
	close(report[0]);
	size_t data_got = 0;
	while (data_len && (n = read(back[0], (char *)data + data_got, data_len - data_got)) > 0)
		data_got += (size_t)n;
	close(back[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("child failed (%s %d): %s", WIFSIGNALED(status) ? "signal" : "exit",
		         WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
		         got ? msg : "no message (a check after exec: see stderr)");
	assert_int_equal(data_got, data_len);
}

static void run_in_child(void (*fn)(void *), void *arg)
{
	run_in_child_with_data(fn, arg, NULL, 0);
}

/* Field "name:\t<value>" of /proc/self/status, as a number in base. */
static uint64_t status_field(const char *name, int base)
{
	FILE *f = fopen("/proc/self/status", "re");
	CHILD_CHECK(f != NULL);
	char line[256];
	size_t len = strlen(name);
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			fclose(f);
			return strtoull(line + len + 1, NULL, base);
		}
	}
	fclose(f);
	child_fail(__LINE__, "no %s in /proc/self/status", name);
}

static void need_root(void **state)
{
	(void)state;
	if (geteuid() != 0) {
		print_message("skipping: needs root (euid %d) to drop capabilities and to tell "
		              "a seccomp denial from a permission check\n",
		              (int)geteuid());
		skip();
	}
}

static int cap_last_cap(void)
{
	struct cvb_error err = {0};
	int last = cvb_harden_cap_last_cap(&err);
	if (last < 0)
		fail_msg("%s", err.msg);
	return last;
}

/* The profile a test runs with: the default, or the one its _denylist
 * variant (PROFILE_VARIANT) passes in *state. */
static int profile_denylist = CVB_SECCOMP_PROFILE_DENYLIST;

static int profile_of(void **state)
{
	return *state ? *(int *)*state : CVB_SECCOMP_PROFILE_DEFAULT;
}

#define PROFILE_VARIANT(test)                                                                      \
	static void test##_denylist(void **state)                                                  \
	{                                                                                          \
		*state = &profile_denylist;                                                        \
		test(state);                                                                       \
	}

/* ---- parent-side and argument checks ---- */

/* The documented set, spelled out again: a change to the table shows here. */
static void test_caps_kept_set(void **state)
{
	(void)state;
	uint64_t expected = 0;
	const int docker[] = {CAP_CHOWN,   CAP_DAC_OVERRIDE, CAP_FSETID,           CAP_FOWNER,
	                      CAP_MKNOD,   CAP_NET_RAW,      CAP_SETGID,           CAP_SETUID,
	                      CAP_SETFCAP, CAP_SETPCAP,      CAP_NET_BIND_SERVICE, CAP_SYS_CHROOT,
	                      CAP_KILL,    CAP_AUDIT_WRITE};
	for (size_t i = 0; i < sizeof(docker) / sizeof(docker[0]); i++)
		expected |= UINT64_C(1) << docker[i];
	assert_int_equal(cvb_harden_caps_kept_count, 14);
	assert_int_equal(cvb_harden_caps_kept_mask(), expected);
	assert_int_equal(__builtin_popcountll(cvb_harden_caps_kept_mask()), 14);
	assert_int_equal(cvb_harden_caps_kept_mask() & (UINT64_C(1) << CAP_SYS_ADMIN), 0);
}

static void test_cap_last_cap_matches_proc(void **state)
{
	(void)state;
	FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	assert_non_null(f);
	int from_file = -1;
	assert_int_equal(fscanf(f, "%d", &from_file), 1);
	fclose(f);
	assert_int_equal(cap_last_cap(), from_file);
	assert_true(from_file >= CAP_AUDIT_READ); /* 37, Linux 3.16 */
}

/* Validated before any system call, so safe to run in the test process. */
static void test_bad_arguments(void **state)
{
	(void)state;
	assert_int_equal(cvb_harden_caps_apply(-1), -EINVAL);
	assert_int_equal(cvb_harden_caps_apply(64), -EINVAL);
	struct cvb_seccomp_prog empty = {0};
	assert_int_equal(cvb_seccomp_apply(NULL), -EINVAL);
	assert_int_equal(cvb_seccomp_apply(&empty), -EINVAL);
	cvb_seccomp_free(&empty);
	cvb_seccomp_free(NULL);
}

static void test_seccomp_build_deterministic(void **state)
{
	(void)state;
	for (int id = 0; id < CVB_SECCOMP_PROFILE_COUNT; id++) {
		struct cvb_seccomp_prog a, b;
		struct cvb_error err = {0};
		if (cvb_seccomp_build(id, &a, &err) < 0)
			fail_msg("profile %d: %s", id, err.msg);
		if (cvb_seccomp_build(id, &b, &err) < 0)
			fail_msg("profile %d: %s", id, err.msg);
		assert_non_null(a.filter);
		assert_true(a.len > 0);
		assert_int_equal(a.len, b.len);
		assert_memory_equal(a.filter, b.filter, a.len * sizeof(a.filter[0]));
		cvb_seccomp_free(&a);
		assert_null(a.filter);
		assert_int_equal(a.len, 0);
		cvb_seccomp_free(&a);
		cvb_seccomp_free(&b);
	}
	struct cvb_seccomp_prog none;
	struct cvb_error err = {0};
	assert_true(cvb_seccomp_build(CVB_SECCOMP_PROFILE_COUNT, &none, &err) < 0);
	assert_null(none.filter);
}

/* ---- the profile tables (seccomp_profile.c) ---- */

/* Every group says what it is and why, lists names and a well-formed rule. */
static void test_profile_groups_have_reasons(void **state)
{
	(void)state;
	for (int id = 0; id < CVB_SECCOMP_PROFILE_COUNT; id++) {
		const struct cvb_seccomp_profile *p = cvb_seccomp_profile_get(id);
		assert_non_null(p);
		assert_int_equal(cvb_seccomp_profile_find(p->name), id);
		assert_true(p->n_groups > 0);
		for (size_t g = 0; g < p->n_groups; g++) {
			const struct cvb_seccomp_group *grp = &p->groups[g];
			assert_non_null(grp->what);
			assert_non_null(grp->why);
			if (strlen(grp->what) < 3 || strlen(grp->why) < 10)
				fail_msg("%s: group %zu has no real reason: '%s' / '%s'", p->name,
				         g, grp->what, grp->why);
			assert_non_null(grp->names);
			assert_non_null(grp->names[0]);
			if (grp->rule == CVB_SCMP_ALLOW_ARG_IN)
				assert_true(grp->n_values >= 1 &&
				            grp->n_values <= CVB_SCMP_MAX_VALUES);
			if (grp->rule == CVB_SCMP_ALLOW_ARG_MASK_0)
				assert_true(grp->mask != 0);
			if (grp->rule == CVB_SCMP_ERRNO)
				assert_true(grp->errno_ret > 0 && grp->errno_ret < 4096);
			if (grp->rule != CVB_SCMP_ALLOW)
				assert_true(grp->arg < 6);
		}
	}
	assert_null(cvb_seccomp_profile_get(CVB_SECCOMP_PROFILE_COUNT));
	assert_int_equal(cvb_seccomp_profile_find("bogus"), -1);
}

/* True if `name` appears in a group of p whose rule allows (allow=true) or
 * refuses it; the group found is counted in *groups. */
static size_t groups_listing(const struct cvb_seccomp_profile *p, const char *name, bool allow)
{
	size_t n = 0;
	for (size_t g = 0; g < p->n_groups; g++)
		for (size_t i = 0; p->groups[g].names[i]; i++)
			n += strcmp(p->groups[g].names[i], name) == 0 &&
			     (p->groups[g].rule != CVB_SCMP_ERRNO) == allow;
	return n;
}

/* A name is in one group only: never allowed and denied at once, and the
 * table reads as one place per call. */
static void test_profile_names_listed_once(void **state)
{
	(void)state;
	for (int id = 0; id < CVB_SECCOMP_PROFILE_COUNT; id++) {
		const struct cvb_seccomp_profile *p = cvb_seccomp_profile_get(id);
		for (size_t g = 0; g < p->n_groups; g++)
			for (size_t i = 0; p->groups[g].names[i]; i++) {
				const char *name = p->groups[g].names[i];
				size_t n =
				    groups_listing(p, name, true) + groups_listing(p, name, false);
				if (n != 1)
					fail_msg("%s: %s is listed %zu times", p->name, name, n);
			}
	}
}

/* What the gaps of issue 12 need from the default table. */
static void test_default_profile_content(void **state)
{
	(void)state;
	const struct cvb_seccomp_profile *p = cvb_seccomp_profile_get(CVB_SECCOMP_PROFILE_DEFAULT);
	assert_false(p->default_allow);
	assert_true(p->enosys_above_known);
	const char *allowed[] = {"execve",
	                         "exit_group",
	                         "arch_prctl",
	                         "set_tid_address",
	                         "set_robust_list",
	                         "rseq",
	                         "prlimit64",
	                         "brk",
	                         "mmap",
	                         "mprotect",
	                         "getrandom",
	                         "read",
	                         "write",
	                         "getppid",
	                         "wait4",
	                         "clone",
	                         "socket",
	                         "personality",
	                         "fsync",
	                         "pipe2",
	                         "poll"};
	for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]); i++)
		if (groups_listing(p, allowed[i], true) != 1)
			fail_msg("default profile does not allow %s", allowed[i]);
	const char *refused[] = {"clone3",
	                         "ptrace",
	                         "process_vm_readv",
	                         "pidfd_getfd",
	                         "process_madvise",
	                         "kcmp",
	                         "io_uring_setup",
	                         "unshare",
	                         "setns",
	                         "mount",
	                         "fsopen",
	                         "open_tree",
	                         "bpf",
	                         "keyctl",
	                         "settimeofday"};
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (groups_listing(p, refused[i], false) != 1)
			fail_msg("default profile does not list %s as refused", refused[i]);
	for (size_t g = 0; g < p->n_groups; g++) {
		const struct cvb_seccomp_group *grp = &p->groups[g];
		if (strcmp(grp->names[0], "clone") == 0) {
			assert_int_equal(grp->rule, CVB_SCMP_ALLOW_ARG_MASK_0);
			assert_int_equal(grp->mask & CLONE_NEWUSER, CLONE_NEWUSER);
			assert_int_equal(grp->mask & (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET),
			                 CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET);
			assert_int_equal(grp->mask & (CLONE_VM | CLONE_THREAD | CLONE_SETTLS), 0);
		}
		if (strcmp(grp->names[0], "clone3") == 0)
			assert_int_equal(grp->errno_ret, ENOSYS);
	}
}

/* Names this architecture lacks, or libseccomp does not know, are skipped:
 * the filter builds, the counts leave them out, the detail names them. */
static void test_profile_skips_unknown_names(void **state)
{
	(void)state;
	assert_true(cvb_seccomp_name_nr("read") >= 0);
	assert_true(cvb_seccomp_name_nr("no_such_call_cvb") < 0);
	assert_true(cvb_seccomp_name_nr("open_tree_attr") < 0 ||
	            cvb_seccomp_name_nr("open_tree_attr") <= cvb_seccomp_highest_known_nr());
	assert_true(cvb_seccomp_highest_known_nr() >= cvb_seccomp_name_nr("clone3"));
	const char *detail = cvb_seccomp_profile_detail(CVB_SECCOMP_PROFILE_DEFAULT);
	const char *skipped = strstr(detail, "not on this architecture or unknown to libseccomp:");
	assert_non_null(skipped);
#ifdef __x86_64__
	assert_true(cvb_seccomp_name_nr("mmap2") < 0); /* i386's, listed in the table */
	assert_non_null(strstr(skipped, " mmap2 "));
	assert_true(cvb_seccomp_name_nr("arch_prctl") >= 0);
	assert_non_null(strstr(cvb_seccomp_profile_detail(CVB_SECCOMP_PROFILE_DENYLIST),
	                       "unknown to libseccomp: stime umount vm86 vm86old;"));
#endif
	/* The count is of the names that resolve, each once. */
	size_t listed = 0, resolved = 0;
	const struct cvb_seccomp_profile *p = cvb_seccomp_profile_get(CVB_SECCOMP_PROFILE_DEFAULT);
	for (size_t g = 0; g < p->n_groups; g++)
		for (size_t i = 0; p->groups[g].rule != CVB_SCMP_ERRNO && p->groups[g].names[i];
		     i++) {
			listed++;
			resolved += cvb_seccomp_name_nr(p->groups[g].names[i]) >= 0;
		}
	assert_int_equal(cvb_seccomp_profile_count(p), resolved);
	assert_true(resolved < listed);
}

static void test_profile_summaries(void **state)
{
	(void)state;
	const char *s = cvb_seccomp_profile_summary(CVB_SECCOMP_PROFILE_DEFAULT);
	size_t n = 0;
	char tail[16] = "";
	assert_int_equal(sscanf(s, "default-deny (%zu allowed%15s", &n, tail), 2);
	assert_string_equal(tail, ")");
	assert_int_equal(
	    n, cvb_seccomp_profile_count(cvb_seccomp_profile_get(CVB_SECCOMP_PROFILE_DEFAULT)));
	assert_true(n >= 200 && n <= 400);
	assert_ptr_equal(s, cvb_seccomp_profile_summary(CVB_SECCOMP_PROFILE_DEFAULT));
	s = cvb_seccomp_profile_summary(CVB_SECCOMP_PROFILE_DENYLIST);
	assert_int_equal(sscanf(s, "default-allow (%zu denied%15s", &n, tail), 2);
	assert_string_equal(tail, ")");
#ifdef __x86_64__
	assert_int_equal(n, 52); /* the earlier versions' list, as it was */
#endif
	assert_string_equal(cvb_seccomp_profile_summary(CVB_SECCOMP_PROFILE_COUNT),
	                    "unknown profile");
	const char *d = cvb_seccomp_profile_detail(CVB_SECCOMP_PROFILE_DEFAULT);
	const char *must[] = {"default-deny",
	                      "ENOSYS above",
	                      "clone3",
	                      "socket (if arg 0 is one of",
	                      "clone (if arg 0 & 0x7e020000 == 0)",
	                      "native ABI only"};
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!strstr(d, must[i]))
			fail_msg("detail lacks '%s': %s", must[i], d);
	assert_null(strchr(d, '\n'));
	d = cvb_seccomp_profile_detail(CVB_SECCOMP_PROFILE_DENYLIST);
	const char *denied[] = {"kexec_load", "bpf",     "mount", "umount2",
	                        "ptrace",     "unshare", "setns", "fsmount"};
	for (size_t i = 0; i < sizeof(denied) / sizeof(denied[0]); i++)
		if (!strstr(d, denied[i]))
			fail_msg("denylist detail lacks %s: %s", denied[i], d);
	print_message("default: %s\ndenylist: %s\n",
	              cvb_seccomp_profile_summary(CVB_SECCOMP_PROFILE_DEFAULT), s);
}

/* ---- child-side steps ---- */

static void child_nnp(void *arg)
{
	(void)arg;
	CHILD_CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0);
	CHILD_CHECK_EQ(cvb_harden_nnp_apply(), 0);
	CHILD_CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 1);
	CHILD_CHECK_EQ(status_field("NoNewPrivs", 10), 1);
}

static void test_nnp(void **state)
{
	need_root(state);
	run_in_child(child_nnp, NULL);
}

static void child_caps(void *arg)
{
	int last = *(int *)arg;
	uint64_t kept = cvb_harden_caps_kept_mask();
	CHILD_CHECK(status_field("CapEff", 16) != kept); /* else the test proves nothing */
	CHILD_CHECK_EQ(cvb_harden_caps_apply(last), 0);
	CHILD_CHECK_EQ(status_field("CapEff", 16), kept);
	CHILD_CHECK_EQ(status_field("CapPrm", 16), kept);
	CHILD_CHECK_EQ(status_field("CapBnd", 16), kept);
	CHILD_CHECK_EQ(status_field("CapInh", 16), 0);
	CHILD_CHECK_EQ(status_field("CapAmb", 16), 0);
	/* A dropped capability is really gone: sethostname needs CAP_SYS_ADMIN. */
	errno = 0;
	CHILD_CHECK_EQ(sethostname("x", 1), -1);
	CHILD_CHECK_EQ(errno, EPERM);
}

static void test_caps(void **state)
{
	need_root(state);
	int last = cap_last_cap();
	run_in_child(child_caps, &last);
}

struct seccomp_arg {
	const struct cvb_seccomp_prog *prog;
	int last;
	pid_t parent;
	int profile;
};

static void child_seccomp_needs_nnp(void *arg)
{
	struct seccomp_arg *a = arg;
	CHILD_CHECK_EQ(cvb_harden_caps_apply(a->last), 0);
	CHILD_CHECK_EQ(cvb_seccomp_apply(a->prog), -EACCES);
	CHILD_CHECK_EQ(status_field("Seccomp", 10), 0);
	CHILD_CHECK_EQ(prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0), 0); /* not set behind our back */
}

static void test_seccomp_needs_nnp_or_sys_admin(void **state)
{
	int a_profile = profile_of(state);
	need_root(state);
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(a_profile, &prog, &err) < 0)
		fail_msg("%s", err.msg);
	struct seccomp_arg a = {.prog = &prog, .last = cap_last_cap()};
	run_in_child(child_seccomp_needs_nnp, &a);
	cvb_seccomp_free(&prog);
}

/* Calls denied by the profile, with arguments that fail otherwise with an
 * errno other than EPERM (as root): so EPERM can only come from the filter. */
static long try_mount(void)
{
	return mount("none", "/nonexistent-cvb-harden-test", "tmpfs", 0, NULL);
}

static long try_bpf(void)
{
	return syscall(SYS_bpf, 0x7fffffff, NULL, 0); /* no such command: EINVAL */
}

static long try_kexec_load(void)
{
	/* Unknown flags: EINVAL, unless kexec is disabled (then EPERM). */
	return syscall(SYS_kexec_load, 0UL, 0UL, NULL, 0xdead0000UL);
}

static void child_seccomp_denies(void *arg)
{
	struct seccomp_arg *a = arg;
	errno = 0;
	CHILD_CHECK_EQ(try_mount(), -1);
	CHILD_CHECK_EQ(errno, ENOENT);
	errno = 0;
	CHILD_CHECK_EQ(try_bpf(), -1);
	CHILD_CHECK_EQ(errno, EINVAL);
	CHILD_CHECK_EQ(unshare(0), 0);
	errno = 0;
	CHILD_CHECK_EQ(try_kexec_load(), -1);
	int kexec_errno = errno; /* ENOSYS: no kexec here, or valgrind's answer */

	CHILD_CHECK_EQ(cvb_harden_nnp_apply(), 0);
	CHILD_CHECK_EQ(cvb_seccomp_apply(a->prog), 0);
	CHILD_CHECK_EQ(status_field("Seccomp", 10), 2);

	errno = 0;
	CHILD_CHECK_EQ(try_mount(), -1);
	CHILD_CHECK_EQ(errno, EPERM);
	errno = 0;
	CHILD_CHECK_EQ(try_bpf(), -1);
	CHILD_CHECK_EQ(errno, EPERM);
	errno = 0;
	CHILD_CHECK_EQ(try_kexec_load(), -1);
	if (kexec_errno != ENOSYS || errno != ENOSYS)
		CHILD_CHECK_EQ(errno, EPERM);
	errno = 0;
	CHILD_CHECK_EQ(unshare(0), -1);
	CHILD_CHECK_EQ(errno, EPERM);
	errno = 0;
	CHILD_CHECK_EQ(umount2("/nonexistent-cvb-harden-test", 0), -1);
	CHILD_CHECK_EQ(errno, EPERM);

	/* What the agent needs still works. */
	CHILD_CHECK_EQ(getppid(), a->parent);
	int p[2];
	CHILD_CHECK_EQ(pipe2(p, O_CLOEXEC), 0);
	CHILD_CHECK_EQ(write(p[1], "ok", 2), 2);
	char buf[2];
	CHILD_CHECK_EQ(read(p[0], buf, 2), 2);
	CHILD_CHECK(memcmp(buf, "ok", 2) == 0);
	struct timespec ts;
	CHILD_CHECK_EQ(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts), 0);
	pid_t pid = fork();
	CHILD_CHECK(pid >= 0);
	if (pid == 0)
		_exit(7);
	int status;
	CHILD_CHECK_EQ(waitpid(pid, &status, 0), pid);
	CHILD_CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
}

static void test_seccomp_denies(void **state)
{
	int a_profile = profile_of(state);
	need_root(state);
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(a_profile, &prog, &err) < 0)
		fail_msg("%s", err.msg);
	struct seccomp_arg a = {.prog = &prog, .parent = getpid()};
	run_in_child(child_seccomp_denies, &a);
	cvb_seccomp_free(&prog);
}

#ifdef __x86_64__
/* getpid through the i386 ABI, which a native-only filter must not let pass. */
static long i386_getpid(void)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	return ret;
}

static void child_seccomp_other_abi(void *arg)
{
	struct seccomp_arg *a = arg;
	long before = i386_getpid(); /* the pid, or -ENOSYS without IA32 emulation */
	CHILD_CHECK(before == getpid() || before == -ENOSYS);
	CHILD_CHECK_EQ(cvb_harden_nnp_apply(), 0);
	CHILD_CHECK_EQ(cvb_seccomp_apply(a->prog), 0);
	CHILD_CHECK_EQ(i386_getpid(), -ENOSYS);
	/* x32: the same getpid with __X32_SYSCALL_BIT. */
	errno = 0;
	CHILD_CHECK_EQ(syscall(0x40000000L | SYS_getpid), -1);
	CHILD_CHECK_EQ(errno, ENOSYS);
	CHILD_CHECK_EQ(getpid(), syscall(SYS_getpid));
}

static void test_seccomp_other_abi(void **state)
{
	int a_profile = profile_of(state);
	need_root(state);
	if (RUNNING_ON_VALGRIND) {
		print_message("skipping: valgrind does not emulate int 0x80 on amd64\n");
		skip();
	}
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(a_profile, &prog, &err) < 0)
		fail_msg("%s", err.msg);
	struct seccomp_arg a = {.prog = &prog};
	run_in_child(child_seccomp_other_abi, &a);
	cvb_seccomp_free(&prog);
}
#endif

#ifdef __x86_64__
/* The gaps the deny list leaves (issue 12), probed with arguments that
 * change nothing or act on a throwaway child: with "default" each is
 * refused by the filter; with "denylist" each gets past it, to the kernel's
 * own answer (a new process, EFAULT, EBADF, EINVAL, ...). */
static long probe_clone_newuser(void)
{
	long pid =
	    syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0UL, NULL, NULL, 0UL);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}

struct clone3_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
};

static long probe_clone3_newuser(void)
{
	struct clone3_args args = {.flags = CLONE_NEWUSER, .exit_signal = SIGCHLD};
	long pid = syscall(435 /* clone3 */, &args, sizeof(args));
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		waitpid((pid_t)pid, NULL, 0);
	return pid;
}

static long probe_io_uring_setup(void)
{
	return syscall(425 /* io_uring_setup */, 0U, NULL); /* EINVAL or EFAULT */
}

static long probe_pidfd_getfd(void)
{
	return syscall(438 /* pidfd_getfd */, -1, 0, 0U); /* EBADF */
}

static long probe_process_madvise(void)
{
	return syscall(440 /* process_madvise */, -1, NULL, 0UL, 0, 0U); /* EBADF */
}

static long probe_vsock(void)
{
	long fd = socket(40 /* AF_VSOCK */, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0)
		close((int)fd);
	return fd; /* or EAFNOSUPPORT without the vsock module */
}

static long probe_personality(void)
{
	return personality(ADDR_NO_RANDOMIZE); /* this child's next exec only */
}

static long probe_open_tree_attr(void)
{
	return syscall(467 /* open_tree_attr, Linux 6.15 */, -1, NULL, 0U, NULL, 0UL);
}

static const struct gap_probe {
	const char *name;
	long (*call)(void);
	int refused; /* errno with the default profile */
} gap_probes[] = {
    {"clone(CLONE_NEWUSER)", probe_clone_newuser, EPERM},
    {"clone3(CLONE_NEWUSER)", probe_clone3_newuser, ENOSYS},
    {"io_uring_setup", probe_io_uring_setup, EPERM},
    {"pidfd_getfd", probe_pidfd_getfd, EPERM},
    {"process_madvise", probe_process_madvise, EPERM},
    {"socket(AF_VSOCK)", probe_vsock, EPERM},
    {"personality(ADDR_NO_RANDOMIZE)", probe_personality, EPERM},
    {"open_tree_attr (unknown to libseccomp)", probe_open_tree_attr, ENOSYS},
};

static bool io_uring_disabled(void)
{
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
	int v = 0;
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = 0;
		fclose(f);
	}
	return v != 0; /* the kernel's own EPERM: cannot tell the filter's */
}

static void child_seccomp_gaps(void *arg)
{
	struct seccomp_arg *a = arg;
	CHILD_CHECK_EQ(cvb_harden_nnp_apply(), 0);
	CHILD_CHECK_EQ(cvb_seccomp_apply(a->prog), 0);
	for (size_t i = 0; i < sizeof(gap_probes) / sizeof(gap_probes[0]); i++) {
		const struct gap_probe *g = &gap_probes[i];
		if (g->call == probe_io_uring_setup && io_uring_disabled())
			continue;
		errno = 0;
		long rc = g->call();
		int e = errno;
		if (a->profile == CVB_SECCOMP_PROFILE_DEFAULT && (rc != -1 || e != g->refused))
			child_fail(__LINE__, "default profile: %s returned %ld (%s), not errno %d",
			           g->name, rc, strerror(e), g->refused);
		if (a->profile == CVB_SECCOMP_PROFILE_DENYLIST && rc < 0 &&
		    (e == EPERM || e == ENOSYS))
			child_fail(__LINE__, "denylist: %s refused (%s): the gap is expected open",
			           g->name, strerror(e));
	}
	/* What the default profile still allows of the same calls. */
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(fd >= 0);
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	CHILD_CHECK(fd >= 0);
	close(fd);
	CHILD_CHECK(personality(0xffffffff) >= 0);
	pid_t pid = fork(); /* clone without namespace flags */
	CHILD_CHECK(pid >= 0);
	if (pid == 0)
		_exit(0);
	CHILD_CHECK_EQ(waitpid(pid, NULL, 0), pid);
}

static void test_seccomp_gaps(void **state)
{
	int a_profile = profile_of(state);
	need_root(state);
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(a_profile, &prog, &err) < 0)
		fail_msg("%s", err.msg);
	struct seccomp_arg a = {.prog = &prog, .profile = a_profile};
	run_in_child(child_seccomp_gaps, &a);
	cvb_seccomp_free(&prog);
}
#endif

/* The runtime's order, ending in execve() of a dynamic binary: nothing the
 * loader needs is denied, and the caps survive the exec as the kept set. */
static void child_full_sequence(void *arg)
{
	struct seccomp_arg *a = arg;
	CHILD_CHECK_EQ(cvb_harden_caps_apply(a->last), 0);
	CHILD_CHECK_EQ(cvb_harden_nnp_apply(), 0);
	CHILD_CHECK_EQ(cvb_seccomp_apply(a->prog), 0);
	char kept[32];
	snprintf(kept, sizeof(kept), "%016" PRIx64, cvb_harden_caps_kept_mask());
	/* After exec the shell's greps check their own status (inherited as the
	 * agent's would be); on a mismatch they show it on stderr. */
	char script[512];
	snprintf(script, sizeof(script),
	         "f=/proc/self/status; grep -q '^CapEff:[[:space:]]*%s$' $f && "
	         "grep -q '^CapBnd:[[:space:]]*%s$' $f && grep -q '^Seccomp:[[:space:]]*2$' $f && "
	         "grep -q '^NoNewPrivs:[[:space:]]*1$' $f || "
	         "{ grep -E '^(Cap|NoNewPrivs|Seccomp)' $f >&2; exit 1; }",
	         kept, kept);
	char *argv[] = {"/bin/sh", "-c", script, NULL};
	execv(argv[0], argv);
	child_fail(__LINE__, "execv /bin/sh: %s", strerror(errno));
}

static void test_full_sequence_then_exec(void **state)
{
	int a_profile = profile_of(state);
	need_root(state);
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(a_profile, &prog, &err) < 0)
		fail_msg("%s", err.msg);
	struct seccomp_arg a = {.prog = &prog, .last = cap_last_cap()};
	run_in_child(child_full_sequence, &a);
	cvb_seccomp_free(&prog);
}

/* ---- costs (printed, not asserted) ---- */

#define COST_RUNS 50
#define GETPPID_LOOPS 2000

struct costs {
	int64_t caps_ns, nnp_ns, seccomp_ns;
	int64_t getppid_before_ns, getppid_after_ns; /* per call */
};

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t getppid_cost(void)
{
	int64_t t0 = now_ns();
	for (int i = 0; i < GETPPID_LOOPS; i++)
		syscall(SYS_getppid);
	return (now_ns() - t0) / GETPPID_LOOPS;
}

static struct costs one_cost;

static void child_costs(void *arg)
{
	struct seccomp_arg *a = arg;
	one_cost.getppid_before_ns = getppid_cost();
	int64_t t0 = now_ns();
	int caps = cvb_harden_caps_apply(a->last);
	int64_t t1 = now_ns();
	int nnp = cvb_harden_nnp_apply();
	int64_t t2 = now_ns();
	int sec = cvb_seccomp_apply(a->prog);
	int64_t t3 = now_ns();
	CHILD_CHECK_EQ(caps, 0);
	CHILD_CHECK_EQ(nnp, 0);
	CHILD_CHECK_EQ(sec, 0);
	one_cost.caps_ns = t1 - t0;
	one_cost.nnp_ns = t2 - t1;
	one_cost.seccomp_ns = t3 - t2;
	one_cost.getppid_after_ns = getppid_cost();
}

static int cmp_i64(const void *x, const void *y)
{
	int64_t a = *(const int64_t *)x, b = *(const int64_t *)y;
	return (a > b) - (a < b);
}

static int64_t median(int64_t *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), cmp_i64);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void test_print_costs(void **state)
{
	int a_profile = profile_of(state);
	need_root(state);
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	int64_t b0 = now_ns();
	if (cvb_seccomp_build(a_profile, &prog, &err) < 0)
		fail_msg("%s", err.msg);
	int64_t build_ns = now_ns() - b0;
	struct seccomp_arg a = {.prog = &prog, .last = cap_last_cap()};
	int64_t caps[COST_RUNS], nnp[COST_RUNS], sec[COST_RUNS], before[COST_RUNS],
	    after[COST_RUNS];
	for (int i = 0; i < COST_RUNS; i++) {
		struct costs c;
		run_in_child_with_data(child_costs, &a, &one_cost, sizeof(one_cost));
		c = one_cost;
		caps[i] = c.caps_ns;
		nnp[i] = c.nnp_ns;
		sec[i] = c.seccomp_ns;
		before[i] = c.getppid_before_ns;
		after[i] = c.getppid_after_ns;
	}
	print_message("profile %s: costs in a fresh child, median of %d (ns): caps_apply %" PRId64
	              ", nnp_apply %" PRId64 ", seccomp_apply %" PRId64 " (%u BPF insns)\n",
	              cvb_seccomp_profile_get(a_profile)->name, COST_RUNS, median(caps, COST_RUNS),
	              median(nnp, COST_RUNS), median(sec, COST_RUNS), (unsigned)prog.len);
	print_message("getppid per call (ns): %" PRId64 " unfiltered, %" PRId64
	              " after caps+nnp+seccomp; parent-side cvb_seccomp_build once: %" PRId64
	              " ns\n",
	              median(before, COST_RUNS), median(after, COST_RUNS), build_ns);
	cvb_seccomp_free(&prog);
}

PROFILE_VARIANT(test_seccomp_denies)
#ifdef __x86_64__
PROFILE_VARIANT(test_seccomp_other_abi)
PROFILE_VARIANT(test_seccomp_gaps)
#endif
PROFILE_VARIANT(test_full_sequence_then_exec)
PROFILE_VARIANT(test_print_costs)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_caps_kept_set),
	    cmocka_unit_test(test_cap_last_cap_matches_proc),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_seccomp_build_deterministic),
	    cmocka_unit_test(test_profile_groups_have_reasons),
	    cmocka_unit_test(test_profile_names_listed_once),
	    cmocka_unit_test(test_default_profile_content),
	    cmocka_unit_test(test_profile_skips_unknown_names),
	    cmocka_unit_test(test_profile_summaries),
	    cmocka_unit_test(test_nnp),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_seccomp_needs_nnp_or_sys_admin),
	    cmocka_unit_test(test_seccomp_denies),
	    cmocka_unit_test(test_seccomp_denies_denylist),
#ifdef __x86_64__
	    cmocka_unit_test(test_seccomp_other_abi),
	    cmocka_unit_test(test_seccomp_other_abi_denylist),
	    cmocka_unit_test(test_seccomp_gaps),
	    cmocka_unit_test(test_seccomp_gaps_denylist),
#endif
	    cmocka_unit_test(test_full_sequence_then_exec),
	    cmocka_unit_test(test_full_sequence_then_exec_denylist),
	    cmocka_unit_test(test_print_costs),
	    cmocka_unit_test(test_print_costs_denylist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

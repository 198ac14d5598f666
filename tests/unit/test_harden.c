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
#include <sys/prctl.h>
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
	struct cvb_seccomp_prog a, b;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(&a, &err) < 0)
		fail_msg("%s", err.msg);
	if (cvb_seccomp_build(&b, &err) < 0)
		fail_msg("%s", err.msg);
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

static void test_profile_summary(void **state)
{
	(void)state;
	const char *s = cvb_seccomp_profile_summary();
	unsigned n = 0;
	assert_int_equal(sscanf(s, "default-allow; EPERM for %u syscalls:", &n), 1);
	assert_true(n >= 40);
	assert_ptr_equal(s, cvb_seccomp_profile_summary());
	const char *must[] = {"kexec_load", "bpf",     "mount", "umount2",
	                      "ptrace",     "unshare", "setns", "fsmount"};
	for (size_t i = 0; i < sizeof(must) / sizeof(must[0]); i++)
		if (!strstr(s, must[i]))
			fail_msg("summary lacks %s: %s", must[i], s);
	assert_null(strchr(s, '\n'));
#ifdef __x86_64__
	assert_non_null(strstr(s, "not on this architecture: stime"));
#endif
	print_message("profile: %s\n", s);
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
	need_root(state);
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(&prog, &err) < 0)
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
	need_root(state);
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(&prog, &err) < 0)
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
	need_root(state);
	if (RUNNING_ON_VALGRIND) {
		print_message("skipping: valgrind does not emulate int 0x80 on amd64\n");
		skip();
	}
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(&prog, &err) < 0)
		fail_msg("%s", err.msg);
	struct seccomp_arg a = {.prog = &prog};
	run_in_child(child_seccomp_other_abi, &a);
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
	need_root(state);
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	if (cvb_seccomp_build(&prog, &err) < 0)
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
	need_root(state);
	struct cvb_seccomp_prog prog;
	struct cvb_error err = {0};
	int64_t b0 = now_ns();
	if (cvb_seccomp_build(&prog, &err) < 0)
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
	print_message("costs in a fresh child, median of %d (ns): caps_apply %" PRId64
	              ", nnp_apply %" PRId64 ", seccomp_apply %" PRId64 " (%u BPF insns)\n",
	              COST_RUNS, median(caps, COST_RUNS), median(nnp, COST_RUNS),
	              median(sec, COST_RUNS), (unsigned)prog.len);
	print_message("getppid per call (ns): %" PRId64 " unfiltered, %" PRId64
	              " after caps+nnp+seccomp; parent-side cvb_seccomp_build once: %" PRId64
	              " ns\n",
	              median(before, COST_RUNS), median(after, COST_RUNS), build_ns);
	cvb_seccomp_free(&prog);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_caps_kept_set),
	    cmocka_unit_test(test_cap_last_cap_matches_proc),
	    cmocka_unit_test(test_bad_arguments),
	    cmocka_unit_test(test_seccomp_build_deterministic),
	    cmocka_unit_test(test_profile_summary),
	    cmocka_unit_test(test_nnp),
	    cmocka_unit_test(test_caps),
	    cmocka_unit_test(test_seccomp_needs_nnp_or_sys_admin),
	    cmocka_unit_test(test_seccomp_denies),
#ifdef __x86_64__
	    cmocka_unit_test(test_seccomp_other_abi),
#endif
	    cmocka_unit_test(test_full_sequence_then_exec),
	    cmocka_unit_test(test_print_costs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

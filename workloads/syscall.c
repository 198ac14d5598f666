/* `syscall`: what common system calls cost inside the instance, in ns per
 * operation: the price of a shared kernel behind namespaces and seccomp (a
 * container) against a guest kernel (a VM), next to the host's own figure.
 *
 * Method (workloads/calibrate.h): per operation, the iteration count doubles
 * from 1 until one timed loop lasts target_ms; then `repeats` loops of the
 * operation, each followed by an empty loop of the same count and structure,
 * give (loop - empty) / iterations; the metric is their median. Facts carry
 * the iteration count, the subtracted loop overhead, and the median and the
 * mean of the raw loops (before the subtraction) of each operation, so that
 * the figure can be related to a plain loop's mean.
 *
 * With calls=N (N > 0) the method is instead the one of `perf bench syscall
 * basic`, so that the two can be compared like with like
 * (scripts/validate-syscall.sh): each selected operation runs once as one
 * loop of exactly N calls, and the metric is that loop's time / N, a mean
 * with the loop's own cost kept, no calibration, no repeats, no subtraction.
 * getppid then goes the way perf's does, `for (i = 0; i < N; i++) getppid();`
 * through libc's wrapper (a real syscall in glibc, never cached), instead of
 * the inlined instruction. A fact, syscall_method, says which method ran.
 *
 * Every operation always runs: the harness requires every declared metric in
 * every successful launch, so a selection mask would either fail launches or
 * need placeholder values that are not measurements. The total time stays
 * bounded instead: with the defaults (20 ms, 5 repeats) the run takes ~1-2 s. */
#include "calibrate.h"
#include "workload.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { SYSCALL_TARGET_MS, SYSCALL_REPEATS, SYSCALL_OPS, SYSCALL_CALLS };

static const struct cvb_param_desc syscall_params[] = {
    [SYSCALL_TARGET_MS] = {"target_ms", "minimum duration of one timed loop", 20, 1, 10000},
    [SYSCALL_REPEATS] = {"repeats", "timed loops per operation (the median is reported)", 5, 1,
                         1000},
    [SYSCALL_OPS] = {"ops",
                     "which calls, a bit mask in the order of the metrics (1 getppid, 2 "
                     "clock_gettime, 4 open_close, 8 stat, 16 pipe_rw, 32 mmap_touch, 64 "
                     "fork_wait, 128 sched_yield)",
                     255, 1, 255},
    [SYSCALL_CALLS] = {"calls",
                       "0: calibrated loops, median of repeats, loop cost subtracted; N: one "
                       "loop of exactly N calls per operation, mean with the loop kept, getppid "
                       "through libc (perf bench syscall basic's method)",
                       0, 0, 2000000000},
    {0},
};

static const struct cvb_metric_desc syscall_metrics[] = {
    {"syscall_getppid_ns", "ns", CVB_LOWER_IS_BETTER,
     "getppid: kernel entry and exit (the raw syscall instruction; libc's getppid() with "
     "calls=N)"},
    {"syscall_clock_gettime_ns", "ns", CVB_LOWER_IS_BETTER,
     "clock_gettime(CLOCK_MONOTONIC) through libc (the vDSO where the clocksource allows)"},
    {"syscall_open_close_ns", "ns", CVB_LOWER_IS_BETTER,
     "open + close of a small existing file (fact syscall_file says which)"},
    {"syscall_stat_ns", "ns", CVB_LOWER_IS_BETTER, "stat of the same file"},
    {"syscall_pipe_rw_ns", "ns", CVB_LOWER_IS_BETTER,
     "write 1 byte into a pipe and read it back, same process"},
    {"syscall_mmap_touch_ns", "ns", CVB_LOWER_IS_BETTER,
     "mmap one anonymous page, write to it, munmap"},
    {"syscall_fork_wait_ns", "ns", CVB_LOWER_IS_BETTER, "fork, child _exit(0), waitpid"},
    {"syscall_sched_yield_ns", "ns", CVB_LOWER_IS_BETTER, "sched_yield"},
    {0},
};

struct syscall_state {
	const char *path; /* of open_close and stat */
	int pipe_fd[2];
	size_t page_size;
	int err; /* first errno an operation hit, 0 if none */
	const char *err_what;
};

/* Results land here, so nothing an operation returns is dead code. */
static volatile long syscall_sink;

static void note_error(struct syscall_state *st, const char *what)
{
	if (!st->err) {
		st->err = errno ? errno : EIO;
		st->err_what = what;
	}
}

/* getppid, never cached by libc, through the instruction itself: neither
 * libc's syscall() wrapper (argument shuffling, errno) nor a vDSO is timed. */
static inline long raw_getppid(void)
{
#if defined(__x86_64__)
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "0"((long)SYS_getppid) : "rcx", "r11", "memory");
	return ret;
#elif defined(__aarch64__)
	register long x8 __asm__("x8") = SYS_getppid;
	register long x0 __asm__("x0");
	__asm__ volatile("svc 0" : "=r"(x0) : "r"(x8) : "memory");
	return x0;
#else
	return syscall(SYS_getppid);
#endif
}

/* Each operation's body is a noinline function of its own, called through a
 * pointer by the calibration loop: it cannot be hoisted out of the loop. */
__attribute__((noinline)) static void op_getppid(void *arg)
{
	(void)arg;
	syscall_sink = raw_getppid();
}

/* perf bench syscall basic's loop, as its source has it: libc's getppid()
 * called directly, N times, between two clock reads. Returns the elapsed ns. */
__attribute__((noinline)) static int64_t libc_getppid_loop(uint64_t calls)
{
	int64_t t0 = cvb_wl_now_ns();
	for (uint64_t i = 0; i < calls; i++)
		getppid();
	return cvb_wl_now_ns() - t0;
}

__attribute__((noinline)) static void op_clock_gettime(void *arg)
{
	(void)arg;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	syscall_sink = ts.tv_nsec;
}

__attribute__((noinline)) static void op_open_close(void *arg)
{
	struct syscall_state *st = arg;
	int fd = open(st->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		note_error(st, "open");
		return;
	}
	close(fd);
}

__attribute__((noinline)) static void op_stat(void *arg)
{
	struct syscall_state *st = arg;
	struct stat sb;
	if (stat(st->path, &sb) < 0) {
		note_error(st, "stat");
		return;
	}
	syscall_sink = (long)sb.st_size;
}

__attribute__((noinline)) static void op_pipe_rw(void *arg)
{
	struct syscall_state *st = arg;
	char c = 'x';
	/* Read only what was written: a failed write must not leave the read
	 * blocking forever on an empty pipe. */
	if (write(st->pipe_fd[1], &c, 1) != 1) {
		note_error(st, "pipe write");
		return;
	}
	if (read(st->pipe_fd[0], &c, 1) != 1)
		note_error(st, "pipe read");
}

__attribute__((noinline)) static void op_mmap_touch(void *arg)
{
	struct syscall_state *st = arg;
	void *p =
	    mmap(NULL, st->page_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		note_error(st, "mmap");
		return;
	}
	*(volatile char *)p = 1; /* the page fault is part of the operation */
	munmap(p, st->page_size);
}

__attribute__((noinline)) static void op_fork_wait(void *arg)
{
	struct syscall_state *st = arg;
	pid_t pid = fork();
	if (pid == 0)
		_exit(0); /* no stdio flush, no atexit: the protocol fd stays untouched */
	if (pid < 0) {
		note_error(st, "fork");
		return;
	}
	/* This very child: as PID 1 nobody else reaps it, and any other
	 * orphan is not ours to count here. */
	while (waitpid(pid, NULL, 0) < 0)
		if (errno != EINTR) {
			note_error(st, "waitpid");
			return;
		}
}

__attribute__((noinline)) static void op_sched_yield(void *arg)
{
	(void)arg;
	sched_yield();
}

static const struct {
	const char *name; /* metric syscall_<name>_ns */
	cvb_calib_op_fn fn;
} syscall_ops[] = {
    {"getppid", op_getppid},       {"clock_gettime", op_clock_gettime},
    {"open_close", op_open_close}, {"stat", op_stat},
    {"pipe_rw", op_pipe_rw},       {"mmap_touch", op_mmap_touch},
    {"fork_wait", op_fork_wait},   {"sched_yield", op_sched_yield},
};

static const char *fs_name(long type)
{
	switch ((unsigned long)type) {
	case 0x01021994:
		return "tmpfs";
	case 0xef53:
		return "ext2/3/4";
	case 0x794c7630:
		return "overlay";
	case 0x58465342:
		return "xfs";
	case 0x9123683e:
		return "btrfs";
	case 0x1373:
		return "devtmpfs";
	case 0x858458f6:
		return "ramfs";
	default:
		return "other";
	}
}

/* The file of open_close and stat: a fresh small one in /tmp (the writable
 * tmpfs of a container), else /dev/null, and facts saying which, on what
 * file system: open/stat costs depend on it (the host's /tmp may be ext4). */
static void prepare_file(const struct cvb_workload_ctx *ctx, struct syscall_state *st,
                         char *tmp_path, size_t len)
{
	snprintf(tmp_path, len, "/tmp/cvb-syscall-%ld-XXXXXX", (long)getpid());
	int fd = mkstemp(tmp_path);
	if (fd >= 0 && write(fd, "cvbench\n", 8) == 8) {
		close(fd);
		st->path = tmp_path;
	} else {
		char note[160];
		snprintf(note, sizeof(note),
		         "cannot create a file in /tmp (%s): open_close and stat use /dev/null",
		         strerror(errno));
		cvb_emit_fact_str(ctx->out_fd, "syscall_file_note", note);
		if (fd >= 0) {
			close(fd);
			unlink(tmp_path);
		}
		tmp_path[0] = '\0';
		st->path = "/dev/null";
	}
	cvb_emit_fact_str(ctx->out_fd, "syscall_file", st->path);
	struct statfs sfs;
	if (statfs(st->path, &sfs) == 0)
		cvb_emit_fact_str(ctx->out_fd, "syscall_file_fs", fs_name((long)sfs.f_type));
}

/* Context for clock_gettime's figure: the vDSO serves it only with a
 * clocksource it can read from user space (tsc, kvm-clock, ...). */
static void emit_clock_facts(const struct cvb_workload_ctx *ctx)
{
	cvb_emit_fact_num(ctx->out_fd, "syscall_vdso_mapped", getauxval(AT_SYSINFO_EHDR) ? 1 : 0);
	char buf[64] = "";
	int fd = open("/sys/devices/system/clocksource/clocksource0/current_clocksource",
	              O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	cvb_emit_fact_str(ctx->out_fd, "syscall_clocksource", buf);
}

/* Emits syscall_<op><suffix> as a fact. */
static void emit_op_fact(const struct cvb_workload_ctx *ctx, size_t op, const char *suffix,
                         double value)
{
	char name[64];
	snprintf(name, sizeof(name), "syscall_%s%s", syscall_ops[op].name, suffix);
	cvb_emit_fact_num(ctx->out_fd, name, value);
}

/* The default method (workloads/calibrate.h): the metric is the median of the
 * repeats with the loop's cost subtracted; the facts say what was subtracted
 * and what the raw loops gave, median and mean. Returns 0 or -errno; an
 * operation's own failure is left in st->err. */
static int measure_calibrated(const struct cvb_workload_ctx *ctx, struct syscall_state *st,
                              size_t op, const struct cvb_calib_config *cfg)
{
	struct cvb_calib_result res;
	char name[64];
	int rc = cvb_calib_measure(cfg, syscall_ops[op].fn, st, &res);
	if (rc < 0 || st->err)
		return rc;
	snprintf(name, sizeof(name), "syscall_%s_ns", syscall_ops[op].name);
	cvb_emit_metric(ctx->out_fd, name, res.op_ns);
	emit_op_fact(ctx, op, "_iters", (double)res.iters);
	emit_op_fact(ctx, op, "_overhead_ns", res.overhead_ns);
	emit_op_fact(ctx, op, "_raw_ns", res.raw_ns);
	emit_op_fact(ctx, op, "_raw_mean_ns", res.raw_mean_ns);
	if (res.capped) {
		snprintf(name, sizeof(name), "syscall_%s_capped", syscall_ops[op].name);
		cvb_emit_fact_str(ctx->out_fd, name,
		                  "iteration cap reached before target_ms: a loop was shorter "
		                  "than asked");
	}
	return 0;
}

/* calls=N: one loop of exactly N calls, its mean (see the header). Returns 0
 * or -errno; an operation's own failure is left in st->err. */
static int measure_plain(const struct cvb_workload_ctx *ctx, struct syscall_state *st, size_t op,
                         uint64_t calls)
{
	double mean_ns;
	char name[64];
	int rc = 0;
	if (syscall_ops[op].fn == op_getppid)
		mean_ns = (double)libc_getppid_loop(calls) / (double)calls;
	else
		rc = cvb_calib_mean(NULL, syscall_ops[op].fn, st, calls, &mean_ns);
	if (rc < 0 || st->err)
		return rc;
	snprintf(name, sizeof(name), "syscall_%s_ns", syscall_ops[op].name);
	cvb_emit_metric(ctx->out_fd, name, mean_ns);
	emit_op_fact(ctx, op, "_calls", (double)calls);
	return 0;
}

static int syscall_run(const struct cvb_workload_ctx *ctx)
{
	struct syscall_state st = {.pipe_fd = {-1, -1}};
	char tmp_path[64], msg[160];
	int status = 1;

	/* An inherited SIG_IGN would make children vanish unreaped and
	 * waitpid fail with ECHILD. */
	struct sigaction dfl = {.sa_handler = SIG_DFL}, old_chld;
	sigemptyset(&dfl.sa_mask);
	sigaction(SIGCHLD, &dfl, &old_chld);

	long page = sysconf(_SC_PAGESIZE);
	st.page_size = page > 0 ? (size_t)page : 4096;
	prepare_file(ctx, &st, tmp_path, sizeof(tmp_path));
	emit_clock_facts(ctx);
	if (pipe2(st.pipe_fd, O_CLOEXEC) < 0) {
		snprintf(msg, sizeof(msg), "pipe2: %s", strerror(errno));
		cvb_emit_fact_str(ctx->out_fd, "syscall_error", msg);
		goto cleanup;
	}

	const struct cvb_calib_config cfg = {
	    .target_ns = ctx->param[SYSCALL_TARGET_MS] * 1000000,
	    .repeats = (unsigned)ctx->param[SYSCALL_REPEATS],
	};
	const uint64_t calls = (uint64_t)ctx->param[SYSCALL_CALLS];
	cvb_emit_fact_str(ctx->out_fd, "syscall_method",
	                  calls ? "plain: one loop of `calls` calls per operation, its mean, the "
	                          "loop's cost kept; getppid through libc (perf bench syscall "
	                          "basic's method)"
	                        : "calibrated: median of `repeats` loops of at least `target_ms`, "
	                          "the empty loop's cost subtracted");
	for (size_t i = 0; i < sizeof(syscall_ops) / sizeof(syscall_ops[0]); i++) {
		if (!(ctx->param[SYSCALL_OPS] & (1 << i)))
			continue; /* not asked for: its metric is optional */
		int rc = calls ? measure_plain(ctx, &st, i, calls)
		               : measure_calibrated(ctx, &st, i, &cfg);
		if (rc < 0 || st.err) {
			snprintf(msg, sizeof(msg), "%s: %s: %s", syscall_ops[i].name,
			         rc < 0 ? "measurement" : st.err_what,
			         strerror(rc < 0 ? -rc : st.err));
			cvb_emit_fact_str(ctx->out_fd, "syscall_error", msg);
			goto cleanup;
		}
	}
	status = 0;

cleanup:
	if (st.pipe_fd[0] >= 0) {
		close(st.pipe_fd[0]);
		close(st.pipe_fd[1]);
	}
	if (tmp_path[0])
		unlink(tmp_path);
	sigaction(SIGCHLD, &old_chld, NULL);
	return status;
}

const struct cvb_workload cvb_workload_syscall = {
    .name = "syscall",
    .help = "ns per system call inside the instance (getppid, clock_gettime, open, fork, ...)",
    .params = syscall_params,
    .metrics = syscall_metrics,
    .run = syscall_run,
    .typical_ms = 2000,
    .metrics_selectable = true,
};

/* Who else is using the CPUs: snapshots of every process's CPU time, and
 * the difference between two of them split into "ours" (this harness, its
 * descendants, the QEMU of this run's domains) and "foreign" (everything
 * else but kernel threads and the libvirt daemons that work for us). A
 * foreign process that burns CPU during a run competes with what is
 * measured; the doctor, the run preflight and the run's load watch report it. */
#ifndef CVB_CPU_WATCH_H
#define CVB_CPU_WATCH_H

#include "cvb_error.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cvb_proc_ticks {
	pid_t pid, ppid;
	char comm[32];
	uint64_t ticks;  /* utime + stime + cutime + cstime (reaped children count) */
	uint64_t reaped; /* cutime + cstime alone: what its reaped children used */
	uint64_t start; /* start time in ticks since boot: tells a reused pid apart */
	int kind;       /* CVB_PROC_OURS / FOREIGN / IGNORED */
};

enum { CVB_PROC_FOREIGN = 0, CVB_PROC_OURS = 1, CVB_PROC_IGNORED = 2 };

struct cvb_cpu_snapshot {
	int64_t t_ns;
	uint64_t host_busy_ticks; /* /proc/stat: all CPUs, everything but idle and iowait */
	struct cvb_proc_ticks *procs; /* owned, sorted by pid */
	size_t n;
};

/* Reads <proc_root> ("/proc" on the host, a fixture tree in tests). `self`
 * is the harness's pid (its descendants are ours); `run_id`, when not NULL,
 * names this run's VMs (a QEMU with "guest=cvb-<run_id>" in its command
 * line is ours). -1 with err if /proc cannot be read. */
int cvb_cpu_snapshot_take(const char *proc_root, pid_t self, const char *run_id,
                          struct cvb_cpu_snapshot *snap, struct cvb_error *err);

void cvb_cpu_snapshot_free(struct cvb_cpu_snapshot *snap);

/* A foreign process's use between two snapshots, in CPUs (1.0 = one CPU
 * busy the whole time). */
struct cvb_busy_proc {
	pid_t pid;
	char comm[32];
	double cpus;
};

struct cvb_cpu_use {
	double seconds;      /* wall time between the snapshots */
	double host_cpus;    /* all CPU use on the host, in CPUs */
	double foreign_cpus; /* foreign processes' use, in CPUs */
	struct cvb_busy_proc top[4]; /* the busiest foreign ones, busiest first */
	size_t n_top;
};

/* Compares two snapshots of one host (b taken after a). A process's reaped
 * children count only where their time could have been spent in the
 * interval (at most every CPU for its length) and never for pid 1, which
 * inherits and reaps every orphan with all its past; the foreign total never
 * exceeds what /proc/stat says the host used. */
void cvb_cpu_use_between(const struct cvb_cpu_snapshot *a, const struct cvb_cpu_snapshot *b,
                         long ticks_per_s, struct cvb_cpu_use *use);

/* "stress-ng (pid 812) 0.98 CPU, make (pid 77) 0.20 CPU" into buf, or
 * "none" when nothing foreign was busy. */
void cvb_cpu_use_describe(const struct cvb_cpu_use *use, char *buf, size_t len);

#endif

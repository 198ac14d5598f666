/* The workload table. Every workload the agent can run is one file defining a
 * `const struct cvb_workload` and one line in workloads/registry.c. The
 * harness links the same table to validate names and parameters before a run
 * and to know each metric's unit and direction. */
#ifndef CVB_WORKLOAD_H
#define CVB_WORKLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

enum cvb_better { CVB_LOWER_IS_BETTER, CVB_HIGHER_IS_BETTER };

struct cvb_metric_desc {
	const char *name; /* e.g. "syscall_getppid_ns" */
	const char *unit; /* "ns", "bytes", "ops/s", ... */
	enum cvb_better better;
	const char *help;
};

/* Parameters are integers given as name=value on the agent's command line. */
struct cvb_param_desc {
	const char *name;
	const char *help;
	int64_t def, min, max;
};

#define CVB_MAX_PARAMS 8

/* What a run function gets: its parameters (in descriptor order, defaults
 * filled in) and the agent's output channel. */
struct cvb_workload_ctx {
	int64_t param[CVB_MAX_PARAMS];
	int out_fd; /* protocol output (stdout, or the VM console) */
	int in_fd;  /* control input: EOF or a line asks the workload to stop */
};

struct cvb_workload {
	const char *name;
	const char *help;
	const struct cvb_param_desc *params;   /* NULL-name terminated, or NULL */
	const struct cvb_metric_desc *metrics; /* NULL-name terminated, or NULL */
	/* True if the workload keeps running after READY until the host stops it
	 * (closes the input or writes a line): the host measures it meanwhile. */
	bool holds_until_stopped;
	/* True if the workload is finite but also ends early, with its metrics,
	 * when asked to stop as holding workloads are: it can then serve as the
	 * aggressor of a noisy-neighbour scenario for as long as the victim runs. */
	bool stoppable;
	/* Rough run time after READY natively with default parameters, in ms,
	 * for --dry-run's estimate only (0: unknown, 200 assumed). */
	unsigned typical_ms;
	/* True if a parameter chooses which metrics are reported (syscall's
	 * ops): a launch that leaves some out has not failed. */
	bool metrics_selectable;
	/* Runs after READY was written; emits result lines with cvb_emit_metric.
	 * Returns the DONE status: 0 for success. */
	int (*run)(const struct cvb_workload_ctx *ctx);
};

/* The registry (workloads/registry.c), NULL-terminated. */
extern const struct cvb_workload *const cvb_workloads[];

const struct cvb_workload *cvb_workload_find(const char *name);
const struct cvb_metric_desc *cvb_workload_metric(const struct cvb_workload *w, const char *name);
/* Index of a parameter by name, or -1. */
int cvb_workload_param_index(const struct cvb_workload *w, const char *name);
size_t cvb_workload_param_count(const struct cvb_workload *w);

/* True if the host can end the workload on request (see `stoppable`). */
static inline bool cvb_workload_stoppable(const struct cvb_workload *w)
{
	return w->holds_until_stopped || w->stoppable;
}

/* For stoppable workloads: true once the host asked the workload to stop
 * (a line on in_fd, or EOF when in_fd is a pipe or socket: the host
 * closed it or died; EOF on /dev/null or a file is not a request). Never blocks
 * (workloads/emit.c). */
bool cvb_stop_requested(int in_fd);

/* CLOCK_MONOTONIC in ns, for run functions that time their own work. */
static inline int64_t cvb_wl_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* splitmix64: a small seeded generator for shuffles and scratch names. */
static inline uint64_t cvb_wl_splitmix64(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9e3779b97f4a7c15));
	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Protocol output helpers for run functions (workloads/emit.c). Each writes
 * one whole line with a single write(2), so lines never interleave. */
int cvb_emit_metric(int fd, const char *metric, double value);
int cvb_emit_line(int fd, const char *line);
/* A fact: {"fact":"<name>","value":"<text>"} (text JSON-escaped), or a number. */
int cvb_emit_fact_str(int fd, const char *name, const char *value);
int cvb_emit_fact_num(int fd, const char *name, double value);

#endif

/* `cvbench run` options parsed and validated into a plan before anything on
 * the system is touched (so --dry-run costs nothing and bad input never
 * leaves a half-done run behind). */
#ifndef CVB_PLAN_H
#define CVB_PLAN_H

#include "backend.h"
#include "instance_config.h"
#include "cvb_error.h"
#include "workload.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CVB_PLAN_MAX_BACKENDS 8
#define CVB_PLAN_MAX_WORKLOADS 32

#define CVB_DEFAULT_REPS 30
#define CVB_DEFAULT_WARMUP 3
#define CVB_DEFAULT_SETTLE_MS 100
#define CVB_DEFAULT_GAP_MS 20

enum cvb_pin_mode { CVB_PIN_NONE, CVB_PIN_AUTO, CVB_PIN_LIST };

struct cvb_plan {
	const struct cvb_backend *backends[CVB_PLAN_MAX_BACKENDS];
	size_t n_backends;
	const struct cvb_workload *workloads[CVB_PLAN_MAX_WORKLOADS];
	size_t n_workloads;
	/* Parameter values per selected workload, defaults filled in. */
	int64_t params[CVB_PLAN_MAX_WORKLOADS][CVB_MAX_PARAMS];
	unsigned reps, warmup;
	int64_t timeout_ms; /* 0: each backend's default */
	int64_t settle_ms;  /* after READY, before measuring a holding workload */
	int64_t gap_ms;     /* quiet pause before every launch */
	uint64_t seed;
	unsigned resamples;
	enum cvb_pin_mode pin_mode;
	char pin_cpus[256]; /* CVB_PIN_LIST: as given; after resolution: the CPUs used */
	/* Namespaces, limits and hardening for backends that apply them. */
	struct cvb_instance_config config;
	char cpuset_cpus[64], cpuset_mems[64]; /* storage behind config.limits */
	char vm_pin_vcpus[64], vm_pin_emulator[64];
	/* --launcher: a command the native backend starts the agent through
	 * (a peer runtime measured the same way); tokens, NULL-terminated. */
	char launcher_buf[1024];
	char *launcher[64];
	const char *out_path;   /* NULL: cvbench-<run-id>.json in the current directory */
	const char *agent_path; /* NULL: found next to the cvbench binary */
	bool dry_run, quiet;
};

enum cvb_parse_result { CVB_PARSE_OK = 0, CVB_PARSE_HELP = 1, CVB_PARSE_ERROR = -1 };

/* Parses `cvbench run` arguments (argv[0] is "run"). On CVB_PARSE_ERROR err
 * holds one line naming the problem and what would fix it. Does not touch
 * the file system or the topology. */
enum cvb_parse_result cvb_plan_parse(int argc, char **argv, struct cvb_plan *plan,
                                     struct cvb_error *err);

/* The help text of `cvbench run`. */
void cvb_plan_usage(FILE *out);

#endif

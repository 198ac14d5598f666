/* The preflight: everything about the host that would make a run slow,
 * fail or lie, checked before anything is measured. `cvbench doctor`
 * runs it thoroughly and prints it; `cvbench run` runs it cheaply first,
 * refuses to start on a `fail` unless --force, and records every finding
 * in host.preflight[]. Host-wide checks live here (preflight_host.c);
 * each backend adds its own through its doctor hook. */
#ifndef CVB_PREFLIGHT_H
#define CVB_PREFLIGHT_H

#include "backend.h"
#include "findings.h"
#include "plan.h"

#include <stdbool.h>
#include <stdint.h>

/* What the checks need to know of the planned run. */
struct cvb_preflight_plan {
	const struct cvb_backend *backends[CVB_PLAN_MAX_BACKENDS * 2];
	/* The options of the first block using backends[i]. */
	const struct cvb_instance_config *configs[CVB_PLAN_MAX_BACKENDS * 2];
	size_t n_backends;
	int64_t memory_need_bytes; /* the most that instances of one cell hold at once */
	char out_dir[4096];        /* where the results go ("." if none) */
	const char *agent_path;
	const char *run_id;        /* this run's (its own QEMU is not foreign); NULL */
	bool thorough;             /* doctor: longer samples, every query */
};

/* Fills pp from a parsed matrix: the backends it uses (each once) with their
 * first block's options, its peak memory, the results directory. */
void cvb_preflight_plan_from_matrix(const struct cvb_matrix *m, const char *agent_path,
                                    const char *out_path, struct cvb_preflight_plan *pp);

/* Runs every check: the host's (reading under `root`, "/" for the real
 * host) then each planned backend's doctor hook. */
void cvb_preflight_run(const struct cvb_preflight_plan *pp, const char *root,
                       struct cvb_findings *out);

/* The host-wide checks alone (preflight_host.c): CPU load and other busy
 * processes, frequency governor and turbo, SMT, clock source, whether the
 * host is itself a VM, memory and disk for the plan. */
void cvb_preflight_host(const struct cvb_preflight_plan *pp, const char *root,
                        struct cvb_findings *out);

/* How long the load sample lasts: the run's preflight stays cheap. */
#define CVB_PREFLIGHT_LOAD_MS 200
#define CVB_DOCTOR_LOAD_MS 500

/* A foreign process using this much of a CPU makes the load check warn. */
#define CVB_BUSY_CPUS_WARN 0.25

#endif

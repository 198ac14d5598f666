/* The backend interface: how one instance of cvb-agent is started, observed
 * and destroyed natively, in a container or in a VM. A backend knows nothing
 * about statistics or output formats; the runner knows nothing about
 * namespaces or libvirt beyond this table. */
#ifndef CVB_BACKEND_H
#define CVB_BACKEND_H

#include "cvb_error.h"
#include "findings.h"
#include "instance_config.h"

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CVB_MAX_PHASES 16

struct cvb_option; /* a row of backend_options.h */

/* A named point in a launch, in ns since the launch call began (host
 * CLOCK_MONOTONIC), e.g. "spawned", "cgroup_created", "qemu_running". */
struct cvb_phase {
	const char *name; /* static string */
	int64_t t_ns;
};

struct cvb_launch_spec {
	const char *run_id;      /* names everything: cvb-<run_id>-<index> */
	unsigned index;          /* instance number within the run */
	const char *agent_path;  /* the static cvb-agent on the host */
	char *const *agent_args; /* workload name then NAME=VALUE..., NULL-terminated */
	const char *cpus;        /* cpulist to pin the instance to, or NULL */
	const struct cvb_instance_config *config; /* namespaces, limits, hardening */
	void *run_state;       /* what the backend's run_begin prepared, or NULL */
	char *const *launcher; /* native: start the agent through this command, or NULL */
	int64_t t_start_ns;    /* host CLOCK_MONOTONIC just before launch() */
};

/* One running instance. The backend allocates it (with its private state in
 * priv) and the runner reads out_fd and writes in_fd. */
struct cvb_instance {
	const struct cvb_backend *backend;
	int out_fd; /* the agent's protocol output (stdout+stderr), non-blocking */
	int in_fd;  /* the agent's control input; -1 once closed */
	struct cvb_phase phases[CVB_MAX_PHASES];
	size_t n_phases;
	void *priv;
};

/* Host-side view of an instance; -1 where the backend cannot tell. */
struct cvb_usage {
	int64_t rss_bytes, pss_bytes, uss_bytes;
	int64_t cpu_ns; /* user + system CPU time so far */
	/* A VM's guest RAM as one mapping of QEMU: its share of RSS and PSS. */
	int64_t guest_ram_rss_bytes, guest_ram_pss_bytes;
	/* A container's cgroup: memory charged to it now (kernel memory, its
	 * tmpfs pages and page cache included, which PSS does not see). */
	int64_t cgroup_memory_bytes;
};
#define CVB_USAGE_UNKNOWN ((struct cvb_usage){-1, -1, -1, -1, -1, -1, -1})

/* What a backend's probe and doctor hooks are asked about. */
struct cvb_probe_ctx {
	/* false: a run's preflight, which must stay cheap (well under a second
	 * when all is well); true: `cvbench doctor`, which may take a few. */
	bool thorough;
	const char *agent_path; /* the agent a run would use (finds a guest kernel) */
	/* The options of the first planned block using this backend, or NULL
	 * for the built-in defaults (doctor without a plan). */
	const struct cvb_instance_config *config;
};

/* How an instance ended. */
struct cvb_exit {
	bool exited; /* exited by itself with `code` */
	int code;
	int signal;            /* nonzero if killed by a signal */
	bool killed;           /* we had to kill it (timeout, abort, no exit in time) */
	int64_t cpu_ns;        /* CPU time of the instance, -1 if unknown */
	int64_t max_rss_bytes; /* peak RSS, -1 if unknown */
	char note[160]; /* what the backend saw, e.g. an OOM kill in the cgroup; "" if none */
};

/* ---- What the harness asks of a backend: capabilities and the hooks that
 * describe it (labels, estimates, host facts). The harness asks these
 * questions and never tests a backend's name. ---- */
enum cvb_backend_caps {
	CVB_CAP_PIN = 1u << 0, /* honours cvb_launch_spec.cpus */
	/* The instance outlives the agent's READY long enough (a VM powering
	 * off) for one host-side measurement of every launch right after READY,
	 * whatever the workload. */
	CVB_CAP_MEASURE_AT_READY = 1u << 1,
	/* The reference the other backends' cells are compared with (ratios to
	 * it, "1x" in reports): the agent as a plain host process. */
	CVB_CAP_BASELINE = 1u << 2,
	/* Honours config->limits (cgroup limits), a scenario's per-aggressor
	 * limits included; other backends refuse them. */
	CVB_CAP_CGROUP_LIMITS = 1u << 3,
	/* Placed on CPUs by pinning its vCPUs and emulator threads
	 * (config->vm.pin_vcpus, pin_emulator), which a placement then sets. */
	CVB_CAP_VCPU_PIN = 1u << 4,
	/* Each instance reserves config->vm.memory_mib of guest RAM in one
	 * host mapping (KSM may merge it across instances) and its agent
	 * reports the guest's own meminfo: density checks host memory for it
	 * up front and records the guest's view. */
	CVB_CAP_GUEST_MEMORY = 1u << 5,
	/* Starts the agent through cvb_launch_spec.launcher (--launcher). */
	CVB_CAP_LAUNCHER = 1u << 6,
};

/* The options of one planned block that a cell's label may name. */
struct cvb_config_desc {
	const struct cvb_instance_config *config;
	char *const *launcher; /* --launcher words, NULL-terminated; NULL or empty if none */
	int ksm;               /* --ksm: -1 not given, 0 off, 1 on */
};

/* ---- end of the capabilities and describing hooks ---- */

struct cvb_backend {
	const char *name;
	const char *summary;
	unsigned caps;
	int default_timeout_ms; /* per-sample bound unless the user gives one */

	/* ---- capabilities and describing hooks (with caps above) ---- */
	/* Optional: appends to buf (from *off, bounded by len; *off may pass
	 * len, as with snprintf) how desc differs from the defaults, each word
	 * after one blank (" vcpus=2"), for the cell's label. Labels identify
	 * results across runs and files: never reword an existing word. */
	void (*describe_config)(const struct cvb_config_desc *desc, char *buf, size_t len,
	                        size_t *off);
	/* For the duration estimate and progress only: a typical launch's own
	 * time on a small host and how many times slower a workload runs than
	 * natively; 0 means a plain process (5 ms, 1x). */
	double typical_launch_s;
	double typical_slowdown;
	/* Optional, real host only: adds what this backend knows about the
	 * host to the facts (`cvbench env`, every results file's "host"), e.g.
	 * who may open a device its instances need. false if out of memory. */
	bool (*host_facts)(cJSON *facts);
	/* ---- end of capabilities and describing hooks ---- */

	/* Optional: this backend's `cvbench run` options, ended by a row with
	 * a NULL name, stored in struct cvb_instance_config; options_heading
	 * introduces them in --help. */
	const struct cvb_option *options;
	const char *options_heading;

	/* 0 if usable on this host, and then `reason` may hold a qualifying
	 * note ("TCG only: ..."), else ""; -1 with a human reason in `reason`
	 * ("no guest kernel (run make guest)"). Cheap: no guest is booted. */
	int (*probe)(const struct cvb_probe_ctx *ctx, char *reason, size_t reason_len);

	/* Optional: adds this backend's findings about the host (its daemons,
	 * files and devices: what would make its cells slow, fail or lie),
	 * each with its evidence and fix (`cvbench doctor`, run preflight). */
	void (*doctor)(const struct cvb_probe_ctx *ctx, struct cvb_findings *out);

	/* Optional: checks the instance config against what this backend and
	 * host support, before anything starts. -1 with err if it cannot be
	 * honoured (e.g. a limit whose controller the host lacks). */
	int (*validate)(const struct cvb_instance_config *config, struct cvb_error *err);

	/* Optional: once per run and cell, outside every measured window, prepares
	 * what all launches share (a rootfs, a compiled seccomp filter) into
	 * *state. describe_run then says in the result what was shared and what
	 * it cost; run_end undoes run_begin (also after an interruption). */
	int (*run_begin)(const char *run_id, const struct cvb_instance_config *config,
	                 const char *agent_path, void **state, struct cvb_error *err);
	cJSON *(*describe_run)(void *state);
	void (*run_end)(void *state);

	/* Optional: finds and removes what killed runs of this backend left
	 * behind, sparing names for which is_live(name) is true (runs still in
	 * progress); with dry_run only reports. report() is called once per
	 * thing. Returns the number found or -1. */
	int (*cleanup)(bool dry_run, bool (*is_live)(const char *name),
	               void (*report)(void *ctx, const char *what), void *ctx,
	               struct cvb_error *err);

	/* Starts one instance running cvb-agent with spec->agent_args. On
	 * failure returns -1, fills err and leaves nothing behind. */
	int (*launch)(const struct cvb_launch_spec *spec, struct cvb_instance **out,
	              struct cvb_error *err);

	/* Optional: host-side memory and CPU of the live instance. */
	int (*measure)(struct cvb_instance *inst, struct cvb_usage *usage, struct cvb_error *err);

	/* Optional: backend-specific facts about this launch for its record
	 * (cgroup usage and limits written, namespaces), after destroy. */
	cJSON *(*describe_instance)(struct cvb_instance *inst);

	/* Optional: asks a workload that holds until stopped to finish; NULL
	 * means closing in_fd is enough. */
	int (*stop)(struct cvb_instance *inst, struct cvb_error *err);

	/* Tears the instance down and fills *exit. With `graceful`, first gives
	 * an agent that said DONE a moment to exit by itself. Idempotent: a
	 * second call does nothing and returns 0; safe on a half-built instance.
	 * Returns the first error met, after undoing everything it can. */
	int (*destroy)(struct cvb_instance *inst, bool graceful, struct cvb_exit *exit,
	               struct cvb_error *err);

	/* Frees the instance after destroy. */
	void (*release)(struct cvb_instance *inst);
};

/* The registry, NULL-terminated. Not const: a test-only backend takes
 * itself out before main() unless asked for (null.c). */
extern const struct cvb_backend *cvb_backends[];

const struct cvb_backend *cvb_backend_find(const char *name);

/* Adds every backend's facts about the real host to facts, which
 * cvb_host_facts_collect("/") made (hostfacts.c knows no backend); 0, or -1
 * with err when out of memory. */
int cvb_backends_add_host_facts(cJSON *facts, struct cvb_error *err);

/* True if the run that named `name` ("cvb-<run-id>[-<n>]") is still in
 * progress: its harness, whose pid ends the run id, is alive
 * (backends/registry.c). */
bool cvb_run_name_is_live(const char *name);

/* Records a phase timestamp on the instance (host monotonic now - t_start). */
void cvb_instance_mark(struct cvb_instance *inst, const char *phase, int64_t t_start_ns);

#endif

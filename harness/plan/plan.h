/* `cvbench run` options parsed and validated into a plan before anything on
 * the system is touched (so --dry-run costs nothing and bad input never
 * leaves a half-done run behind). */
#ifndef CVB_PLAN_H
#define CVB_PLAN_H

#include "backend.h"
#include "backend_options.h"
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

#define CVB_PLAN_MAX_INSTANCES 8
#define CVB_PLAN_MAX_SCENARIOS 8
#define CVB_PLAN_MAX_PLACEMENTS 4
#define CVB_PLAN_MAX_PRECISION_METRICS 8
#define CVB_PLAN_MAX_PARAM_ARGS 64

enum cvb_pin_mode { CVB_PIN_NONE, CVB_PIN_AUTO, CVB_PIN_LIST };

/* A noisy-neighbour scenario: the victim (the cell's workload) alone, or next
 * to an aggressor in its own instance, optionally under cgroup limits that
 * only the aggressor gets. */
struct cvb_scenario {
	char name[128]; /* as given: "alone", "cpu-hog", "cpu-hog:cpu-quota=20" */
	const struct cvb_workload *aggressor; /* NULL: the victim alone */
	int64_t aggressor_params[CVB_MAX_PARAMS];
	struct cvb_limits limits; /* the aggressor's; all unset: no limits */
	char cpuset_cpus[64];     /* storage behind limits.cpuset_cpus */
};

/* Where a victim and its aggressor run relative to each other. */
enum cvb_placement_kind {
	CVB_PLACE_NONE,       /* wherever the scheduler puts them */
	CVB_PLACE_SAME_PU,    /* both on one processing unit */
	CVB_PLACE_SIBLING,    /* two PUs of one core (SMT siblings) */
	CVB_PLACE_OTHER_CORE, /* PUs of different cores */
};

struct cvb_placement {
	enum cvb_placement_kind kind;
	/* Resolved with hwloc before the run ("" until then, and for none). */
	char victim_cpus[64], aggressor_cpus[64];
};

const char *cvb_placement_name(enum cvb_placement_kind kind);

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
	/* --launcher: a command the native backend starts the agent through
	 * (a peer runtime measured the same way); tokens, NULL-terminated. */
	char launcher_buf[1024];
	char *launcher[64];
	/* --instances: each cell brings N instances up at once (density); one
	 * cell per N. n_instances == 0: one instance per launch, the plain path. */
	unsigned instances[CVB_PLAN_MAX_INSTANCES];
	size_t n_instances;
	/* --scenario: noisy-neighbour cells, one per scenario (0: none). */
	struct cvb_scenario scenarios[CVB_PLAN_MAX_SCENARIOS];
	size_t n_scenarios;
	/* --placement: victim/aggressor placements, one cell per kind. */
	struct cvb_placement placements[CVB_PLAN_MAX_PLACEMENTS];
	size_t n_placements;
	int ksm; /* --ksm: -1 leave as it is, 0 off, 1 on (VM density) */
	/* --inject-delay-us: a testing knob that slows every launch on purpose
	 * (inside the measured window), to check that `cvbench compare` catches
	 * a regression. Recorded in the result; 0: off. */
	int64_t inject_delay_us;
	bool drop_caches;       /* before MemAvailable readings in density cells */
	char name[64];          /* the block's name in a matrix file, or "" */
	const char *out_path;   /* NULL: cvbench-<run-id>.json in the current directory */
	const char *agent_path; /* NULL: found next to the cvbench binary */
	bool dry_run, quiet;
	bool force; /* run even when the preflight fails (recorded) */
	/* --precision: repeat each cell past --reps (the minimum) until the 95%
	 * interval of each chosen metric's median is within +-precision of it
	 * (a fraction: 0.05), or --max-reps, or --time-budget; 0: fixed --reps. */
	double precision;
	const char *precision_metrics[CVB_PLAN_MAX_PRECISION_METRICS]; /* default startup_ns */
	size_t n_precision_metrics;
	char precision_metrics_buf[256];
	unsigned max_reps;      /* with --precision: the most measured launches per cell */
	int64_t time_budget_ms; /* run-wide, with --precision: no extension past it; 0 none */
	/* Where the value in effect of each guarded option was given: its argv
	 * index + 1 (0: not given). */
	int guarded_at[CVB_N_GUARDED];
	/* Option text resolved once every option is read (backends, workloads,
	 * then the parameters and scenarios that depend on them). */
	struct cvb_plan_args {
		const char *backends, *workloads;
		const char *params[CVB_PLAN_MAX_PARAM_ARGS];
		size_t n_params;
		const char *scenarios[CVB_PLAN_MAX_SCENARIOS];
		size_t n_scenarios;
	} args;
};

enum cvb_parse_result { CVB_PARSE_OK = 0, CVB_PARSE_HELP = 1, CVB_PARSE_ERROR = -1 };

#define CVB_MATRIX_MAX_BLOCKS 32

/* What one `cvbench run` measures: one block from the command line, or the
 * blocks of a matrix file, whose cells all run interleaved. Run-wide
 * settings (output, statistics, agent) are taken from the first block. */
struct cvb_matrix {
	struct cvb_plan *blocks[CVB_MATRIX_MAX_BLOCKS]; /* owned */
	size_t n_blocks;
	char name[64];      /* the matrix's name ("" for a command line) */
	char *source;       /* owned: the matrix file's text, recorded; or NULL */
	char path[4096];    /* the matrix file, or "" */
	const char *resume; /* --resume FILE, or NULL */
	char **overrides;   /* with --resume: the other options given (argv's) */
	int n_overrides;
	/* Rebuilding a resumed run: the first n_recorded_overrides options
	 * handed to the matrix come from the record, not the command line. */
	bool from_record;
	int n_recorded_overrides;
	char **strings; /* owned: argument text the blocks point into */
	size_t n_strings, cap_strings;
};

/* Reads a matrix file: {"cvbench_matrix": 1, "name", "description",
 * "defaults": {OPTION: VALUE...}, "blocks": [{OPTION: VALUE...}...]} where
 * OPTION is a long option of `cvbench run` without its dashes. Each block is
 * parsed as `cvbench run <defaults> <block> <overrides>`, all before anything
 * starts; errors name the file and line (syntax) or the block and field.
 * harness/plan/matrix.c */
int cvb_matrix_load(const char *path, int n_overrides, char **overrides, struct cvb_matrix *m,
                    struct cvb_error *err);

/* Parses `cvbench run` arguments into m: --matrix FILE (the other options
 * override every block), --resume FILE (handled by the caller: m->resume),
 * or a single block from the options. No argument at all: the default
 * matrix. */
enum cvb_parse_result cvb_matrix_parse_args(int argc, char **argv, struct cvb_matrix *m,
                                            struct cvb_error *err);

/* The same for a results file's recorded command line: argv[1..n_recorded-1]
 * come from the file (refused if they name a program; a --out there is
 * dropped), the rest from the command line of the resume. */
enum cvb_parse_result cvb_matrix_parse_recorded(int argc, char **argv, int n_recorded,
                                                struct cvb_matrix *m, struct cvb_error *err);

/* Builds the block list from a matrix given as JSON text (also what a
 * resumed run re-reads from its record). */
int cvb_matrix_from_text(const char *path, const char *text, int n_overrides, char **overrides,
                         struct cvb_matrix *m, struct cvb_error *err);

/* Where the built-in matrices live (default.json, quick.json, ...): next to
 * the binary's source tree or the installed share directory. */
int cvb_matrix_locate(const char *name, char *out, size_t len, struct cvb_error *err);

void cvb_matrix_free(struct cvb_matrix *m);

/* Parses `cvbench run` arguments (argv[0] is "run"). On CVB_PARSE_ERROR err
 * holds one line naming the problem and what would fix it. Does not touch
 * the file system or the topology. */
enum cvb_parse_result cvb_plan_parse(int argc, char **argv, struct cvb_plan *plan,
                                     struct cvb_error *err);

/* True if cells of this plan run instances in groups (density or noisy
 * neighbours) rather than one launch at a time. */
static inline bool cvb_plan_grouped(const struct cvb_plan *plan)
{
	return plan->n_instances > 0 || plan->n_scenarios > 0;
}

/* Refuses a plan whose --agent, --launcher, --kernel or --connect in effect
 * came from argv[from..to-1], text that `source` ("the matrix", "the results
 * file's command line") gave rather than the command line: -1 with a
 * one-line err naming the option and the fix. With drop_out, a --out from
 * there is forgotten instead (a resume writes where it is told now). */
int cvb_plan_check_sources(struct cvb_plan *plan, int from, int to, const char *source,
                           bool drop_out, struct cvb_error *err);

/* True if --NAME is one of the guarded options that name a program (agent,
 * launcher, kernel, connect): a matrix field of that name is refused. The
 * option rows say so (harness/plan_options.c). */
bool cvb_plan_option_runs_program(const char *name);

/* True if `cvbench run --NAME` takes no value (matrix files give it true). */
bool cvb_plan_option_is_flag(const char *name);

/* The help text of `cvbench run`, its options generated from their rows. */
void cvb_plan_usage(FILE *out);

#endif

/* The generic `cvbench run` options, one row each, and the few that need
 * code to parse. Backends declare their own rows (struct cvb_backend). */
#include "plan_options.h"
#include "cvb_spawn.h"
#include "parse_num.h"
#include "stats.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define PLAN(field) offsetof(struct cvb_plan, field)

int cvb_plan_each_item(const char *list, const char *what,
                       int (*add)(struct cvb_plan *, const char *, struct cvb_error *),
                       struct cvb_plan *plan, struct cvb_error *err)
{
	char buf[512];
	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return cvb_error_set(err, EINVAL, "%s: list too long", what);
	char *save = NULL;
	int n = 0;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save), n++)
		if (add(plan, tok, err) < 0)
			return -1;
	if (n == 0)
		return cvb_error_set(err, EINVAL, "%s: empty list", what);
	return 0;
}

/* --param and --scenario are resolved once the workloads are known. */
static int keep_param(const struct cvb_option *o, void *storage, const char *arg,
                      struct cvb_error *err)
{
	struct cvb_plan_args *a = &((struct cvb_plan *)storage)->args;
	(void)o;
	if (a->n_params == CVB_PLAN_MAX_PARAM_ARGS)
		return cvb_error_set(err, EINVAL, "--param: given too often");
	a->params[a->n_params++] = arg;
	return 0;
}

static int keep_scenario(const struct cvb_option *o, void *storage, const char *arg,
                         struct cvb_error *err)
{
	struct cvb_plan_args *a = &((struct cvb_plan *)storage)->args;
	(void)o;
	if (a->n_scenarios == CVB_PLAN_MAX_SCENARIOS)
		return cvb_error_set(err, EINVAL, "--scenario: at most %d scenarios",
		                     CVB_PLAN_MAX_SCENARIOS);
	a->scenarios[a->n_scenarios++] = arg;
	return 0;
}

static int parse_launcher(const struct cvb_option *o, void *storage, const char *arg,
                          struct cvb_error *err)
{
	struct cvb_plan *plan = storage;
	size_t n = 0;
	char *save = NULL;
	(void)o;
	if (snprintf(plan->launcher_buf, sizeof(plan->launcher_buf), "%s", arg) >=
	    (int)sizeof(plan->launcher_buf))
		return cvb_error_set(err, EINVAL, "--launcher: command too long");
	for (char *tok = strtok_r(plan->launcher_buf, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save)) {
		if (n + 1 >= sizeof(plan->launcher) / sizeof(plan->launcher[0]))
			return cvb_error_set(err, EINVAL, "--launcher: too many words");
		plan->launcher[n++] = tok;
	}
	plan->launcher[n] = NULL;
	if (n == 0)
		return cvb_error_set(err, EINVAL, "--launcher: empty command");
	return 0;
}

static int parse_pin(const struct cvb_option *o, void *storage, const char *arg,
                     struct cvb_error *err)
{
	struct cvb_plan *plan = storage;
	(void)o;
	if (strcmp(arg, "none") == 0) {
		plan->pin_mode = CVB_PIN_NONE;
		return 0;
	}
	if (strcmp(arg, "auto") == 0) {
		plan->pin_mode = CVB_PIN_AUTO;
		return 0;
	}
	if (cvb_cpulist_valid(arg, err) < 0 || snprintf(plan->pin_cpus, sizeof(plan->pin_cpus),
	                                                "%s", arg) >= (int)sizeof(plan->pin_cpus))
		return cvb_error_set(err, EINVAL,
		                     "--pin: expected none, auto or a CPU list such as 1 or 0,2-3, "
		                     "got '%s'",
		                     arg);
	plan->pin_mode = CVB_PIN_LIST;
	return 0;
}

static int add_instances(struct cvb_plan *plan, const char *tok, struct cvb_error *err)
{
	int64_t v;
	if (plan->n_instances == CVB_PLAN_MAX_INSTANCES)
		return cvb_error_set(err, EINVAL, "--instances: at most %d counts",
		                     CVB_PLAN_MAX_INSTANCES);
	if (cvb_parse_int64("--instances", tok, 1, 256, &v, err) < 0)
		return -1;
	for (size_t i = 0; i < plan->n_instances; i++)
		if (plan->instances[i] == (unsigned)v)
			return cvb_error_set(err, EINVAL, "--instances: %lld given twice",
			                     (long long)v);
	plan->instances[plan->n_instances++] = (unsigned)v;
	return 0;
}

static int add_placement(struct cvb_plan *plan, const char *tok, struct cvb_error *err)
{
	enum cvb_placement_kind k = CVB_PLACE_NONE;
	while (k <= CVB_PLACE_OTHER_CORE && strcmp(cvb_placement_name(k), tok) != 0)
		k++;
	if (k > CVB_PLACE_OTHER_CORE)
		return cvb_error_set(err, EINVAL,
		                     "--placement: unknown '%s' (known: none, same-pu, sibling, "
		                     "other-core)",
		                     tok);
	for (size_t i = 0; i < plan->n_placements; i++)
		if (plan->placements[i].kind == k)
			return cvb_error_set(err, EINVAL, "--placement: '%s' given twice", tok);
	if (plan->n_placements == CVB_PLAN_MAX_PLACEMENTS)
		return cvb_error_set(err, EINVAL, "--placement: too many");
	plan->placements[plan->n_placements++] = (struct cvb_placement){.kind = k};
	return 0;
}

static int parse_instances(const struct cvb_option *o, void *storage, const char *arg,
                           struct cvb_error *err)
{
	(void)o;
	return cvb_plan_each_item(arg, "--instances", add_instances, storage, err);
}

static int parse_placement(const struct cvb_option *o, void *storage, const char *arg,
                           struct cvb_error *err)
{
	(void)o;
	return cvb_plan_each_item(arg, "--placement", add_placement, storage, err);
}

static int parse_ksm(const struct cvb_option *o, void *storage, const char *arg,
                     struct cvb_error *err)
{
	(void)o;
	if (strcmp(arg, "on") && strcmp(arg, "off"))
		return cvb_error_set(err, EINVAL, "--ksm: expected on or off, got '%s'", arg);
	((struct cvb_plan *)storage)->ksm = strcmp(arg, "on") == 0;
	return 0;
}

/* --precision P% (or P): a fraction in the plan. */
static int parse_precision(const struct cvb_option *o, void *storage, const char *arg,
                           struct cvb_error *err)
{
	char *end = NULL;
	(void)o;
	errno = 0;
	double p = strtod(arg, &end);
	if (end && *end == '%')
		end++;
	if (errno || end == arg || *end || !(p >= 0.1 && p <= 50))
		return cvb_error_set(err, EINVAL,
		                     "--precision '%s': give a percentage from 0.1%% to 50%% "
		                     "(e.g. --precision 5%%)",
		                     arg);
	((struct cvb_plan *)storage)->precision = p / 100;
	return 0;
}

static int parse_precision_metric(const struct cvb_option *o, void *storage, const char *arg,
                                  struct cvb_error *err)
{
	struct cvb_plan *plan = storage;
	(void)o;
	snprintf(plan->precision_metrics_buf, sizeof(plan->precision_metrics_buf), "%s", arg);
	plan->n_precision_metrics = 0;
	for (char *save = NULL, *tok = strtok_r(plan->precision_metrics_buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (plan->n_precision_metrics == CVB_PLAN_MAX_PRECISION_METRICS)
			return cvb_error_set(err, EINVAL, "--precision-metric: at most %d metrics",
			                     CVB_PLAN_MAX_PRECISION_METRICS);
		plan->precision_metrics[plan->n_precision_metrics++] = tok;
	}
	if (!plan->n_precision_metrics)
		return cvb_error_set(err, EINVAL,
		                     "--precision-metric: name at least one metric "
		                     "(e.g. startup_ns)");
	return 0;
}

/* Defaults that depend on the registry, for --help. */
static void default_backend(char *buf, size_t len)
{
	snprintf(buf, len, "%s", cvb_backends[0]->name); /* the registry's first: the baseline */
}

static void default_timeout(char *buf, size_t len)
{
	snprintf(buf, len, "%s %d", cvb_backends[0]->name,
	         cvb_backends[0]->default_timeout_ms / 1000);
}

static void launcher_backends(char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; cvb_backends[i] && off < len; i++)
		if (cvb_backends[i]->caps & CVB_CAP_LAUNCHER)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
			                        cvb_backends[i]->name);
}

/* Run-wide options: in a matrix only in "defaults"; alone on a command line
 * they keep the default matrix. */
#define WIDE (CVB_OPTF_RUN_WIDE | CVB_OPTF_KEEPS_DEFAULT)

/* One row per option, compact: clang-format would spread each over a
 * dozen lines. */
/* clang-format off */
const struct cvb_option cvb_plan_generic_rows[] = {
    {.name = "backend", .kind = CVB_OPT_STRING, .offset = PLAN(args.backends), .arg = "LIST",
     .def_text = default_backend, .help = "backends, comma-separated (default: {def})"},
    {.name = "workload", .kind = CVB_OPT_STRING, .offset = PLAN(args.workloads), .arg = "LIST",
     .help = "workloads, comma-separated (default: ready)"},
    {.name = "param", .kind = CVB_OPT_CUSTOM, .parse = keep_param,
     .flags = CVB_OPTF_REPEATABLE, .arg = "NAME=N",
     .help = "workload parameter, for every selected workload that has it\n"
             "(repeatable; see 'cvbench list')"},
    {.name = "reps", .kind = CVB_OPT_UINT, .offset = PLAN(reps), .min = 1, .max = 1000000,
     .arg = "N", .def = CVB_DEFAULT_REPS, .help = "measured launches per cell (default: {def})"},
    {.name = "warmup", .kind = CVB_OPT_UINT, .offset = PLAN(warmup), .min = 0, .max = 100000,
     .arg = "K", .def = CVB_DEFAULT_WARMUP,
     .help = "launches per cell discarded first, counted (default: {def})"},
    {.name = "timeout", .kind = CVB_OPT_SECONDS_MS, .offset = PLAN(timeout_ms), .min = 1,
     .max = 86400000, .arg = "SEC", .def_text = default_timeout,
     .help = "bound on each wait of a launch: READY from its launch call,\n"
             "then DONE (in a group: from the round's last READY); a\n"
             "stopped instance gets 20 s from its STOP (default: per\n"
             "backend, {def})"},
    {.name = "settle-ms", .kind = CVB_OPT_INT, .offset = PLAN(settle_ms), .min = 0,
     .max = 3600000, .arg = "N", .def = CVB_DEFAULT_SETTLE_MS,
     .help = "wait after READY before measuring a workload that holds\n"
             "until stopped (default: {def})"},
    {.name = "gap-ms", .kind = CVB_OPT_INT, .offset = PLAN(gap_ms), .min = 0, .max = 60000,
     .arg = "N", .def = CVB_DEFAULT_GAP_MS,
     .help = "quiet pause before every launch, so that each starts from\n"
             "the same idle host state whatever ran before (default: {def})"},
    {.name = "pin", .kind = CVB_OPT_CUSTOM, .parse = parse_pin, .arg = "none|auto|LIST",
     .help = "pin instances: not at all (default), to a PU chosen\n"
             "with hwloc, or to a CPU list such as 1 or 0,2-3"},
    /* (each backend's options are shown here) */
    {.name = "instances", .kind = CVB_OPT_CUSTOM, .parse = parse_instances, .arg = "LIST",
     .group = "density and noisy neighbours:",
     .help = "bring N instances up at once and hold them (e.g. 1,2,4,8,16,\n"
             "one cell per N): bring-up time, host cost per instance,\n"
             "MemAvailable before/after (caches dropped) per instance, and\n"
             "a fit of the marginal cost; stops before memory runs short"},
    {.name = "ksm", .kind = CVB_OPT_CUSTOM, .parse = parse_ksm, .arg = "on|off",
     .help = "KSM for the run (VM density; measured once it settled)"},
    {.name = "no-drop-caches", .kind = CVB_OPT_FLAG_OFF, .offset = PLAN(drop_caches),
     .help = "do not drop the page cache before MemAvailable readings"},
    {.name = "scenario", .kind = CVB_OPT_CUSTOM, .parse = keep_scenario,
     .flags = CVB_OPTF_REPEATABLE, .arg = "SPEC",
     .help = "noisy neighbours, repeatable, one cell each: 'alone' (the\n"
             "victim by itself) or AGGRESSOR[:KEY=VALUE...] where KEY is a\n"
             "limit for the aggressor only (cpu-quota, cpu-period-us,\n"
             "cpu-weight, cpuset-cpus, memory-max, swap-max, pids-max,\n"
             "io-weight) or an aggressor parameter; e.g. cpu-hog,\n"
             "cpu-hog:cpu-quota=20, fork-hog:procs=2000:pids-max=64\n"
             "(cpuset-cpus confines the aggressor itself: --placement\n"
             "then pins only the victim)"},
    {.name = "placement", .kind = CVB_OPT_CUSTOM, .parse = parse_placement, .arg = "LIST",
     .help = "none, same-pu, sibling, other-core (hwloc; recorded)"},
    {.name = "matrix", .kind = CVB_OPT_STRING, .arg = "FILE", .group = "",
     .flags = CVB_OPTF_NOT_IN_BLOCK | CVB_OPTF_NOT_IN_MATRIX,
     .help = "run a matrix file (see matrices/); other options given\n"
             "override every block. No option at all: matrices/default"},
    {.name = "resume", .kind = CVB_OPT_STRING, .arg = "FILE",
     .flags = CVB_OPTF_NOT_IN_BLOCK | CVB_OPTF_NOT_IN_MATRIX,
     .help = "continue an interrupted run from its results file (and\n"
             "into it); --agent, --launcher, --kernel, --connect are\n"
             "never taken from a file: give them again"},
    {.name = "inject-delay-us", .kind = CVB_OPT_INT, .offset = PLAN(inject_delay_us), .min = 0,
     .max = 10000000, .flags = CVB_OPTF_KEEPS_DEFAULT, .arg = "N",
     .help = "testing knob: add N us to every launch, inside the\n"
             "measured window (recorded), to check 'cvbench compare'"},
    {.name = "launcher", .kind = CVB_OPT_CUSTOM, .parse = parse_launcher,
     .guard = CVB_GUARD_LAUNCHER, .arg = "CMD", .def_text = launcher_backends,
     .help = "{def} only: start the agent through CMD (split at spaces;\n"
             "{agent} becomes the agent and its arguments, {name} the\n"
             "instance name; without {agent} nothing is appended), so\n"
             "that another runtime is measured the same way"},
    {.name = "out", .kind = CVB_OPT_STRING, .offset = PLAN(out_path), .expect = "file name",
     .guard = CVB_GUARD_OUT, .flags = WIDE, .arg = "FILE",
     .help = "results file (default: ./cvbench-<run-id>.json); written\n"
             "atomically, also when the run fails or is interrupted"},
    {.name = "seed", .kind = CVB_OPT_U64, .offset = PLAN(seed), .min = 0, .max = INT64_MAX,
     .flags = WIDE, .arg = "N", .def = (int64_t)CVB_BOOTSTRAP_SEED_DEFAULT,
     .help = "bootstrap seed, recorded (default: {def})"},
    {.name = "resamples", .kind = CVB_OPT_UINT, .offset = PLAN(resamples),
     .min = CVB_BOOTSTRAP_RESAMPLES_MIN, .max = CVB_BOOTSTRAP_RESAMPLES_MAX, .flags = WIDE,
     .arg = "N", .def = CVB_BOOTSTRAP_RESAMPLES_DEFAULT,
     .help = "bootstrap resamples (default: {def})"},
    {.name = "agent", .kind = CVB_OPT_STRING, .offset = PLAN(agent_path),
     .guard = CVB_GUARD_AGENT, .flags = WIDE, .arg = "PATH",
     .help = "the cvb-agent binary (default: next to cvbench, or $CVB_AGENT)"},
    {.name = "dry-run", .kind = CVB_OPT_FLAG, .offset = PLAN(dry_run), .flags = WIDE,
     .help = "print the plan and exit"},
    {.name = "quiet", .kind = CVB_OPT_FLAG, .offset = PLAN(quiet), .flags = WIDE,
     .help = "no progress or summary on stdout"},
    {.name = "precision", .kind = CVB_OPT_CUSTOM, .parse = parse_precision, .arg = "P%",
     .help = "repeat each cell past --reps (then the minimum), interleaved,\n"
             "until the 95% interval of each chosen metric's median is\n"
             "within +-P% of it; each cell records why it stopped"},
    {.name = "precision-metric", .kind = CVB_OPT_CUSTOM, .parse = parse_precision_metric,
     .arg = "LIST", .help = "the metrics --precision watches (default: startup_ns)"},
    {.name = "max-reps", .kind = CVB_OPT_UINT, .offset = PLAN(max_reps), .min = 1,
     .max = 1000000, .arg = "N",
     .help = "with --precision: at most N measured launches per cell\n"
             "(default: 10 x --reps)"},
    {.name = "time-budget", .kind = CVB_OPT_SECONDS_MS, .offset = PLAN(time_budget_ms),
     .min = 1000, .max = 86400000LL * 7, .flags = WIDE, .arg = "SEC",
     .help = "no --precision cell is extended once the run has taken\n"
             "SEC (cells still reach --reps; others are not affected)"},
    {.name = "force", .kind = CVB_OPT_FLAG, .offset = PLAN(force), .flags = WIDE,
     .help = "measure even when the preflight finds a host problem that\n"
             "makes figures wrong (recorded in host.preflight[]; see\n"
             "'cvbench doctor')"},
    {.name = "help", .kind = CVB_OPT_HELP, .flags = CVB_OPTF_NOT_IN_MATRIX,
     .help = "this text"},
    {0},
};
/* clang-format on */

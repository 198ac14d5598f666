/* Parsing `cvbench run` arguments into a plan (declared in plan.h), driven
 * by the option rows of plan_options.h. */
#include "plan.h"
#include "plan_options.h"
#include "parse_num.h"
#include "cvb_spawn.h"
#include "stats.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

void cvb_plan_usage(FILE *out)
{
	fputs("usage: cvbench run [OPTIONS]\n"
	      "\n"
	      "Launches the agent again and again in each cell (backend x workload),\n"
	      "interleaving cells, and writes one results JSON document.\n"
	      "\n",
	      out);
	cvb_plan_options_usage(out);
	fputs("\n"
	      "Exit status: 0 every cell ok (or skipped with its reason, if any cell ran);\n"
	      "1 a cell failed, or nothing could run; 2 bad usage or input (no file written);\n"
	      "3 the preflight failed (nothing measured; fix the host or add --force);\n"
	      "130 interrupted (the file keeps what was measured, marked incomplete).\n",
	      out);
}

static void names_of_backends(char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; cvb_backends[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		                        cvb_backends[i]->name);
}

static void names_of_workloads(char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; cvb_workloads[i] && off < len; i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? ", " : "",
		                        cvb_workloads[i]->name);
}

static int add_backend(struct cvb_plan *plan, const char *name, struct cvb_error *err)
{
	char known[256];
	const struct cvb_backend *b = cvb_backend_find(name);
	if (!b) {
		names_of_backends(known, sizeof(known));
		return cvb_error_set(err, EINVAL, "unknown backend '%s' (known: %s)", name, known);
	}
	for (size_t i = 0; i < plan->n_backends; i++)
		if (plan->backends[i] == b)
			return cvb_error_set(err, EINVAL, "backend '%s' given twice", name);
	if (plan->n_backends == CVB_PLAN_MAX_BACKENDS)
		return cvb_error_set(err, EINVAL, "too many backends");
	plan->backends[plan->n_backends++] = b;
	return 0;
}

static int add_workload(struct cvb_plan *plan, const char *name, struct cvb_error *err)
{
	char known[512];
	const struct cvb_workload *w = cvb_workload_find(name);
	if (!w) {
		names_of_workloads(known, sizeof(known));
		return cvb_error_set(err, EINVAL, "unknown workload '%s' (known: %s)", name, known);
	}
	for (size_t i = 0; i < plan->n_workloads; i++)
		if (plan->workloads[i] == w)
			return cvb_error_set(err, EINVAL, "workload '%s' given twice", name);
	if (plan->n_workloads == CVB_PLAN_MAX_WORKLOADS)
		return cvb_error_set(err, EINVAL, "too many workloads");
	size_t k = plan->n_workloads++;
	plan->workloads[k] = w;
	for (size_t i = 0; i < cvb_workload_param_count(w); i++)
		plan->params[k][i] = w->params[i].def;
	return 0;
}

/* Applies NAME=VALUE to every selected workload that has NAME. */
static int apply_param(struct cvb_plan *plan, const char *arg, struct cvb_error *err)
{
	char name[64];
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(name))
		return cvb_error_set(err, EINVAL, "--param: expected NAME=VALUE, got '%s'", arg);
	memcpy(name, arg, (size_t)(eq - arg));
	name[eq - arg] = '\0';
	bool used = false;
	for (size_t k = 0; k < plan->n_workloads; k++) {
		const struct cvb_workload *w = plan->workloads[k];
		int idx = cvb_workload_param_index(w, name);
		if (idx < 0)
			continue;
		char what[128];
		snprintf(what, sizeof(what), "--param %s (workload %s)", name, w->name);
		if (cvb_parse_int64(what, eq + 1, w->params[idx].min, w->params[idx].max,
		                    &plan->params[k][idx], err) < 0)
			return -1;
		used = true;
	}
	if (!used)
		return cvb_error_set(err, EINVAL,
		                     "--param: no selected workload has a parameter '%s' (see "
		                     "'cvbench list')",
		                     name);
	return 0;
}

/* --precision's companions make sense only with it, and --max-reps only
 * above --reps; defaults are filled in. */
static int check_repetition(struct cvb_plan *plan, struct cvb_error *err)
{
	if (!plan->precision) {
		/* --time-budget is run-wide: blocks without --precision ignore it. */
		if (plan->max_reps || plan->n_precision_metrics)
			return cvb_error_set(err, EINVAL,
			                     "--max-reps and --precision-metric need --precision "
			                     "(e.g. --precision 5%%)");
		return 0;
	}
	if (!plan->max_reps)
		plan->max_reps = plan->reps * 10 < 1000000 ? plan->reps * 10 : 1000000;
	if (plan->max_reps < plan->reps)
		return cvb_error_set(err, EINVAL,
		                     "--max-reps %u is below --reps %u: --reps is the minimum with "
		                     "--precision",
		                     plan->max_reps, plan->reps);
	if (!plan->n_precision_metrics) {
		plan->precision_metrics[0] = "startup_ns";
		plan->n_precision_metrics = 1;
	}
	/* What the harness records of every launch, then what workloads say. */
	static const char *const harness_metrics[] = {
	    "startup_ns", "agent_cpu_ns", "bringup_ns", "host_pss_bytes", "host_rss_bytes", NULL};
	for (size_t i = 0; i < plan->n_precision_metrics; i++) {
		const char *name = plan->precision_metrics[i];
		bool harness = false;
		for (size_t h = 0; harness_metrics[h]; h++)
			harness |= strcmp(harness_metrics[h], name) == 0;
		/* Every workload must report it, or its cells would never close. */
		for (size_t w = 0; !harness && w < plan->n_workloads; w++)
			if (!cvb_workload_metric(plan->workloads[w], name))
				return cvb_error_set(
				    err, EINVAL,
				    "--precision-metric '%s': workload %s does not report it (see "
				    "'cvbench list' for each workload's metrics; one block per "
				    "workload if they differ)",
				    name, plan->workloads[w]->name);
	}
	return 0;
}
const char *cvb_placement_name(enum cvb_placement_kind kind)
{
	static const char *const names[] = {"none", "same-pu", "sibling", "other-core"};
	return kind <= CVB_PLACE_OTHER_CORE ? names[kind] : "?";
}

/* Turns the CPU quota from percent of one CPU into microseconds per period
 * and checks the pairs of limits that only make sense together. */
static int finish_limits(struct cvb_limits *l, const char *what, struct cvb_error *err)
{
	if (l->cpu_period_us >= 0 && l->cpu_quota_us < 0)
		return cvb_error_set(err, EINVAL, "%scpu-period-us needs a cpu-quota", what);
	if (l->cpu_quota_us >= 0) {
		if (l->cpu_period_us < 0)
			l->cpu_period_us = 100000;
		l->cpu_quota_us = l->cpu_quota_us * l->cpu_period_us / 100;
		if (l->cpu_quota_us < 1000)
			return cvb_error_set(err, EINVAL,
			                     "%scpu-quota: the quota per period must be at least "
			                     "1000 us (raise the percentage or the period)",
			                     what);
	}
	if (l->swap_max_bytes >= 0 && l->memory_max_bytes < 0)
		return cvb_error_set(err, EINVAL, "%sswap-max needs a memory-max", what);
	return 0;
}

/* The limits an aggressor may take, for messages: "cpu-quota, ...". */
static void scenario_limit_names(char *buf, size_t len)
{
	const struct cvb_plan_option *o;
	size_t n = cvb_plan_options(&o), off = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && off < len; i++)
		if (o[i].row->flags & CVB_OPTF_SCENARIO_LIMIT)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? ", " : "",
			                        o[i].row->name);
}

/* --scenario alone | AGGRESSOR[:KEY=VALUE]...: KEY is a cgroup limit for the
 * aggressor (a row marked CVB_OPTF_SCENARIO_LIMIT, parsed by that row) or
 * one of its workload parameters. */
static int parse_scenario(struct cvb_plan *plan, const char *arg, struct cvb_error *err)
{
	if (plan->n_scenarios == CVB_PLAN_MAX_SCENARIOS)
		return cvb_error_set(err, EINVAL, "--scenario: at most %d scenarios",
		                     CVB_PLAN_MAX_SCENARIOS);
	struct cvb_scenario *sc = &plan->scenarios[plan->n_scenarios];
	memset(sc, 0, sizeof(*sc));
	sc->limits = (struct cvb_limits){-1, -1, -1, NULL, NULL, -1, -1, -1, -1};
	if (snprintf(sc->name, sizeof(sc->name), "%s", arg) >= (int)sizeof(sc->name))
		return cvb_error_set(err, EINVAL, "--scenario: '%.40s...' is too long", arg);
	for (size_t i = 0; i < plan->n_scenarios; i++)
		if (strcmp(plan->scenarios[i].name, arg) == 0)
			return cvb_error_set(err, EINVAL, "--scenario '%s' given twice", arg);
	if (strcmp(arg, "alone") == 0) {
		plan->n_scenarios++;
		return 0;
	}
	char buf[128], known[512];
	snprintf(buf, sizeof(buf), "%s", arg);
	char *save = NULL, *tok = strtok_r(buf, ":", &save);
	const struct cvb_workload *w = tok ? cvb_workload_find(tok) : NULL;
	if (!w) {
		names_of_workloads(known, sizeof(known));
		return cvb_error_set(
		    err, EINVAL,
		    "--scenario '%s': expected 'alone' or AGGRESSOR[:KEY=VALUE...] "
		    "with an aggressor workload (known: %s)",
		    arg, known);
	}
	sc->aggressor = w;
	for (size_t i = 0; i < cvb_workload_param_count(w); i++)
		sc->aggressor_params[i] = w->params[i].def;
	/* Parsed through the same code as the command-line limits. */
	struct cvb_plan *scratch = calloc(1, sizeof(*scratch));
	if (!scratch)
		return cvb_error_set(err, ENOMEM, "out of memory");
	cvb_instance_config_init(&scratch->config);
	int rc = 0;
	while (rc == 0 && (tok = strtok_r(NULL, ":", &save))) {
		char *eq = strchr(tok, '=');
		if (!eq || eq == tok) {
			rc = cvb_error_set(
			    err, EINVAL, "--scenario '%s': expected KEY=VALUE after ':', got '%s'",
			    arg, tok);
			break;
		}
		*eq = '\0';
		int pi = cvb_workload_param_index(w, tok);
		const struct cvb_plan_option *limit = cvb_plan_option_find(tok);
		if (limit && !(limit->row->flags & CVB_OPTF_SCENARIO_LIMIT))
			limit = NULL;
		if (pi >= 0) {
			char what[160];
			snprintf(what, sizeof(what), "--scenario '%s': %s", arg, tok);
			rc = cvb_parse_int64(what, eq + 1, w->params[pi].min, w->params[pi].max,
			                     &sc->aggressor_params[pi], err);
		} else if (limit) {
			rc = cvb_plan_option_apply(limit, scratch, eq + 1, err);
		} else {
			char limits[256];
			scenario_limit_names(limits, sizeof(limits));
			rc = cvb_error_set(err, EINVAL,
			                   "--scenario '%s': '%s' is neither a limit (%s) nor a "
			                   "parameter of %s",
			                   arg, tok, limits, w->name);
		}
	}
	if (rc == 0) {
		char what[160];
		snprintf(what, sizeof(what), "--scenario '%s': ", arg);
		rc = finish_limits(&scratch->config.limits, what, err);
	}
	if (rc == 0) {
		sc->limits = scratch->config.limits;
		if (sc->limits.cpuset_cpus) {
			snprintf(sc->cpuset_cpus, sizeof(sc->cpuset_cpus), "%s",
			         sc->limits.cpuset_cpus);
			sc->limits.cpuset_cpus = sc->cpuset_cpus;
		}
		sc->limits.cpuset_mems = NULL;
		plan->n_scenarios++;
	}
	free(scratch);
	return rc;
}
/* The guarded options by enum cvb_guarded_option, for messages. */
static const char *const guarded_names[CVB_N_GUARDED] = {NULL,     "agent",   "launcher",
                                                         "kernel", "connect", "out"};

int cvb_plan_check_sources(struct cvb_plan *plan, int from, int to, const char *source,
                           bool drop_out, struct cvb_error *err)
{
	const char *const *names = guarded_names;
	const char *values[CVB_N_GUARDED] = {NULL,
	                                     plan->agent_path,
	                                     plan->launcher[0],
	                                     plan->config.vm.kernel,
	                                     plan->config.vm.connect,
	                                     plan->out_path};
	for (int g = CVB_GUARD_NONE + 1; g < CVB_N_GUARDED; g++) {
		int at = plan->guarded_at[g] - 1;
		if (at < from || at >= to)
			continue;
		if (g == CVB_GUARD_OUT) {
			if (drop_out) {
				plan->out_path = NULL;
				plan->guarded_at[g] = 0;
			}
			continue;
		}
		return cvb_error_set(err, EPERM,
		                     "%s gives --%s '%s', but what cvbench runs as root comes from "
		                     "the command line only: pass --%s there",
		                     source, names[g], values[g] ? values[g] : "", names[g]);
	}
	return 0;
}

/* What only makes sense together, checked once everything is parsed. */
static int check_groups(struct cvb_plan *plan, struct cvb_error *err)
{
	if (plan->n_instances && plan->n_scenarios)
		return cvb_error_set(err, EINVAL,
		                     "--instances and --scenario cannot be combined: density and "
		                     "noisy-neighbour cells are separate runs (or matrix blocks)");
	if (plan->n_placements && !plan->n_scenarios)
		return cvb_error_set(err, EINVAL,
		                     "--placement places a victim and its aggressor: it needs "
		                     "--scenario");
	for (size_t i = 0; i < plan->n_scenarios; i++) {
		const struct cvb_workload *a = plan->scenarios[i].aggressor;
		if (a && !cvb_workload_stoppable(a))
			return cvb_error_set(err, EINVAL,
			                     "--scenario '%s': %s cannot be stopped on request, so "
			                     "it cannot be an aggressor",
			                     plan->scenarios[i].name, a->name);
		for (size_t k = 0; a && k < plan->n_workloads; k++)
			if (plan->workloads[k] == a)
				return cvb_error_set(
				    err, EINVAL,
				    "--scenario '%s': the victim %s would be its own "
				    "aggressor (their metrics would mix); use a victim "
				    "workload",
				    plan->scenarios[i].name, a->name);
	}
	for (size_t k = 0; plan->n_scenarios && k < plan->n_workloads; k++)
		if (plan->workloads[k]->holds_until_stopped)
			return cvb_error_set(
			    err, EINVAL,
			    "--scenario: workload %s runs until stopped, so it has "
			    "no time to slow down; use a victim (cpu-victim, "
			    "mem-victim, wake-victim) or another finite workload",
			    plan->workloads[k]->name);
	if (plan->n_scenarios && !plan->n_placements)
		plan->placements[plan->n_placements++] =
		    (struct cvb_placement){.kind = CVB_PLACE_NONE};
	return 0;
}

/* The plan before any option: the defaults every row's help promises. */
static void plan_defaults(struct cvb_plan *plan)
{
	memset(plan, 0, sizeof(*plan));
	plan->reps = CVB_DEFAULT_REPS;
	plan->warmup = CVB_DEFAULT_WARMUP;
	plan->settle_ms = CVB_DEFAULT_SETTLE_MS;
	plan->gap_ms = CVB_DEFAULT_GAP_MS;
	cvb_instance_config_init(&plan->config);
	plan->seed = CVB_BOOTSTRAP_SEED_DEFAULT;
	plan->resamples = CVB_BOOTSTRAP_RESAMPLES_DEFAULT;
	plan->ksm = -1;
	plan->drop_caches = true;
	plan->args.backends = cvb_backends[0]->name; /* the registry's first: the baseline */
	plan->args.workloads = "ready";
}

/* What getopt_long returned that is not an option of the list. */
static enum cvb_parse_result bad_option(int c, char **argv, struct cvb_error *err)
{
	if (c == ':')
		return cvb_error_set(err, EINVAL,
		                     "option '%s' needs a value (see 'cvbench run --help')",
		                     argv[optind - 1]);
	/* optopt names a bad short option; argv[optind-1] a long one. */
	if (optopt > 0 && optopt < CVB_PLAN_OPTION_VAL)
		return cvb_error_set(err, EINVAL, "unknown option '-%c' (see 'cvbench run --help')",
		                     optopt);
	return cvb_error_set(err, EINVAL, "unknown option '%s' (see 'cvbench run --help')",
	                     argv[optind - 1]);
}

/* What needs every option read: the backends and workloads, then what
 * depends on them, then the checks across options. */
static enum cvb_parse_result resolve(struct cvb_plan *plan, struct cvb_error *err)
{
	const struct cvb_plan_args *a = &plan->args;
	if (cvb_plan_each_item(a->backends, "--backend", add_backend, plan, err) < 0 ||
	    cvb_plan_each_item(a->workloads, "--workload", add_workload, plan, err) < 0)
		return CVB_PARSE_ERROR;
	for (size_t i = 0; i < a->n_params; i++)
		if (apply_param(plan, a->params[i], err) < 0)
			return CVB_PARSE_ERROR;
	for (size_t i = 0; i < a->n_scenarios; i++)
		if (parse_scenario(plan, a->scenarios[i], err) < 0)
			return CVB_PARSE_ERROR;
	if (finish_limits(&plan->config.limits, "--", err) < 0 || check_groups(plan, err) < 0 ||
	    check_repetition(plan, err) < 0)
		return CVB_PARSE_ERROR;
	if (plan->launcher[0] &&
	    (plan->n_backends != 1 || !(plan->backends[0]->caps & CVB_CAP_LAUNCHER))) {
		const char *with = "?";
		for (size_t i = 0; cvb_backends[i]; i++)
			if (cvb_backends[i]->caps & CVB_CAP_LAUNCHER)
				with = cvb_backends[i]->name;
		return cvb_error_set(err, EINVAL, "--launcher works with --backend %s only", with);
	}
	return CVB_PARSE_OK;
}

enum cvb_parse_result cvb_plan_parse(int argc, char **argv, struct cvb_plan *plan,
                                     struct cvb_error *err)
{
	static struct option opts[CVB_PLAN_MAX_OPTIONS + 1];
	const struct cvb_plan_option *rows;
	size_t n_rows = cvb_plan_options(&rows);
	if (!opts[0].name)
		cvb_plan_options_getopt(opts);
	plan_defaults(plan);

	optind = 0; /* full re-initialisation: the parser may run more than once */
	opterr = 0;
	/* Where the next option starts: "+" permutes nothing, so it is optind
	 * after the previous one (argv[1] first: optind 0 only re-initialises). */
	int c, at = 1;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		size_t i = (size_t)(c - CVB_PLAN_OPTION_VAL);
		if (c < CVB_PLAN_OPTION_VAL || i >= n_rows)
			return bad_option(c, argv, err);
		const struct cvb_plan_option *o = &rows[i];
		/* Where a guarded option was given (the last one is in effect). */
		if (o->row->guard != CVB_GUARD_NONE)
			plan->guarded_at[o->row->guard] = at + 1;
		at = optind;
		if (o->row->kind == CVB_OPT_HELP)
			return CVB_PARSE_HELP;
		if (cvb_plan_option_apply(o, plan, optarg, err) < 0)
			return CVB_PARSE_ERROR;
	}
	if (optind < argc)
		return cvb_error_set(err, EINVAL,
		                     "unexpected argument '%s' (see 'cvbench run --help')",
		                     argv[optind]);
	return resolve(plan, err);
}

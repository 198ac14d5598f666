#include "plan.h"
#include "parse_num.h"
#include "cvb_spawn.h"
#include "stats.h"
#include "seccomp_profile.h"
#include "vm_accel.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PARAM_ARGS 64

void cvb_plan_usage(FILE *out)
{
	fprintf(
	    out,
	    "usage: cvbench run [OPTIONS]\n"
	    "\n"
	    "Launches the agent again and again in each cell (backend x workload),\n"
	    "interleaving cells, and writes one results JSON document.\n"
	    "\n"
	    "  --backend LIST     backends, comma-separated (default: native)\n"
	    "  --workload LIST    workloads, comma-separated (default: ready)\n"
	    "  --param NAME=N     workload parameter, for every selected workload that has it\n"
	    "                     (repeatable; see 'cvbench list')\n"
	    "  --reps N           measured launches per cell (default: %d)\n"
	    "  --warmup K         launches per cell discarded first, counted (default: %d)\n"
	    "  --timeout SEC      bound on each wait of a launch: READY from its launch call,\n"
	    "                     then DONE (in a group: from the round's last READY); a\n"
	    "                     stopped instance gets 20 s from its STOP (default: per\n"
	    "                     backend, native 10)\n"
	    "  --settle-ms N      wait after READY before measuring a workload that holds\n"
	    "                     until stopped (default: %d)\n"
	    "  --gap-ms N         quiet pause before every launch, so that each starts from\n"
	    "                     the same idle host state whatever ran before (default: %d)\n"
	    "  --pin none|auto|LIST  pin instances: not at all (default), to a PU chosen\n"
	    "                     with hwloc, or to a CPU list such as 1 or 0,2-3\n"
	    "\n"
	    "container instances (other backends record these as not applicable):\n"
	    "  --ns LIST          namespaces: pid,mnt,net,uts,ipc,cgroup,user,time or none\n"
	    "                     (default: all but time; user maps container root to an\n"
	    "                     unprivileged host uid)\n"
	    "  --cpu-quota PCT    CPU bandwidth in percent of one CPU (e.g. 20)\n"
	    "  --cpu-period-us N  CPU bandwidth period (default 100000)\n"
	    "  --cpu-weight N     CPU weight 1..10000 (v1: shares = N * 1024 / 100)\n"
	    "  --cpuset-cpus LIST, --cpuset-mems LIST   cpuset limits\n"
	    "  --memory-max SIZE  memory limit (e.g. 64M); --swap-max SIZE swap on top of it\n"
	    "  --pids-max N       process limit; --io-weight N  I/O weight 1..10000\n"
	    "  --harden LIST      caps,nnp,seccomp or all (default: none, raw costs);\n"
	    "                     seccomp is the default-deny profile, seccomp=denylist the\n"
	    "                     deny list of earlier versions (to measure it)\n"
	    "  --rootfs-rw        writable root filesystem (default: read-only)\n"
	    "  --no-cgroup        namespaces only, no cgroup (what unshare(1) does): shows\n"
	    "                     what the per-instance cgroup costs; needs the pid namespace\n"
	    "\n"
	    "\n"
	    "VM instances:\n"
	    "  --accel auto|kvm|tcg  auto: KVM only where a probe guest proves it works,\n"
	    "                     else TCG, with the reason recorded (default: auto)\n"
	    "  --connect URI      libvirt connection (default: qemu:///system)\n"
	    "  --kernel PATH      guest kernel (default: guest/vmlinuz next to the agent,\n"
	    "                     made by 'make guest')\n"
	    "  --vcpus N          vCPUs (default 1); --vm-memory SIZE guest RAM (default 256M)\n"
	    "  --machine TYPE     QEMU machine (default q35); --cpu-model NAME (default: host\n"
	    "                     with KVM, max with TCG)\n"
	    "  --vm-pin-vcpus LIST, --vm-pin-emulator LIST   pin vCPUs / QEMU's other threads\n"
	    "\n"
	    "density and noisy neighbours:\n"
	    "  --instances LIST   bring N instances up at once and hold them (e.g. 1,2,4,8,16,\n"
	    "                     one cell per N): bring-up time, host cost per instance,\n"
	    "                     MemAvailable before/after (caches dropped) per instance, and\n"
	    "                     a fit of the marginal cost; stops before memory runs short\n"
	    "  --ksm on|off       KSM for the run (VM density; measured once it settled)\n"
	    "  --no-drop-caches   do not drop the page cache before MemAvailable readings\n"
	    "  --scenario SPEC    noisy neighbours, repeatable, one cell each: 'alone' (the\n"
	    "                     victim by itself) or AGGRESSOR[:KEY=VALUE...] where KEY is a\n"
	    "                     limit for the aggressor only (cpu-quota, cpu-period-us,\n"
	    "                     cpu-weight, cpuset-cpus, memory-max, swap-max, pids-max,\n"
	    "                     io-weight) or an aggressor parameter; e.g. cpu-hog,\n"
	    "                     cpu-hog:cpu-quota=20, fork-hog:procs=2000:pids-max=64\n"
	    "                     (cpuset-cpus confines the aggressor itself: --placement\n"
	    "                     then pins only the victim)\n"
	    "  --placement LIST   none, same-pu, sibling, other-core (hwloc; recorded)\n"
	    "\n"
	    "  --matrix FILE      run a matrix file (see matrices/); other options given\n"
	    "                     override every block. No option at all: matrices/default\n"
	    "  --resume FILE      continue an interrupted run from its results file (and\n"
	    "                     into it); --agent, --launcher, --kernel, --connect are\n"
	    "                     never taken from a file: give them again\n"
	    "  --inject-delay-us N  testing knob: add N us to every launch, inside the\n"
	    "                     measured window (recorded), to check 'cvbench compare'\n"
	    "  --launcher CMD     native only: start the agent through CMD (split at spaces;\n"
	    "                     {agent} becomes the agent and its arguments, {name} the\n"
	    "                     instance name; without {agent} nothing is appended), so\n"
	    "                     that another runtime is measured the same way\n"
	    "  --out FILE         results file (default: ./cvbench-<run-id>.json); written\n"
	    "                     atomically, also when the run fails or is interrupted\n"
	    "  --seed N           bootstrap seed, recorded (default: %llu)\n"
	    "  --resamples N      bootstrap resamples (default: %u)\n"
	    "  --agent PATH       the cvb-agent binary (default: next to cvbench, or $CVB_AGENT)\n"
	    "  --dry-run          print the plan and exit\n"
	    "  --quiet            no progress or summary on stdout\n"
	    "  --precision P%%     repeat each cell past --reps (then the minimum), interleaved,\n"
	    "                     until the 95%% interval of each chosen metric's median is\n"
	    "                     within +-P%% of it; each cell records why it stopped\n"
	    "  --precision-metric LIST  the metrics --precision watches (default: startup_ns)\n"
	    "  --max-reps N       with --precision: at most N measured launches per cell\n"
	    "                     (default: 10 x --reps)\n"
	    "  --time-budget SEC  no --precision cell is extended once the run has taken\n"
	    "                     SEC (cells still reach --reps; others are not affected)\n"
	    "  --force            measure even when the preflight finds a host problem that\n"
	    "                     makes figures wrong (recorded in host.preflight[]; see\n"
	    "                     'cvbench doctor')\n"
	    "  --help             this text\n"
	    "\n"
	    "Exit status: 0 every cell ok (or skipped with its reason, if any cell ran);\n"
	    "1 a cell failed, or nothing could run; 2 bad usage or input (no file written);\n"
	    "3 the preflight failed (nothing measured; fix the host or add --force);\n"
	    "130 interrupted (the file keeps what was measured, marked incomplete).\n",
	    CVB_DEFAULT_REPS, CVB_DEFAULT_WARMUP, CVB_DEFAULT_SETTLE_MS, CVB_DEFAULT_GAP_MS,
	    (unsigned long long)CVB_BOOTSTRAP_SEED_DEFAULT, CVB_BOOTSTRAP_RESAMPLES_DEFAULT);
}

/* Splits a comma-separated list, calling add for each non-empty item. */
static int each_item(const char *list, const char *what,
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

static int parse_launcher(struct cvb_plan *plan, const char *arg, struct cvb_error *err)
{
	size_t n = 0;
	char *save = NULL;
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

static int parse_pin(struct cvb_plan *plan, const char *arg, struct cvb_error *err)
{
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

/* A comma list of names into bits; "none" is 0, "all" every bit. */
static int parse_flag_list(const char *what, const char *arg, const char *const *names,
                           unsigned *out, struct cvb_error *err)
{
	char buf[256];
	unsigned bits = 0, all = 0;
	for (size_t i = 0; names[i]; i++)
		all |= 1u << i;
	if (strcmp(arg, "none") == 0) {
		*out = 0;
		return 0;
	}
	if (strcmp(arg, "all") == 0) {
		*out = all;
		return 0;
	}
	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return cvb_error_set(err, EINVAL, "%s: list too long", what);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i = 0;
		while (names[i] && strcmp(names[i], tok) != 0)
			i++;
		if (!names[i]) {
			char known[256];
			size_t off = 0;
			for (size_t j = 0; names[j]; j++)
				off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s",
				                        j ? "," : "", names[j]);
			return cvb_error_set(err, EINVAL, "%s: unknown '%s' (known: %s, all, none)",
			                     what, tok, known);
		}
		bits |= 1u << i;
	}
	*out = bits;
	return 0;
}

/* --harden: caps,nnp,seccomp, all or none; "seccomp=PROFILE" also picks the
 * seccomp profile (seccomp_profile.h), "seccomp" alone is the default. */
static int parse_harden(struct cvb_instance_config *config, const char *arg, struct cvb_error *err)
{
	static const char *const harden_names[] = {"caps", "nnp", "seccomp", NULL};
	char buf[256], list[256] = "";
	size_t off = 0;
	int profile = CVB_SECCOMP_PROFILE_DEFAULT;
	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return cvb_error_set(err, EINVAL, "--harden: list too long");
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "seccomp=", 8) == 0) {
			profile = cvb_seccomp_profile_find(tok + 8);
			if (profile < 0)
				return cvb_error_set(
				    err, EINVAL,
				    "--harden: unknown seccomp profile '%s' (known: "
				    "default, denylist)",
				    tok + 8);
			tok = "seccomp";
		}
		off +=
		    (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", off ? "," : "", tok);
	}
	if (parse_flag_list("--harden", list, harden_names, &config->harden, err) < 0)
		return -1;
	config->seccomp_profile = (unsigned)profile;
	return 0;
}

/* The container options, in the order of their OPT_ constants from OPT_NS. */
static int parse_instance_option(struct cvb_plan *plan, int which, const char *arg,
                                 struct cvb_error *err)
{
	static const char *const ns_names[] = {"pid",    "mnt",  "net",  "uts", "ipc",
	                                       "cgroup", "user", "time", NULL};
	struct cvb_limits *l = &plan->config.limits;
	int64_t v;
	switch (which) {
	case 0:
		return parse_flag_list("--ns", arg, ns_names, &plan->config.namespaces, err);
	case 1:
		if (cvb_parse_int64("--cpu-quota", arg, 1, 100000, &v, err) < 0)
			return -1;
		l->cpu_quota_us = v; /* percent now; scaled by the period below */
		return 0;
	case 2:
		return cvb_parse_int64("--cpu-period-us", arg, 1000, 1000000, &l->cpu_period_us,
		                       err);
	case 3:
		return cvb_parse_int64("--cpu-weight", arg, 1, 10000, &l->cpu_weight, err);
	case 4:
	case 5: {
		char *dst = which == 4 ? plan->cpuset_cpus : plan->cpuset_mems;
		const char *opt = which == 4 ? "--cpuset-cpus" : "--cpuset-mems";
		if (cvb_cpulist_valid(arg, err) < 0 || snprintf(dst, 64, "%s", arg) >= 64)
			return cvb_error_set(err, EINVAL,
			                     "%s: expected a list such as 0 or 0-1, got '%s'", opt,
			                     arg);
		if (which == 4)
			l->cpuset_cpus = dst;
		else
			l->cpuset_mems = dst;
		return 0;
	}
	case 6:
		return cvb_parse_size("--memory-max", arg, 1 << 20, INT64_MAX, &l->memory_max_bytes,
		                      err);
	case 7:
		return cvb_parse_size("--swap-max", arg, 0, INT64_MAX, &l->swap_max_bytes, err);
	case 8:
		return cvb_parse_int64("--pids-max", arg, 1, 4194304, &l->pids_max, err);
	case 9:
		return cvb_parse_int64("--io-weight", arg, 1, 10000, &l->io_weight, err);
	case 10:
		return parse_harden(&plan->config, arg, err);
	case 11:
		plan->config.rootfs_writable = true;
		return 0;
	case 12:
		plan->config.no_cgroup = true;
		return 0;
	}
	return cvb_error_set(err, EINVAL, "internal: unknown container option");
}

/* The VM options, in the order of their OPT_ constants from OPT_ACCEL. */
static int parse_vm_option(struct cvb_plan *plan, int which, const char *arg, struct cvb_error *err)
{
	struct cvb_vm_config *vm = &plan->config.vm;
	int64_t v;
	switch (which) {
	case 0:
		if (cvb_accel_request_parse(arg, (enum cvb_accel_request *)&vm->accel) < 0)
			return cvb_error_set(err, EINVAL,
			                     "--accel: expected auto, kvm or tcg, got '%s'", arg);
		return 0;
	case 1:
		if (!*arg)
			return cvb_error_set(err, EINVAL, "--connect: empty URI");
		vm->connect = arg;
		return 0;
	case 2:
		vm->kernel = arg;
		return 0;
	case 3:
		if (cvb_parse_int64("--vcpus", arg, 1, 256, &v, err) < 0)
			return -1;
		vm->vcpus = (unsigned)v;
		return 0;
	case 4:
		if (cvb_parse_size("--vm-memory", arg, 16 << 20, (int64_t)1 << 40, &v, err) < 0)
			return -1;
		vm->memory_mib = (unsigned)(v >> 20);
		return 0;
	case 5:
		vm->machine = arg;
		return 0;
	case 6:
		vm->cpu_model = arg;
		return 0;
	case 7:
	case 8: {
		char *dst = which == 7 ? plan->vm_pin_vcpus : plan->vm_pin_emulator;
		const char *opt = which == 7 ? "--vm-pin-vcpus" : "--vm-pin-emulator";
		if (cvb_cpulist_valid(arg, err) < 0 || snprintf(dst, 64, "%s", arg) >= 64)
			return cvb_error_set(err, EINVAL,
			                     "%s: expected a CPU list such as 1 or 0-1, got '%s'",
			                     opt, arg);
		if (which == 7)
			vm->pin_vcpus = dst;
		else
			vm->pin_emulator = dst;
		return 0;
	}
	}
	return cvb_error_set(err, EINVAL, "internal: unknown VM option");
}

/* --precision P% (or P), --precision-metric LIST, --max-reps N,
 * --time-budget SEC, in that order of `which`. */
static int parse_repetition_option(struct cvb_plan *plan, int which, const char *arg,
                                   struct cvb_error *err)
{
	int64_t v;
	switch (which) {
	case 0: {
		char *end = NULL;
		errno = 0;
		double p = strtod(arg, &end);
		if (end && *end == '%')
			end++;
		if (errno || end == arg || *end || !(p >= 0.1 && p <= 50))
			return cvb_error_set(err, EINVAL,
			                     "--precision '%s': give a percentage from 0.1%% to 50%% "
			                     "(e.g. --precision 5%%)",
			                     arg);
		plan->precision = p / 100;
		return 0;
	}
	case 1: {
		snprintf(plan->precision_metrics_buf, sizeof(plan->precision_metrics_buf), "%s", arg);
		plan->n_precision_metrics = 0;
		for (char *save = NULL, *tok = strtok_r(plan->precision_metrics_buf, ",", &save); tok;
		     tok = strtok_r(NULL, ",", &save)) {
			if (plan->n_precision_metrics == CVB_PLAN_MAX_PRECISION_METRICS)
				return cvb_error_set(err, EINVAL,
				                     "--precision-metric: at most %d metrics",
				                     CVB_PLAN_MAX_PRECISION_METRICS);
			plan->precision_metrics[plan->n_precision_metrics++] = tok;
		}
		if (!plan->n_precision_metrics)
			return cvb_error_set(err, EINVAL,
			                     "--precision-metric: name at least one metric "
			                     "(e.g. startup_ns)");
		return 0;
	}
	case 2:
		if (cvb_parse_int64("--max-reps", arg, 1, 1000000, &v, err) < 0)
			return -1;
		plan->max_reps = (unsigned)v;
		return 0;
	default:
		return cvb_parse_seconds_ms("--time-budget", arg, 1000, 86400000LL * 7,
		                            &plan->time_budget_ms, err);
	}
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
	static const char *const harness_metrics[] = {"startup_ns", "agent_cpu_ns", "bringup_ns",
	                                              "host_pss_bytes", "host_rss_bytes", NULL};
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

bool cvb_plan_option_is_flag(const char *name)
{
	static const char *const flags[] = {
	    "rootfs-rw", "no-cgroup", "no-drop-caches", "dry-run", "quiet", "force", "help", NULL};
	for (size_t i = 0; flags[i]; i++)
		if (strcmp(flags[i], name) == 0)
			return true;
	return false;
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

static int parse_instance_option(struct cvb_plan *plan, int which, const char *arg,
                                 struct cvb_error *err);

/* The limits a scenario may give its aggressor, as indices of
 * parse_instance_option (the order of the container OPT_ constants). */
static const char *const scenario_limit_keys[] = {
    NULL,         "cpu-quota", "cpu-period-us", "cpu-weight", "cpuset-cpus", NULL,
    "memory-max", "swap-max",  "pids-max",      "io-weight",  NULL};

/* --scenario alone | AGGRESSOR[:KEY=VALUE]...: KEY is a cgroup limit for the
 * aggressor or one of its workload parameters. */
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
		size_t li = 0;
		while (li < sizeof(scenario_limit_keys) / sizeof(scenario_limit_keys[0]) &&
		       !(scenario_limit_keys[li] && strcmp(scenario_limit_keys[li], tok) == 0))
			li++;
		if (pi >= 0) {
			char what[160];
			snprintf(what, sizeof(what), "--scenario '%s': %s", arg, tok);
			rc = cvb_parse_int64(what, eq + 1, w->params[pi].min, w->params[pi].max,
			                     &sc->aggressor_params[pi], err);
		} else if (li < sizeof(scenario_limit_keys) / sizeof(scenario_limit_keys[0])) {
			rc = parse_instance_option(scratch, (int)li, eq + 1, err);
		} else {
			rc = cvb_error_set(err, EINVAL,
			                   "--scenario '%s': '%s' is neither a limit (cpu-quota, "
			                   "cpu-period-us, cpu-weight, cpuset-cpus, memory-max, "
			                   "swap-max, pids-max, io-weight) nor a parameter of %s",
			                   arg, tok, w->name);
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

/* Remembers where a guarded option was given (the last one is in effect). */
static void note_guarded(struct cvb_plan *plan, enum cvb_guarded_option g, int argv_index)
{
	if (g < CVB_N_GUARDED)
		plan->guarded_at[g] = argv_index + 1;
}

static const char *const guarded_names[CVB_N_GUARDED] = {"agent", "launcher", "kernel",
                                                         "connect", "out"};

bool cvb_plan_option_runs_program(const char *name)
{
	for (int g = 0; g < CVB_N_GUARDED; g++)
		if (g != CVB_GUARD_OUT && strcmp(guarded_names[g], name) == 0)
			return true;
	return false;
}

int cvb_plan_check_sources(struct cvb_plan *plan, int from, int to, const char *source,
                           bool drop_out, struct cvb_error *err)
{
	const char *const *names = guarded_names;
	const char *values[CVB_N_GUARDED] = {plan->agent_path, plan->launcher[0],
	                                     plan->config.vm.kernel, plan->config.vm.connect,
	                                     plan->out_path};
	for (int g = 0; g < CVB_N_GUARDED; g++) {
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

enum cvb_parse_result cvb_plan_parse(int argc, char **argv, struct cvb_plan *plan,
                                     struct cvb_error *err)
{
	enum {
		OPT_BACKEND = 256,
		OPT_WORKLOAD,
		OPT_PARAM,
		OPT_REPS,
		OPT_WARMUP,
		OPT_TIMEOUT,
		OPT_SETTLE,
		OPT_GAP,
		/* the container options, kept in this order (parse_instance_option) */
		OPT_NS,
		OPT_CPU_QUOTA,
		OPT_CPU_PERIOD,
		OPT_CPU_WEIGHT,
		OPT_CPUSET_CPUS,
		OPT_CPUSET_MEMS,
		OPT_MEMORY_MAX,
		OPT_SWAP_MAX,
		OPT_PIDS_MAX,
		OPT_IO_WEIGHT,
		OPT_HARDEN,
		OPT_ROOTFS_RW,
		OPT_NO_CGROUP,
		/* the VM options, kept in this order (parse_vm_option) */
		OPT_ACCEL,
		OPT_CONNECT,
		OPT_KERNEL,
		OPT_VCPUS,
		OPT_VM_MEMORY,
		OPT_MACHINE,
		OPT_CPU_MODEL,
		OPT_VM_PIN_VCPUS,
		OPT_VM_PIN_EMULATOR,
		OPT_LAUNCHER,
		OPT_INSTANCES,
		OPT_SCENARIO,
		OPT_PLACEMENT,
		OPT_KSM,
		OPT_NO_DROP_CACHES,
		OPT_INJECT_DELAY,
		OPT_PIN,
		OPT_OUT,
		OPT_SEED,
		OPT_RESAMPLES,
		OPT_AGENT,
		OPT_DRY_RUN,
		OPT_QUIET,
		OPT_FORCE,
		OPT_PRECISION,
		OPT_PRECISION_METRIC,
		OPT_MAX_REPS,
		OPT_TIME_BUDGET,
		OPT_HELP,
	};
	static const struct option opts[] = {
	    {"backend", required_argument, NULL, OPT_BACKEND},
	    {"workload", required_argument, NULL, OPT_WORKLOAD},
	    {"param", required_argument, NULL, OPT_PARAM},
	    {"reps", required_argument, NULL, OPT_REPS},
	    {"warmup", required_argument, NULL, OPT_WARMUP},
	    {"timeout", required_argument, NULL, OPT_TIMEOUT},
	    {"settle-ms", required_argument, NULL, OPT_SETTLE},
	    {"gap-ms", required_argument, NULL, OPT_GAP},
	    {"ns", required_argument, NULL, OPT_NS},
	    {"cpu-quota", required_argument, NULL, OPT_CPU_QUOTA},
	    {"cpu-period-us", required_argument, NULL, OPT_CPU_PERIOD},
	    {"cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT},
	    {"cpuset-cpus", required_argument, NULL, OPT_CPUSET_CPUS},
	    {"cpuset-mems", required_argument, NULL, OPT_CPUSET_MEMS},
	    {"memory-max", required_argument, NULL, OPT_MEMORY_MAX},
	    {"swap-max", required_argument, NULL, OPT_SWAP_MAX},
	    {"pids-max", required_argument, NULL, OPT_PIDS_MAX},
	    {"io-weight", required_argument, NULL, OPT_IO_WEIGHT},
	    {"harden", required_argument, NULL, OPT_HARDEN},
	    {"rootfs-rw", no_argument, NULL, OPT_ROOTFS_RW},
	    {"no-cgroup", no_argument, NULL, OPT_NO_CGROUP},
	    {"accel", required_argument, NULL, OPT_ACCEL},
	    {"connect", required_argument, NULL, OPT_CONNECT},
	    {"kernel", required_argument, NULL, OPT_KERNEL},
	    {"vcpus", required_argument, NULL, OPT_VCPUS},
	    {"vm-memory", required_argument, NULL, OPT_VM_MEMORY},
	    {"machine", required_argument, NULL, OPT_MACHINE},
	    {"cpu-model", required_argument, NULL, OPT_CPU_MODEL},
	    {"vm-pin-vcpus", required_argument, NULL, OPT_VM_PIN_VCPUS},
	    {"vm-pin-emulator", required_argument, NULL, OPT_VM_PIN_EMULATOR},
	    {"launcher", required_argument, NULL, OPT_LAUNCHER},
	    {"instances", required_argument, NULL, OPT_INSTANCES},
	    {"scenario", required_argument, NULL, OPT_SCENARIO},
	    {"placement", required_argument, NULL, OPT_PLACEMENT},
	    {"ksm", required_argument, NULL, OPT_KSM},
	    {"no-drop-caches", no_argument, NULL, OPT_NO_DROP_CACHES},
	    {"inject-delay-us", required_argument, NULL, OPT_INJECT_DELAY},
	    {"pin", required_argument, NULL, OPT_PIN},
	    {"out", required_argument, NULL, OPT_OUT},
	    {"seed", required_argument, NULL, OPT_SEED},
	    {"resamples", required_argument, NULL, OPT_RESAMPLES},
	    {"agent", required_argument, NULL, OPT_AGENT},
	    {"dry-run", no_argument, NULL, OPT_DRY_RUN},
	    {"quiet", no_argument, NULL, OPT_QUIET},
	    {"force", no_argument, NULL, OPT_FORCE},
	    {"precision", required_argument, NULL, OPT_PRECISION},
	    {"precision-metric", required_argument, NULL, OPT_PRECISION_METRIC},
	    {"max-reps", required_argument, NULL, OPT_MAX_REPS},
	    {"time-budget", required_argument, NULL, OPT_TIME_BUDGET},
	    {"help", no_argument, NULL, OPT_HELP},
	    {0},
	};
	const char *backends = "native", *workloads = "ready";
	const char *param_args[MAX_PARAM_ARGS];
	const char *scenario_args[CVB_PLAN_MAX_SCENARIOS];
	size_t n_params = 0, n_scenario_args = 0;
	int64_t v;

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

	optind = 0; /* full re-initialisation: the parser may run more than once */
	opterr = 0;
	/* Where the next option starts: "+" permutes nothing, so it is optind
	 * after the previous one (argv[1] first: optind 0 only re-initialises). */
	int c, at = 1;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		note_guarded(plan, c == OPT_AGENT      ? CVB_GUARD_AGENT
		                   : c == OPT_LAUNCHER ? CVB_GUARD_LAUNCHER
		                   : c == OPT_KERNEL   ? CVB_GUARD_KERNEL
		                   : c == OPT_CONNECT  ? CVB_GUARD_CONNECT
		                   : c == OPT_OUT      ? CVB_GUARD_OUT
		                                       : CVB_N_GUARDED,
		             at);
		at = optind;
		switch (c) {
		case OPT_BACKEND:
			backends = optarg;
			break;
		case OPT_WORKLOAD:
			workloads = optarg;
			break;
		case OPT_PARAM:
			if (n_params == MAX_PARAM_ARGS)
				return cvb_error_set(err, EINVAL, "--param: given too often");
			param_args[n_params++] = optarg;
			break;
		case OPT_REPS:
			if (cvb_parse_int64("--reps", optarg, 1, 1000000, &v, err) < 0)
				return CVB_PARSE_ERROR;
			plan->reps = (unsigned)v;
			break;
		case OPT_WARMUP:
			if (cvb_parse_int64("--warmup", optarg, 0, 100000, &v, err) < 0)
				return CVB_PARSE_ERROR;
			plan->warmup = (unsigned)v;
			break;
		case OPT_TIMEOUT:
			if (cvb_parse_seconds_ms("--timeout", optarg, 1, 86400000,
			                         &plan->timeout_ms, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_SETTLE:
			if (cvb_parse_int64("--settle-ms", optarg, 0, 3600000, &plan->settle_ms,
			                    err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_GAP:
			if (cvb_parse_int64("--gap-ms", optarg, 0, 60000, &plan->gap_ms, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_NS:
		case OPT_CPU_QUOTA:
		case OPT_CPU_PERIOD:
		case OPT_CPU_WEIGHT:
		case OPT_CPUSET_CPUS:
		case OPT_CPUSET_MEMS:
		case OPT_MEMORY_MAX:
		case OPT_SWAP_MAX:
		case OPT_PIDS_MAX:
		case OPT_IO_WEIGHT:
		case OPT_HARDEN:
		case OPT_ROOTFS_RW:
		case OPT_NO_CGROUP:
			if (parse_instance_option(plan, c - OPT_NS, optarg, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_ACCEL:
		case OPT_CONNECT:
		case OPT_KERNEL:
		case OPT_VCPUS:
		case OPT_VM_MEMORY:
		case OPT_MACHINE:
		case OPT_CPU_MODEL:
		case OPT_VM_PIN_VCPUS:
		case OPT_VM_PIN_EMULATOR:
			if (parse_vm_option(plan, c - OPT_ACCEL, optarg, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_LAUNCHER:
			if (parse_launcher(plan, optarg, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_INSTANCES:
			if (each_item(optarg, "--instances", add_instances, plan, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_SCENARIO:
			scenario_args[n_scenario_args++ % CVB_PLAN_MAX_SCENARIOS] = optarg;
			if (n_scenario_args > CVB_PLAN_MAX_SCENARIOS)
				return cvb_error_set(err, EINVAL,
				                     "--scenario: at most %d scenarios",
				                     CVB_PLAN_MAX_SCENARIOS);
			break;
		case OPT_PLACEMENT:
			if (each_item(optarg, "--placement", add_placement, plan, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_KSM:
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				return cvb_error_set(err, EINVAL,
				                     "--ksm: expected on or off, got '%s'", optarg);
			plan->ksm = strcmp(optarg, "on") == 0;
			break;
		case OPT_NO_DROP_CACHES:
			plan->drop_caches = false;
			break;
		case OPT_INJECT_DELAY:
			if (cvb_parse_int64("--inject-delay-us", optarg, 0, 10000000,
			                    &plan->inject_delay_us, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_PIN:
			if (parse_pin(plan, optarg, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_OUT:
			if (!*optarg)
				return cvb_error_set(err, EINVAL, "--out: empty file name");
			plan->out_path = optarg;
			break;
		case OPT_SEED:
			/* Full 64-bit range would need unsigned parsing; 63 bits suffice. */
			if (cvb_parse_int64("--seed", optarg, 0, INT64_MAX, &v, err) < 0)
				return CVB_PARSE_ERROR;
			plan->seed = (uint64_t)v;
			break;
		case OPT_RESAMPLES:
			if (cvb_parse_int64("--resamples", optarg, CVB_BOOTSTRAP_RESAMPLES_MIN,
			                    CVB_BOOTSTRAP_RESAMPLES_MAX, &v, err) < 0)
				return CVB_PARSE_ERROR;
			plan->resamples = (unsigned)v;
			break;
		case OPT_AGENT:
			plan->agent_path = optarg;
			break;
		case OPT_DRY_RUN:
			plan->dry_run = true;
			break;
		case OPT_QUIET:
			plan->quiet = true;
			break;
		case OPT_FORCE:
			plan->force = true;
			break;
		case OPT_PRECISION:
		case OPT_PRECISION_METRIC:
		case OPT_MAX_REPS:
		case OPT_TIME_BUDGET:
			if (parse_repetition_option(plan, c - OPT_PRECISION, optarg, err) < 0)
				return CVB_PARSE_ERROR;
			break;
		case OPT_HELP:
			return CVB_PARSE_HELP;
		case ':':
			return cvb_error_set(err, EINVAL,
			                     "option '%s' needs a value (see 'cvbench run --help')",
			                     argv[optind - 1]);
		default:
			/* optopt names a bad short option; argv[optind-1] a long one. */
			if (optopt > 0 && optopt < 256)
				return cvb_error_set(
				    err, EINVAL, "unknown option '-%c' (see 'cvbench run --help')",
				    optopt);
			return cvb_error_set(err, EINVAL,
			                     "unknown option '%s' (see 'cvbench run --help')",
			                     argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cvb_error_set(err, EINVAL,
		                     "unexpected argument '%s' (see 'cvbench run --help')",
		                     argv[optind]);
	if (each_item(backends, "--backend", add_backend, plan, err) < 0 ||
	    each_item(workloads, "--workload", add_workload, plan, err) < 0)
		return CVB_PARSE_ERROR;
	for (size_t i = 0; i < n_params; i++)
		if (apply_param(plan, param_args[i], err) < 0)
			return CVB_PARSE_ERROR;
	for (size_t i = 0; i < n_scenario_args; i++)
		if (parse_scenario(plan, scenario_args[i], err) < 0)
			return CVB_PARSE_ERROR;
	if (finish_limits(&plan->config.limits, "--", err) < 0 || check_groups(plan, err) < 0 ||
	    check_repetition(plan, err) < 0)
		return CVB_PARSE_ERROR;
	if (plan->launcher[0] &&
	    (plan->n_backends != 1 || !(plan->backends[0]->caps & CVB_CAP_LAUNCHER)))
		return cvb_error_set(err, EINVAL, "--launcher works with --backend native only");
	return CVB_PARSE_OK;
}

#include "results_json.h"
#include "analysis.h"
#include "cell_label.h"
#include "precision.h"
#include "stats.h"

#include <string.h>

#include <stdio.h>
#include <sys/stat.h>

cJSON *cvb_summary_to_json(const double *values, size_t n, uint64_t seed, unsigned resamples)
{
	struct cvb_summary s;
	if (n == 0 || cvb_summarize(values, n, seed, resamples, &s) < 0)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "n", (double)s.n);
	cJSON_AddNumberToObject(o, "min", s.min);
	cJSON_AddNumberToObject(o, "p50", s.p50);
	cJSON_AddNumberToObject(o, "p90", s.p90);
	cJSON_AddNumberToObject(o, "p99", s.p99);
	cJSON_AddNumberToObject(o, "max", s.max);
	cJSON_AddNumberToObject(o, "mean", s.mean);
	cJSON_AddNumberToObject(o, "sd", s.sd);
	cJSON_AddNumberToObject(o, "cov", s.cov);
	cJSON *ci = cJSON_AddArrayToObject(o, "ci95");
	cJSON_AddItemToArray(ci, cJSON_CreateNumber(s.ci95_lo));
	cJSON_AddItemToArray(ci, cJSON_CreateNumber(s.ci95_hi));
	cJSON *out = cJSON_AddArrayToObject(o, "outliers");
	for (size_t i = 0; i < s.n_outliers; i++)
		cJSON_AddItemToArray(out, cJSON_CreateNumber((double)s.outliers[i]));
	cvb_summary_free(&s);
	return o;
}

const char *cvb_run_status(const struct cvb_run *run)
{
	bool failed = false, incomplete = false, any_ran = false;
	for (size_t k = 0; k < run->n_cells; k++) {
		failed |= run->cells[k].status == CVB_CELL_FAILED;
		incomplete |= run->cells[k].status == CVB_CELL_INCOMPLETE;
		any_ran |= run->cells[k].status != CVB_CELL_SKIPPED;
	}
	/* Interrupted first: such a run can be resumed, whatever failed. */
	if (run->stop_signal)
		return "incomplete";
	return failed || !any_ran ? "failed" : incomplete ? "incomplete" : "ok";
}

static cJSON *exit_to_json(const struct cvb_exit *e)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddBoolToObject(o, "exited", e->exited);
	if (e->exited)
		cJSON_AddNumberToObject(o, "code", e->code);
	else
		cJSON_AddNullToObject(o, "code");
	if (e->signal)
		cJSON_AddNumberToObject(o, "signal", e->signal);
	else
		cJSON_AddNullToObject(o, "signal");
	cJSON_AddBoolToObject(o, "killed_by_cvbench", e->killed);
	return o;
}

static cJSON *sample_to_json(const struct cvb_sample *s)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "index", s->index);
	cJSON_AddNumberToObject(o, "instance", s->instance);
	if (s->role)
		cJSON_AddStringToObject(o, "role", s->role);
	cJSON_AddBoolToObject(o, "warmup", s->warmup);
	cJSON_AddStringToObject(o, "status", cvb_sample_status_name(s->status));
	if (s->status != CVB_SAMPLE_OK)
		cJSON_AddStringToObject(o, "reason", s->reason);
	if (s->startup_ns >= 0)
		cJSON_AddNumberToObject(o, "startup_ns", (double)s->startup_ns);
	else
		cJSON_AddNullToObject(o, "startup_ns");
	if (s->startup_ns >= 0)
		cJSON_AddNumberToObject(o, "agent_ready_clock_ns", (double)s->agent_ready_ns);
	cJSON *ph = cJSON_AddObjectToObject(o, "phases_ns");
	for (size_t i = 0; i < s->n_phases; i++)
		cJSON_AddNumberToObject(ph, s->phases[i].name, (double)s->phases[i].t_ns);
	if (s->done_seen)
		cJSON_AddNumberToObject(o, "done_status", s->done_status);
	else
		cJSON_AddNullToObject(o, "done_status");
	cJSON_AddItemToObject(o, "exit", exit_to_json(&s->exit));
	cJSON_AddNumberToObject(o, "noise_lines", (double)s->noise_lines);
	if (s->exit.note[0])
		cJSON_AddStringToObject(o, "note", s->exit.note);
	if (s->facts)
		cJSON_AddItemToObject(o, "facts", cJSON_Duplicate(s->facts, true));
	if (s->backend_facts)
		cJSON_AddItemToObject(o, "backend", cJSON_Duplicate(s->backend_facts, true));
	return o;
}

static cJSON *limits_to_json(const struct cvb_limits *l)
{
	cJSON *o = cJSON_CreateObject();
	if (l->cpu_quota_us >= 0) {
		cJSON_AddNumberToObject(o, "cpu_quota_us", (double)l->cpu_quota_us);
		cJSON_AddNumberToObject(o, "cpu_period_us", (double)l->cpu_period_us);
	}
	if (l->cpu_weight >= 0)
		cJSON_AddNumberToObject(o, "cpu_weight", (double)l->cpu_weight);
	if (l->cpuset_cpus)
		cJSON_AddStringToObject(o, "cpuset_cpus", l->cpuset_cpus);
	if (l->memory_max_bytes >= 0)
		cJSON_AddNumberToObject(o, "memory_max_bytes", (double)l->memory_max_bytes);
	if (l->swap_max_bytes >= 0)
		cJSON_AddNumberToObject(o, "swap_max_bytes", (double)l->swap_max_bytes);
	if (l->pids_max >= 0)
		cJSON_AddNumberToObject(o, "pids_max", (double)l->pids_max);
	if (l->io_weight >= 0)
		cJSON_AddNumberToObject(o, "io_weight", (double)l->io_weight);
	return o;
}

/* Noisy-neighbour cells: which scenario, and the victim-alone cell their
 * slowdown is measured against. */
static void scenario_to_json(cJSON *o, const struct cvb_run *run, const struct cvb_cell *c)
{
	const struct cvb_scenario *sc = c->scenario;
	if (!sc) {
		cJSON_AddNullToObject(o, "scenario");
		cJSON_AddNullToObject(o, "placement");
		return;
	}
	cJSON *j = cJSON_AddObjectToObject(o, "scenario");
	cJSON_AddStringToObject(j, "name", sc->name);
	if (sc->aggressor) {
		cJSON *a = cJSON_AddObjectToObject(j, "aggressor");
		cJSON_AddStringToObject(a, "workload", sc->aggressor->name);
		cJSON *p = cJSON_AddObjectToObject(a, "params");
		for (size_t i = 0; i < cvb_workload_param_count(sc->aggressor); i++)
			cJSON_AddNumberToObject(p, sc->aggressor->params[i].name,
			                        (double)sc->aggressor_params[i]);
		cJSON_AddItemToObject(a, "limits", limits_to_json(&sc->limits));
	} else {
		cJSON_AddNullToObject(j, "aggressor");
	}
	const struct cvb_cell *base = cvb_cell_baseline(run, c);
	if (base)
		cJSON_AddStringToObject(j, "baseline_label", base->label);
	else
		cJSON_AddNullToObject(j, "baseline_label");
	cJSON *pl = cJSON_AddObjectToObject(o, "placement");
	cJSON_AddStringToObject(pl, "kind", cvb_placement_name(c->placement->kind));
	const char *vc = c->placement->victim_cpus, *ac = c->placement->aggressor_cpus;
	cJSON_AddItemToObject(pl, "victim_cpus", *vc ? cJSON_CreateString(vc) : cJSON_CreateNull());
	cJSON_AddItemToObject(pl, "aggressor_cpus",
	                      *ac ? cJSON_CreateString(ac) : cJSON_CreateNull());
}

static cJSON *cell_to_json(const struct cvb_run *run, const struct cvb_cell *c)
{
	const struct cvb_plan *plan = run->matrix->blocks[0];
	char variant[256];
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "label", c->label);
	cJSON_AddStringToObject(o, "backend", c->backend->name);
	cJSON_AddStringToObject(o, "workload", c->workload->name);
	cJSON *params = cJSON_AddObjectToObject(o, "params");
	for (size_t i = 0; i < cvb_workload_param_count(c->workload); i++)
		cJSON_AddNumberToObject(params, c->workload->params[i].name, (double)c->params[i]);
	if (c->plan->name[0])
		cJSON_AddStringToObject(o, "block", c->plan->name);
	cvb_config_variant(c->backend, c->plan, variant, sizeof(variant));
	cJSON_AddStringToObject(o, "variant", variant);
	cJSON_AddNumberToObject(o, "instances", c->instances ? c->instances : 1);
	if (c->plan->inject_delay_us) /* a testing knob, never hidden */
		cJSON_AddNumberToObject(o, "inject_delay_us", (double)c->plan->inject_delay_us);
	scenario_to_json(o, run, c);
	cJSON_AddStringToObject(o, "status", cvb_cell_status_name(c->status));
	if (c->status != CVB_CELL_OK)
		cJSON_AddStringToObject(o, "reason", c->reason);
	cJSON_AddNumberToObject(o, "timeout_ms", c->timeout_ms);
	cJSON_AddItemToObject(o, "repetition", cvb_precision_to_json(c));
	if (c->cpus)
		cJSON_AddStringToObject(o, "pinned_cpus", c->cpus);
	else
		cJSON_AddNullToObject(o, "pinned_cpus");
	if (c->backend_setup)
		cJSON_AddItemToObject(o, "backend_setup", cJSON_Duplicate(c->backend_setup, true));

	unsigned failed = 0, warm = 0, total = (unsigned)c->n_samples;
	for (size_t i = 0; i < c->n_samples; i++) {
		failed += c->samples[i].status == CVB_SAMPLE_FAILED;
		warm += c->samples[i].warmup;
	}
	/* A resumed run's record holds the launches before the resume too. */
	for (cJSON *p = c->prior_launches ? c->prior_launches->child : NULL; p; p = p->next) {
		cJSON *st = cJSON_GetObjectItemCaseSensitive(p, "status");
		total++;
		failed += cJSON_IsString(st) && strcmp(st->valuestring, "failed") == 0;
		warm += cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "warmup"));
	}
	cJSON *counts = cJSON_AddObjectToObject(o, "launch_counts");
	cJSON_AddNumberToObject(counts, "total", total);
	cJSON_AddNumberToObject(counts, "warmup", warm);
	cJSON_AddNumberToObject(counts, "warmup_ok", c->warmup_done);
	cJSON_AddNumberToObject(counts, "measured_ok", c->measured_ok);
	cJSON_AddNumberToObject(counts, "failed", failed);
	cJSON_AddNumberToObject(counts, "rounds", c->rounds_done + c->rounds_run);
	if (c->scenario && c->scenario->aggressor)
		cJSON_AddNumberToObject(counts, "aggressor_failures", c->aggressor_failures);

	cJSON *metrics = cJSON_AddObjectToObject(o, "metrics");
	for (size_t i = 0; i < c->n_series; i++) {
		const struct cvb_series *s = &c->series[i];
		cJSON *m = cJSON_AddObjectToObject(metrics, s->name);
		cJSON_AddStringToObject(m, "unit", s->unit);
		cJSON_AddStringToObject(m, "better",
		                        s->better == CVB_LOWER_IS_BETTER ? "lower" : "higher");
		if (s->role)
			cJSON_AddStringToObject(m, "role", s->role);
		cJSON *vals = cJSON_AddArrayToObject(m, "samples");
		cJSON *idx = cJSON_AddArrayToObject(m, "launch_index");
		for (size_t j = 0; j < s->n; j++) {
			cJSON_AddItemToArray(vals, cJSON_CreateNumber(s->values[j]));
			cJSON_AddItemToArray(idx, cJSON_CreateNumber(s->sample_index[j]));
		}
		cJSON_AddItemToObject(
		    m, "summary",
		    cvb_summary_to_json(s->values, s->n, plan->seed, plan->resamples));
	}
	cJSON *launches = cJSON_AddArrayToObject(o, "launches");
	for (cJSON *p = c->prior_launches ? c->prior_launches->child : NULL; p; p = p->next)
		cJSON_AddItemToArray(launches, cJSON_Duplicate(p, true));
	for (size_t i = 0; i < c->n_samples; i++)
		cJSON_AddItemToArray(launches, sample_to_json(&c->samples[i]));
	return o;
}

/* Adds name to a JSON array of strings unless it is there. */
static void add_unique(cJSON *arr, const char *name)
{
	for (cJSON *e = arr->child; e; e = e->next)
		if (cJSON_IsString(e) && strcmp(e->valuestring, name) == 0)
			return;
	cJSON_AddItemToArray(arr, cJSON_CreateString(name));
}

static cJSON *block_to_json(const struct cvb_plan *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "name", p->name);
	cJSON *b = cJSON_AddArrayToObject(o, "backends");
	for (size_t i = 0; i < p->n_backends; i++)
		cJSON_AddItemToArray(b, cJSON_CreateString(p->backends[i]->name));
	cJSON *w = cJSON_AddArrayToObject(o, "workloads");
	for (size_t i = 0; i < p->n_workloads; i++)
		cJSON_AddItemToArray(w, cJSON_CreateString(p->workloads[i]->name));
	cJSON_AddNumberToObject(o, "reps", p->reps);
	cJSON_AddNumberToObject(o, "warmup", p->warmup);
	cJSON_AddNumberToObject(o, "settle_ms", (double)p->settle_ms);
	cJSON_AddNumberToObject(o, "gap_ms", (double)p->gap_ms);
	if (p->inject_delay_us)
		cJSON_AddNumberToObject(o, "inject_delay_us", (double)p->inject_delay_us);
	if (p->n_instances) {
		cJSON *n = cJSON_AddArrayToObject(o, "instances");
		for (size_t i = 0; i < p->n_instances; i++)
			cJSON_AddItemToArray(n, cJSON_CreateNumber(p->instances[i]));
		cJSON_AddBoolToObject(o, "drop_caches", p->drop_caches);
		if (p->ksm >= 0)
			cJSON_AddStringToObject(o, "ksm", p->ksm ? "on" : "off");
	}
	if (p->n_scenarios) {
		cJSON *sc = cJSON_AddArrayToObject(o, "scenarios");
		for (size_t i = 0; i < p->n_scenarios; i++)
			cJSON_AddItemToArray(sc, cJSON_CreateString(p->scenarios[i].name));
		cJSON *pl = cJSON_AddArrayToObject(o, "placements");
		for (size_t i = 0; i < p->n_placements; i++)
			cJSON_AddItemToArray(
			    pl, cJSON_CreateString(cvb_placement_name(p->placements[i].kind)));
	}
	return o;
}

static cJSON *config_to_json(const struct cvb_run *run)
{
	const struct cvb_matrix *mx = run->matrix;
	const struct cvb_plan *plan = mx->blocks[0];
	cJSON *o = cJSON_CreateObject();
	cJSON *cmd = cJSON_AddArrayToObject(o, "command_line");
	for (int i = 0; i < run->argc; i++)
		cJSON_AddItemToArray(cmd, cJSON_CreateString(run->argv[i]));
	cJSON *b = cJSON_AddArrayToObject(o, "backends");
	cJSON *w = cJSON_AddArrayToObject(o, "workloads");
	for (size_t k = 0; k < mx->n_blocks; k++) {
		for (size_t i = 0; i < mx->blocks[k]->n_backends; i++)
			add_unique(b, mx->blocks[k]->backends[i]->name);
		for (size_t i = 0; i < mx->blocks[k]->n_workloads; i++)
			add_unique(w, mx->blocks[k]->workloads[i]->name);
	}
	cJSON *blocks = cJSON_AddArrayToObject(o, "blocks");
	for (size_t k = 0; k < mx->n_blocks; k++)
		cJSON_AddItemToArray(blocks, block_to_json(mx->blocks[k]));
	if (mx->source) {
		cJSON *m = cJSON_AddObjectToObject(o, "matrix");
		cJSON_AddStringToObject(m, "name", mx->name);
		cJSON_AddStringToObject(m, "path", mx->path);
		cJSON_AddStringToObject(m, "source", mx->source);
	}
	if (run->resumed_from[0])
		cJSON_AddStringToObject(o, "resumed_from", run->resumed_from);
	cJSON_AddNumberToObject(o, "reps", plan->reps);
	cJSON_AddNumberToObject(o, "warmup", plan->warmup);
	if (plan->timeout_ms)
		cJSON_AddNumberToObject(o, "timeout_ms", (double)plan->timeout_ms);
	else
		cJSON_AddNullToObject(o, "timeout_ms");
	cJSON_AddNumberToObject(o, "settle_ms", (double)plan->settle_ms);
	cJSON_AddNumberToObject(o, "gap_ms", (double)plan->gap_ms);
	cJSON *pin = cJSON_AddObjectToObject(o, "pin");
	static const char *const modes[] = {"none", "auto", "list"};
	cJSON_AddStringToObject(pin, "mode", modes[plan->pin_mode]);
	if (plan->pin_mode != CVB_PIN_NONE)
		cJSON_AddStringToObject(pin, "cpus", plan->pin_cpus);
	else
		cJSON_AddNullToObject(pin, "cpus");
	if (plan->launcher[0]) {
		cJSON *la = cJSON_AddArrayToObject(o, "launcher");
		for (size_t i = 0; plan->launcher[i]; i++)
			cJSON_AddItemToArray(la, cJSON_CreateString(plan->launcher[i]));
	}
	cJSON_AddStringToObject(o, "order",
	                        "interleaved: round by round, every cell once per round");
	cJSON_AddStringToObject(o, "startup_window",
	                        "host CLOCK_MONOTONIC just before the backend's launch call to the "
	                        "arrival of the agent's READY line");
	cJSON *st = cJSON_AddObjectToObject(o, "statistics");
	cJSON_AddStringToObject(st, "percentiles", "type 7 (linear interpolation, as R and NumPy)");
	cJSON_AddStringToObject(st, "sd", "sample standard deviation (n - 1)");
	cJSON_AddStringToObject(st, "outliers",
	                        "flagged, never dropped: |0.6745 (x - median) / MAD| > 3.5");
	cJSON_AddStringToObject(st, "ci95",
	                        "binomial order-statistic interval of the median (sign-test "
	                        "interval, Hettmansperger-Sheather interpolation between the two "
	                        "order-statistic pairs around 95% coverage); no resampling");
	cJSON_AddStringToObject(st, "ci95_small_n",
	                        "n < 6: [min, max], coverage 1 - 2 * 0.5^n (n = 5: 93.75%, 4: "
	                        "87.5%, 3: 75%, 2: 50%, 1: 0)");
	cJSON_AddStringToObject(st, "bootstrap",
	                        "ratios and slowdowns (derived): percentile bootstrap of the ratio "
	                        "of medians, each resample's median drawn as its order statistic "
	                        "(Beta(k, n - k + 1) rank), O(1) per resample; density slopes: "
	                        "pairs bootstrap, m-out-of-n (m = 4096, rescaled by sqrt(m / n)) "
	                        "past 4096 points");
	char seed[32];
	snprintf(seed, sizeof(seed), "%llu", (unsigned long long)plan->seed);
	cJSON_AddStringToObject(st, "bootstrap_seed", seed);
	cJSON_AddNumberToObject(st, "bootstrap_resamples", plan->resamples);
	cJSON *agent = cJSON_AddObjectToObject(o, "agent");
	cJSON_AddStringToObject(agent, "path", run->agent_path);
	struct stat sb;
	if (stat(run->agent_path, &sb) == 0)
		cJSON_AddNumberToObject(agent, "size_bytes", (double)sb.st_size);
	else
		cJSON_AddNullToObject(agent, "size_bytes");
	return o;
}

cJSON *cvb_results_to_json(const struct cvb_run *run)
{
	const struct cvb_plan *plan = run->matrix->blocks[0];
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddNumberToObject(doc, "schema_version", CVB_SCHEMA_VERSION);
	cJSON *tool = cJSON_AddObjectToObject(doc, "tool");
	cJSON_AddStringToObject(tool, "name", "cvbench");
	cJSON_AddStringToObject(tool, "version", CVB_VERSION);
	cJSON_AddStringToObject(tool, "git", CVB_GIT);
	cJSON_AddStringToObject(doc, "run_id", run->id);
	cJSON_AddStringToObject(doc, "started_at", run->started_at);
	cJSON_AddStringToObject(doc, "finished_at", run->finished_at);
	cJSON_AddStringToObject(doc, "status", cvb_run_status(run));
	if (run->stop_signal)
		cJSON_AddNumberToObject(doc, "stopped_by_signal", run->stop_signal);
	cJSON_AddItemToObject(doc, "host",
	                      run->host ? cJSON_Duplicate(run->host, true) : cJSON_CreateObject());
	cJSON_AddItemToObject(doc, "config", config_to_json(run));
	cJSON *load = cvb_load_watch_to_json(&run->load);
	if (load)
		cJSON_AddItemToObject(doc, "host_load", load);
	cJSON *cells = cJSON_AddArrayToObject(doc, "cells");
	for (size_t k = 0; k < run->n_cells; k++)
		cJSON_AddItemToArray(cells, cell_to_json(run, &run->cells[k]));
	cJSON_AddItemToObject(doc, "derived", cvb_derive(run, plan->seed, plan->resamples));
	return doc;
}

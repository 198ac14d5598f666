/* `cvbench run`: plan, check, measure, write. */
#include "agent_path.h"
#include "atomic_file.h"
#include "commands.h"
#include "hostfacts.h"
#include "pinning.h"
#include "plan.h"
#include "report_text.h"
#include "results_json.h"
#include "runner.h"
#include "signals.h"
#include "topology.h"
#include "versions.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_plan(FILE *out, const struct cvb_plan *plan, const struct cvb_run *run,
                       const char *out_path)
{
	fprintf(out, "run %s: %u warm-up + %u measured launches per cell, interleaved\n", run->id,
	        plan->warmup, plan->reps);
	for (size_t b = 0; b < plan->n_backends; b++)
		for (size_t w = 0; w < plan->n_workloads; w++) {
			const struct cvb_workload *wl = plan->workloads[w];
			fprintf(out, "  cell %s/%s", plan->backends[b]->name, wl->name);
			for (size_t i = 0; i < cvb_workload_param_count(wl); i++)
				fprintf(out, " %s=%lld", wl->params[i].name,
				        (long long)plan->params[w][i]);
			fprintf(out, "\n");
		}
	fprintf(out, "  agent %s\n  pin %s\n  out %s\n", run->agent_path,
	        plan->pin_mode == CVB_PIN_NONE ? "none" : plan->pin_cpus, out_path);
}

int cvb_cmd_run(int argc, char **argv)
{
	struct cvb_plan plan;
	struct cvb_run run;
	struct cvb_error err = {0};
	char default_out[PATH_MAX];
	int status = CVB_EXIT_USAGE;

	switch (cvb_plan_parse(argc, argv, &plan, &err)) {
	case CVB_PARSE_HELP:
		cvb_plan_usage(stdout);
		return CVB_EXIT_OK;
	case CVB_PARSE_ERROR:
		fprintf(stderr, "cvbench run: %s\n", err.msg);
		return CVB_EXIT_USAGE;
	case CVB_PARSE_OK:
		break;
	}
	cvb_run_init(&run, argc, argv);
	if (cvb_agent_locate(plan.agent_path, run.agent_path, sizeof(run.agent_path), &err) < 0) {
		fprintf(stderr, "cvbench run: %s\n", err.msg);
		return CVB_EXIT_USAGE;
	}
	if (plan.pin_mode != CVB_PIN_NONE) {
		hwloc_topology_t topo;
		int rc = cvb_topology_load(&topo, &err);
		if (rc == 0) {
			rc = cvb_pin_resolve(&plan, topo, &err);
			hwloc_topology_destroy(topo);
		}
		if (rc < 0) {
			fprintf(stderr, "cvbench run: %s\n", err.msg);
			return CVB_EXIT_USAGE;
		}
	}
	for (size_t b = 0; b < plan.n_backends; b++)
		if (plan.backends[b]->validate &&
		    plan.backends[b]->validate(&plan.config, &err) < 0) {
			fprintf(stderr, "cvbench run: %s: %s\n", plan.backends[b]->name, err.msg);
			return CVB_EXIT_USAGE;
		}
	const char *out_path = plan.out_path;
	if (!out_path) {
		snprintf(default_out, sizeof(default_out), "cvbench-%s.json", run.id);
		out_path = default_out;
	}
	if (plan.dry_run) {
		print_plan(stdout, &plan, &run, out_path);
		return CVB_EXIT_OK;
	}
	if (cvb_atomic_check_writable(out_path, &err) < 0) {
		fprintf(stderr, "cvbench run: cannot write results: %s\n", err.msg);
		return CVB_EXIT_USAGE;
	}

	/* Everything before this point only read; from here the run exists. */
	cvb_signals_install();
	if (cvb_run_prepare(&plan, &run, &err) < 0) {
		fprintf(stderr, "cvbench run: %s\n", err.msg);
		cvb_run_free(&run);
		return CVB_EXIT_FAILED;
	}
	run.host = cvb_host_facts_collect("/", &err);
	if (!run.host)
		fprintf(stderr, "cvbench run: warning: host facts incomplete: %s\n", err.msg);
	else
		cvb_versions_add(run.host);
	for (size_t k = 0; k < run.n_cells; k++)
		if (run.cells[k].status == CVB_CELL_SKIPPED)
			fprintf(stderr, "cvbench run: skipping %s/%s: %s\n",
			        run.cells[k].backend->name, run.cells[k].workload->name,
			        run.cells[k].reason);

	cvb_run_begin_backends(&plan, &run);
	cvb_run_execute(&plan, &run, plan.quiet ? NULL : stderr);
	cvb_run_end_backends(&run);

	cJSON *doc = cvb_results_to_json(&plan, &run);
	char *text = doc ? cJSON_Print(doc) : NULL;
	cJSON_Delete(doc);
	if (!text) {
		fprintf(stderr, "cvbench run: out of memory while writing results\n");
		status = CVB_EXIT_FAILED;
		goto out;
	}
	size_t len = strlen(text);
	text[len] = '\0';
	char *with_nl = realloc(text, len + 2);
	if (with_nl) {
		text = with_nl;
		text[len++] = '\n';
		text[len] = '\0';
	}
	int wrc = cvb_atomic_write(out_path, text, len, &err);
	free(text);
	if (!plan.quiet)
		cvb_report_text(stdout, &plan, &run);
	if (wrc < 0) {
		fprintf(stderr, "cvbench run: results NOT saved: %s\n", err.msg);
		status = CVB_EXIT_FAILED;
		goto out;
	}
	if (!plan.quiet)
		printf("results: %s\n", out_path);
	const char *overall = cvb_run_status(&run);
	if (run.stop_signal) {
		fprintf(stderr, "cvbench run: interrupted by signal %d; kept what was measured\n",
		        run.stop_signal);
		status = CVB_EXIT_INTERRUPTED;
	} else if (strcmp(overall, "ok") == 0) {
		status = CVB_EXIT_OK;
	} else {
		fprintf(stderr, "cvbench run: run %s: %s\n", overall,
		        run.n_cells ? "see the cells' reasons above" : "no cells");
		status = CVB_EXIT_FAILED;
	}
out:
	cvb_run_free(&run);
	return status;
}

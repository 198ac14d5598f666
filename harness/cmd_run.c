/* `cvbench run`: plan, check, measure, write. */
#include "agent_path.h"
#include "atomic_file.h"
#include "commands.h"
#include "hostfacts.h"
#include "hostmem.h"
#include "pinning.h"
#include "preflight.h"
#include "plan.h"
#include "progress.h"
#include "report_text.h"
#include "results_json.h"
#include "selfcheck.h"
#include "resume.h"
#include "runner.h"
#include "signals.h"
#include "topology.h"
#include "utf8.h"
#include "versions.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void print_plan(FILE *out, const struct cvb_run *run, const char *out_path)
{
	const struct cvb_matrix *m = run->matrix;
	fprintf(out, "run %s%s%s: %zu block(s), %zu cell(s), interleaved\n", run->id,
	        m->name[0] ? " of matrix " : "", m->name, m->n_blocks, run->n_cells);
	for (size_t k = 0; k < run->n_cells; k++) {
		const struct cvb_cell *c = &run->cells[k];
		fprintf(out, "  cell %s: %u warm-up + %u measured", c->label, c->plan->warmup,
		        c->plan->reps);
		if (c->plan->precision > 0)
			fprintf(out, " (up to %u until +-%.3g%% on %s%s)", c->plan->max_reps,
			        100 * c->plan->precision, c->plan->precision_metrics[0],
			        c->plan->n_precision_metrics > 1 ? ", ..." : "");
		if (c->status == CVB_CELL_SKIPPED)
			fprintf(out, " (will be skipped: %s)", c->reason);
		fprintf(out, "\n");
	}
	double est = cvb_estimate_seconds(run), most = cvb_estimate_seconds_max(run);
	fprintf(out,
	        "  agent %s\n  out %s\n  estimated duration: about %.0f s (%.1f min; rough: "
	        "typical launch and workload times per backend)\n",
	        run->agent_path, out_path, est, est / 60);
	if (most > est)
		fprintf(out, "  with --precision: up to %.0f s (%.1f min) if every such cell needs "
		             "its --max-reps\n",
		        most, most / 60);
}

/* Everything checked before the run exists: CPUs, placements, limits each
 * backend must honour, and memory for the density sweeps. */
static int check_matrix(struct cvb_matrix *m, struct cvb_error *err)
{
	hwloc_topology_t topo = NULL;
	for (size_t bl = 0; bl < m->n_blocks; bl++) {
		struct cvb_plan *p = m->blocks[bl];
		if ((p->pin_mode != CVB_PIN_NONE || p->n_placements) && !topo &&
		    cvb_topology_load(&topo, err) < 0)
			return -1;
		if (cvb_pin_resolve(p, topo, err) < 0 || cvb_placement_resolve(p, topo, err) < 0)
			goto fail;
		for (size_t b = 0; b < p->n_backends; b++) {
			const struct cvb_backend *be = p->backends[b];
			if (be->validate && be->validate(&p->config, err) < 0) {
				cvb_error_prefix(err, "%s", be->name);
				goto fail;
			}
			for (size_t s = 0; s < p->n_scenarios; s++) {
				struct cvb_instance_config ac = p->config;
				ac.limits = p->scenarios[s].limits;
				if (be->validate && be->validate(&ac, err) < 0) {
					cvb_error_prefix(err, "--scenario '%s' on %s",
					                 p->scenarios[s].name, be->name);
					goto fail;
				}
				bool limited = memcmp(&ac.limits,
				                      &(struct cvb_limits){-1, -1, -1, NULL, NULL,
				                                           -1, -1, -1, -1},
				                      sizeof(ac.limits)) != 0;
				if (limited && !(be->caps & CVB_CAP_CGROUP_LIMITS)) {
					cvb_error_set(
					    err, EINVAL,
					    "--scenario '%s': cgroup limits apply to container "
					    "instances only, not %s (use a separate block)",
					    p->scenarios[s].name, be->name);
					goto fail;
				}
			}
			if ((be->caps & CVB_CAP_GUEST_MEMORY) && p->n_instances) {
				int64_t avail, total;
				unsigned most = 0;
				for (size_t i = 0; i < p->n_instances; i++)
					most = p->instances[i] > most ? p->instances[i] : most;
				int64_t need =
				    (int64_t)most * (((int64_t)p->config.vm.memory_mib + 64) << 20);
				if (cvb_hostmem_read("/", &avail, &total, err) == 0 &&
				    need > avail - cvb_hostmem_reserve(total)) {
					cvb_error_set(
					    err, EINVAL,
					    "--instances %u VMs of %u MiB need about %lld MiB, "
					    "more than this host can spare (%lld MiB available, "
					    "%lld MiB kept free); lower --instances or --vm-memory",
					    most, p->config.vm.memory_mib, (long long)(need >> 20),
					    (long long)(avail >> 20),
					    (long long)(cvb_hostmem_reserve(total) >> 20));
					goto fail;
				}
			}
		}
	}
	if (topo)
		hwloc_topology_destroy(topo);
	return 0;
fail:
	if (topo)
		hwloc_topology_destroy(topo);
	return -1;
}

/* The cheap preflight: what would make this run slow, fail or lie. Its
 * problems are said up front; a failure stops the run before anything is
 * measured unless --force (returns -1, having said why). */
static int preflight(const struct cvb_matrix *m, const struct cvb_run *run, const char *out_path,
                     struct cvb_findings *found)
{
	const struct cvb_plan *first = m->blocks[0];
	struct cvb_preflight_plan pp;
	cvb_preflight_plan_from_matrix(m, run->agent_path, out_path, &pp);
	pp.run_id = run->id;
	cvb_preflight_run(&pp, "/", found);
	enum cvb_level worst = cvb_findings_worst(found);
	if (worst == CVB_LEVEL_OK)
		return 0;
	bool refuse = worst == CVB_LEVEL_FAIL && !first->force;
	fprintf(stderr, "cvbench run: preflight: %zu failed, %zu warning(s)%s:\n",
	        cvb_findings_count(found, CVB_LEVEL_FAIL), cvb_findings_count(found, CVB_LEVEL_WARN),
	        refuse ? "" : " (recorded in host.preflight)");
	cvb_findings_print(stderr, found, true);
	if (refuse)
		fprintf(stderr, "cvbench run: not started: the host check failed and its figures "
		                "would be wrong; fix it (see 'cvbench doctor'), or add --force to "
		                "measure anyway (the failure is then recorded)\n");
	return refuse ? -1 : 0;
}

/* What the preflight and the self-checks found, once more at the end where
 * it is read (hyperfine-style): the figures above carry these caveats. */
static void say_problems(const struct cvb_findings *preflight, const struct cvb_findings *checks)
{
	size_t n = cvb_findings_count(preflight, CVB_LEVEL_WARN) +
	           cvb_findings_count(preflight, CVB_LEVEL_FAIL) + checks->n;
	if (!n)
		return;
	fprintf(stderr, "cvbench run: %zu warning(s) about these figures (also in the results' "
	                "host.preflight and checks, and at the top of the report):\n",
	        n);
	cvb_findings_print(stderr, preflight, true);
	cvb_findings_print(stderr, checks, true);
}

/* The results document, self-checked (its findings go into it and to
 * `checks`), as text. */
static char *document_text(const struct cvb_run *run, struct cvb_findings *checks)
{
	cJSON *doc = cvb_results_to_json(run);
	if (doc)
		cvb_selfcheck_results(doc, checks);
	char *text = doc ? cJSON_Print(doc) : NULL;
	cJSON_Delete(doc);
	if (!text)
		return NULL;
	/* The agent's text is clean (protocol.c), but a message cut to its
	 * buffer may end mid-character: the file is valid UTF-8 regardless. */
	cvb_utf8_sanitize(text, false);
	size_t len = strlen(text);
	char *with_nl = realloc(text, len + 2);
	if (!with_nl)
		return text;
	with_nl[len] = '\n';
	with_nl[len + 1] = '\0';
	return with_nl;
}

int cvb_cmd_run(int argc, char **argv)
{
	struct cvb_matrix m;
	struct cvb_run run;
	struct cvb_error err = {0};
	char default_out[PATH_MAX];
	cJSON *record = NULL;
	int status = CVB_EXIT_USAGE;
	struct cvb_findings preflight_found = {0}, checks = {0};

	switch (cvb_matrix_parse_args(argc, argv, &m, &err)) {
	case CVB_PARSE_HELP:
		cvb_plan_usage(stdout);
		cvb_matrix_free(&m);
		return CVB_EXIT_OK;
	case CVB_PARSE_ERROR:
		fprintf(stderr, "cvbench run: %s\n", err.msg);
		cvb_matrix_free(&m);
		return CVB_EXIT_USAGE;
	case CVB_PARSE_OK:
		break;
	}
	cvb_run_init(&run, argc, argv);
	if (m.resume && cvb_resume_load(m.resume, &m, &record, &run, &err) < 0)
		goto usage;
	const struct cvb_plan *first = m.blocks[0];
	if (cvb_agent_locate(first->agent_path, run.agent_path, sizeof(run.agent_path), &err) < 0 ||
	    (record && cvb_resume_check_agent(record, run.agent_path, &err) < 0) ||
	    check_matrix(&m, &err) < 0)
		goto usage;
	const char *out_path = first->out_path;
	if (!out_path && m.resume)
		out_path = m.resume;
	/* A matrix run is a results directory: the JSON, plots and report. */
	const bool with_report = m.source != NULL;
	if (!out_path && with_report) {
		snprintf(default_out, sizeof(default_out), "cvbench-%s-%s/results.json", m.name,
		         run.id);
		out_path = default_out;
	} else if (!out_path) {
		snprintf(default_out, sizeof(default_out), "cvbench-%s.json", run.id);
		out_path = default_out;
	}
	if (cvb_run_prepare(&m, &run, &err) < 0) {
		fprintf(stderr, "cvbench run: %s\n", err.msg);
		status = CVB_EXIT_FAILED;
		goto out;
	}
	if (record && cvb_resume_apply(record, &run, &err) < 0)
		goto usage;
	if (first->dry_run) {
		print_plan(stdout, &run, out_path);
		status = CVB_EXIT_OK;
		goto out;
	}
	if (with_report && out_path == default_out && !first->dry_run) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", out_path);
		*strrchr(dir, '/') = '\0';
		if (mkdir(dir, 0755) < 0) {
			cvb_error_errno(&err, errno, "cannot create the results directory '%s'",
			                dir);
			goto usage;
		}
	}
	if (cvb_atomic_check_writable(out_path, &err) < 0) {
		fprintf(stderr, "cvbench run: cannot write results: %s\n", err.msg);
		goto out;
	}

	if (preflight(&m, &run, out_path, &preflight_found) < 0) {
		status = CVB_EXIT_PREFLIGHT;
		goto out;
	}

	/* Everything before this point only read; from here the run exists. */
	cvb_signals_install();
	run.host = cvb_host_facts_collect("/", &err);
	if (run.host && cvb_backends_add_host_facts(run.host, &err) < 0) {
		cJSON_Delete(run.host);
		run.host = NULL;
	}
	if (!run.host)
		fprintf(stderr, "cvbench run: warning: host facts incomplete: %s\n", err.msg);
	else
		cvb_versions_add(run.host);
	if (!run.host)
		run.host = cJSON_CreateObject();
	if (run.host)
		cJSON_AddItemToObject(run.host, "preflight", cvb_findings_to_json(&preflight_found));
	for (size_t k = 0; k < run.n_cells; k++)
		if (run.cells[k].status == CVB_CELL_SKIPPED)
			fprintf(stderr, "cvbench run: skipping %s: %s\n", run.cells[k].label,
			        run.cells[k].reason);

	cvb_run_begin_backends(&run);
	cvb_run_execute(&run, first->quiet ? NULL : stderr);
	cvb_run_end_backends(&run);

	char *text = document_text(&run, &checks);
	if (!text) {
		fprintf(stderr, "cvbench run: out of memory while writing results\n");
		status = CVB_EXIT_FAILED;
		goto out;
	}
	int wrc = cvb_atomic_write(out_path, text, strlen(text), &err);
	free(text);
	if (!first->quiet)
		cvb_report_text(stdout, &run);
	say_problems(&preflight_found, &checks);
	if (wrc < 0) {
		fprintf(stderr, "cvbench run: results NOT saved: %s\n", err.msg);
		status = CVB_EXIT_FAILED;
		goto out;
	}
	if (!first->quiet)
		printf("results: %s\n", out_path);
	if (with_report) {
		/* Plots and report beside the JSON; their failure (no gnuplot)
		 * costs nothing measured: the JSON is written already. */
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", out_path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		char *rargv[] = {"report", (char *)out_path, "--out-dir", dir, NULL};
		cvb_cmd_report(4, rargv); /* says where it wrote, or why it could not */
	}
	const char *overall = cvb_run_status(&run);
	if (run.stop_signal) {
		fprintf(stderr,
		        "cvbench run: interrupted by signal %d; kept what was measured (continue "
		        "with: cvbench run --resume %s)\n",
		        run.stop_signal, out_path);
		status = CVB_EXIT_INTERRUPTED;
	} else if (strcmp(overall, "ok") == 0) {
		status = CVB_EXIT_OK;
	} else {
		fprintf(stderr, "cvbench run: run %s: %s\n", overall,
		        run.n_cells ? "see the cells' reasons above" : "no cells");
		status = CVB_EXIT_FAILED;
	}
	goto out;
usage:
	fprintf(stderr, "cvbench run: %s\n", err.msg);
	status = CVB_EXIT_USAGE;
out:
	cvb_findings_free(&preflight_found);
	cvb_findings_free(&checks);
	cvb_run_free(&run);
	cJSON_Delete(record);
	cvb_matrix_free(&m);
	return status;
}

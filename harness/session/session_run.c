/* See session.h: cvb_session_run, what `cvbench run` does once its session
 * is prepared. */
#include "session.h"
#include "atomic_file.h"
#include "exit_status.h"
#include "hostfacts.h"
#include "preflight.h"
#include "report_text.h"
#include "report_write.h"
#include "results_json.h"
#include "results_load.h"
#include "runner.h"
#include "selfcheck.h"
#include "signals.h"
#include "utf8.h"
#include "versions.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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
	        cvb_findings_count(found, CVB_LEVEL_FAIL),
	        cvb_findings_count(found, CVB_LEVEL_WARN),
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
	fprintf(stderr,
	        "cvbench run: %zu warning(s) about these figures (also in the results' "
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

/* Plots and report beside the JSON, read back as `cvbench report` reads
 * it; their failure (no gnuplot) costs nothing measured: the JSON is
 * written already. Says where it wrote, or why it could not. */
static void report_beside(const char *out_path)
{
	char dir[PATH_MAX], missing[512];
	struct cvb_error err = {0};
	struct cvb_results_file f = {0};
	snprintf(dir, sizeof(dir), "%s", out_path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), ".");
	missing[0] = '\0';
	int rc = cvb_results_load(out_path, &f, &err);
	if (rc == 0)
		rc = cvb_report_write(f.doc, f.run_id, dir, missing, &err);
	if (missing[0] && !cvb_stop_signal)
		fprintf(stderr, "cvbench report: plots missing: %s\n", missing);
	if (rc == 0)
		printf("report: %s/report.md, %s/report.html%s\n", dir, dir,
		       missing[0] ? " (without plots)" : "");
	else if (!cvb_stop_signal)
		fprintf(stderr, "cvbench report: %s\n", err.msg);
	cvb_results_free(&f);
}

/* Before anything is measured: the results directory of a matrix run, a
 * writable results path, and a preflight that does not refuse. 0, or the
 * exit status, having said why. */
static int ready_to_measure(struct cvb_session *s, struct cvb_findings *preflight_found)
{
	struct cvb_error err = {0};
	const char *out_path = s->out_path;
	if (s->with_report && s->out_path == s->default_out) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s", out_path);
		*strrchr(dir, '/') = '\0';
		if (mkdir(dir, 0755) < 0) {
			cvb_error_errno(&err, errno, "cannot create the results directory '%s'",
			                dir);
			fprintf(stderr, "cvbench run: %s\n", err.msg);
			return CVB_EXIT_USAGE;
		}
	}
	if (cvb_atomic_check_writable(out_path, &err) < 0) {
		fprintf(stderr, "cvbench run: cannot write results: %s\n", err.msg);
		return CVB_EXIT_USAGE;
	}
	if (preflight(&s->m, &s->run, out_path, preflight_found) < 0)
		return CVB_EXIT_PREFLIGHT;
	return 0;
}

/* Measures, writes the results (and a matrix run's report) and says how it
 * went; the exit status. */
static int measure(struct cvb_session *s, struct cvb_runner *runner,
                   struct cvb_findings *preflight_found, struct cvb_findings *checks)
{
	struct cvb_error err = {0};
	int status = CVB_EXIT_FAILED;
	struct cvb_run *const rp = &s->run;
	const struct cvb_plan *first = s->m.blocks[0];
	const char *out_path = s->out_path;
	const bool with_report = s->with_report;
	/* Everything before this point only read; from here the run exists. */
	cvb_signals_install();
	rp->host = cvb_host_facts_collect("/", &err);
	if (rp->host && cvb_backends_add_host_facts(rp->host, &err) < 0) {
		cJSON_Delete(rp->host);
		rp->host = NULL;
	}
	if (!rp->host)
		fprintf(stderr, "cvbench run: warning: host facts incomplete: %s\n", err.msg);
	else
		cvb_versions_add(rp->host);
	if (!rp->host)
		rp->host = cJSON_CreateObject();
	if (rp->host)
		cJSON_AddItemToObject(rp->host, "preflight", cvb_findings_to_json(preflight_found));
	for (size_t k = 0; k < rp->n_cells; k++)
		if (rp->cells[k].status == CVB_CELL_SKIPPED)
			fprintf(stderr, "cvbench run: skipping %s: %s\n", rp->cells[k].label,
			        rp->cells[k].reason);

	cvb_runner_begin(runner, rp);
	cvb_run_execute(rp, first->quiet ? NULL : stderr);
	cvb_runner_end(runner);

	char *text = document_text(rp, checks);
	if (!text) {
		fprintf(stderr, "cvbench run: out of memory while writing results\n");
		return CVB_EXIT_FAILED;
	}
	int wrc = cvb_atomic_write(out_path, text, strlen(text), &err);
	free(text);
	if (!first->quiet)
		cvb_report_text(stdout, rp);
	say_problems(preflight_found, checks);
	if (wrc < 0) {
		fprintf(stderr, "cvbench run: results NOT saved: %s\n", err.msg);
		return CVB_EXIT_FAILED;
	}
	if (!first->quiet)
		printf("results: %s\n", out_path);
	if (with_report)
		report_beside(out_path);
	const char *overall = cvb_run_status(rp);
	if (rp->stop_signal) {
		fprintf(stderr,
		        "cvbench run: interrupted by signal %d; kept what was measured (continue "
		        "with: cvbench run --resume %s)\n",
		        rp->stop_signal, out_path);
		status = CVB_EXIT_INTERRUPTED;
	} else if (strcmp(overall, "ok") == 0) {
		status = CVB_EXIT_OK;
	} else {
		fprintf(stderr, "cvbench run: run %s: %s\n", overall,
		        rp->n_cells ? "see the cells' reasons above" : "no cells");
		status = CVB_EXIT_FAILED;
	}
	return status;
}

int cvb_session_run(struct cvb_session *s)
{
	struct cvb_findings preflight_found = {0}, checks = {0};
	struct cvb_runner runner = {0};
	int status = ready_to_measure(s, &preflight_found);
	if (status == 0)
		status = measure(s, &runner, &preflight_found, &checks);
	cvb_runner_end(&runner);
	cvb_findings_free(&preflight_found);
	cvb_findings_free(&checks);
	return status;
}

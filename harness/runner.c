#include "runner.h"
#include "signals.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void rfc3339_now(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void cvb_run_init(struct cvb_run *run, int argc, char **argv)
{
	struct tm tm;
	time_t t = time(NULL);
	memset(run, 0, sizeof(*run));
	gmtime_r(&t, &tm);
	/* Short, sortable, unique per host and second: cvb-<id>-<n> names fit
	 * in libvirt domain and cgroup names. */
	int n = (int)strftime(run->id, sizeof(run->id), "%Y%m%dT%H%M%S", &tm);
	snprintf(run->id + n, sizeof(run->id) - (size_t)n, "-%x", (unsigned)getpid());
	rfc3339_now(run->started_at, sizeof(run->started_at));
	run->argc = argc;
	run->argv = argv;
}

int cvb_run_prepare(const struct cvb_plan *plan, struct cvb_run *run, struct cvb_error *err)
{
	run->n_cells = plan->n_backends * plan->n_workloads;
	run->cells = calloc(run->n_cells, sizeof(*run->cells));
	if (!run->cells)
		return cvb_error_set(err, ENOMEM, "out of memory");
	size_t k = 0;
	for (size_t b = 0; b < plan->n_backends; b++) {
		const struct cvb_backend *be = plan->backends[b];
		char reason[sizeof(run->cells[0].reason)] = "";
		bool usable = be->probe(reason, sizeof(reason)) == 0;
		for (size_t w = 0; w < plan->n_workloads; w++, k++) {
			struct cvb_cell *c = &run->cells[k];
			c->backend = be;
			c->workload = plan->workloads[w];
			memcpy(c->params, plan->params[w], sizeof(c->params));
			c->timeout_ms =
			    plan->timeout_ms ? (int)plan->timeout_ms : be->default_timeout_ms;
			if (plan->pin_mode != CVB_PIN_NONE && (be->caps & CVB_CAP_PIN))
				c->cpus = plan->pin_cpus;
			if (!usable) {
				c->status = CVB_CELL_SKIPPED;
				snprintf(c->reason, sizeof(c->reason), "%s", reason);
			}
		}
	}
	return 0;
}

/* Sleeps gap_ms (cut short by a stop signal). On machines whose CPUs doze
 * when idle (VMs especially) a launch right after busy work starts faster
 * than one after a pause; the same pause before every launch makes each
 * start from the same state whatever cell ran before it. */
static void pause_before_launch(int64_t gap_ms)
{
	struct timespec ts = {.tv_sec = gap_ms / 1000, .tv_nsec = (gap_ms % 1000) * 1000000};
	if (gap_ms > 0)
		nanosleep(&ts, NULL);
}

static void finish_cell(const struct cvb_plan *plan, struct cvb_cell *c, bool gave_up)
{
	if (c->status == CVB_CELL_SKIPPED || (c->status == CVB_CELL_FAILED && c->n_samples == 0))
		return; /* skipped, or its set-up failed: the reason is already there */
	unsigned failed = 0, interrupted = 0;
	const struct cvb_sample *first = NULL;
	for (size_t i = 0; i < c->n_samples; i++) {
		const struct cvb_sample *s = &c->samples[i];
		if (s->status == CVB_SAMPLE_FAILED && !failed++)
			first = s;
		interrupted += s->status == CVB_SAMPLE_INTERRUPTED;
	}
	size_t wanted = (size_t)plan->warmup + plan->reps;
	if (failed) {
		c->status = CVB_CELL_FAILED;
		snprintf(c->reason, sizeof(c->reason), "%u of %zu launches failed%s; first: %s",
		         failed, c->n_samples, gave_up ? " (gave up after repeated failures)" : "",
		         first->reason);
	} else if (interrupted || c->n_samples < wanted) {
		c->status = CVB_CELL_INCOMPLETE;
		snprintf(c->reason, sizeof(c->reason), "interrupted after %zu of %zu launches",
		         c->n_samples - interrupted, wanted);
	} else {
		c->status = CVB_CELL_OK;
	}
}

void cvb_run_execute(const struct cvb_plan *plan, struct cvb_run *run, FILE *progress)
{
	unsigned rounds = plan->warmup + plan->reps;
	bool *gave_up = calloc(run->n_cells ? run->n_cells : 1, sizeof(bool));
	unsigned *streak = calloc(run->n_cells ? run->n_cells : 1, sizeof(unsigned));
	if (!gave_up || !streak) {
		free(gave_up);
		free(streak);
		return;
	}
	if (progress)
		fprintf(progress,
		        "cvbench: run %s: %zu cell(s), %u warm-up + %u measured launches each\n",
		        run->id, run->n_cells, plan->warmup, plan->reps);
	for (unsigned r = 0; r < rounds && !cvb_stop_signal; r++) {
		for (size_t k = 0; k < run->n_cells && !cvb_stop_signal; k++) {
			struct cvb_cell *c = &run->cells[k];
			if (c->status == CVB_CELL_SKIPPED || c->status == CVB_CELL_FAILED ||
			    gave_up[k])
				continue;
			pause_before_launch(plan->gap_ms);
			if (cvb_stop_signal)
				break;
			struct cvb_sample *s = cvb_cell_add_sample(c);
			if (!s) {
				gave_up[k] = true;
				continue;
			}
			s->index = r;
			s->instance = (unsigned)(r * run->n_cells + k);
			s->warmup = r < plan->warmup;
			cvb_sample_run(plan, run, c, s);
			if (s->status == CVB_SAMPLE_OK) {
				c->warmup_done += s->warmup;
				c->measured_ok += !s->warmup;
				streak[k] = 0;
			} else if (s->status == CVB_SAMPLE_FAILED) {
				if (progress)
					fprintf(progress, "cvbench: %s/%s launch %u failed: %s\n",
					        c->backend->name, c->workload->name, r, s->reason);
				bool none_ok = c->warmup_done + c->measured_ok == 0;
				if (++streak[k] >= CVB_MAX_CONSECUTIVE_FAILURES && none_ok)
					gave_up[k] = true;
			}
		}
	}
	run->stop_signal = cvb_stop_signal;
	for (size_t k = 0; k < run->n_cells; k++)
		finish_cell(plan, &run->cells[k], gave_up[k]);
	rfc3339_now(run->finished_at, sizeof(run->finished_at));
	free(gave_up);
	free(streak);
}

void cvb_run_begin_backends(const struct cvb_plan *plan, struct cvb_run *run)
{
	for (size_t b = 0; b < plan->n_backends; b++) {
		const struct cvb_backend *be = plan->backends[b];
		bool wanted = false;
		for (size_t k = 0; k < run->n_cells; k++)
			wanted |=
			    run->cells[k].backend == be && run->cells[k].status != CVB_CELL_SKIPPED;
		if (!wanted || !be->run_begin)
			continue;
		struct cvb_error err = {0};
		void *state = NULL;
		int rc = be->run_begin(run->id, &plan->config, run->agent_path, &state, &err);
		if (rc == 0) {
			run->begun[b] = be;
			run->backend_state[b] = state;
		}
		for (size_t k = 0; k < run->n_cells; k++) {
			struct cvb_cell *c = &run->cells[k];
			if (c->backend != be || c->status == CVB_CELL_SKIPPED)
				continue;
			if (rc < 0) {
				c->status = CVB_CELL_FAILED;
				snprintf(c->reason, sizeof(c->reason), "set-up failed: %s",
				         err.msg);
				continue;
			}
			c->run_state = state;
			if (be->describe_run)
				c->backend_setup = be->describe_run(state);
		}
	}
}

void cvb_run_end_backends(struct cvb_run *run)
{
	for (size_t b = 0; b < CVB_PLAN_MAX_BACKENDS; b++) {
		if (run->begun[b] && run->begun[b]->run_end)
			run->begun[b]->run_end(run->backend_state[b]);
		run->begun[b] = NULL;
		run->backend_state[b] = NULL;
	}
}

void cvb_run_free(struct cvb_run *run)
{
	cvb_run_end_backends(run);
	for (size_t k = 0; k < run->n_cells; k++)
		cvb_cell_free(&run->cells[k]);
	free(run->cells);
	cJSON_Delete(run->host);
	run->cells = NULL;
	run->host = NULL;
}

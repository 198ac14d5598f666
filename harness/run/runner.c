#include "runner.h"
#include "clock.h"
#include "precision.h"
#include "progress.h"
#include "signals.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static void finish_cell(struct cvb_cell *c, bool gave_up)
{
	if (c->status == CVB_CELL_SKIPPED || (c->status == CVB_CELL_FAILED && c->rounds_run == 0))
		return; /* skipped, set-up failed, gave up before a resume: reason is there */
	unsigned failed = 0, interrupted = 0;
	const struct cvb_sample *first = NULL;
	for (size_t i = 0; i < c->n_samples; i++) {
		const struct cvb_sample *s = &c->samples[i];
		if (s->role && strcmp(s->role, "aggressor") == 0)
			continue; /* an aggressor's fate is data, not the cell's failure */
		if (s->status == CVB_SAMPLE_FAILED && !failed++)
			first = s;
		interrupted += s->status == CVB_SAMPLE_INTERRUPTED;
	}
	unsigned rounds = c->rounds_done + c->rounds_run;
	size_t wanted = cvb_precision_rounds(c);
	if (failed) {
		c->status = CVB_CELL_FAILED;
		snprintf(c->reason, sizeof(c->reason), "%u of %zu launches failed%s; first: %s",
		         failed, c->n_samples, gave_up ? " (gave up after repeated failures)" : "",
		         first->reason);
	} else if (interrupted || rounds < wanted) {
		c->status = CVB_CELL_INCOMPLETE;
		snprintf(c->reason, sizeof(c->reason), "interrupted after %u of %zu rounds", rounds,
		         wanted);
	} else {
		c->status = CVB_CELL_OK;
	}
}

/* One plain launch: a single instance, measured from launch to READY. */
static bool run_single(struct cvb_run *run, struct cvb_cell *c, unsigned r, FILE *progress)
{
	struct cvb_sample *s = cvb_cell_add_sample(c);
	if (!s)
		return false;
	s->index = r;
	s->instance = run->next_instance++;
	s->warmup = r < c->plan->warmup;
	cvb_sample_run(run, c, s);
	if (s->status == CVB_SAMPLE_OK) {
		c->warmup_done += s->warmup;
		c->measured_ok += !s->warmup;
		return true;
	}
	if (s->status == CVB_SAMPLE_FAILED && progress)
		cvb_progress_note(progress, "%s launch %u failed: %s", c->label, r, s->reason);
	return s->status != CVB_SAMPLE_FAILED;
}

void cvb_run_execute(struct cvb_run *run, FILE *progress)
{
	bool *gave_up = calloc(run->n_cells ? run->n_cells : 1, sizeof(bool));
	unsigned *streak = calloc(run->n_cells ? run->n_cells : 1, sizeof(unsigned));
	struct cvb_progress pr;
	if (!gave_up || !streak) {
		free(gave_up);
		free(streak);
		return;
	}
	unsigned rounds = 0;
	for (size_t k = 0; k < run->n_cells; k++)
		if (cvb_precision_rounds(&run->cells[k]) > rounds)
			rounds = cvb_precision_rounds(&run->cells[k]);
	cvb_progress_begin(&pr, run, progress);
	cvb_load_watch_begin(&run->load, run->id);
	const int64_t t_begin = cvb_now_ns();
	for (size_t k = 0; k < run->n_cells; k++) /* a resumed cell may be done already */
		cvb_precision_check(&run->cells[k], 0);
	for (unsigned r = 0; r < rounds && !cvb_stop_signal; r++) {
		bool any = false;
		for (size_t k = 0; k < run->n_cells && !cvb_stop_signal; k++) {
			struct cvb_cell *c = &run->cells[k];
			if (c->status == CVB_CELL_SKIPPED || c->status == CVB_CELL_FAILED ||
			    gave_up[k] || r >= cvb_precision_rounds(c))
				continue;
			any = true;
			if (r < c->rounds_done)
				continue; /* a resumed run has this round already */
			cvb_load_watch_tick(&run->load); /* before the pause: never measured */
			pause_before_launch(c->plan->gap_ms);
			if (cvb_stop_signal)
				break;
			int64_t t0 = cvb_now_ns();
			size_t before = c->n_samples;
			bool ok = c->instances || c->scenario ? cvb_group_run(run, c, r)
			                                      : run_single(run, c, r, progress);
			/* A round a signal cut short is not done: a resume redoes it. */
			bool cut = false;
			for (size_t i = before; i < c->n_samples; i++)
				cut |= c->samples[i].status == CVB_SAMPLE_INTERRUPTED;
			c->rounds_run += !cut;
			cvb_progress_step(&pr, k, cvb_now_ns() - t0);
			if (c->n_samples == before && !ok) {
				gave_up[k] = true; /* out of memory */
				continue;
			}
			if (ok) {
				streak[k] = 0;
			} else if (!cvb_stop_signal) {
				bool none_ok = c->warmup_done + c->measured_ok == 0;
				if (++streak[k] >= CVB_MAX_CONSECUTIVE_FAILURES && none_ok)
					gave_up[k] = true;
			}
			if (!cvb_stop_signal &&
			    cvb_precision_check(c, (cvb_now_ns() - t_begin) / 1000000) && progress)
				cvb_progress_note(progress, "%s: %s", c->label, c->stop_reason);
		}
		if (!any)
			break; /* every cell has what it needs */
	}
	cvb_progress_end(&pr);
	cvb_load_watch_end(&run->load);
	run->stop_signal = cvb_stop_signal;
	for (size_t k = 0; k < run->n_cells; k++)
		finish_cell(&run->cells[k], gave_up[k]);
	cvb_run_finish(run);
	free(gave_up);
	free(streak);
}

void cvb_runner_begin(struct cvb_runner *r, struct cvb_run *run)
{
	r->run = run;
	const struct cvb_matrix *m = run->matrix;
	for (size_t bl = 0; bl < m->n_blocks; bl++) {
		const struct cvb_plan *p = m->blocks[bl];
		for (size_t b = 0; b < p->n_backends; b++) {
			const struct cvb_backend *be = p->backends[b];
			bool wanted = false;
			for (size_t k = 0; k < run->n_cells; k++)
				wanted |= run->cells[k].backend == be && run->cells[k].plan == p &&
				          run->cells[k].status != CVB_CELL_SKIPPED;
			if (!wanted || !be->run_begin || r->n_begun == CVB_RUN_MAX_BEGUN)
				continue;
			struct cvb_error err = {0};
			void *state = NULL;
			/* Each block's set-up is its own (a rootfs, a guest directory):
			 * named after the run, and after the block past the first. */
			char setup_id[64];
			bool first_of_backend = true;
			for (size_t i = 0; i < r->n_begun; i++)
				first_of_backend &= r->begun[i].backend != be;
			if (first_of_backend)
				snprintf(setup_id, sizeof(setup_id), "%s", run->id);
			else
				snprintf(setup_id, sizeof(setup_id), "%s-b%zu", run->id, bl);
			int rc = be->run_begin(setup_id, &p->config, run->agent_path, &state, &err);
			if (rc == 0)
				r->begun[r->n_begun++] =
				    (struct cvb_begun){.backend = be, .block = p, .state = state};
			for (size_t k = 0; k < run->n_cells; k++) {
				struct cvb_cell *c = &run->cells[k];
				if (c->backend != be || c->plan != p ||
				    c->status == CVB_CELL_SKIPPED)
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
}

void cvb_runner_end(struct cvb_runner *r)
{
	for (size_t i = 0; i < r->n_begun; i++)
		if (r->begun[i].backend->run_end)
			r->begun[i].backend->run_end(r->begun[i].state);
	r->n_begun = 0;
}


#include "launch.h"
#include "clock.h"
#include "signals.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void on_event(void *ctx, const struct cvb_proto_event *ev)
{
	struct cvb_launch *ls = ctx;
	switch (ev->kind) {
	case CVB_PROTO_READY:
		ls->ready = true;
		ls->sample->startup_ns = ls->t_arrival - ls->t0;
		ls->sample->agent_ready_ns = ev->agent_ns;
		break;
	case CVB_PROTO_DONE:
		ls->done = true;
		ls->t_done = ls->t_arrival;
		ls->sample->done_seen = true;
		ls->sample->done_status = ev->status;
		break;
	case CVB_PROTO_METRIC: {
		const struct cvb_metric_desc *d = cvb_workload_metric(ls->workload, ev->metric);
		if (ls->proto_error[0])
			break;
		if (!d) {
			snprintf(
			    ls->proto_error, sizeof(ls->proto_error),
			    "agent reported metric '%.64s', which workload %s does not declare",
			    ev->metric, ls->workload->name);
			break;
		}
		for (size_t i = 0; i < ls->n_values; i++)
			if (ls->desc[i] == d) {
				snprintf(ls->proto_error, sizeof(ls->proto_error),
				         "agent reported metric '%s' twice", d->name);
				return;
			}
		if (ls->n_values < CVB_LAUNCH_MAX_VALUES) {
			ls->desc[ls->n_values] = d;
			ls->value[ls->n_values++] = ev->value;
		}
		break;
	}
	case CVB_PROTO_FACT:
		/* Counted, then bounded by cvb_launch_drain. The bound also keeps
		 * the linear replace below cheap (at most 256 names to scan). */
		if (++ls->n_facts > CVB_LAUNCH_MAX_FACTS)
			break;
		if (!ls->sample->facts)
			ls->sample->facts = cJSON_CreateObject();
		cJSON_DeleteItemFromObjectCaseSensitive(ls->sample->facts, ev->metric);
		cJSON_AddItemToObject(ls->sample->facts, ev->metric,
		                      cJSON_Duplicate(ev->fact, true));
		break;
	case CVB_PROTO_ERROR:
		if (!ls->proto_error[0])
			snprintf(ls->proto_error, sizeof(ls->proto_error), "%s", ev->error);
		break;
	}
}

void cvb_launch_init(struct cvb_launch *l, const struct cvb_backend *be,
                     const struct cvb_workload *w, const int64_t *params, struct cvb_sample *s)
{
	memset(l, 0, sizeof(*l));
	l->workload = w;
	l->backend = be;
	l->sample = s;
	l->usage = CVB_USAGE_UNKNOWN;
	size_t na = 0;
	l->args[na++] = (char *)w->name;
	for (size_t i = 0; i < cvb_workload_param_count(w); i++) {
		snprintf(l->pbuf[i], sizeof(l->pbuf[i]), "%s=%" PRId64, w->params[i].name,
		         params[i]);
		l->args[na++] = l->pbuf[i];
	}
	l->args[na] = NULL;
	s->startup_ns = -1;
	cvb_proto_init(&l->proto, on_event, l);
}

int cvb_launch_start(struct cvb_launch *l, struct cvb_launch_spec *spec)
{
	struct cvb_error err = {0};
	struct cvb_sample *s = l->sample;
	spec->agent_args = l->args;
	spec->index = s->instance;
	l->t0 = spec->t_start_ns = cvb_now_ns();
	if (l->inject_delay_ns > 0)
		nanosleep(&(struct timespec){.tv_sec = l->inject_delay_ns / 1000000000,
		                             .tv_nsec = l->inject_delay_ns % 1000000000},
		          NULL);
	if (l->backend->launch(spec, &l->inst, &err) < 0) {
		l->inst = NULL;
		/* A launch cut short by Ctrl-C is an interruption, not a failure. */
		s->status = cvb_stop_signal ? CVB_SAMPLE_INTERRUPTED : CVB_SAMPLE_FAILED;
		snprintf(s->reason, sizeof(s->reason), "launch %s: %s",
		         cvb_stop_signal ? "interrupted" : "failed", err.msg);
		return -1;
	}
	return 0;
}

static void fail(struct cvb_sample *s, const struct cvb_proto *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True (and the sample failed) once the agent sent more than a launch may. */
static bool over_bounds(struct cvb_launch *l)
{
	struct cvb_sample *s = l->sample;
	if (s->status != CVB_SAMPLE_OK)
		return false;
	if (l->n_facts > CVB_LAUNCH_MAX_FACTS)
		fail(s, &l->proto, "protocol error: agent sent more than %d facts",
		     CVB_LAUNCH_MAX_FACTS);
	else if (l->proto.running_bytes > CVB_LAUNCH_MAX_PROTO_BYTES)
		fail(s, &l->proto,
		     "protocol error: agent sent more than %d MiB of output between READY "
		     "and DONE",
		     CVB_LAUNCH_MAX_PROTO_BYTES / (1024 * 1024));
	else
		return false;
	return true;
}

bool cvb_launch_drain(struct cvb_launch *l)
{
	char buf[4096];
	/* Bounded: an agent that writes without pause must not keep the
	 * caller from its deadline and the stop signal. What is left waits in
	 * the pipe for the next call. */
	for (size_t got = 0; got < CVB_LAUNCH_DRAIN_MAX_BYTES;) {
		ssize_t n = read(l->inst->out_fd, buf, sizeof(buf));
		if (n > 0) {
			l->t_arrival = cvb_now_ns();
			cvb_proto_feed(&l->proto, buf, (size_t)n);
			got += (size_t)n;
			if (over_bounds(l)) {
				/* Read no more: the launch is over, as at EOF. */
				l->eof = true;
				return false;
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return true;
		cvb_proto_eof(&l->proto);
		over_bounds(l); /* a last, unterminated line counts too */
		l->eof = true;
		return false;
	}
	return true;
}

void cvb_launch_measure(struct cvb_launch *l)
{
	struct cvb_error err = {0};
	if (l->backend->measure && l->backend->measure(l->inst, &l->usage, &err) < 0)
		snprintf(l->measure_error, sizeof(l->measure_error), "%s", err.msg);
	l->measured = true;
}

void cvb_launch_stop(struct cvb_launch *l)
{
	struct cvb_error err = {0};
	l->stopped = true;
	l->t_stop = cvb_now_ns();
	/* A line, then EOF: every workload that holds or burns until stopped
	 * stops on either (EOF too, so that a dead harness stops the hogs).
	 * SIGPIPE is ignored: a workload that already ended just makes the
	 * write fail. */
	if (!l->backend->stop && l->inst->in_fd >= 0) {
		ssize_t n = write(l->inst->in_fd, "STOP\n", 5);
		(void)n;
	}
	if (l->backend->stop && l->backend->stop(l->inst, &err) < 0)
		snprintf(l->measure_error, sizeof(l->measure_error), "cannot stop it: %s", err.msg);
	else if (l->inst->in_fd >= 0) {
		close(l->inst->in_fd);
		l->inst->in_fd = -1;
	}
}

static void describe_exit(const struct cvb_exit *e, char *buf, size_t len)
{
	int n;
	if (e->killed)
		n = snprintf(buf, len, "killed by cvbench");
	else if (e->signal)
		n = snprintf(buf, len, "killed by signal %d (%s)", e->signal, strsignal(e->signal));
	else
		n = snprintf(buf, len, "exit status %d", e->code);
	if (e->note[0] && n > 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, "; %s", e->note);
}

/* Marks the sample failed with a reason and the agent's last output lines. */
static void fail(struct cvb_sample *s, const struct cvb_proto *p, const char *fmt, ...)
{
	char tail[200];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(s->reason, sizeof(s->reason), fmt, ap);
	va_end(ap);
	cvb_proto_tail(p, tail, sizeof(tail));
	if (n > 0 && (size_t)n < sizeof(s->reason))
		snprintf(s->reason + n, sizeof(s->reason) - (size_t)n, "; last output: '%s'",
		         tail[0] ? tail : "(none)");
	s->status = CVB_SAMPLE_FAILED;
}

static void append_reason(struct cvb_sample *s, const char *what, const char *msg)
{
	size_t n = strlen(s->reason);
	snprintf(s->reason + n, sizeof(s->reason) - n, "; %s: %s", what, msg);
}

void cvb_launch_time_out(struct cvb_launch *l, int64_t now, int64_t since, const char *since_what,
                         int64_t bound_ns)
{
	l->timed_out = true;
	l->timeout.at = now;
	l->timeout.since = since;
	l->timeout.since_what = since_what;
	l->timeout.bound_ns = bound_ns;
}

/* "52.4 s", "812 ms", "0.35 ms": readable from a VM's minute to a
 * process's fraction of a millisecond. */
static const char *fmt_dur(char *buf, size_t len, int64_t ns)
{
	if (ns >= 1000000000 || ns <= -1000000000)
		snprintf(buf, len, "%.1f s", (double)ns / 1e9);
	else if (ns >= 1000000 || ns <= -1000000)
		snprintf(buf, len, "%.0f ms", (double)ns / 1e6);
	else
		snprintf(buf, len, "%.2f ms", (double)ns / 1e6);
	return buf;
}

static void appendf(char *buf, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	if (n + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

/* The launch call as the backend's phases saw it: its length (the last
 * phase it marked, just before returning) and its longest step, which is
 * where a slow launch spent its time (a VM's create, a container's clone). */
static void describe_launch_call(const struct cvb_instance *inst, char *buf, size_t len)
{
	char d1[32], d2[32];
	size_t n = inst->n_phases < CVB_MAX_PHASES ? inst->n_phases : CVB_MAX_PHASES;
	if (n == 0) {
		snprintf(buf, len, "launch call (no phase recorded)");
		return;
	}
	/* Marks are not all in time order (a container's child reports its
	 * own afterwards): order them. */
	struct cvb_phase p[CVB_MAX_PHASES];
	memcpy(p, inst->phases, n * sizeof(p[0]));
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && p[j].t_ns < p[j - 1].t_ns; j--) {
			struct cvb_phase t = p[j];
			p[j] = p[j - 1];
			p[j - 1] = t;
		}
	size_t longest = 0;
	for (size_t i = 1; i < n; i++)
		if (p[i].t_ns - p[i - 1].t_ns >
		    p[longest].t_ns - (longest ? p[longest - 1].t_ns : 0))
			longest = i;
	int64_t step = p[longest].t_ns - (longest ? p[longest - 1].t_ns : 0);
	if (n == 1)
		snprintf(buf, len, "launch call %s (%s)", fmt_dur(d1, sizeof(d1), p[0].t_ns),
		         p[0].name);
	else
		snprintf(buf, len, "launch call %s (longest step: %s to %s)",
		         fmt_dur(d1, sizeof(d1), p[n - 1].t_ns), fmt_dur(d2, sizeof(d2), step),
		         p[longest].name);
}

void cvb_launch_describe_timeout(const struct cvb_launch *l, char *buf, size_t len)
{
	const int64_t t0 = l->t0, at = l->timeout.at, since = l->timeout.since;
	const char *since_what = l->timeout.since_what ? l->timeout.since_what : "the launch call";
	const char *waiting = l->done      ? "exit after DONE"
	                      : !l->ready  ? "READY"
	                      : l->stopped ? "DONE after STOP"
	                                   : "DONE";
	snprintf(buf, len, "%s%stimed out after %.1f s waiting for %s: ", l->who,
	         l->who[0] ? " " : "", (double)l->timeout.bound_ns / 1e9, waiting);
	size_t n = strlen(buf);
	describe_launch_call(l->inst, buf + n, len - n);
	/* What happened after the launch call, in time order. */
	struct {
		int64_t t;
		char text[80];
	} ev[4];
	size_t ne = 0;
	char d[32];
	if (l->ready) {
		ev[ne].t = t0 + l->sample->startup_ns;
		snprintf(ev[ne++].text, sizeof(ev[0].text), "READY after %s",
		         fmt_dur(d, sizeof(d), l->sample->startup_ns));
	}
	/* Where the bound began, unless it is one of the others. */
	if (strcmp(since_what, "the launch call") != 0 && strcmp(since_what, "STOP") != 0 &&
	    strcmp(since_what, "READY") != 0) {
		ev[ne].t = since;
		snprintf(ev[ne++].text, sizeof(ev[0].text), "%s at %s", since_what,
		         fmt_dur(d, sizeof(d), since - t0));
	}
	if (l->stopped) {
		ev[ne].t = l->t_stop;
		snprintf(ev[ne++].text, sizeof(ev[0].text), "STOP sent at %s",
		         fmt_dur(d, sizeof(d), l->t_stop - t0));
	}
	if (l->done) {
		ev[ne].t = l->t_done;
		snprintf(ev[ne++].text, sizeof(ev[0].text), "DONE at %s",
		         fmt_dur(d, sizeof(d), l->t_done - t0));
	}
	for (size_t i = 0; i < ne; i++) {
		size_t k = i;
		for (size_t j = i + 1; j < ne; j++)
			if (ev[j].t < ev[k].t)
				k = j;
		appendf(buf, len, ", %s", ev[k].text);
		ev[k] = ev[i];
	}
	/* What did not come, in the bound's own unit. */
	if (l->done)
		appendf(buf, len, ", still running %.1f s after DONE",
		        (double)(at - l->t_done) / 1e9);
	else
		appendf(buf, len, ", no %s %.1f s after %s", l->ready ? "DONE" : "READY",
		        (double)(at - since) / 1e9, since_what);
}

void cvb_launch_end(struct cvb_launch *l)
{
	struct cvb_sample *s = l->sample;
	const struct cvb_backend *be = l->backend;
	if (!l->inst)
		return; /* never started: the reason is already there */
	s->noise_lines = l->proto.noise_lines;
	/* Worded now, while the phases are the launch call's only. */
	char timeout_why[320] = "";
	if (l->timed_out)
		cvb_launch_describe_timeout(l, timeout_why, sizeof(timeout_why));
	struct cvb_error derr = {0};
	bool graceful = l->eof && s->status == CVB_SAMPLE_OK;
	int drc = be->destroy(l->inst, graceful, &s->exit, &derr);
	/* After destroy, which may add a phase of its own (the VM's end). */
	for (size_t i = 0; i < l->inst->n_phases; i++)
		s->phases[s->n_phases++] = l->inst->phases[i];
	if (l->ready)
		s->phases[s->n_phases++] = (struct cvb_phase){"ready", s->startup_ns};
	if (be->describe_instance)
		s->backend_facts = be->describe_instance(l->inst);
	be->release(l->inst);
	l->inst = NULL;

	if (drc < 0 && s->status != CVB_SAMPLE_OK)
		/* Never lost behind the first error: a teardown failure may leave
		 * something on the host. */
		append_reason(s, "teardown also failed", derr.msg);
	if (s->status != CVB_SAMPLE_OK)
		return; /* interrupted or poll failure: reason already set */
	char how[320];
	describe_exit(&s->exit, how, sizeof(how));
	if (l->timed_out) {
		fail(s, &l->proto, "%s", timeout_why);
	} else if (l->proto_error[0]) {
		fail(s, &l->proto, "protocol error: %s", l->proto_error);
	} else if (!l->ready) {
		fail(s, &l->proto, "agent ended without READY (%s)", how);
	} else if (!l->done) {
		fail(s, &l->proto, "agent ended without DONE (%s)", how);
	} else if (s->done_status != 0) {
		fail(s, &l->proto, "agent reported failure (DONE %d)", s->done_status);
	} else if (s->exit.killed || s->exit.signal || s->exit.code != 0) {
		fail(s, &l->proto, "agent did not exit cleanly after DONE (%s)", how);
	} else if (l->measure_error[0]) {
		fail(s, &l->proto, "cannot measure the instance: %s", l->measure_error);
	} else if (drc < 0) {
		fail(s, &l->proto, "teardown failed: %s", derr.msg);
	} else {
		for (const struct cvb_metric_desc *m = l->workload->metrics; m && m->name; m++) {
			bool seen = l->workload->metrics_selectable;
			for (size_t i = 0; i < l->n_values; i++)
				seen |= l->desc[i] == m;
			if (!seen) {
				fail(s, &l->proto, "agent did not report metric '%s'", m->name);
				break;
			}
		}
	}
	if (drc < 0 && s->status == CVB_SAMPLE_FAILED && !strstr(s->reason, "teardown failed"))
		append_reason(s, "teardown also failed", derr.msg);
}

void cvb_cell_add_value(struct cvb_cell *cell, const char *name, const char *unit,
                        enum cvb_better better, double v, unsigned index, const char *role)
{
	struct cvb_series *s = cvb_cell_series(cell, name, unit, better);
	if (!s)
		return;
	s->role = role;
	cvb_series_add(s, v, index);
}

void cvb_launch_commit(struct cvb_cell *cell, const struct cvb_launch *l, bool with_startup,
                       const char *role)
{
	const struct cvb_sample *s = l->sample;
	const struct cvb_usage *u = &l->usage;
	const unsigned ix = s->index;
	if (with_startup)
		cvb_cell_add_value(cell, "startup_ns", "ns", CVB_LOWER_IS_BETTER,
		                   (double)s->startup_ns, ix, role);
	for (size_t i = 0; i < l->n_values; i++)
		cvb_cell_add_value(cell, l->desc[i]->name, l->desc[i]->unit, l->desc[i]->better,
		                   l->value[i], ix, role);
	if (role)
		return; /* an aggressor's host cost is not the cell's subject */
	if (l->measured) {
		if (u->rss_bytes >= 0)
			cvb_cell_add_value(cell, "host_rss_bytes", "bytes", CVB_LOWER_IS_BETTER,
			                   (double)u->rss_bytes, ix, NULL);
		if (u->pss_bytes >= 0)
			cvb_cell_add_value(cell, "host_pss_bytes", "bytes", CVB_LOWER_IS_BETTER,
			                   (double)u->pss_bytes, ix, NULL);
		if (u->uss_bytes >= 0)
			cvb_cell_add_value(cell, "host_uss_bytes", "bytes", CVB_LOWER_IS_BETTER,
			                   (double)u->uss_bytes, ix, NULL);
		if (u->cgroup_memory_bytes >= 0)
			cvb_cell_add_value(cell, "cgroup_memory_bytes", "bytes",
			                   CVB_LOWER_IS_BETTER, (double)u->cgroup_memory_bytes, ix,
			                   NULL);
		if (u->guest_ram_pss_bytes >= 0 && u->pss_bytes >= 0) {
			cvb_cell_add_value(cell, "guest_ram_pss_bytes", "bytes",
			                   CVB_LOWER_IS_BETTER, (double)u->guest_ram_pss_bytes, ix,
			                   NULL);
			cvb_cell_add_value(
			    cell, "host_pss_excl_guest_ram_bytes", "bytes", CVB_LOWER_IS_BETTER,
			    (double)(u->pss_bytes - u->guest_ram_pss_bytes), ix, NULL);
		}
	}
	if (s->exit.cpu_ns >= 0)
		cvb_cell_add_value(cell, "agent_cpu_ns", "ns", CVB_LOWER_IS_BETTER,
		                   (double)s->exit.cpu_ns, ix, NULL);
}

#include "load_watch.h"
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOK_EVERY_NS 1000000000LL

void cvb_load_watch_begin(struct cvb_load_watch *w, const char *run_id)
{
	struct cvb_error err = {0};
	memset(w, 0, sizeof(*w));
	snprintf(w->run_id, sizeof(w->run_id), "%s", run_id);
	w->t_begin_ns = cvb_now_ns();
	w->have_last = cvb_cpu_snapshot_take("/proc", getpid(), w->run_id, &w->last, &err) == 0;
}

static void look(struct cvb_load_watch *w)
{
	struct cvb_cpu_snapshot now;
	struct cvb_error err = {0};
	if (!w->have_last || cvb_cpu_snapshot_take("/proc", getpid(), w->run_id, &now, &err) < 0)
		return;
	if (w->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct cvb_load_sample *v = realloc(w->v, cap * sizeof(*v));
		if (!v) {
			cvb_cpu_snapshot_free(&now);
			return;
		}
		w->v = v;
		w->cap = cap;
	}
	struct cvb_cpu_use use;
	cvb_cpu_use_between(&w->last, &now, sysconf(_SC_CLK_TCK), &use);
	struct cvb_load_sample *s = &w->v[w->n++];
	s->t_s = (double)(now.t_ns - w->t_begin_ns) / 1e9;
	s->seconds = use.seconds;
	s->foreign_cpus = use.foreign_cpus;
	s->host_cpus = use.host_cpus;
	cvb_cpu_use_describe(&use, s->busiest, sizeof(s->busiest));
	cvb_cpu_snapshot_free(&w->last);
	w->last = now;
}

void cvb_load_watch_tick(struct cvb_load_watch *w)
{
	if (w->have_last && cvb_now_ns() - w->last.t_ns >= LOOK_EVERY_NS)
		look(w);
}

void cvb_load_watch_end(struct cvb_load_watch *w)
{
	if (w->have_last && cvb_now_ns() - w->last.t_ns >= LOOK_EVERY_NS / 10)
		look(w);
}

cJSON *cvb_load_watch_to_json(const struct cvb_load_watch *w)
{
	if (!w->n)
		return NULL;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "what",
	                        "CPU used by processes other than this run's (its own "
	                        "instances, QEMU of its domains, the libvirt daemons and kernel "
	                        "threads excluded), looked at between launches");
	cJSON *arr = cJSON_AddArrayToObject(o, "samples");
	for (size_t i = 0; arr && i < w->n; i++) {
		const struct cvb_load_sample *s = &w->v[i];
		cJSON *e = cJSON_CreateObject();
		cJSON_AddItemToArray(arr, e);
		cJSON_AddNumberToObject(e, "t_s", s->t_s);
		cJSON_AddNumberToObject(e, "seconds", s->seconds);
		cJSON_AddNumberToObject(e, "foreign_cpus", s->foreign_cpus);
		cJSON_AddNumberToObject(e, "host_cpus", s->host_cpus);
		cJSON_AddStringToObject(e, "busiest", s->busiest);
	}
	return o;
}

void cvb_load_watch_free(struct cvb_load_watch *w)
{
	if (w->have_last)
		cvb_cpu_snapshot_free(&w->last);
	free(w->v);
	memset(w, 0, sizeof(*w));
}

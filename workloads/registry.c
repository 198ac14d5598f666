/* One line per workload: adding a workload is its file plus a line here. */
#include "workload.h"

#include <string.h>

extern const struct cvb_workload cvb_workload_ready;
extern const struct cvb_workload cvb_workload_idle;
extern const struct cvb_workload cvb_workload_cpu_hog;
extern const struct cvb_workload cvb_workload_mem_hog;
extern const struct cvb_workload cvb_workload_fork_hog;
extern const struct cvb_workload cvb_workload_audit;
extern const struct cvb_workload cvb_workload_syscall;
extern const struct cvb_workload cvb_workload_cpu_victim;
extern const struct cvb_workload cvb_workload_mem_victim;
extern const struct cvb_workload cvb_workload_wake_victim;
extern const struct cvb_workload cvb_workload_io_hog;

const struct cvb_workload *const cvb_workloads[] = {
    &cvb_workload_ready,       &cvb_workload_idle,       &cvb_workload_cpu_hog,
    &cvb_workload_mem_hog,     &cvb_workload_fork_hog,   &cvb_workload_audit,
    &cvb_workload_syscall,     &cvb_workload_cpu_victim, &cvb_workload_mem_victim,
    &cvb_workload_wake_victim, &cvb_workload_io_hog,     NULL,
};

const struct cvb_workload *cvb_workload_find(const char *name)
{
	for (size_t i = 0; cvb_workloads[i]; i++)
		if (strcmp(cvb_workloads[i]->name, name) == 0)
			return cvb_workloads[i];
	return NULL;
}

const struct cvb_metric_desc *cvb_workload_metric(const struct cvb_workload *w, const char *name)
{
	for (const struct cvb_metric_desc *m = w->metrics; m && m->name; m++)
		if (strcmp(m->name, name) == 0)
			return m;
	return NULL;
}

int cvb_workload_param_index(const struct cvb_workload *w, const char *name)
{
	for (int i = 0; w->params && w->params[i].name; i++)
		if (strcmp(w->params[i].name, name) == 0)
			return i;
	return -1;
}

size_t cvb_workload_param_count(const struct cvb_workload *w)
{
	size_t n = 0;
	while (w->params && w->params[n].name)
		n++;
	return n;
}

#include "results.h"

#include <stdlib.h>
#include <string.h>

const char *cvb_cell_status_name(enum cvb_cell_status s)
{
	static const char *const names[] = {"ok", "failed", "skipped", "incomplete"};
	return names[s];
}

const char *cvb_sample_status_name(enum cvb_sample_status s)
{
	static const char *const names[] = {"ok", "failed", "interrupted"};
	return names[s];
}

/* Grows *arr (of elem-sized items) so that one more fits. */
static int grow(void **arr, size_t *cap, size_t n, size_t elem)
{
	if (n < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 16;
	void *p = realloc(*arr, ncap * elem);
	if (!p)
		return -1;
	*arr = p;
	*cap = ncap;
	return 0;
}

struct cvb_sample *cvb_cell_add_sample(struct cvb_cell *cell)
{
	if (grow((void **)&cell->samples, &cell->cap_samples, cell->n_samples,
	         sizeof(*cell->samples)) < 0)
		return NULL;
	struct cvb_sample *s = &cell->samples[cell->n_samples++];
	memset(s, 0, sizeof(*s));
	s->startup_ns = -1;
	s->exit.cpu_ns = s->exit.max_rss_bytes = -1;
	return s;
}

struct cvb_series *cvb_cell_series(struct cvb_cell *cell, const char *name, const char *unit,
                                   enum cvb_better better)
{
	for (size_t i = 0; i < cell->n_series; i++)
		if (strcmp(cell->series[i].name, name) == 0)
			return &cell->series[i];
	if (grow((void **)&cell->series, &cell->cap_series, cell->n_series, sizeof(*cell->series)) <
	    0)
		return NULL;
	struct cvb_series *s = &cell->series[cell->n_series++];
	*s = (struct cvb_series){.name = name, .unit = unit, .better = better};
	return s;
}

int cvb_series_add(struct cvb_series *s, double v, unsigned sample_index)
{
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		double *nv = realloc(s->values, ncap * sizeof(*nv));
		if (!nv)
			return -1;
		s->values = nv;
		unsigned *ni = realloc(s->sample_index, ncap * sizeof(*ni));
		if (!ni)
			return -1;
		s->sample_index = ni;
		s->cap = ncap;
	}
	s->values[s->n] = v;
	s->sample_index[s->n++] = sample_index;
	return 0;
}

void cvb_cell_free(struct cvb_cell *cell)
{
	for (size_t i = 0; i < cell->n_series; i++) {
		free(cell->series[i].values);
		free(cell->series[i].sample_index);
	}
	free(cell->series);
	for (size_t i = 0; i < cell->n_samples; i++) {
		cJSON_Delete(cell->samples[i].backend_facts);
		cJSON_Delete(cell->samples[i].facts);
	}
	free(cell->samples);
	cJSON_Delete(cell->backend_setup);
	cJSON_Delete(cell->prior_launches);
	cell->prior_launches = NULL;
	cell->backend_setup = NULL;
	cell->series = NULL;
	cell->samples = NULL;
	cell->n_series = cell->n_samples = 0;
}

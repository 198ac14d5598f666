/* Plot data: startup phases as one stacked bar per backend. Each launch
 * records when each phase ended (ns since the launch call); a segment runs
 * from the median end of the phase before to the median end of its own, in
 * order of those medians, up to READY. Bars are in percent of the backend's
 * median startup, so a 1 ms process spawn and a 5 s boot both show their
 * shape; the totals are in the bar labels. */
#include "plot_data.h"
#include "numfmt.h"
#include "report_view.h"
#include "seed_table.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PHASES 32
#define MAX_BACKENDS 8

struct phase {
	const char *name; /* borrowed from the document */
	double *v;
	size_t n;
	double median;
};

static bool has_phases(const cJSON *cell, const void *arg)
{
	(void)arg;
	const cJSON *l;
	cJSON_ArrayForEach(l, cvb_rv_get(cell, "launches"))
	{
		if (cvb_rv_get(cvb_rv_get(l, "phases_ns"), "ready"))
			return true;
	}
	return false;
}

static bool measured_ok(const cJSON *launch)
{
	const char *s = cvb_rv_str(launch, "status");
	return s && strcmp(s, "ok") == 0 && !cJSON_IsTrue(cvb_rv_get(launch, "warmup"));
}

/* Medians of every phase over the cell's ok measured launches; returns
 * how many phases, sorted by median (ties: file order). */
static size_t collect(const cJSON *cell, struct phase *ph)
{
	size_t np = 0, n_launches = (size_t)cJSON_GetArraySize(cvb_rv_get(cell, "launches"));
	const cJSON *l, *t;
	cJSON_ArrayForEach(l, cvb_rv_get(cell, "launches"))
	{
		if (!measured_ok(l))
			continue;
		cJSON_ArrayForEach(t, cvb_rv_get(l, "phases_ns"))
		{
			if (!cJSON_IsNumber(t))
				continue;
			size_t k = 0;
			while (k < np && strcmp(ph[k].name, t->string) != 0)
				k++;
			if (k == np) {
				if (np == MAX_PHASES)
					continue;
				ph[np++] = (struct phase){.name = t->string,
				                          .v = calloc(n_launches, sizeof(double))};
			}
			if (ph[k].v && ph[k].n < n_launches)
				ph[k].v[ph[k].n++] = t->valuedouble;
		}
	}
	for (size_t k = 0; k < np; k++)
		ph[k].median = ph[k].n ? cvb_median(ph[k].v, ph[k].n) : 0;
	/* Insertion sort: stable, and there are few phases. */
	for (size_t i = 1; i < np; i++)
		for (size_t j = i; j > 0 && ph[j].median < ph[j - 1].median; j--) {
			struct phase tmp = ph[j];
			ph[j] = ph[j - 1];
			ph[j - 1] = tmp;
		}
	return np;
}

static void free_phases(struct phase *ph, size_t np)
{
	for (size_t k = 0; k < np; k++)
		free(ph[k].v);
}

/* Index of name in the run's list of phase names (the colour of a phase is
 * the same in every bar), added if new. */
static size_t name_index(const char **names, size_t *n, const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	names[*n] = name;
	return (*n)++;
}

void cvb_plot_build_phases(const cJSON *doc, struct cvb_plot *p)
{
	const char *backends[MAX_BACKENDS], *names[MAX_BACKENDS * MAX_PHASES];
	size_t nb = cvb_rv_backends(doc, backends, MAX_BACKENDS), n_names = 0, n_seg = 0, bars = 0;
	char *bar_label[MAX_BACKENDS], *seg_title[MAX_BACKENDS * MAX_PHASES];
	double seg_color[MAX_BACKENDS * MAX_PHASES];
	for (size_t b = 0; b < nb; b++) {
		const cJSON *failed;
		const cJSON *cell =
		    cvb_seed_pick_cell(doc, backends[b], "ready", false, has_phases, NULL, &failed);
		if (!cell)
			continue;
		struct phase ph[MAX_PHASES];
		size_t np = collect(cell, ph);
		double total = 0;
		for (size_t k = 0; k < np; k++)
			if (strcmp(ph[k].name, "ready") == 0)
				total = ph[k].median;
		if (total <= 0) {
			free_phases(ph, np);
			continue;
		}
		char tot[32], label[320], bl[400];
		cvb_format_value(total, "ns", tot, sizeof(tot));
		cvb_rv_cell_label(cell, label, sizeof(label));
		snprintf(bl, sizeof(bl), "%s (%s)", label, tot);
		bar_label[bars] = strdup(bl);
		double prev = 0;
		for (size_t k = 0; k < np && ph[k].median <= total; k++) {
			size_t idx = name_index(names, &n_names, ph[k].name);
			bool first = true;
			for (size_t s = 0; s < n_seg; s++)
				first &= seg_color[s] != (double)(idx + 1);
			char dur[32];
			cvb_format_value(ph[k].median - prev, "ns", dur, sizeof(dur));
			cvb_strbuf_printf(&p->data, "%s# %s: until %s, median %.0f ns\n",
			                  n_seg ? "\n\n" : "", label, ph[k].name, ph[k].median);
			cvb_dat_num(&p->data, (double)bars, '\t');
			cvb_dat_num(&p->data, 100.0 * prev / total, '\t');
			cvb_dat_num(&p->data, 100.0 * ph[k].median / total, '\t');
			cvb_dat_text(&p->data, dur, '\n');
			/* One key entry per phase name: later bars reuse its colour. */
			seg_title[n_seg] = strdup(first ? ph[k].name : "");
			seg_color[n_seg++] = (double)(idx + 1);
			prev = ph[k].median;
		}
		bars++;
		free_phases(ph, np);
	}
	if (n_seg == 0) {
		snprintf(p->why_not, sizeof(p->why_not),
		         "no launch recorded phases up to READY (phases_ns)");
		return;
	}
	cvb_gp_var_num(&p->vars, "n_bars", (double)bars);
	cvb_gp_array_str(&p->vars, "bar_label", bar_label, bars);
	cvb_gp_var_num(&p->vars, "n_segments", (double)n_seg);
	cvb_gp_array_str(&p->vars, "seg_title", seg_title, n_seg);
	cvb_gp_array_num(&p->vars, "seg_color", seg_color, n_seg);
	for (size_t i = 0; i < bars; i++)
		free(bar_label[i]);
	for (size_t i = 0; i < n_seg; i++)
		free(seg_title[i]);
	p->made = true;
}

#include "cell_label.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPEND(buf, len, off, ...)                                                                 \
	do {                                                                                       \
		if ((off) < (len))                                                                 \
			(off) += (size_t)snprintf((buf) + (off), (len) - (off), __VA_ARGS__);      \
	} while (0)

void cvb_config_variant(const struct cvb_backend *be, const struct cvb_plan *p, char *buf,
                        size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	if (be->describe_config) {
		struct cvb_config_desc d = {
		    .config = &p->config, .launcher = p->launcher, .ksm = p->ksm};
		be->describe_config(&d, buf, len, &off);
	}
	if (p->pin_mode != CVB_PIN_NONE && (be->caps & CVB_CAP_PIN))
		APPEND(buf, len, off, " pin=%s",
		       p->pin_mode == CVB_PIN_AUTO ? "auto" : p->pin_cpus);
	/* Without the leading blank. */
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}

static void label_one(struct cvb_cell *c)
{
	char *buf = c->label, variant[256];
	size_t len = sizeof(c->label), off = 0;
	const struct cvb_workload *w = c->workload;
	APPEND(buf, len, off, "%s/%s", c->backend->name, w->name);
	for (size_t i = 0; i < cvb_workload_param_count(w); i++)
		if (c->params[i] != w->params[i].def)
			APPEND(buf, len, off, " %s=%" PRId64, w->params[i].name, c->params[i]);
	cvb_config_variant(c->backend, c->plan, variant, sizeof(variant));
	if (variant[0])
		APPEND(buf, len, off, " %s", variant);
	if (c->instances)
		APPEND(buf, len, off, " instances=%u", c->instances);
	if (c->scenario)
		APPEND(buf, len, off, " scenario=%s", c->scenario->name);
	if (c->placement && c->placement->kind != CVB_PLACE_NONE)
		APPEND(buf, len, off, " placement=%s", cvb_placement_name(c->placement->kind));
}

void cvb_cells_label(struct cvb_cell *cells, size_t n, bool multi_block)
{
	for (size_t k = 0; k < n; k++)
		label_one(&cells[k]);
	if (!multi_block)
		return;
	/* Same cell in two blocks (a matrix that repeats it on purpose): tell
	 * them apart by block, the same way on every run of the matrix. Marked
	 * first, renamed after, so that each pair is seen whole. */
	bool *dup = calloc(n ? n : 1, sizeof(bool));
	if (!dup)
		return;
	/* Blocks are named uniquely (matrix.c), so names settle it; a label
	 * that is still not unique (cut at its buffer's end) gets its cell's
	 * position, the same on every run of the same matrix. */
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < n; j++)
			dup[k] |= j != k && strcmp(cells[j].label, cells[k].label) == 0 &&
			          cells[j].plan != cells[k].plan;
	for (size_t k = 0; k < n; k++) {
		size_t off = strlen(cells[k].label);
		if (dup[k])
			APPEND(cells[k].label, sizeof(cells[k].label), off, " [%s]",
			       cells[k].plan->name);
	}
	for (size_t k = 0; k < n; k++) {
		bool again = false;
		for (size_t j = 0; j < k; j++)
			again |= strcmp(cells[j].label, cells[k].label) == 0;
		if (again) {
			size_t off = strlen(cells[k].label);
			if (off + 16 > sizeof(cells[k].label))
				off = sizeof(cells[k].label) - 16;
			snprintf(cells[k].label + off, sizeof(cells[k].label) - off, " #%zu", k);
		}
	}
	free(dup);
}

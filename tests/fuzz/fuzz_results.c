/* libFuzzer target: reading a results file back (harness/record/results_load.c,
 * with json_fast.c underneath), as compare, export and merge do. The bytes
 * are handed over without a terminating NUL, so a read past len is caught.
 * A file that loads is then walked the way the commands walk it. */
#include "results_load.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void walk(struct cvb_results_file *f)
{
	for (size_t i = 0; i < f->n_cells; i++) {
		const struct cvb_loaded_cell *c = &f->cells[i];
		if (cvb_results_find_cell(f, c->label) == NULL)
			abort(); /* a cell's own label must find a cell */
		(void)cvb_results_cell_host(f, c);
		size_t n = 0;
		free(cvb_results_launch_run_ids(f, c, &n));
		for (size_t j = 0; j < c->n_metrics; j++) {
			const struct cvb_loaded_metric *m = &c->metrics[j];
			if (cvb_cell_find_metric(c, m->name) == NULL)
				abort();
			double sum = 0;
			for (size_t k = 0; k < m->n; k++)
				sum += m->samples[k];
			if (m->launch)
				for (size_t k = 0; k < m->n; k++)
					(void)cvb_results_launch_run_id(f, c, (int)m->launch[k]);
			(void)sum;
		}
		free(cvb_cell_params_text(c->params));
	}
	struct cvb_error err = {0};
	(void)cvb_results_materialize(f, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	struct cvb_results_file f;
	struct cvb_error err = {0};
	if (cvb_results_parse(text, size, "fuzz.json", &f, &err) == 0)
		walk(&f);
	else if (err.msg[0] == '\0')
		abort(); /* a refusal must say why */
	cvb_results_free(&f);
	free(text);
	return 0;
}

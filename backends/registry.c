/* The explicit list of backends, in the order `cvbench list` shows them. */
#include "backend.h"
#include "clock.h"

#include <string.h>

extern const struct cvb_backend cvb_backend_native;
extern const struct cvb_backend cvb_backend_container;

const struct cvb_backend *const cvb_backends[] = {
    &cvb_backend_native,
    &cvb_backend_container,
    NULL,
};

const struct cvb_backend *cvb_backend_find(const char *name)
{
	for (size_t i = 0; cvb_backends[i]; i++)
		if (strcmp(cvb_backends[i]->name, name) == 0)
			return cvb_backends[i];
	return NULL;
}

void cvb_instance_mark(struct cvb_instance *inst, const char *phase, int64_t t_start_ns)
{
	if (inst->n_phases < CVB_MAX_PHASES)
		inst->phases[inst->n_phases++] =
		    (struct cvb_phase){.name = phase, .t_ns = cvb_now_ns() - t_start_ns};
}

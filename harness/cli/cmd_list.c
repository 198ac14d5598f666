/* `cvbench list`: backends (usable here or why not) and workloads. */
#include "agent_path.h"
#include "backend.h"
#include "commands.h"
#include "workload.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int cvb_cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc > 1) {
		if (strcmp(argv[1], "--help") == 0) {
			printf("usage: cvbench list\n\nBackends with whether they can run on this "
			       "host (and why not), and workloads with their parameters and "
			       "metrics.\n");
			return CVB_EXIT_OK;
		}
		fprintf(stderr,
		        "cvbench list: unexpected argument '%s' (see 'cvbench list --help')\n",
		        argv[1]);
		return CVB_EXIT_USAGE;
	}
	/* The agent a run would use: backends find their files next to it. */
	char agent[4096] = "";
	struct cvb_error err = {0};
	if (cvb_agent_locate(NULL, agent, sizeof(agent), &err) < 0)
		agent[0] = '\0';
	const struct cvb_probe_ctx ctx = {.agent_path = agent[0] ? agent : NULL};
	printf("backends:\n");
	for (size_t i = 0; cvb_backends[i]; i++) {
		const struct cvb_backend *b = cvb_backends[i];
		char reason[512] = "";
		bool ok = b->probe(&ctx, reason, sizeof(reason)) == 0;
		printf("  %-10s %-13s %s\n", b->name, ok ? "available" : "unavailable", b->summary);
		if (!ok)
			printf("  %-10s   reason: %s\n", "", reason);
		else if (reason[0])
			printf("  %-10s   note: %s\n", "", reason);
	}
	printf("\nworkloads:\n");
	for (size_t i = 0; cvb_workloads[i]; i++) {
		const struct cvb_workload *w = cvb_workloads[i];
		printf("  %-10s %s\n", w->name, w->help);
		for (const struct cvb_param_desc *p = w->params; p && p->name; p++)
			printf("  %-10s   param %s=N: %s (default %" PRId64 ", range %" PRId64
			       "..%" PRId64 ")\n",
			       "", p->name, p->help, p->def, p->min, p->max);
		for (const struct cvb_metric_desc *m = w->metrics; m && m->name; m++)
			printf("  %-10s   metric %s [%s, %s is better]: %s\n", "", m->name, m->unit,
			       m->better == CVB_LOWER_IS_BETTER ? "lower" : "higher", m->help);
	}
	printf(
	    "\nevery launch also records: startup_ns (host launch call -> READY), agent_cpu_ns;\n"
	    "workloads that hold until stopped also record host_rss_bytes, host_pss_bytes, "
	    "host_uss_bytes\n");
	return CVB_EXIT_OK;
}

/* `cvbench doctor`: is this host fit to measure? The thorough preflight for
 * the run the same options would make (the default matrix without any),
 * each finding with its verdict, evidence and fix. */
#include "agent_path.h"
#include "clock.h"
#include "commands.h"
#include "preflight.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out,
	        "usage: cvbench doctor [--json] [RUN OPTIONS]\n"
	        "\n"
	        "Checks everything that would make a run slow, fail or lie, for the run the\n"
	        "same options would make (`cvbench run RUN OPTIONS`; none: the default matrix):\n"
	        "other busy processes and load, CPU governor and turbo, SMT, clock source,\n"
	        "whether this host is a VM, memory and disk for the plan, and per backend:\n"
	        "root and cgroup controllers (container); libvirtd and virtlogd, the guest\n"
	        "kernel, /dev/kvm and whether KVM boots a guest, libvirt's capability cache\n"
	        "(vm). Each finding: ok / warn / fail, the evidence, and the fix.\n"
	        "`cvbench run` makes the same checks, more briefly, before it measures.\n"
	        "\n"
	        "  --json   the findings as JSON\n"
	        "\n"
	        "Exit status: 0 no failure (warnings may be printed), 3 a check failed,\n"
	        "2 bad usage.\n");
}

static void print_json(const struct cvb_findings *f, double seconds)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "verdict", cvb_level_name(cvb_findings_worst(f)));
	cJSON_AddNumberToObject(doc, "seconds", seconds);
	cJSON_AddItemToObject(doc, "findings", cvb_findings_to_json(f));
	char *text = cJSON_Print(doc);
	if (text)
		printf("%s\n", text);
	free(text);
	cJSON_Delete(doc);
}

int cvb_cmd_doctor(int argc, char **argv)
{
	bool json = false;
	char *rest[256];
	int n_rest = 0;
	rest[n_rest++] = "run";
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
		} else if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return CVB_EXIT_OK;
		} else if (n_rest < (int)(sizeof(rest) / sizeof(rest[0])) - 1) {
			rest[n_rest++] = argv[i];
		}
	}
	rest[n_rest] = NULL;
	struct cvb_matrix m;
	struct cvb_error err = {0};
	char agent[4096];
	if (cvb_matrix_parse_args(n_rest, rest, &m, &err) != CVB_PARSE_OK) {
		fprintf(stderr, "cvbench doctor: %s\n", err.msg[0] ? err.msg : "see --help");
		cvb_matrix_free(&m);
		return CVB_EXIT_USAGE;
	}
	if (m.resume) {
		fprintf(stderr, "cvbench doctor: --resume: give the options of the run instead\n");
		cvb_matrix_free(&m);
		return CVB_EXIT_USAGE;
	}
	if (cvb_agent_locate(m.blocks[0]->agent_path, agent, sizeof(agent), &err) < 0) {
		fprintf(stderr, "cvbench doctor: %s\n", err.msg);
		cvb_matrix_free(&m);
		return CVB_EXIT_USAGE;
	}
	struct cvb_preflight_plan pp;
	struct cvb_findings f = {0};
	cvb_preflight_plan_from_matrix(&m, agent, m.blocks[0]->out_path, &pp);
	pp.thorough = true;
	int64_t t0 = cvb_now_ns();
	cvb_preflight_run(&pp, "/", &f);
	double seconds = (double)(cvb_now_ns() - t0) / 1e9;
	enum cvb_level worst = cvb_findings_worst(&f);
	if (json) {
		print_json(&f, seconds);
	} else {
		printf("cvbench doctor: %s%s\n", m.name[0] ? "matrix " : "command line",
		       m.name);
		cvb_findings_print(stdout, &f, false);
		printf("verdict: %s (%zu ok, %zu warn, %zu fail) in %.1f s\n",
		       cvb_level_name(worst), cvb_findings_count(&f, CVB_LEVEL_OK),
		       cvb_findings_count(&f, CVB_LEVEL_WARN),
		       cvb_findings_count(&f, CVB_LEVEL_FAIL), seconds);
	}
	cvb_findings_free(&f);
	cvb_matrix_free(&m);
	return worst == CVB_LEVEL_FAIL ? CVB_EXIT_PREFLIGHT : CVB_EXIT_OK;
}

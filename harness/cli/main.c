/* cvbench: container or VM? Measured. Dispatches to the subcommands. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
	fprintf(out, "usage: cvbench COMMAND [OPTIONS]\n"
	             "\n"
	             "Runs one identical workload agent natively, in a container and in a VM,\n"
	             "and measures what each costs on this host.\n"
	             "\n"
	             "commands:\n"
	             "  run       measure: launches per backend x workload cell, results JSON\n"
	             "  list      backends (usable here or why not) and workloads\n"
	             "  env       host facts (text, or --json)\n"
	             "  doctor    is this host fit to measure? checks, evidence and fixes\n"
	             "  cleanup   remove what killed runs left behind\n"
	             "  plan      what a matrix measures and how long; --split K shard files\n"
	             "  plot      gnuplot figures (PNG, SVG) from a results file\n"
	             "  report    report.md and self-contained report.html from a results file\n"
	             "  compare   two results files: changes, p-values, verdicts (CI regressions)\n"
	             "  export    a results file as CSV: per sample, or --summary per metric\n"
	             "  merge     join shard results files into one\n"
	             "\n"
	             "'cvbench COMMAND --help' describes each. Options: --help, --version.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CVB_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
		usage(stdout);
		return CVB_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		printf("cvbench %s (git %s)\n", CVB_VERSION, CVB_GIT);
		return CVB_EXIT_OK;
	}
	if (strcmp(cmd, "run") == 0)
		return cvb_cmd_run(argc - 1, argv + 1);
	if (strcmp(cmd, "list") == 0)
		return cvb_cmd_list(argc - 1, argv + 1);
	if (strcmp(cmd, "env") == 0)
		return cvb_cmd_env(argc - 1, argv + 1);
	if (strcmp(cmd, "doctor") == 0)
		return cvb_cmd_doctor(argc - 1, argv + 1);
	if (strcmp(cmd, "cleanup") == 0)
		return cvb_cmd_cleanup(argc - 1, argv + 1);
	if (strcmp(cmd, "plan") == 0)
		return cvb_cmd_plan(argc - 1, argv + 1);
	if (strcmp(cmd, "plot") == 0)
		return cvb_cmd_plot(argc - 1, argv + 1);
	if (strcmp(cmd, "report") == 0)
		return cvb_cmd_report(argc - 1, argv + 1);
	if (strcmp(cmd, "compare") == 0)
		return cvb_cmd_compare(argc - 1, argv + 1);
	if (strcmp(cmd, "export") == 0)
		return cvb_cmd_export(argc - 1, argv + 1);
	if (strcmp(cmd, "merge") == 0)
		return cvb_cmd_merge(argc - 1, argv + 1);
	fprintf(stderr,
	        "cvbench: unknown command '%s' (commands: run, plan, list, env, doctor, cleanup, "
	        "plot, report, compare, export, merge; see 'cvbench --help')\n",
	        cmd);
	return CVB_EXIT_USAGE;
}

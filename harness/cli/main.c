/* cvbench: container or VM? Measured. Dispatches to the subcommands. */
#include "commands.h"

#include <stdio.h>
#include <string.h>

/* The commands, in the order `cvbench --help` lists them. */
static const struct cvb_command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
} commands[] = {
    {"run", "measure: launches per backend x workload cell, results JSON", cvb_cmd_run},
    {"list", "backends (usable here or why not) and workloads", cvb_cmd_list},
    {"env", "host facts (text, or --json)", cvb_cmd_env},
    {"doctor", "is this host fit to measure? checks, evidence and fixes", cvb_cmd_doctor},
    {"cleanup", "remove what killed runs left behind", cvb_cmd_cleanup},
    {"plan", "what a matrix measures and how long; --split K shard files", cvb_cmd_plan},
    {"plot", "gnuplot figures (PNG, SVG) from a results file", cvb_cmd_plot},
    {"report", "report.md and self-contained report.html from a results file", cvb_cmd_report},
    {"compare", "two results files: changes, p-values, verdicts (CI regressions)", cvb_cmd_compare},
    {"export", "a results file as CSV: per sample, or --summary per metric", cvb_cmd_export},
    {"merge", "join shard results files into one", cvb_cmd_merge},
};
#define N_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	fprintf(out, "usage: cvbench COMMAND [OPTIONS]\n"
	             "\n"
	             "Runs one identical workload agent natively, in a container and in a VM,\n"
	             "and measures what each costs on this host.\n"
	             "\n"
	             "commands:\n");
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(out, "  %-9s %s\n", commands[i].name, commands[i].summary);
	fprintf(out, "\n"
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
	for (size_t i = 0; i < N_COMMANDS; i++)
		if (strcmp(cmd, commands[i].name) == 0)
			return commands[i].main(argc - 1, argv + 1);
	fprintf(stderr, "cvbench: unknown command '%s' (commands:", cmd);
	for (size_t i = 0; i < N_COMMANDS; i++)
		fprintf(stderr, "%s %s", i ? "," : "", commands[i].name);
	fprintf(stderr, "; see 'cvbench --help')\n");
	return CVB_EXIT_USAGE;
}

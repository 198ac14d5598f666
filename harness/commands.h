/* The cvbench subcommands; each returns the process exit status. */
#ifndef CVB_COMMANDS_H
#define CVB_COMMANDS_H

enum cvb_exit_status {
	CVB_EXIT_OK = 0,
	CVB_EXIT_FAILED = 1, /* a run or a command failed */
	CVB_EXIT_USAGE = 2,  /* bad usage or input; nothing was written */
	CVB_EXIT_PREFLIGHT = 3, /* the host check failed: nothing was measured */
	CVB_EXIT_INTERRUPTED = 130,
};

int cvb_cmd_run(int argc, char **argv);
int cvb_cmd_list(int argc, char **argv);
int cvb_cmd_env(int argc, char **argv);
int cvb_cmd_cleanup(int argc, char **argv);
int cvb_cmd_plan(int argc, char **argv);
int cvb_cmd_plot(int argc, char **argv);
int cvb_cmd_report(int argc, char **argv);
int cvb_cmd_compare(int argc, char **argv);
int cvb_cmd_export(int argc, char **argv);
int cvb_cmd_merge(int argc, char **argv);
int cvb_cmd_doctor(int argc, char **argv);

#endif

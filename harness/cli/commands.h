/* The cvbench subcommands; each returns the process exit status. */
#ifndef CVB_COMMANDS_H
#define CVB_COMMANDS_H

#include "exit_status.h"

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

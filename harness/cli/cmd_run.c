/* `cvbench run`: a session prepared from the arguments, then its plan
 * printed (--dry-run) or measured (session.h). */
#include "commands.h"
#include "plan.h"
#include "session.h"

#include <stdio.h>

int cvb_cmd_run(int argc, char **argv)
{
	struct cvb_session sess;
	struct cvb_error err = {0};
	int status;
	switch (cvb_session_from_args(argc, argv, &sess, &err)) {
	case CVB_SESSION_HELP:
		cvb_plan_usage(stdout);
		status = CVB_EXIT_OK;
		break;
	case CVB_SESSION_USAGE:
		fprintf(stderr, "cvbench run: %s\n", err.msg);
		status = CVB_EXIT_USAGE;
		break;
	case CVB_SESSION_FAILED:
		fprintf(stderr, "cvbench run: %s\n", err.msg);
		status = CVB_EXIT_FAILED;
		break;
	default:
		if (sess.m.blocks[0]->dry_run) {
			cvb_session_print_plan(stdout, &sess);
			status = CVB_EXIT_OK;
		} else {
			status = cvb_session_run(&sess);
		}
	}
	cvb_session_free(&sess);
	return status;
}

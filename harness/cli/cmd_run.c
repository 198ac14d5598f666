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
	int status = CVB_EXIT_OK;
	enum cvb_session_result r = cvb_session_from_args(argc, argv, &sess, &err);
	if (r == CVB_SESSION_HELP)
		cvb_plan_usage(stdout);
	else if (r != CVB_SESSION_OK)
		status = cvb_session_refused(r, &err);
	else if (sess.m.blocks[0]->dry_run)
		cvb_session_print_plan(stdout, &sess);
	else
		status = cvb_session_run(&sess);
	cvb_session_free(&sess);
	return status;
}

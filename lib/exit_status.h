/* The exit statuses every cvbench command shares. */
#ifndef CVB_EXIT_STATUS_H
#define CVB_EXIT_STATUS_H

enum cvb_exit_status {
	CVB_EXIT_OK = 0,
	CVB_EXIT_FAILED = 1,    /* a run or a command failed */
	CVB_EXIT_USAGE = 2,     /* bad usage or input; nothing was written */
	CVB_EXIT_PREFLIGHT = 3, /* the host check failed: nothing was measured */
	CVB_EXIT_INTERRUPTED = 130,
};

#endif

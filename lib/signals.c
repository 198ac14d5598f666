#include "signals.h"
#include "exit_status.h"

#include <stdio.h>
#include <string.h>

volatile sig_atomic_t cvb_stop_signal;

static void on_stop(int sig)
{
	cvb_stop_signal = sig;
}

static void install(void)
{
	static const int stops[] = {SIGINT, SIGTERM, SIGHUP};
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(stops) / sizeof(stops[0]); i++) {
		sigaction(stops[i], &sa, NULL);
		sigaddset(&set, stops[i]);
	}
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}

void cvb_signals_install(void)
{
	install();
	signal(SIGPIPE, SIG_IGN);
}

void cvb_signals_install_reading(void)
{
	install();
}

int cvb_signals_stopped(const char *cmd)
{
	if (!cvb_stop_signal)
		return 0;
	fprintf(stderr, "cvbench %s: interrupted by signal %d\n", cmd, (int)cvb_stop_signal);
	return CVB_EXIT_INTERRUPTED;
}

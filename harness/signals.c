#include "signals.h"

#include <string.h>

volatile sig_atomic_t cvb_stop_signal;

static void on_stop(int sig)
{
	cvb_stop_signal = sig;
}

void cvb_signals_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* Signalling through a pidfd after a check (lib/pidfd.c): the check runs
 * while the pidfd is held and decides; a process that is gone is not an
 * error; a recycled number is never signalled, since the pidfd names the
 * process that was opened, not whoever holds its number later. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "pidfd.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

struct seen {
	bool answer;
	int calls;
	pid_t pid;
};

static bool check(pid_t pid, void *ctx)
{
	struct seen *s = ctx;
	s->calls++;
	s->pid = pid;
	return s->answer;
}

static pid_t sleeper(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		pause();
		_exit(0);
	}
	return pid;
}

/* Not ours: the process is asked about once and left alone. */
static void test_not_ours_is_left_alone(void **state)
{
	(void)state;
	pid_t pid = sleeper();
	struct seen s = {.answer = false};
	assert_int_equal(cvb_signal_if_ours(pid, SIGKILL, check, &s), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.pid, pid);
	int status;
	assert_int_equal(waitpid(pid, &status, WNOHANG), 0); /* still alive */
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* Ours: it gets the signal. */
static void test_ours_is_signalled(void **state)
{
	(void)state;
	pid_t pid = sleeper();
	struct seen s = {.answer = true};
	int status;
	assert_int_equal(cvb_signal_if_ours(pid, SIGKILL, check, &s), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

/* Reaped before the check answers: the pidfd refuses to signal, whatever
 * holds the number by then (here, perhaps nothing), and that is no error. */
static bool reaping_check(pid_t pid, void *ctx)
{
	(void)ctx;
	int status;
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return true;
}

static void test_reaped_during_check_is_not_signalled(void **state)
{
	(void)state;
	pid_t pid = sleeper();
	assert_int_equal(cvb_signal_if_ours(pid, SIGTERM, reaping_check, NULL), 0);
}

/* A number no process holds: 0, and the check is never asked. */
static void test_gone_is_not_an_error(void **state)
{
	(void)state;
	pid_t pid = sleeper();
	int status;
	kill(pid, SIGKILL);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	struct seen s = {.answer = true};
	/* The number may be reused already by another process: then the check
	 * is asked about it (and says "ours" here, so only where it is free). */
	if (kill(pid, 0) < 0 && errno == ESRCH) {
		assert_int_equal(cvb_signal_if_ours(pid, SIGKILL, check, &s), 0);
		assert_int_equal(s.calls, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_not_ours_is_left_alone),
	    cmocka_unit_test(test_ours_is_signalled),
	    cmocka_unit_test(test_reaped_during_check_is_not_signalled),
	    cmocka_unit_test(test_gone_is_not_an_error),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

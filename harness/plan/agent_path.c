#include "agent_path.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int check_executable(const char *path, char *out, size_t len, struct cvb_error *err)
{
	struct stat st;
	char abs[PATH_MAX];
	if (!realpath(path, abs))
		return cvb_error_errno(err, errno, "agent '%s'", path);
	if (stat(abs, &st) < 0 || !S_ISREG(st.st_mode) || access(abs, X_OK) < 0)
		return cvb_error_set(err, EACCES, "agent '%s' is not an executable file", abs);
	if (snprintf(out, len, "%s", abs) >= (int)len)
		return cvb_error_set(err, ENAMETOOLONG, "agent path too long");
	return 0;
}

int cvb_agent_locate(const char *given, char *out, size_t len, struct cvb_error *err)
{
	if (given)
		return check_executable(given, out, len, err);
	const char *env = getenv("CVB_AGENT");
	if (env && *env) {
		if (check_executable(env, out, len, err) < 0)
			return cvb_error_prefix(err, "$CVB_AGENT");
		return 0;
	}
	char exe[PATH_MAX], cand[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n < 0)
		return cvb_error_errno(err, errno, "cannot read /proc/self/exe");
	exe[n] = '\0';
	const char *dir = dirname(exe);
	snprintf(cand, sizeof(cand), "%s/cvb-agent", dir);
	if (check_executable(cand, out, len, NULL) == 0)
		return 0;
	char cand2[PATH_MAX + 64];
	snprintf(cand2, sizeof(cand2), "%s/../libexec/cvbench/cvb-agent", dir);
	if (check_executable(cand2, out, len, NULL) == 0)
		return 0;
	return cvb_error_set(err, ENOENT,
	                     "cannot find cvb-agent (looked at %s and %s); build it with 'make' "
	                     "or pass --agent PATH",
	                     cand, cand2);
}

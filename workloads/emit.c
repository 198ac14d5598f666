/* Result lines of the agent protocol: {"metric":"<name>","value":<number>}. */
#include "workload.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int cvb_emit_line(int fd, const char *line)
{
	size_t len = strlen(line), off = 0;
	while (off < len) {
		ssize_t n = write(fd, line + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

int cvb_emit_metric(int fd, const char *metric, double value)
{
	char line[256];
	int n;
	/* Integral values (counts, ns, bytes) print exactly and without exponent;
	 * others keep 12 significant digits, more than any clock here resolves. */
	if (value == (double)(int64_t)value && fabs(value) < 9007199254740992.0)
		n = snprintf(line, sizeof(line), "{\"metric\":\"%s\",\"value\":%" PRId64 "}\n",
		             metric, (int64_t)value);
	else
		n = snprintf(line, sizeof(line), "{\"metric\":\"%s\",\"value\":%.12g}\n", metric,
		             value);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return cvb_emit_line(fd, line);
}

int cvb_emit_fact_str(int fd, const char *name, const char *value)
{
	char esc[512], line[700];
	size_t o = 0;
	for (const char *c = value; *c && o + 7 < sizeof(esc); c++) {
		unsigned char ch = (unsigned char)*c;
		if (ch == '"' || ch == '\\') {
			esc[o++] = '\\';
			esc[o++] = (char)ch;
		} else if (ch < 0x20) {
			o += (size_t)snprintf(esc + o, sizeof(esc) - o, "\\u%04x", ch);
		} else {
			esc[o++] = (char)ch;
		}
	}
	esc[o] = '\0';
	int n = snprintf(line, sizeof(line), "{\"fact\":\"%s\",\"value\":\"%s\"}\n", name, esc);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return cvb_emit_line(fd, line);
}

int cvb_emit_fact_num(int fd, const char *name, double value)
{
	char line[256];
	int n = snprintf(line, sizeof(line), "{\"fact\":\"%s\",\"value\":%.17g}\n", name, value);
	if (n < 0 || (size_t)n >= sizeof(line))
		return -1;
	return cvb_emit_line(fd, line);
}

bool cvb_stop_requested(int in_fd)
{
	struct pollfd pfd = {.fd = in_fd, .events = POLLIN};
	struct stat st;
	char c;
	if (in_fd < 0 || poll(&pfd, 1, 0) <= 0)
		return false;
	ssize_t n = read(in_fd, &c, 1);
	if (n == 1)
		return true;
	/* EOF on a pipe or socket is a stop too: the host closed it, or died
	 * (then nobody would ever send the line). An input that is merely at
	 * EOF as a file (/dev/null when run by hand) lets it run its course. */
	return n == 0 && fstat(in_fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
}

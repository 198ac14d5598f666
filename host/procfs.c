#include "procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

ssize_t cvb_read_file(const char *path, char *buf, size_t buflen, struct cvb_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cvb_error_errno(err, errno, "cannot open '%s'", path);
	size_t len = 0;
	while (len + 1 < buflen) {
		ssize_t n = read(fd, buf + len, buflen - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			close(fd);
			return cvb_error_errno(err, e, "cannot read '%s'", path);
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	close(fd);
	return (ssize_t)len;
}

/* Value in kB of a "Name:   123 kB" line, or -1. */
static int64_t kb_field(const char *text, const char *name)
{
	size_t nl = strlen(name);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (strncmp(p, name, nl) == 0 && p[nl] == ':')
			return strtoll(p + nl + 1, NULL, 10);
	}
	return -1;
}

int cvb_proc_memory_parse(const char *text, struct cvb_proc_memory *out, struct cvb_error *err)
{
	int64_t rss = kb_field(text, "Rss"), pss = kb_field(text, "Pss");
	int64_t pc = kb_field(text, "Private_Clean"), pd = kb_field(text, "Private_Dirty");
	if (rss < 0 || pss < 0)
		return cvb_error_set(err, EINVAL, "smaps_rollup has no Rss/Pss lines");
	out->rss_bytes = rss * 1024;
	out->pss_bytes = pss * 1024;
	out->uss_bytes = pc >= 0 && pd >= 0 ? (pc + pd) * 1024 : -1;
	return 0;
}

int cvb_proc_memory_read(const char *proc_root, pid_t pid, struct cvb_proc_memory *out,
                         struct cvb_error *err)
{
	char path[256], buf[4096];
	snprintf(path, sizeof(path), "%s/%d/smaps_rollup", proc_root, (int)pid);
	if (cvb_read_file(path, buf, sizeof(buf), err) < 0)
		return -1;
	if (cvb_proc_memory_parse(buf, out, err) < 0)
		return cvb_error_prefix(err, "%s", path);
	return 0;
}

int cvb_proc_stat_cpu_parse(const char *text, long ticks_per_s, int64_t *cpu_ns,
                            struct cvb_error *err)
{
	/* Fields after the last ')' start at field 3 (state); utime and stime
	 * are fields 14 and 15. */
	const char *p = strrchr(text, ')');
	unsigned long long utime, stime;
	if (!p || ticks_per_s <= 0 ||
	    sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime,
	           &stime) != 2)
		return cvb_error_set(err, EINVAL, "malformed /proc stat line");
	*cpu_ns = (int64_t)((utime + stime) * (1000000000ull / (unsigned long long)ticks_per_s));
	return 0;
}

int cvb_proc_cpu_ns_read(const char *proc_root, pid_t pid, int64_t *cpu_ns, struct cvb_error *err)
{
	char path[256], buf[1024];
	snprintf(path, sizeof(path), "%s/%d/stat", proc_root, (int)pid);
	if (cvb_read_file(path, buf, sizeof(buf), err) < 0)
		return -1;
	if (cvb_proc_stat_cpu_parse(buf, sysconf(_SC_CLK_TCK), cpu_ns, err) < 0)
		return cvb_error_prefix(err, "%s", path);
	return 0;
}

int cvb_proc_mapping_of_size_parse(const char *text, int64_t size_bytes, int64_t *rss, int64_t *pss,
                                   struct cvb_error *err)
{
	/* Each mapping: a header line, then "Size:", ..., "Rss:", "Pss:". */
	for (const char *p = strstr(text, "\nSize:"); p; p = strstr(p + 1, "\nSize:")) {
		if (strtoll(p + 6, NULL, 10) * 1024 != size_bytes)
			continue;
		const char *next = strstr(p + 1, "\nSize:");
		const char *r = strstr(p, "\nRss:"), *q = strstr(p, "\nPss:");
		if (!r || !q || (next && (r > next || q > next)))
			break;
		*rss = strtoll(r + 5, NULL, 10) * 1024;
		*pss = strtoll(q + 5, NULL, 10) * 1024;
		return 0;
	}
	return cvb_error_set(err, ENOENT, "no mapping of %lld bytes", (long long)size_bytes);
}

int cvb_proc_mapping_of_size(const char *proc_root, pid_t pid, int64_t size_bytes, int64_t *rss,
                             int64_t *pss, struct cvb_error *err)
{
	char path[256];
	size_t cap = 1 << 20;
	char *buf = malloc(cap);
	if (!buf)
		return cvb_error_set(err, ENOMEM, "out of memory");
	snprintf(path, sizeof(path), "%s/%d/smaps", proc_root, (int)pid);
	int rc = -1;
	for (;;) { /* QEMU's smaps can be long: grow until it fits */
		ssize_t n = cvb_read_file(path, buf, cap, err);
		if (n < 0)
			break;
		if ((size_t)n < cap - 1) {
			rc = cvb_proc_mapping_of_size_parse(buf, size_bytes, rss, pss, err);
			break;
		}
		char *bigger = realloc(buf, cap * 2);
		if (!bigger) {
			cvb_error_set(err, ENOMEM, "out of memory");
			break;
		}
		buf = bigger;
		cap *= 2;
	}
	free(buf);
	return rc;
}

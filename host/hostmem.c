#include "hostmem.h"
#include "signals.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int cvb_hostmem_read(const char *root, int64_t *available, int64_t *total, struct cvb_error *err)
{
	char path[4096], line[128];
	snprintf(path, sizeof(path), "%s/proc/meminfo", strcmp(root, "/") ? root : "");
	FILE *f = fopen(path, "re");
	if (!f)
		return cvb_error_errno(err, errno, "cannot read '%s'", path);
	*available = *total = -1;
	while (fgets(line, sizeof(line), f)) {
		long long kb;
		if (sscanf(line, "MemAvailable: %lld kB", &kb) == 1)
			*available = (int64_t)kb * 1024;
		else if (sscanf(line, "MemTotal: %lld kB", &kb) == 1)
			*total = (int64_t)kb * 1024;
	}
	fclose(f);
	if (*available < 0 || *total < 0)
		return cvb_error_set(err, EINVAL, "'%s' has no MemAvailable/MemTotal", path);
	return 0;
}

static int write_text(const char *path, const char *text, struct cvb_error *err)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return cvb_error_errno(err, errno, "cannot open '%s'", path);
	ssize_t n = write(fd, text, strlen(text));
	int saved = errno;
	close(fd);
	if (n != (ssize_t)strlen(text))
		return cvb_error_errno(err, n < 0 ? saved : EIO, "cannot write '%s' to '%s'", text,
		                       path);
	return 0;
}

int cvb_hostmem_drop_caches(struct cvb_error *err)
{
	sync();
	return write_text("/proc/sys/vm/drop_caches", "3", err);
}

int64_t cvb_hostmem_reserve(int64_t total)
{
	int64_t tenth = total / 10, gib = (int64_t)1 << 30;
	return tenth > gib ? tenth : gib;
}

int cvb_ksm_read(const char *name, int64_t *value)
{
	char path[256];
	long long v;
	snprintf(path, sizeof(path), "/sys/kernel/mm/ksm/%s", name);
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	int ok = fscanf(f, "%lld", &v) == 1;
	fclose(f);
	if (!ok)
		return -1;
	*value = v;
	return 0;
}

int cvb_ksm_set_run(int on, struct cvb_error *err)
{
	return write_text("/sys/kernel/mm/ksm/run", on ? "1" : "0", err);
}

int64_t cvb_ksm_wait_settled(int64_t max_ms, bool *settled)
{
	int64_t prev = -1, cur = -1, scans0, scans;
	unsigned stable = 0;
	*settled = false;
	if (cvb_ksm_read("full_scans", &scans0) < 0)
		return -1;
	for (int64_t waited = 0; waited <= max_ms; waited += 1000) {
		if (cvb_ksm_read("pages_sharing", &cur) < 0 ||
		    cvb_ksm_read("full_scans", &scans) < 0)
			return -1;
		double change = prev > 0 ? (double)(cur > prev ? cur - prev : prev - cur) / prev
		                         : (cur == prev ? 0 : 1);
		stable = change < 0.01 ? stable + 1 : 0;
		/* Two whole passes over the merge candidates since the
		 * instances came up, and no more change. */
		if (stable >= 2 && scans >= scans0 + 2) {
			*settled = true;
			return cur;
		}
		prev = cur;
		nanosleep(&(struct timespec){.tv_sec = 1}, NULL);
		if (cvb_stop_signal)
			break; /* Ctrl-C: the round is over, settled or not */
	}
	return cur;
}

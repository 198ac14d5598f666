/* The audit's identity facts (audit_ids.h). */
#include "audit_ids.h"
#include "workload.h"

#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_GROUPS 256 /* more are reported by count only */

/* First line of a small file, trimmed; "" when unreadable. */
static void first_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	buf[0] = '\0';
	if (!f)
		return;
	if (fgets(buf, (int)len, f))
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
}

void cvb_audit_ids(int fd)
{
	char buf[512];
	cvb_emit_fact_num(fd, "uid", getuid());
	cvb_emit_fact_num(fd, "gid", getgid());
	first_line("/proc/self/uid_map", buf, sizeof(buf));
	cvb_emit_fact_str(fd, "uid_map", buf);
	first_line("/proc/self/gid_map", buf, sizeof(buf));
	cvb_emit_fact_str(fd, "gid_map", buf);
	first_line("/proc/self/setgroups", buf, sizeof(buf));
	cvb_emit_fact_str(fd, "setgroups", buf);

	gid_t groups[MAX_GROUPS];
	int n = getgroups(0, NULL);
	cvb_emit_fact_num(fd, "supplementary_groups_count", n);
	int got = n > 0 && n <= MAX_GROUPS ? getgroups(n, groups) : 0;
	size_t off = 0;
	snprintf(buf, sizeof(buf), "%s", n > MAX_GROUPS ? "(too many to list)" : "");
	for (int i = 0; i < got && off < sizeof(buf); i++)
		off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s%u", i ? "," : "",
		                        (unsigned)groups[i]);
	cvb_emit_fact_str(fd, "supplementary_groups", buf);
}

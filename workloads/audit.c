/* `audit`: what the workload can see and do from inside its instance, as
 * facts: the kernel it runs on, its process, network, mount and identity
 * view, its privileges, and whether host-sensitive things are in reach.
 * Probes are chosen to change nothing (a privilege check without effect). */
#include "audit_host.h"
#include "audit_ids.h"
#include "audit_privs.h"
#include "workload.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

/* The value of "Key:\t..." in /proc/self/status; "" if absent. */
static void status_field(const char *key, char *buf, size_t len)
{
	char line[256];
	size_t kl = strlen(key);
	FILE *f = fopen("/proc/self/status", "re");
	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f)) {
		if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
			const char *v = line + kl + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			snprintf(buf, len, "%.*s", (int)strcspn(v, "\n"), v);
			break;
		}
	}
	if (f)
		fclose(f);
}

static int count_lines(const char *path)
{
	FILE *f = fopen(path, "re");
	int n = 0, c;
	if (!f)
		return -1;
	while ((c = fgetc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static int count_processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	int n = 0;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += isdigit((unsigned char)e->d_name[0]) != 0;
	closedir(d);
	return n;
}

/* Interface names from /proc/net/dev ("lo,eth0"). */
static void interfaces(char *buf, size_t len)
{
	char line[256];
	size_t off = 0;
	FILE *f = fopen("/proc/net/dev", "re");
	buf[0] = '\0';
	for (int i = 0; f && fgets(line, sizeof(line), f); i++) {
		char *colon = strchr(line, ':');
		if (i < 2 || !colon)
			continue; /* two header lines */
		*colon = '\0';
		const char *name = line + strspn(line, " ");
		off += (size_t)snprintf(buf + off, off < len ? len - off : 0, "%s%s",
		                        off ? "," : "", name);
	}
	if (f)
		fclose(f);
}

/* Mount points from /proc/self/mounts, comma-separated ("/,/proc,/dev"). */
static void mount_points(char *buf, size_t len)
{
	char line[1024], dev[256], dir[512];
	size_t off = 0;
	FILE *f = fopen("/proc/self/mounts", "re");
	buf[0] = '\0';
	while (f && fgets(line, sizeof(line), f) && off < len)
		if (sscanf(line, "%255s %511s", dev, dir) == 2)
			off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", dir);
	if (f)
		fclose(f);
}

static bool readable(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

static int audit_run(const struct cvb_workload_ctx *ctx)
{
	int fd = ctx->out_fd;
	struct utsname u;
	char buf[512];
	uname(&u);
	cvb_emit_fact_str(fd, "kernel_release", u.release);
	cvb_emit_fact_str(fd, "kernel_version", u.version);
	cvb_emit_fact_str(fd, "hostname", u.nodename);
	cvb_emit_fact_num(fd, "pid", getpid());
	cvb_emit_fact_num(fd, "visible_processes", count_processes());
	interfaces(buf, sizeof(buf));
	cvb_emit_fact_str(fd, "net_interfaces", buf);
	cvb_emit_fact_num(fd, "mounts", count_lines("/proc/self/mounts"));
	mount_points(buf, sizeof(buf));
	cvb_emit_fact_str(fd, "mount_points", buf);
	cvb_audit_ids(fd);
	status_field("CapEff", buf, sizeof(buf));
	cvb_emit_fact_str(fd, "cap_effective", buf);
	status_field("Cpus_allowed_list", buf, sizeof(buf));
	cvb_emit_fact_str(fd, "cpus_allowed", buf);
	status_field("Seccomp", buf, sizeof(buf));
	cvb_emit_fact_str(fd, "seccomp_mode", buf);
	status_field("NoNewPrivs", buf, sizeof(buf));
	cvb_emit_fact_str(fd, "no_new_privs", buf);
	cvb_emit_fact_str(fd, "proc_kcore_readable", readable("/proc/kcore") ? "yes" : "no");
	cvb_emit_fact_str(fd, "dev_mem_readable", readable("/dev/mem") ? "yes" : "no");
	cvb_emit_fact_str(fd, "sys_kernel_readable", readable("/sys/kernel/notes") ? "yes" : "no");
	/* Privilege checks that cannot take effect: finit_module on a bad fd
	 * fails with EBADF after the permission check, EPERM before it;
	 * settimeofday(NULL, NULL) checks the permission and sets nothing. */
	errno = 0;
	long rc = syscall(SYS_finit_module, -1, "", 0);
	cvb_emit_fact_str(fd, "can_load_module",
	                  rc < 0 && (errno == EPERM || errno == ENOSYS) ? "no" : "yes");
	errno = 0;
	rc = syscall(SYS_settimeofday, NULL, NULL); /* glibc's wrapper dereferences tv */
	cvb_emit_fact_str(fd, "can_set_clock", rc < 0 && errno == EPERM ? "no" : "yes");
	cvb_audit_host_probes(fd);
	cvb_audit_privs(fd);
	return 0;
}

const struct cvb_workload cvb_workload_audit = {
    .name = "audit",
    .help = "report what the instance can see and do: kernel, pids, network, mounts, "
            "ids and groups, capabilities, seccomp, sensitive files, module and clock privileges",
    .run = audit_run,
    .typical_ms = 20,
};

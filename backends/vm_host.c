#include "vm_host.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cvb_vm_kernel_path(const char *agent_path, const char *kernel_opt, char *out, size_t len,
                       struct cvb_error *err)
{
	if (kernel_opt) {
		snprintf(out, len, "%s", kernel_opt);
		if (access(out, R_OK) < 0)
			return cvb_error_errno(err, errno, "no guest kernel at %s (--kernel)", out);
		return 0;
	}
	if (!agent_path || !agent_path[0]) {
		snprintf(out, len, "guest/vmlinuz");
		return cvb_error_set(err, ENOENT,
		                     "no guest kernel: it is looked for next to cvb-agent, which "
		                     "was not found (run make, then make guest)");
	}
	char dir[PATH_MAX], second[PATH_MAX + 64];
	snprintf(dir, sizeof(dir), "%s", agent_path);
	const char *d = dirname(dir);
	snprintf(out, len, "%s/guest/vmlinuz", d);
	if (access(out, R_OK) == 0)
		return 0;
	snprintf(second, sizeof(second), "%s/../share/cvbench/guest/vmlinuz", d);
	if (access(second, R_OK) == 0) {
		snprintf(out, len, "%s", second);
		return 0;
	}
	return cvb_error_set(err, ENOENT,
	                     "no guest kernel at %s (run make guest, or pass --kernel PATH)", out);
}

/* The value of a `user = "..."` line, or NULL if the line is something else. */
static const char *user_line_value(const char *line, size_t *vlen)
{
	const char *p = line;
	while (*p == ' ' || *p == '\t')
		p++;
	if (strncmp(p, "user", 4) != 0)
		return NULL;
	p += 4;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '=')
		return NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p++ != '"')
		return NULL;
	const char *end = strchr(p, '"');
	const char *nl = strchr(p, '\n');
	if (!end || (nl && nl < end))
		return NULL;
	*vlen = (size_t)(end - p);
	return p;
}

void cvb_vm_qemu_user_parse(const char *conf_text, char *out, size_t len)
{
	snprintf(out, len, "%s", CVB_VM_QEMU_DEFAULT_USER);
	for (const char *line = conf_text; line && *line;) {
		size_t vlen = 0;
		const char *v = user_line_value(line, &vlen);
		if (v && vlen > 0) {
			if (*v == '+') { /* "+64055": a uid, which getpwnam does not take */
				v++;
				vlen--;
				struct passwd *pw = getpwuid((uid_t)strtoul(v, NULL, 10));
				if (pw) {
					snprintf(out, len, "%s", pw->pw_name);
					v = NULL;
				}
			}
			if (v)
				snprintf(out, len, "%.*s", (int)vlen, v);
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
}

void cvb_vm_qemu_user(char *out, size_t len)
{
	char text[65536];
	int fd = open(CVB_VM_QEMU_CONF, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n >= 0)
		text[n] = '\0';
	cvb_vm_qemu_user_parse(n >= 0 ? text : NULL, out, len);
}

bool cvb_vm_node_grants_rw(const struct stat *st, uid_t uid, const gid_t *gids, size_t n_gids)
{
	if (uid == 0)
		return true;
	if (st->st_uid == uid)
		return (st->st_mode & (S_IRUSR | S_IWUSR)) == (S_IRUSR | S_IWUSR);
	for (size_t i = 0; i < n_gids; i++)
		if (gids[i] == st->st_gid)
			return (st->st_mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP);
	return (st->st_mode & (S_IROTH | S_IWOTH)) == (S_IROTH | S_IWOTH);
}

void cvb_vm_node_describe(const struct stat *st, char *out, size_t len)
{
	struct passwd *pw = getpwuid(st->st_uid);
	struct group *gr = getgrgid(st->st_gid);
	char u[32], g[32];
	snprintf(u, sizeof(u), "%u", (unsigned)st->st_uid);
	snprintf(g, sizeof(g), "%u", (unsigned)st->st_gid);
	snprintf(out, len, "%s:%s %04o", pw ? pw->pw_name : u, gr ? gr->gr_name : g,
	         (unsigned)(st->st_mode & 07777));
}

int cvb_vm_user_access(const char *path, const char *user, struct cvb_vm_access *out,
                       struct cvb_error *err)
{
	memset(out, 0, sizeof(*out));
	if (stat(path, &out->st) < 0)
		return cvb_error_errno(err, errno, "cannot stat %s", path);
	cvb_vm_node_describe(&out->st, out->owner, sizeof(out->owner));
	struct passwd *pw = getpwnam(user);
	if (!pw)
		return cvb_error_set(err, ENOENT, "QEMU's user '%s' does not exist", user);
	out->uid = pw->pw_uid;
	out->gid = pw->pw_gid;
	gid_t gids[256];
	int n = (int)(sizeof(gids) / sizeof(gids[0]));
	if (getgrouplist(user, pw->pw_gid, gids, &n) < 0)
		n = (int)(sizeof(gids) /
		          sizeof(gids[0])); /* more groups than fit: the first ones */
	out->accessible = cvb_vm_node_grants_rw(&out->st, out->uid, gids, (size_t)n);
	return 0;
}

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

pid_t cvb_vm_process_find(const char *proc_root, const char *comm)
{
	DIR *d = opendir(proc_root);
	struct dirent *e;
	pid_t found = 0;
	while (d && !found && (e = readdir(d))) {
		char path[PATH_MAX], buf[64];
		if (!all_digits(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s/comm", proc_root, e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (strcmp(buf, comm) == 0)
			found = (pid_t)atoi(e->d_name);
	}
	if (d)
		closedir(d);
	return found;
}

bool cvb_vm_udev_running(void)
{
	return cvb_vm_process_find("/proc", "systemd-udevd") > 0 ||
	       cvb_vm_process_find("/proc", "udevd") > 0;
}

/* The VM agent's channel: private socket, peer check, QEMU's pid from a
 * trusted source (see vm_channel.h). */
#include "vm_channel.h"
#include "clock.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int cvb_vm_channel_random_hex(char *out, size_t len, size_t n, struct cvb_error *err)
{
	unsigned char b[64];
	if (n > sizeof(b) || len <= 2 * n)
		return cvb_error_set(err, EINVAL, "random name of %zu bytes does not fit", n);
	size_t got = 0;
	while (got < n) {
		ssize_t r = getrandom(b + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cvb_error_errno(err, errno, "getrandom");
		got += (size_t)r;
	}
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
	return 0;
}

int cvb_vm_channel_open(struct cvb_vm_channel *ch, const char *parent, uid_t qemu_uid,
                        gid_t qemu_gid, struct cvb_error *err)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dname[17], sname[33];
	/* QEMU as ourselves (a session daemon): no one else needs in. */
	bool own = qemu_uid == geteuid();
	memset(ch, 0, sizeof(*ch));
	ch->fd = -1;
	for (int tries = 0; !ch->dir[0]; tries++) {
		if (cvb_vm_channel_random_hex(dname, sizeof(dname), 4, err) < 0)
			return -1;
		snprintf(ch->dir, sizeof(ch->dir), "%s/ch-%s", parent, dname);
		/* 0700 until the socket is in place and its owner set. */
		if (mkdir(ch->dir, 0700) == 0)
			break;
		int e = errno;
		ch->dir[0] = '\0';
		if (e != EEXIST || tries > 8)
			return cvb_error_errno(
			    err, e, "cannot create the agent channel's directory in '%s'", parent);
	}
	if (cvb_vm_channel_random_hex(sname, sizeof(sname), 16, err) < 0)
		goto fail;
	snprintf(ch->path, sizeof(ch->path), "%s/%s.sock", ch->dir, sname);
	if (strlen(ch->path) >= sizeof(sa.sun_path)) {
		cvb_error_set(err, ENAMETOOLONG,
		              "the agent channel's socket path '%s' is longer than %zu bytes",
		              ch->path, sizeof(sa.sun_path) - 1);
		goto fail;
	}
	strcpy(sa.sun_path, ch->path);
	ch->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (ch->fd < 0) {
		cvb_error_errno(err, errno, "socket");
		goto fail;
	}
	/* Nobody but root can write the directory yet: chmod/chown by path
	 * cannot be raced. A deep backlog: strangers ahead of QEMU (root only,
	 * now) do not block its connect while libvirt waits for it. */
	if (bind(ch->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ch->fd, SOMAXCONN) < 0 ||
	    chmod(ch->path, own ? 0600 : 0660) < 0 ||
	    (!own && chown(ch->path, geteuid(), qemu_gid) < 0) ||
	    (!own && (chown(ch->dir, geteuid(), qemu_gid) < 0 || chmod(ch->dir, 0710) < 0))) {
		cvb_error_errno(err, errno, "cannot listen on '%s'", ch->path);
		goto fail;
	}
	return 0;
fail:
	cvb_vm_channel_close(ch);
	return -1;
}

int cvb_vm_channel_accept(struct cvb_vm_channel *ch, pid_t qemu, int64_t deadline_ns,
                          struct cvb_error *err)
{
	if (qemu <= 0) /* fail closed: no pid, no peer is QEMU */
		return cvb_error_set(err, EINVAL,
		                     "QEMU's pid is unknown: the agent channel is not opened");
	for (;;) {
		int64_t left = (deadline_ns - cvb_now_ns()) / 1000000;
		struct pollfd pfd = {.fd = ch->fd, .events = POLLIN};
		int r = left > 0 ? poll(&pfd, 1, (int)(left > 60000 ? 60000 : left)) : 0;
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return cvb_error_errno(err, errno, "poll on '%s'", ch->path);
		if (r == 0 && cvb_now_ns() >= deadline_ns) {
			cvb_error_set(
			    err, ETIMEDOUT,
			    "QEMU (pid %d) did not connect the agent's serial port to '%s'",
			    (int)qemu, ch->path);
			if (err && ch->n_refused > 0)
				snprintf(err->msg + strlen(err->msg),
				         sizeof(err->msg) - strlen(err->msg),
				         " (refused %d connection(s) from other processes, first "
				         "pid %d)",
				         ch->n_refused, (int)ch->refused[0]);
			return -1;
		}
		if (r == 0)
			continue;
		int c = accept4(ch->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (c < 0 && (errno == EAGAIN || errno == EINTR || errno == ECONNABORTED))
			continue;
		if (c < 0)
			return cvb_error_errno(err, errno, "accept on '%s'", ch->path);
		struct ucred peer = {0};
		socklen_t plen = sizeof(peer);
		if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &peer, &plen) == 0 && peer.pid == qemu) {
			cvb_vm_channel_close(ch); /* QEMU has it: no second connection */
			return c;
		}
		/* Not QEMU (or credentials unknown): turned away unread. */
		close(c);
		if (ch->n_refused < CVB_VM_CHANNEL_MAX_REFUSED)
			ch->refused[ch->n_refused] = peer.pid;
		ch->n_refused++;
	}
}

void cvb_vm_channel_close(struct cvb_vm_channel *ch)
{
	if (ch->fd >= 0)
		close(ch->fd);
	ch->fd = -1;
	if (ch->path[0])
		unlink(ch->path);
	ch->path[0] = '\0';
	if (ch->dir[0])
		rmdir(ch->dir);
	ch->dir[0] = '\0';
}

/* "+64055" or a name, as a uid or gid. */
static bool parse_id(const char *s, size_t n, bool group, unsigned long *out)
{
	char buf[64];
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (buf[0] == '+') {
		char *end;
		errno = 0;
		*out = strtoul(buf + 1, &end, 10);
		return errno == 0 && end != buf + 1 && *end == '\0';
	}
	if (group) {
		struct group *g = getgrnam(buf);
		return g && (*out = g->gr_gid, true);
	}
	struct passwd *p = getpwnam(buf);
	return p && (*out = p->pw_uid, true);
}

int cvb_vm_qemu_ids_parse(const char *caps_xml, const char *virt_type, uid_t *uid, gid_t *gid,
                          struct cvb_error *err)
{
	const char *dac = caps_xml ? strstr(caps_xml, "<model>dac</model>") : NULL;
	const char *end = dac ? strstr(dac, "</secmodel>") : NULL;
	const char *label = NULL;
	char want[64];
	snprintf(want, sizeof(want), "<baselabel type='%s'>", virt_type ? virt_type : "");
	if (dac && end) {
		label = strstr(dac, want);
		if (!label || label > end)
			label = strstr(dac, "<baselabel type=");
		if (label && label > end)
			label = NULL;
	}
	const char *v = label ? strchr(label, '>') + 1 : NULL;
	const char *colon = v ? strchr(v, ':') : NULL;
	const char *close_tag = v ? strchr(v, '<') : NULL;
	unsigned long u, g;
	if (!colon || !close_tag || colon > close_tag ||
	    !parse_id(v, (size_t)(colon - v), false, &u) ||
	    !parse_id(colon + 1, (size_t)(close_tag - colon - 1), true, &g))
		return cvb_error_set(
		    err, ENOENT,
		    "libvirt's capabilities do not say which user runs QEMU (no DAC "
		    "<baselabel>): the agent channel cannot be limited to it");
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

/* A file or directory only `owner` can have written. */
static bool owned_private(const struct stat *st, uid_t owner)
{
	return st->st_uid == owner && !(st->st_mode & 022);
}

int cvb_vm_pid_file_read(const char *path, uid_t owner, pid_t *pid, struct cvb_error *err)
{
	char dir[PATH_MAX], buf[32];
	struct stat st;
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	if (lstat(slash ? dir : ".", &st) < 0)
		return cvb_error_errno(err, errno, "libvirt's pid file directory '%s'", dir);
	if (!S_ISDIR(st.st_mode) || !owned_private(&st, owner))
		return cvb_error_set(err, EPERM,
		                     "'%s' is not a directory only uid %u can write: its pid file "
		                     "cannot be trusted",
		                     dir, (unsigned)owner);
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return cvb_error_errno(err, errno, "libvirt's pid file '%s'%s", path,
		                       errno == ELOOP ? " is a symlink" : "");
	ssize_t n = -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && owned_private(&st, owner))
		n = read(fd, buf, sizeof(buf) - 1);
	else
		errno = EPERM;
	int e = errno;
	close(fd);
	if (n < 0)
		return cvb_error_set(
		    err, e,
		    "libvirt's pid file '%s' is not a regular file only uid %u can "
		    "write: not trusted",
		    path, (unsigned)owner);
	buf[n] = '\0';
	size_t digits = strspn(buf, "0123456789");
	long v = digits > 0 && digits < 11 ? strtol(buf, NULL, 10) : 0;
	if (v <= 0 || v > INT32_MAX || (buf[digits] && strcmp(buf + digits, "\n") != 0))
		return cvb_error_set(err, EINVAL, "libvirt's pid file '%s' holds no pid", path);
	*pid = (pid_t)v;
	return 0;
}

int cvb_vm_qemu_verify(const char *proc_root, pid_t pid, uid_t uid, struct cvb_error *err)
{
	char path[PATH_MAX], exe[PATH_MAX], status[4096];
	snprintf(path, sizeof(path), "%s/%d/exe", proc_root, (int)pid);
	ssize_t n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0)
		return cvb_error_errno(err, errno, "QEMU's pid %d: cannot read '%s'", (int)pid,
		                       path);
	exe[n] = '\0';
	const char *base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	if (strncmp(base, "qemu-system-", 12) != 0)
		return cvb_error_set(err, EPERM,
		                     "pid %d from libvirt's pid file runs '%s', not QEMU", (int)pid,
		                     exe);
	snprintf(path, sizeof(path), "%s/%d/status", proc_root, (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd >= 0 ? read(fd, status, sizeof(status) - 1) : -1;
	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return cvb_error_errno(err, errno, "QEMU's pid %d: cannot read '%s'", (int)pid,
		                       path);
	status[n] = '\0';
	const char *u = strstr(status, "\nUid:");
	unsigned long ids[4];
	if (!u || sscanf(u + 5, "%lu %lu %lu %lu", &ids[0], &ids[1], &ids[2], &ids[3]) != 4)
		return cvb_error_set(err, EINVAL, "QEMU's pid %d: no Uid line in '%s'", (int)pid,
		                     path);
	for (int i = 0; i < 4; i++)
		if (ids[i] != (unsigned long)uid)
			return cvb_error_set(
			    err, EPERM,
			    "QEMU's pid %d runs as uid %lu, not libvirt's QEMU user "
			    "(uid %u)",
			    (int)pid, ids[i], (unsigned)uid);
	return 0;
}

int cvb_vm_qemu_pid(const char *name, uid_t qemu_uid, pid_t *pid, struct cvb_error *err)
{
	char path[PATH_MAX];
	const char *xdg = getenv("XDG_RUNTIME_DIR"), *home = getenv("HOME");
	if (geteuid() == 0)
		snprintf(path, sizeof(path), "%s/%s.pid", CVB_VM_LIBVIRT_PID_DIR, name);
	else if (xdg && *xdg)
		snprintf(path, sizeof(path), "%s/libvirt/qemu/run/%s.pid", xdg, name);
	else
		snprintf(path, sizeof(path), "%s/.cache/libvirt/qemu/run/%s.pid", home ? home : "",
		         name);
	if (cvb_vm_pid_file_read(path, geteuid(), pid, err) < 0 ||
	    cvb_vm_qemu_verify("/proc", *pid, qemu_uid, err) < 0)
		return cvb_error_prefix(err,
		                        "cannot tell which process is the domain's QEMU, so no "
		                        "peer of the agent channel can be trusted");
	return 0;
}

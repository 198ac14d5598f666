/* The VM agent's channel (backends/vm_channel.c) without a VM: its name is
 * random, its directory and socket are closed to everyone but root and
 * QEMU's user/group, a stranger's connection is turned away and recorded
 * while QEMU's is kept, nobody can connect once QEMU has, no pid means no
 * channel, and QEMU's pid is taken only from a pid file no one else could
 * have written and a /proc entry that is QEMU. Each test works in its own
 * mkdtemp directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "vm_channel.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define assert_has(text, needle)                                                                   \
	do {                                                                                       \
		if (strstr((text), (needle)) == NULL)                                              \
			fail_msg("\"%s\" lacks \"%s\"", (text), (needle));                         \
	} while (0)

#define STRANGER_UID 54321 /* no such user: not root, not QEMU's */

static int setup(void **state)
{
	char *dir = strdup("/tmp/cvb-vmchan-XXXXXX");
	assert_non_null(mkdtemp(dir));
	*state = dir;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];
	/* Only the mkdtemp directory this test made. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", (char *)*state);
	assert_int_equal(system(cmd), 0);
	free(*state);
	return 0;
}

static bool all_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdef") == n;
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

/* A child that connects, writes `line` and then, if hold, waits to be
 * killed; returns its pid once it has connected (or failed to). */
static pid_t peer(const char *path, const char *line, bool hold)
{
	int ready[2];
	assert_int_equal(pipe(ready), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = connect_to(path);
		char r = fd >= 0 ? 'c' : 'e';
		if (fd >= 0 && write(fd, line, strlen(line)) < 0)
			r = 'w';
		if (write(ready[1], &r, 1) != 1)
			_exit(3);
		while (hold)
			pause();
		_exit(fd >= 0 ? 0 : 1);
	}
	close(ready[1]);
	char r = 0;
	assert_int_equal(read(ready[0], &r, 1), 1);
	close(ready[0]);
	assert_int_equal(r, 'c');
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

static void test_random_names(void **state)
{
	(void)state;
	char a[33], b[33], small[32];
	struct cvb_error err = {0};
	assert_int_equal(cvb_vm_channel_random_hex(a, sizeof(a), 16, &err), 0);
	assert_int_equal(cvb_vm_channel_random_hex(b, sizeof(b), 16, &err), 0);
	assert_true(all_hex(a, 32));
	assert_true(all_hex(b, 32));
	assert_string_not_equal(a, b);
	assert_int_equal(cvb_vm_channel_random_hex(small, sizeof(small), 16, &err), -1);
}

/* QEMU as this process's user (a session daemon): 0700 and 0600, a random
 * name, gone after close. */
static void test_own_user_modes(void **state)
{
	const char *parent = *state;
	struct cvb_vm_channel ch, ch2;
	struct cvb_error err = {0};
	struct stat st;
	assert_int_equal(cvb_vm_channel_open(&ch, parent, geteuid(), getegid(), &err), 0);
	assert_int_equal(cvb_vm_channel_open(&ch2, parent, geteuid(), getegid(), &err), 0);
	assert_string_not_equal(ch.path, ch2.path);
	/* <parent>/ch-<8 hex>/<32 hex>.sock */
	assert_int_equal(strncmp(ch.dir, parent, strlen(parent)), 0);
	const char *d = ch.dir + strlen(parent);
	assert_int_equal(strncmp(d, "/ch-", 4), 0);
	assert_true(all_hex(d + 4, 8));
	assert_int_equal(strncmp(ch.path, ch.dir, strlen(ch.dir)), 0);
	char name[64];
	snprintf(name, sizeof(name), "%s", ch.path + strlen(ch.dir) + 1);
	assert_non_null(strstr(name, ".sock"));
	*strstr(name, ".sock") = '\0';
	assert_true(all_hex(name, 32));

	assert_int_equal(lstat(ch.dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(st.st_uid, geteuid());
	assert_int_equal(lstat(ch.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);

	char dir[PATH_MAX], path[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", ch.dir);
	snprintf(path, sizeof(path), "%s", ch.path);
	cvb_vm_channel_close(&ch);
	cvb_vm_channel_close(&ch); /* twice: harmless */
	assert_int_equal(ch.fd, -1);
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(lstat(dir, &st), -1);
	cvb_vm_channel_close(&ch2);
}

/* QEMU as another user (qemu:///system): root:<QEMU's group> 0710, socket
 * 0660 of that group; a user who is neither cannot even reach it. */
static void test_qemu_user_modes_and_stranger(void **state)
{
	if (geteuid() != 0)
		skip(); /* chown to another group needs root */
	const char *parent = *state;
	const gid_t qemu_gid = 54320;
	struct cvb_vm_channel ch;
	struct cvb_error err = {0};
	struct stat st;
	assert_int_equal(chmod(parent, 0755), 0); /* like /var/lib/cvbench/<run> */
	assert_int_equal(cvb_vm_channel_open(&ch, parent, 54320, qemu_gid, &err), 0);
	assert_int_equal(lstat(ch.dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0710);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, qemu_gid);
	assert_int_equal(lstat(ch.path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, qemu_gid);

	/* A stranger (uid and groups neither root nor QEMU's): EACCES. */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		gid_t none = STRANGER_UID;
		if (setgroups(1, &none) < 0 || setresgid(none, none, none) < 0 ||
		    setresuid(STRANGER_UID, STRANGER_UID, STRANGER_UID) < 0)
			_exit(10);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ch.path);
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
			_exit(0);
		_exit(errno == EACCES ? 20 : 30);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 20);

	/* A member of QEMU's group can traverse and connect (but not list). */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(1, &qemu_gid) < 0 || setresgid(qemu_gid, qemu_gid, qemu_gid) < 0 ||
		    setresuid(54320, 54320, 54320) < 0)
			_exit(10);
		if (opendir(ch.dir) != NULL)
			_exit(11);
		struct sockaddr_un sa = {.sun_family = AF_UNIX};
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", ch.path);
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		_exit(connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 ? 20 : 30);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 20);
	cvb_vm_channel_close(&ch);
}

/* A stranger first, then "QEMU": the stranger is refused unread and
 * recorded, QEMU's line comes through, and the socket is gone after. */
static void test_accept_only_qemu(void **state)
{
	const char *parent = *state;
	struct cvb_vm_channel ch;
	struct cvb_error err = {0};
	assert_int_equal(cvb_vm_channel_open(&ch, parent, geteuid(), getegid(), &err), 0);
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", ch.path);
	pid_t stranger = peer(path, "READY 1 forged\n", true);
	pid_t qemu = peer(path, "READY 2 real\n", true);
	int fd = cvb_vm_channel_accept(&ch, qemu, cvb_now_ns() + 5000000000LL, &err);
	assert_true(fd >= 0);
	assert_int_equal(ch.n_refused, 1);
	assert_int_equal(ch.refused[0], stranger);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 5000), 1);
	char buf[64] = {0};
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	assert_string_equal(buf, "READY 2 real\n");
	/* No second connection: the listener is closed and unlinked. */
	assert_int_equal(ch.fd, -1);
	assert_int_equal(connect_to(path), -1);
	assert_int_equal(errno, ENOENT);
	close(fd);
	reap(stranger);
	reap(qemu);
	cvb_vm_channel_close(&ch);
}

/* Only strangers within the bound: the launch fails, naming them; and a
 * launch without QEMU's pid fails closed at once. */
static void test_accept_fails_closed(void **state)
{
	const char *parent = *state;
	struct cvb_vm_channel ch;
	struct cvb_error err = {0};
	assert_int_equal(cvb_vm_channel_open(&ch, parent, geteuid(), getegid(), &err), 0);
	pid_t stranger = peer(ch.path, "DONE forged\n", true);
	char pidtext[32];
	snprintf(pidtext, sizeof(pidtext), "first pid %d", (int)stranger);
	assert_int_equal(cvb_vm_channel_accept(&ch, 0, cvb_now_ns() + 1000000000LL, &err), -1);
	assert_has(err.msg, "QEMU's pid is unknown");
	assert_int_equal(ch.n_refused, 0); /* refused before anything is accepted */
	assert_int_equal(
	    cvb_vm_channel_accept(&ch, getpid() + 100000, cvb_now_ns() + 300000000LL, &err), -1);
	assert_int_equal(err.code, ETIMEDOUT);
	assert_has(err.msg, "did not connect");
	assert_has(err.msg, pidtext);
	assert_int_equal(ch.n_refused, 1);
	reap(stranger);
	cvb_vm_channel_close(&ch);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_pid_file(void **state)
{
	char dir[PATH_MAX], path[PATH_MAX + 16], link[PATH_MAX + 16];
	struct cvb_error err = {0};
	pid_t pid = 0;
	uid_t me = geteuid();
	snprintf(dir, sizeof(dir), "%s/qemu", (char *)*state);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(path, sizeof(path), "%s/dom.pid", dir);

	write_file(path, "14665", 0644); /* as libvirt writes it */
	assert_int_equal(cvb_vm_pid_file_read(path, me, &pid, &err), 0);
	assert_int_equal(pid, 14665);
	write_file(path, "123\n", 0600);
	assert_int_equal(cvb_vm_pid_file_read(path, me, &pid, &err), 0);
	assert_int_equal(pid, 123);

	const char *garbage[] = {"",    "\n",          "12a",      "-5",        "0",
	                         " 12", "99999999999", "12\n13\n", "4294967297"};
	for (size_t i = 0; i < sizeof(garbage) / sizeof(*garbage); i++) {
		write_file(path, garbage[i], 0644);
		pid = 0;
		if (cvb_vm_pid_file_read(path, me, &pid, &err) != -1)
			fail_msg("pid file \"%s\" taken as pid %d", garbage[i], (int)pid);
		assert_has(err.msg, "holds no pid");
	}

	write_file(path, "77\n", 0666); /* anyone could have written it */
	assert_int_equal(cvb_vm_pid_file_read(path, me, &pid, &err), -1);
	assert_has(err.msg, "not trusted");
	write_file(path, "77\n", 0644);
	assert_int_equal(cvb_vm_pid_file_read(path, me + 1, &pid, &err), -1); /* not the owner */

	/* A symlink to a good file is not followed. */
	snprintf(link, sizeof(link), "%s/link.pid", dir);
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(cvb_vm_pid_file_read(link, me, &pid, &err), -1);
	assert_has(err.msg, "symlink");

	/* A directory someone else may write into. */
	assert_int_equal(chmod(dir, 0777), 0);
	assert_int_equal(cvb_vm_pid_file_read(path, me, &pid, &err), -1);
	assert_has(err.msg, "cannot be trusted");
	assert_int_equal(chmod(dir, 0755), 0);

	/* A FIFO (or anything not a regular file) is refused without blocking. */
	snprintf(link, sizeof(link), "%s/fifo.pid", dir);
	assert_int_equal(mkfifo(link, 0644), 0);
	assert_int_equal(cvb_vm_pid_file_read(link, me, &pid, &err), -1);

	if (me == 0) { /* a file owned by another user */
		assert_int_equal(chown(path, STRANGER_UID, STRANGER_UID), 0);
		assert_int_equal(cvb_vm_pid_file_read(path, 0, &pid, &err), -1);
		assert_has(err.msg, "not trusted");
	}
}

/* A fake /proc: <root>/<pid>/exe and status. */
static void fake_proc(const char *root, int pid, const char *exe, const char *uids)
{
	char p[PATH_MAX], text[256];
	snprintf(p, sizeof(p), "%s/%d", root, pid);
	mkdir(root, 0755);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/%d/exe", root, pid);
	unlink(p);
	assert_int_equal(symlink(exe, p), 0);
	snprintf(p, sizeof(p), "%s/%d/status", root, pid);
	snprintf(text, sizeof(text),
	         "Name:\tqemu-system-x86\nUmask:\t0022\nUid:\t%s\nGid:\t1\t1\t1\t1\n", uids);
	write_file(p, text, 0644);
}

static void test_qemu_verify(void **state)
{
	char root[PATH_MAX];
	struct cvb_error err = {0};
	snprintf(root, sizeof(root), "%s/proc", (char *)*state);
	fake_proc(root, 42, "/usr/bin/qemu-system-x86_64", "64055\t64055\t64055\t64055");
	assert_int_equal(cvb_vm_qemu_verify(root, 42, 64055, &err), 0);
	assert_int_equal(cvb_vm_qemu_verify(root, 42, 0, &err), -1); /* not QEMU's user */
	assert_has(err.msg, "not libvirt's QEMU user");
	fake_proc(root, 43, "/usr/bin/qemu-system-x86_64", "64055\t0\t64055\t64055");
	assert_int_equal(cvb_vm_qemu_verify(root, 43, 64055, &err), -1);
	fake_proc(root, 44, "/usr/bin/python3.11", "64055\t64055\t64055\t64055");
	assert_int_equal(cvb_vm_qemu_verify(root, 44, 64055, &err), -1);
	assert_has(err.msg, "not QEMU");
	/* A process named qemu-system-* in its command line is still not QEMU. */
	assert_int_equal(cvb_vm_qemu_verify("/proc", getpid(), geteuid(), &err), -1);
	assert_has(err.msg, "not QEMU");
	assert_int_equal(cvb_vm_qemu_verify(root, 45, 64055, &err), -1); /* no such pid */
}

static void test_qemu_ids(void **state)
{
	(void)state;
	struct cvb_error err = {0};
	uid_t u = 1;
	gid_t g = 1;
	const char *caps = "<capabilities><host>"
	                   "<secmodel><model>none</model><doi>0</doi></secmodel>"
	                   "<secmodel><model>dac</model><doi>0</doi>"
	                   "<baselabel type='kvm'>+64055:+107</baselabel>"
	                   "<baselabel type='qemu'>+64055:+64055</baselabel>"
	                   "</secmodel></host></capabilities>";
	assert_int_equal(cvb_vm_qemu_ids_parse(caps, "qemu", &u, &g, &err), 0);
	assert_int_equal(u, 64055);
	assert_int_equal(g, 64055);
	assert_int_equal(cvb_vm_qemu_ids_parse(caps, "kvm", &u, &g, &err), 0);
	assert_int_equal(g, 107);
	assert_int_equal(cvb_vm_qemu_ids_parse(caps, NULL, &u, &g, &err), 0); /* the first */
	assert_int_equal(g, 107);
	assert_int_equal(cvb_vm_qemu_ids_parse("<capabilities><secmodel><model>dac</model>"
	                                       "<baselabel type='kvm'>root:root</baselabel>"
	                                       "</secmodel></capabilities>",
	                                       "kvm", &u, &g, &err),
	                 0);
	assert_int_equal(u, 0);
	assert_int_equal(g, 0);
	const char *bad[] = {
	    NULL,
	    "",
	    "<secmodel><model>none</model></secmodel>",
	    "<secmodel><model>dac</model></secmodel><baselabel type='kvm'>+1:+1</baselabel>",
	    "<secmodel><model>dac</model><baselabel type='kvm'>+x:+1</baselabel></secmodel>",
	    "<secmodel><model>dac</model><baselabel type='kvm'>+1</baselabel></secmodel>"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(cvb_vm_qemu_ids_parse(bad[i], "kvm", &u, &g, &err), -1);
	assert_has(err.msg, "which user runs QEMU");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_random_names),
	    cmocka_unit_test_setup_teardown(test_own_user_modes, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_qemu_user_modes_and_stranger, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accept_only_qemu, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_accept_fails_closed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pid_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_qemu_verify, setup, teardown),
	    cmocka_unit_test(test_qemu_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

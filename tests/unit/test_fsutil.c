/* Removing a tree others can write into (lib/fsutil.c): symlinks to
 * outside files and directories are unlinked, never followed; a directory
 * swapped for a symlink while the tree is being removed never makes the
 * removal reach outside (the race of issue 12, repeated many times); mounts
 * are not entered; too deep a tree is an error, not a crash; and the run
 * directory helper's refusals. Each test gets a mkdtemp directory holding
 * "tree" (what is removed) and "outside" (canaries that must survive). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define N_CANARIES 48
#define RACE_ROUNDS 400

struct fixture {
	char dir[64], tree[96], outside[96];
};

static void assert_msg_has(const struct cvb_error *err, const char *needle)
{
	if (!strstr(err->msg, needle))
		fail_msg("message \"%s\" lacks \"%s\"", err->msg, needle);
}

static void make_file(const char *dir, const char *name)
{
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	close(fd);
}

static void make_dir(const char *dir, const char *name, char *out, size_t len)
{
	snprintf(out, len, "%s/%s", dir, name);
	assert_true(mkdir(out, 0755) == 0 || errno == EEXIST);
}

static bool exists(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

/* Fills dir with files c00..c<n-1>: the same names in the tree and in the
 * outside directory, so that a removal that follows a swapped-in symlink
 * finds the canaries under the names it expects. */
static void fill(const char *dir, int n)
{
	char name[16];
	for (int i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "c%02d", i);
		make_file(dir, name);
	}
}

/* The canaries: outside/c*, outside/inner/c*. Returns how many are missing
 * and puts them back. */
static int canaries_missing(const struct fixture *f)
{
	char inner[PATH_MAX], path[PATH_MAX];
	int missing = 0;
	make_dir(f->outside, "inner", inner, sizeof(inner));
	for (int i = 0; i < N_CANARIES; i++) {
		snprintf(path, sizeof(path), "%s/c%02d", f->outside, i);
		missing += !exists(path);
		snprintf(path, sizeof(path), "%s/c%02d", inner, i);
		missing += !exists(path);
	}
	if (missing) {
		fill(f->outside, N_CANARIES);
		fill(inner, N_CANARIES);
	}
	return missing;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/cvb-fsutil-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->tree, sizeof(f->tree), "%s/tree", f->dir);
	snprintf(f->outside, sizeof(f->outside), "%s/outside", f->dir);
	assert_int_equal(mkdir(f->tree, 0755), 0);
	assert_int_equal(mkdir(f->outside, 0755), 0);
	fill(f->outside, N_CANARIES);
	assert_int_equal(canaries_missing(f), N_CANARIES); /* outside/inner filled now */
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	umount2(f->tree, MNT_DETACH); /* in case a mount test failed half-way */
	assert_int_equal(cvb_remove_tree(f->dir), 0);
	free(f);
	return 0;
}

static void test_removes_a_tree(void **state)
{
	struct fixture *f = *state;
	char a[PATH_MAX], b[PATH_MAX], c[PATH_MAX];
	make_dir(f->tree, "a", a, sizeof(a));
	make_dir(a, "b", b, sizeof(b));
	make_dir(b, "empty", c, sizeof(c));
	fill(f->tree, 3);
	fill(b, 5);
	snprintf(c, sizeof(c), "%s/fifo", a);
	assert_int_equal(mkfifo(c, 0600), 0);
	if (geteuid() == 0)
		assert_int_equal(chmod(b, 0), 0); /* root needs no permission bits */
	assert_int_equal(cvb_remove_tree(f->tree), 0);
	assert_false(exists(f->tree));
	/* A missing path is success, twice. */
	assert_int_equal(cvb_remove_tree(f->tree), 0);
}

static void test_symlinks_are_unlinked_not_followed(void **state)
{
	struct fixture *f = *state;
	char sub[PATH_MAX], path[PATH_MAX], link[PATH_MAX];
	make_dir(f->tree, "sub", sub, sizeof(sub));
	snprintf(path, sizeof(path), "%s/c00", f->outside);
	snprintf(link, sizeof(link), "%s/to-file", f->tree);
	assert_int_equal(symlink(path, link), 0);
	snprintf(link, sizeof(link), "%s/to-dir", f->tree);
	assert_int_equal(symlink(f->outside, link), 0);
	snprintf(link, sizeof(link), "%s/to-inner", sub);
	assert_int_equal(symlink("../../outside/inner", link), 0);
	snprintf(link, sizeof(link), "%s/dangling", sub);
	assert_int_equal(symlink("/nonexistent/x", link), 0);
	assert_int_equal(cvb_remove_tree(f->tree), 0);
	assert_false(exists(f->tree));
	assert_int_equal(canaries_missing(f), 0);

	/* The top itself a symlink: only the link goes. */
	assert_int_equal(symlink(f->outside, f->tree), 0);
	assert_int_equal(cvb_remove_tree(f->tree), 0);
	assert_false(exists(f->tree));
	assert_true(exists(f->outside));
	assert_int_equal(canaries_missing(f), 0);
}

struct swapper {
	const char *tree;
	atomic_int stop;
	atomic_long swaps;
};

/* Keeps exchanging tree/sub (a directory) with tree/hold (a symlink to the
 * outside directory): whatever a walk looked at a moment ago is the other
 * one now. */
static void *swap_loop(void *arg)
{
	struct swapper *s = arg;
	int dfd = open(s->tree, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (dfd >= 0 && !atomic_load(&s->stop)) {
		if (renameat2(dfd, "sub", dfd, "hold", RENAME_EXCHANGE) == 0)
			atomic_fetch_add(&s->swaps, 1);
		else
			sched_yield(); /* one of them is gone: the walk got to it */
	}
	if (dfd >= 0)
		close(dfd);
	return NULL;
}

static void test_swap_race_never_reaches_outside(void **state)
{
	struct fixture *f = *state;
	char sub[PATH_MAX], inner[PATH_MAX], link[PATH_MAX];
	int missing = 0, rounds_hit = 0;
	long swaps = 0;
	for (int round = 0; round < RACE_ROUNDS; round++) {
		assert_true(mkdir(f->tree, 0755) == 0 || errno == EEXIST);
		make_dir(f->tree, "sub", sub, sizeof(sub));
		fill(sub, N_CANARIES);
		make_dir(sub, "inner", inner, sizeof(inner));
		fill(inner, N_CANARIES);
		snprintf(link, sizeof(link), "%s/hold", f->tree);
		assert_int_equal(symlink(f->outside, link), 0);

		struct swapper s = {.tree = f->tree};
		pthread_t t;
		assert_int_equal(pthread_create(&t, NULL, swap_loop, &s), 0);
		while (atomic_load(&s.swaps) == 0)
			sched_yield();
		(void)cvb_remove_tree(f->tree); /* may fail while things change */
		atomic_store(&s.stop, 1);
		pthread_join(t, NULL);
		swaps += atomic_load(&s.swaps);

		int m = canaries_missing(f);
		missing += m;
		rounds_hit += m > 0;
		/* Still, nothing is left once nobody interferes. */
		assert_int_equal(cvb_remove_tree(f->tree), 0);
		assert_false(exists(f->tree));
	}
	print_message("%d rounds, %ld swaps, %d canaries deleted in %d rounds\n", RACE_ROUNDS,
	              swaps, missing, rounds_hit);
	assert_int_equal(missing, 0);
}

/* Mounts are not entered: a tmpfs (another device) and a bind mount of a
 * directory on the same file system (same st_dev, another mount). */
static void test_mounts_are_not_entered(void **state)
{
	struct fixture *f = *state;
	char mnt[PATH_MAX], bind[PATH_MAX], path[PATH_MAX];
	struct cvb_error err = {0};
	if (geteuid() != 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		skip();
		return;
	}
	make_dir(f->tree, "tmpfs", mnt, sizeof(mnt));
	assert_int_equal(mount("tmpfs", mnt, "tmpfs", 0, "size=64k"), 0);
	make_file(mnt, "kept");
	assert_int_equal(cvb_remove_tree_err(f->tree, &err), -1);
	assert_msg_has(&err, "/tmpfs': a mount point, not descended into");
	snprintf(path, sizeof(path), "%s/kept", mnt);
	assert_true(exists(path));
	assert_int_equal(umount2(mnt, 0), 0);

	make_dir(f->tree, "bind", bind, sizeof(bind));
	assert_int_equal(mount(f->outside, bind, NULL, MS_BIND, NULL), 0);
	assert_int_equal(cvb_remove_tree_err(f->tree, &err), -1);
	assert_msg_has(&err, "/bind': a mount point, not descended into");
	assert_int_equal(canaries_missing(f), 0);
	assert_int_equal(umount2(bind, 0), 0);
	assert_int_equal(cvb_remove_tree(f->tree), 0);
	assert_int_equal(canaries_missing(f), 0);
}

static void test_too_deep_is_an_error(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	struct cvb_error err = {0};
	int len = snprintf(path, sizeof(path), "%s", f->tree);
	for (int i = 0; i < 140; i++) {
		len += snprintf(path + len, sizeof(path) - (size_t)len, "/d");
		assert_int_equal(mkdir(path, 0755), 0);
	}
	assert_int_equal(cvb_remove_tree_err(f->tree, &err), -1);
	assert_int_equal(err.code, ELOOP);
	assert_msg_has(&err, "nested too deep to remove");
	assert_true(exists(f->tree));
	/* From half-way down it is shallow enough. */
	path[strlen(f->tree) + 2 * 70] = '\0';
	assert_int_equal(cvb_remove_tree(path), 0);
	assert_int_equal(cvb_remove_tree(f->tree), 0);
}

/* Never "/" or a path ending in "..": run against a broken implementation,
 * such a test would remove the host (the old nftw version walks "/"). */
static void test_bad_paths(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	struct cvb_error err = {0};
	snprintf(path, sizeof(path), "%s/..", f->tree);
	assert_int_equal(cvb_remove_tree_err(path, &err), -1);
	assert_msg_has(&err, "not a removable path");
	assert_int_equal(cvb_remove_tree_err("", &err), -1);
	assert_int_equal(canaries_missing(f), 0);
}

static void test_private_dir(void **state)
{
	struct fixture *f = *state;
	char dir[PATH_MAX], link[PATH_MAX];
	struct cvb_error err = {0};
	struct stat st;
	if (geteuid() != 0) {
		skip();
		return;
	}
	snprintf(dir, sizeof(dir), "%s/run", f->tree);
	assert_int_equal(cvb_dir_make_private(dir, 0700, 0, &err), 0);
	assert_int_equal(lstat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* An existing one gets its mode and group fixed. */
	assert_int_equal(chmod(dir, 01777), 0);
	assert_int_equal(cvb_dir_make_private(dir, 0710, 100000, &err), 0);
	assert_int_equal(lstat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0710);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 100000);
	/* A symlink is refused, and its target untouched. */
	snprintf(link, sizeof(link), "%s/link", f->tree);
	assert_int_equal(symlink(f->outside, link), 0);
	assert_int_equal(cvb_dir_make_private(link, 0700, 0, &err), -1);
	assert_msg_has(&err, "symlink");
	assert_int_equal(stat(f->outside, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0755);
	/* So is a directory someone else owns. */
	assert_int_equal(chown(dir, 65534, 65534), 0);
	assert_int_equal(cvb_dir_make_private(dir, 0700, 0, &err), -1);
	assert_msg_has(&err, "owned by uid 65534, not root");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_removes_a_tree, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_symlinks_are_unlinked_not_followed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_swap_race_never_reaches_outside, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_mounts_are_not_entered, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_too_deep_is_an_error, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_paths, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_private_dir, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

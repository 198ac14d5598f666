/* Atomic result files (lib/atomic_file.c): content and mode of a fresh
 * file, whole replacement of an old one, no temporary file left behind on
 * success or failure, and the pre-run writability check. Each test gets its
 * own mkdtemp directory under /tmp, removed afterwards. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "atomic_file.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define assert_msg_has(err, needle)                                                                \
	do {                                                                                       \
		if (strstr((err).msg, (needle)) == NULL)                                           \
			fail_msg("message \"%s\" lacks \"%s\"", (err).msg, (needle));              \
	} while (0)

struct fixture {
	char dir[64];
};

/* Removes dir and everything in it (one level of subdirectories). */
static void remove_tree(const char *dir)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	char path[PATH_MAX];

	chmod(dir, 0700);
	d = opendir(dir);
	if (d) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
				remove_tree(path);
			else
				unlink(path);
		}
		closedir(d);
	}
	rmdir(dir);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/cvb-test-atomic-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	remove_tree(f->dir);
	free(f);
	return 0;
}

/* Number of entries in dir other than . and ..; names them into list. */
static int count_entries(const char *dir, char *list, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	size_t off = 0;

	assert_non_null(d);
	if (list && len)
		list[0] = '\0';
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (list && off < len)
			off += (size_t)snprintf(list + off, len - off, "%s ", e->d_name);
	}
	closedir(d);
	return n;
}

/* Asserts that dir holds exactly `expected` entries (and so no temporary). */
static void assert_entries(const char *dir, int expected)
{
	char list[1024];
	int n = count_entries(dir, list, sizeof(list));
	if (n != expected)
		fail_msg("%s holds %d entries (%s), expected %d", dir, n, list, expected);
}

/* The whole content of path, malloc'd, with its length. */
static char *slurp(const char *path, size_t *len)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	char *buf;
	size_t off = 0;

	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	buf = malloc((size_t)st.st_size + 1);
	assert_non_null(buf);
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);
		assert_true(n > 0);
		off += (size_t)n;
	}
	buf[off] = '\0';
	close(fd);
	*len = off;
	return buf;
}

static void write_ok(const char *path, const char *data, size_t len)
{
	struct cvb_error err = {0};
	if (cvb_atomic_write(path, data, len, &err) != 0)
		fail_msg("cvb_atomic_write(%s) failed: %s", path, err.msg);
}

/* A new file gets exactly the bytes given, mode 0644 whatever the umask,
 * and the directory holds nothing else afterwards. */
static void test_write_fresh(void **state)
{
	struct fixture *f = *state;
	static const char data[] = "{\"a\": 1}\n\0binary\xff tail\n";
	char path[PATH_MAX];
	struct stat st;
	size_t len;
	char *got;
	mode_t old_umask;

	snprintf(path, sizeof(path), "%s/out.json", f->dir);
	old_umask = umask(077);
	write_ok(path, data, sizeof(data) - 1);
	umask(old_umask);

	got = slurp(path, &len);
	assert_int_equal(len, sizeof(data) - 1);
	assert_memory_equal(got, data, sizeof(data) - 1);
	free(got);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_entries(f->dir, 1);
}

/* Zero bytes give an empty file, not an error. */
static void test_write_empty(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), "%s/empty.json", f->dir);
	write_ok(path, "", 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_entries(f->dir, 1);
}

/* A large buffer round-trips byte for byte. */
static void test_write_large(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	size_t n = 3 * 1024 * 1024 + 7, len;
	char *data = malloc(n), *got;

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)(i * 31 + i / 977);
	snprintf(path, sizeof(path), "%s/big.bin", f->dir);
	write_ok(path, data, n);
	got = slurp(path, &len);
	assert_int_equal(len, n);
	assert_memory_equal(got, data, n);
	free(got);
	free(data);
	assert_entries(f->dir, 1);
}

/* Overwriting replaces the file whole (a shorter text leaves no tail of the
 * old one), by a new inode: a reader holding the old file still sees the old
 * content entire. The old file's mode does not carry over. */
static void test_overwrite_replaces_whole(void **state)
{
	struct fixture *f = *state;
	static const char longer[] = "0123456789 the old and much longer content\n";
	static const char shorter[] = "new\n";
	char path[PATH_MAX], old[sizeof(longer)];
	struct stat st_old, st_new;
	size_t len;
	char *got;
	int fd;

	snprintf(path, sizeof(path), "%s/res.json", f->dir);
	write_ok(path, longer, sizeof(longer) - 1);
	assert_int_equal(chmod(path, 0600), 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st_old), 0);

	write_ok(path, shorter, sizeof(shorter) - 1);

	got = slurp(path, &len);
	assert_int_equal(len, sizeof(shorter) - 1);
	assert_memory_equal(got, shorter, sizeof(shorter) - 1);
	free(got);
	assert_int_equal(stat(path, &st_new), 0);
	assert_true(st_new.st_ino != st_old.st_ino);
	assert_int_equal(st_new.st_mode & 07777, 0644);
	assert_int_equal(pread(fd, old, sizeof(old), 0), (ssize_t)(sizeof(longer) - 1));
	assert_memory_equal(old, longer, sizeof(longer) - 1);
	close(fd);
	assert_entries(f->dir, 1);
}

/* A target in a missing directory fails, naming the path, creating nothing. */
static void test_write_missing_dir(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], missing[PATH_MAX];
	struct cvb_error err = {0};
	struct stat st;

	snprintf(missing, sizeof(missing), "%s/missing", f->dir);
	snprintf(path, sizeof(path), "%s/out.json", missing);
	assert_int_equal(cvb_atomic_write(path, "x", 1, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_msg_has(err, path);
	assert_msg_has(err, missing);
	assert_int_equal(stat(missing, &st), -1);
	assert_entries(f->dir, 0);
}

/* A failure after the temporary file exists (the target is a directory, so
 * the rename fails) removes the temporary and leaves the target alone. */
static void test_write_fails_late_cleans_up(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], inner[PATH_MAX];
	struct cvb_error err = {0};
	struct stat st;

	snprintf(path, sizeof(path), "%s/sub", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(inner, sizeof(inner), "%s/keep", path);
	assert_int_equal(mkdir(inner, 0755), 0);
	assert_int_equal(cvb_atomic_write(path, "data", 4, &err), -1);
	assert_int_not_equal(err.code, 0);
	assert_msg_has(err, path);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(stat(inner, &st), 0);
	assert_entries(f->dir, 1); /* only sub */
	assert_entries(path, 1);   /* only keep */
}

/* A file in a writable directory can be written; the check leaves nothing,
 * neither the target nor a temporary. An existing file also passes and is
 * left untouched. */
static void test_check_writable_ok(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	struct cvb_error err = {0};
	size_t len;
	char *got;

	snprintf(path, sizeof(path), "%s/out.json", f->dir);
	if (cvb_atomic_check_writable(path, &err) != 0)
		fail_msg("check failed: %s", err.msg);
	assert_string_equal(err.msg, "");
	assert_entries(f->dir, 0);

	write_ok(path, "kept", 4);
	if (cvb_atomic_check_writable(path, &err) != 0)
		fail_msg("check of an existing file failed: %s", err.msg);
	got = slurp(path, &len);
	assert_int_equal(len, 4);
	assert_memory_equal(got, "kept", 4);
	free(got);
	assert_entries(f->dir, 1);
}

/* A missing directory fails, naming it. */
static void test_check_writable_missing_dir(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX], missing[PATH_MAX];
	struct cvb_error err = {0};

	snprintf(missing, sizeof(missing), "%s/nodir", f->dir);
	snprintf(path, sizeof(path), "%s/out.json", missing);
	assert_int_equal(cvb_atomic_check_writable(path, &err), -1);
	assert_int_equal(err.code, ENOENT);
	assert_msg_has(err, missing);
	assert_msg_has(err, path);
	assert_entries(f->dir, 0);
}

/* A path that is a directory fails, and the message says so. */
static void test_check_writable_is_directory(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	struct cvb_error err = {0};

	snprintf(path, sizeof(path), "%s/adir", f->dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(cvb_atomic_check_writable(path, &err), -1);
	assert_int_equal(err.code, EISDIR);
	assert_msg_has(err, path);
	assert_msg_has(err, "is a directory");
	assert_entries(f->dir, 1);
	assert_entries(path, 0);
}

/* A read-only directory fails. Root (CAP_DAC_OVERRIDE) writes there anyway,
 * which is detected with a probe file and the case skipped. */
static void test_check_writable_read_only_dir(void **state)
{
	struct fixture *f = *state;
	char ro[PATH_MAX], probe[PATH_MAX], path[PATH_MAX];
	struct cvb_error err = {0};
	int fd;

	snprintf(ro, sizeof(ro), "%s/ro", f->dir);
	assert_int_equal(mkdir(ro, 0755), 0);
	assert_int_equal(chmod(ro, 0555), 0);
	snprintf(probe, sizeof(probe), "%s/probe", ro);
	fd = open(probe, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd >= 0) {
		close(fd);
		unlink(probe);
		chmod(ro, 0755);
		print_message("skipping: a mode 0555 directory accepts new files here "
		              "(running as root, uid %d), so the read-only case cannot be "
		              "tested\n",
		              (int)geteuid());
		skip();
	}
	snprintf(path, sizeof(path), "%s/out.json", ro);
	assert_int_equal(cvb_atomic_check_writable(path, &err), -1);
	assert_int_equal(err.code, EACCES);
	assert_msg_has(err, ro);
	assert_int_equal(cvb_atomic_write(path, "x", 1, &err), -1);
	assert_int_equal(chmod(ro, 0755), 0);
	assert_entries(ro, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_write_fresh, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_empty, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_large, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_overwrite_replaces_whole, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_missing_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_fails_late_cleans_up, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_writable_ok, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_writable_missing_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_writable_is_directory, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_check_writable_read_only_dir, setup, teardown),
	};

	return cmocka_run_group_tests_name("atomic_file", tests, NULL, NULL);
}

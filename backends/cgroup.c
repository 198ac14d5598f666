/* The container backend's cgroups: see cgroup.h for the hierarchies joined
 * and the exact files written on v1 and v2. */
#include "cgroup.h"
#include "clock.h"
#include "device_filter.h"
#include "hostfacts.h"
#include "json_util.h"
#include "pidfd.h"
#include "procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define CG_DEFAULT_PERIOD_US 100000
#define CG_RMDIR_RETRY_MS 1000 /* EBUSY while the last tasks are released */
#define CG_FREEZE_WAIT_MS 50   /* per round; killing works without a complete freeze */
#define CG_POLL_MS 5
#define CG_MAX_DEPTH 32 /* sub-cgroups a workload may have made */
#define CG_IS_SET(v) ((v) != -1)

/* The controllers cvbench uses, in the order they appear in "+a +b" writes
 * to cgroup.subtree_control (devices is v1 only: v2 has a BPF program). */
enum cg_ctrl {
	CG_CPU,
	CG_CPUACCT,
	CG_CPUSET,
	CG_IO,
	CG_MEMORY,
	CG_PIDS,
	CG_FREEZER,
	CG_DEVICES,
	CG_N
};

static const char *const cg_ctrl_names[CG_N] = {"cpu",    "cpuacct", "cpuset",  "io",
                                                "memory", "pids",    "freezer", "devices"};

/* One directory of the instance, in one hierarchy. */
struct cg_dir {
	int version;         /* 1 or 2 */
	unsigned ctrls;      /* bits (1u << enum cg_ctrl) of the controllers used through it */
	char *mount;         /* <root><mount point> */
	char *parent;        /* <mount>/<parent> */
	char *path;          /* <parent>/<name> */
	bool parent_created; /* by the create() in progress: undone if it fails */
	bool created, removed;
};

struct cg_write {
	char *file, *value;
};

struct cvb_cgroup {
	bool fake; /* root is not "/": control files are created on write */
	struct cg_dir *dirs;
	size_t n_dirs;
	int ctrl_dir[CG_N]; /* index into dirs, -1 when the controller is not used */
	struct cg_write *writes;
	size_t n_writes;
	int v2_fd;
};

static const char *ctrl_name(enum cg_ctrl c, int version)
{
	return c == CG_IO && version == 1 ? "blkio" : cg_ctrl_names[c];
}

static bool dir_has(const struct cg_dir *d, enum cg_ctrl c)
{
	return d->ctrls & (1u << c);
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* dir + "/" + file into buf, without doubling a trailing slash. */
static int path_join(char *buf, size_t size, const char *dir, const char *file,
                     struct cvb_error *err)
{
	size_t len = strlen(dir);
	int n = snprintf(buf, size, "%s%s%s", dir, len && dir[len - 1] == '/' ? "" : "/", file);

	if (n < 0 || (size_t)n >= size)
		return cvb_error_set(err, ENAMETOOLONG, "path too long: %s/%s", dir, file);
	return 0;
}

static char *path_join_dup(const char *dir, const char *file, struct cvb_error *err)
{
	char buf[PATH_MAX];
	char *s;

	if (path_join(buf, sizeof(buf), dir, file, err) < 0)
		return NULL;
	s = strdup(buf);
	if (!s)
		cvb_error_set(err, ENOMEM, "out of memory");
	return s;
}

static bool file_exists(const char *dir, const char *file)
{
	char path[PATH_MAX];

	return path_join(path, sizeof(path), dir, file, NULL) == 0 && access(path, F_OK) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A parent or instance name must stay one directory below its parent. */
static int check_component(const char *what, const char *s, struct cvb_error *err)
{
	if (!s || !*s || strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return cvb_error_set(err, EINVAL, "invalid cgroup %s name '%s'", what, s ? s : "");
	return 0;
}

static const char *missing_file_hint(const char *file)
{
	if (strcmp(file, "memory.swap.max") == 0 ||
	    strcmp(file, "memory.memsw.limit_in_bytes") == 0)
		return "swap accounting is off on this host";
	if (strncmp(file, "cpu.cfs_", 8) == 0 || strcmp(file, "cpu.max") == 0)
		return "the kernel lacks CFS bandwidth control";
	if (strstr(file, "weight") &&
	    (strncmp(file, "io.", 3) == 0 || strncmp(file, "blkio.", 6) == 0))
		return "no proportional I/O weight on this kernel: it needs the BFQ scheduler or "
		       "io.cost";
	return "the kernel or host lacks the controller or feature behind this file";
}

static int record_write(struct cvb_cgroup *cg, const char *path, const char *value)
{
	struct cg_write *w = realloc(cg->writes, (cg->n_writes + 1) * sizeof(*w));

	if (!w)
		return -1;
	cg->writes = w;
	w = &cg->writes[cg->n_writes];
	w->file = strdup(path);
	w->value = strdup(value);
	if (!w->file || !w->value) {
		free(w->file);
		free(w->value);
		return -1;
	}
	cg->n_writes++;
	return 0;
}

/* Writes value to <dir>/<file> in one write(2), as cgroupfs wants it. Never
 * creates a file on a real host: there a missing file is a missing controller
 * or feature. `record` keeps it for cvb_cgroup_describe(). */
static int cg_write(struct cvb_cgroup *cg, const char *dir, const char *file, const char *value,
                    bool record, struct cvb_error *err)
{
	char path[PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd, e = 0;

	if (path_join(path, sizeof(path), dir, file, err) < 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC | (cg->fake ? O_TRUNC : 0));
	/* A fake tree has no kernel to provide the control files. */
	if (fd < 0 && errno == ENOENT && cg->fake)
		fd = open(path, O_WRONLY | O_CLOEXEC | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		e = errno;
		goto fail;
	}
	do
		n = write(fd, value, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		e = errno;
	else if ((size_t)n != len)
		e = EIO;
	close(fd);
	if (e)
		goto fail;
	if (record && record_write(cg, path, value) < 0)
		return cvb_error_set(err, ENOMEM, "out of memory");
	return 0;
fail:
	if (e == ENOENT)
		return cvb_error_set(err, e, "cannot write '%s' to %s: %s (%s)", value, path,
		                     strerror(e), missing_file_hint(file));
	return cvb_error_set(err, e, "cannot write '%s' to %s: %s", value, path, strerror(e));
}

/* Reads <dir>/<file> into buf: 1 when read, 0 when the file does not exist,
 * -1 with err. */
static int cg_read(const char *dir, const char *file, char *buf, size_t size, struct cvb_error *err)
{
	char path[PATH_MAX];
	struct cvb_error e2 = {0};

	if (path_join(path, sizeof(path), dir, file, err) < 0)
		return -1;
	if (cvb_read_file(path, buf, size, &e2) < 0) {
		if (e2.code == ENOENT)
			return 0;
		if (err)
			*err = e2;
		return -1;
	}
	return 1;
}

static bool is_blank(const char *s)
{
	return s[strspn(s, " \t\n")] == '\0';
}

static void trim_end(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}

/* A whole number, optionally followed by white space. */
static int parse_i64(const char *s, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno || !is_blank(end))
		return -1;
	*out = v;
	return 0;
}

/* A single-number file; *out is -1 when it does not exist. */
static int cg_read_i64(const char *dir, const char *file, int64_t *out, struct cvb_error *err)
{
	char buf[256];
	int r = cg_read(dir, file, buf, sizeof(buf), err);

	*out = -1;
	if (r <= 0)
		return r;
	if (parse_i64(buf, out) < 0) {
		trim_end(buf);
		*out = -1;
		return cvb_error_set(err, EINVAL, "unexpected content '%.64s' in %s/%s", buf, dir,
		                     file);
	}
	return 0;
}

struct cg_key {
	const char *key;
	int64_t *out;
	int64_t scale; /* to bytes or ns */
};

/* A "key value" per line file (cpu.stat, memory.events); a missing file or
 * key leaves -1. */
static int cg_read_keyed(const char *dir, const char *file, const struct cg_key *keys, size_t n,
                         struct cvb_error *err)
{
	char buf[4096], *line, *next;
	int r;

	for (size_t i = 0; i < n; i++)
		*keys[i].out = -1;
	r = cg_read(dir, file, buf, sizeof(buf), err);
	if (r <= 0)
		return r;
	for (line = buf; *line; line = next) {
		size_t klen = strcspn(line, " \n");

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		for (size_t i = 0; i < n; i++) {
			int64_t v;

			if (strlen(keys[i].key) != klen || strncmp(line, keys[i].key, klen) != 0)
				continue;
			if (line[klen] != ' ' || parse_i64(line + klen + 1, &v) < 0)
				return cvb_error_set(err, EINVAL, "malformed line '%.64s' in %s/%s",
				                     line, dir, file);
			*keys[i].out = v * keys[i].scale;
		}
	}
	return 0;
}

/* ---- removal ---- */

static int rmdir_retry(const char *path, struct cvb_error *err)
{
	int64_t deadline = cvb_now_ns() + (int64_t)CG_RMDIR_RETRY_MS * 1000000;

	for (;;) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || cvb_now_ns() > deadline)
			break;
		sleep_ms(10);
	}
	if (errno == EBUSY)
		return cvb_error_errno(err, errno, "cannot remove cgroup %s (tasks still inside?)",
		                       path);
	return cvb_error_errno(err, errno, "cannot remove cgroup %s", path);
}

static bool dirent_is_dir(const char *dir, const struct dirent *de)
{
	char path[PATH_MAX];

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_DIR;
	return path_join(path, sizeof(path), dir, de->d_name, NULL) == 0 && is_dir(path);
}

/* Removes a cgroup and its sub-cgroups, deepest first. In a fake tree the
 * control files are plain files that would make rmdir fail with ENOTEMPTY,
 * so they go first; a real cgroupfs removes them itself. Tries every
 * sub-cgroup and returns the first error. A missing path is success. */
static int cg_remove_tree(const char *path, bool fake, int depth, struct cvb_error *err)
{
	DIR *d;
	struct dirent *de;
	int rc = 0;

	if (depth > CG_MAX_DEPTH)
		return cvb_error_set(err, ELOOP, "cannot remove cgroup %s: nested too deep", path);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			return 0;
		return cvb_error_errno(err, errno, "cannot open cgroup %s", path);
	}
	while ((de = readdir(d))) {
		char child[PATH_MAX];

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (path_join(child, sizeof(child), path, de->d_name, rc ? NULL : err) < 0) {
			rc = -1;
			continue;
		}
		if (dirent_is_dir(path, de)) {
			if (cg_remove_tree(child, fake, depth + 1, rc ? NULL : err) < 0)
				rc = -1;
		} else if (fake && unlink(child) < 0 && errno != ENOENT && rc == 0) {
			rc = cvb_error_errno(err, errno, "cannot remove %s", child);
		}
	}
	closedir(d);
	if (rc < 0)
		return -1;
	return rmdir_retry(path, err);
}

/* Removes a parent directory if nothing else lives in it; quiet otherwise. */
static void parent_remove_if_empty(const char *path, bool fake)
{
	if (fake) {
		DIR *d = opendir(path);
		struct dirent *de;
		bool has_dirs = false;

		if (!d)
			return;
		while ((de = readdir(d)) && !has_dirs)
			has_dirs = de->d_name[0] != '.' && dirent_is_dir(path, de);
		if (!has_dirs) {
			rewinddir(d);
			while ((de = readdir(d))) {
				char file[PATH_MAX];

				if (de->d_name[0] != '.' &&
				    path_join(file, sizeof(file), path, de->d_name, NULL) == 0)
					unlink(file);
			}
		}
		closedir(d);
		if (has_dirs)
			return;
	}
	/* ENOTEMPTY/EBUSY: another instance or run still uses it. */
	rmdir(path);
}

/* ---- creation ---- */

static struct cvb_cgroup_location ctrl_find(const struct cvb_cgroup_layout *layout, enum cg_ctrl c)
{
	struct cvb_cgroup_location loc;

	if (c != CG_IO)
		return cvb_cgroup_layout_find(layout, cg_ctrl_names[c]);
	/* v2 calls it io, v1 blkio; a host has at most one of them bound. */
	loc = cvb_cgroup_layout_find(layout, "io");
	if (loc.version == 0)
		loc = cvb_cgroup_layout_find(layout, "blkio");
	return loc;
}

static struct cg_dir *cg_add_dir(struct cvb_cgroup *cg, struct cvb_error *err)
{
	struct cg_dir *p = realloc(cg->dirs, (cg->n_dirs + 1) * sizeof(*p));

	if (!p) {
		cvb_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	cg->dirs = p;
	p = &cg->dirs[cg->n_dirs++];
	memset(p, 0, sizeof(*p));
	return p;
}

/* Fills mount, parent and, unless name is NULL, path. */
static int cg_dir_paths(struct cg_dir *d, const char *root, const char *mount, const char *parent,
                        const char *name, struct cvb_error *err)
{
	char buf[PATH_MAX];

	if (cvb_host_path(buf, sizeof(buf), root, mount, err) < 0)
		return -1;
	d->mount = strdup(buf);
	if (!d->mount)
		return cvb_error_set(err, ENOMEM, "out of memory");
	d->parent = path_join_dup(d->mount, parent, err);
	if (!d->parent)
		return -1;
	if (!name)
		return 0;
	d->path = path_join_dup(d->parent, name, err);
	return d->path ? 0 : -1;
}

/* The first set limit that needs controller c, or NULL. */
static const char *limit_needing(const struct cvb_limits *lim, enum cg_ctrl c)
{
	switch (c) {
	case CG_CPU:
		return CG_IS_SET(lim->cpu_quota_us)    ? "cpu_quota_us"
		       : CG_IS_SET(lim->cpu_period_us) ? "cpu_period_us"
		       : CG_IS_SET(lim->cpu_weight)    ? "cpu_weight"
		                                       : NULL;
	case CG_CPUSET:
		return lim->cpuset_cpus ? "cpuset_cpus" : lim->cpuset_mems ? "cpuset_mems" : NULL;
	case CG_MEMORY:
		return CG_IS_SET(lim->memory_max_bytes) ? "memory_max_bytes"
		       : CG_IS_SET(lim->swap_max_bytes) ? "swap_max_bytes"
		                                        : NULL;
	case CG_PIDS:
		return CG_IS_SET(lim->pids_max) ? "pids_max" : NULL;
	case CG_IO:
		return CG_IS_SET(lim->io_weight) ? "io_weight" : NULL;
	default:
		return NULL;
	}
}

/* cpuset and io are joined only for their limits: an unused v1 cpuset
 * would need populating, and neither adds accounting. */
static bool joined_only_for_limits(enum cg_ctrl c)
{
	return c == CG_CPUSET || c == CG_IO;
}

bool cvb_cgroup_layout_joins_v2(const struct cvb_cgroup_layout *layout)
{
	for (int c = 0; c < CG_N; c++)
		if (c != CG_DEVICES && !joined_only_for_limits(c) && ctrl_find(layout, c).version == 2)
			return true;
	return false;
}

bool cvb_cgroup_default_pids(const struct cvb_cgroup_layout *layout, struct cvb_limits *lim)
{
	if (CG_IS_SET(lim->pids_max) || ctrl_find(layout, CG_PIDS).version == 0)
		return false;
	lim->pids_max = CVB_CGROUP_DEFAULT_PIDS_MAX;
	return true;
}

/* Decides the directories (one per hierarchy holding a controller used)
 * without touching the system. */
static int cg_plan(struct cvb_cgroup *cg, const struct cvb_cgroup_layout *layout, const char *root,
                   const char *parent, const char *name, const struct cvb_limits *lim,
                   struct cvb_error *err)
{
	for (int c = 0; c < CG_N; c++) {
		const char *needed_by = limit_needing(lim, c);
		struct cvb_cgroup_location loc;
		struct cg_dir *d = NULL;
		char mount[PATH_MAX];

		if (joined_only_for_limits(c) && !needed_by)
			continue;
		loc = ctrl_find(layout, c);
		/* v1's devices controller holds the device allowlist; on v2 the
		 * caller attaches it as a BPF program (cvb_cgroup_has_devices_v1). */
		if (c == CG_DEVICES && loc.version != 1)
			continue;
		if (loc.version == 0) {
			char where[PATH_MAX + 64] = "there is no cgroup2 mount";

			if (!needed_by)
				continue;
			if (layout->v2_mount) {
				if (cvb_host_path(mount, sizeof(mount), root, layout->v2_mount,
				                  err) < 0)
					return -1;
				snprintf(where, sizeof(where),
				         "%s/cgroup.controllers does not list it", mount);
			}
			return cvb_error_set(
			    err, ENODEV,
			    "the %s limit needs the cgroup controller '%s', which this "
			    "host lacks: no cgroup v1 hierarchy has it mounted and %s",
			    needed_by, c == CG_IO ? "io' (v2) or 'blkio" : cg_ctrl_names[c], where);
		}
		/* v2, and v1 hierarchies such as cpu,cpuacct, hold several. */
		if (cvb_host_path(mount, sizeof(mount), root, loc.mount, err) < 0)
			return -1;
		for (size_t i = 0; i < cg->n_dirs && !d; i++) {
			if (cg->dirs[i].version == loc.version &&
			    strcmp(cg->dirs[i].mount, mount) == 0)
				d = &cg->dirs[i];
		}
		if (!d) {
			d = cg_add_dir(cg, err);
			if (!d)
				return -1;
			d->version = loc.version;
			if (cg_dir_paths(d, root, loc.mount, parent, name, err) < 0)
				return -1;
		}
		d->ctrls |= 1u << c;
		cg->ctrl_dir[c] = (int)(d - cg->dirs);
	}
	if (cg->n_dirs == 0)
		return cvb_error_set(
		    err, ENODEV,
		    "no mounted cgroup hierarchy holds any controller cvbench uses "
		    "(memory, cpu, cpuacct, pids, freezer)");
	return 0;
}

static const struct cg_dir *ctrl_dir(const struct cvb_cgroup *cg, enum cg_ctrl c)
{
	return cg->ctrl_dir[c] < 0 ? NULL : &cg->dirs[cg->ctrl_dir[c]];
}

/* Refusals that need no write to find: v1 ranges and swap accounting. */
static int cg_preflight(const struct cvb_cgroup *cg, const struct cvb_limits *lim,
                        struct cvb_error *err)
{
	const struct cg_dir *d;

	d = ctrl_dir(cg, CG_CPU);
	if (d && d->version == 1 && CG_IS_SET(lim->cpu_weight) &&
	    (lim->cpu_weight < 1 || lim->cpu_weight > 10000))
		return cvb_error_set(err, EINVAL,
		                     "cpu_weight %lld is outside 1..10000 (it maps to cgroup v1 "
		                     "cpu.shares as weight * 1024 / 100)",
		                     (long long)lim->cpu_weight);
	d = ctrl_dir(cg, CG_IO);
	if (d && d->version == 1 && (lim->io_weight < 10 || lim->io_weight > 1000))
		return cvb_error_set(err, ERANGE,
		                     "io_weight %lld is outside 10..1000, the range of cgroup v1 "
		                     "blkio.weight (this host's blkio controller is v1)",
		                     (long long)lim->io_weight);
	d = ctrl_dir(cg, CG_MEMORY);
	if (d && d->version == 1 && CG_IS_SET(lim->swap_max_bytes)) {
		if (!CG_IS_SET(lim->memory_max_bytes))
			return cvb_error_set(
			    err, EINVAL,
			    "swap_max_bytes needs memory_max_bytes on cgroup v1, "
			    "where memory.memsw.limit_in_bytes limits memory + swap");
		if (lim->memory_max_bytes < 0 || lim->swap_max_bytes < 0 ||
		    lim->swap_max_bytes > INT64_MAX - lim->memory_max_bytes)
			return cvb_error_set(
			    err, EINVAL, "invalid memory (%lld) or swap (%lld) limit",
			    (long long)lim->memory_max_bytes, (long long)lim->swap_max_bytes);
		/* The hierarchy root has the file exactly when swap is accounted. */
		if (!file_exists(d->mount, "memory.memsw.limit_in_bytes"))
			return cvb_error_set(
			    err, ENOENT,
			    "cannot apply swap_max_bytes: %s/memory.memsw.limit_in_bytes "
			    "does not exist, so swap accounting is off on this host "
			    "(kernel without CONFIG_MEMCG_SWAP, or booted with "
			    "swapaccount=0)",
			    d->mount);
	}
	return 0;
}

/* Enables the v2 controllers of d in <dir>/cgroup.subtree_control, writing
 * only those not yet enabled (a delegating manager may own the file). */
static int v2_enable(struct cvb_cgroup *cg, const struct cg_dir *d, const char *dir,
                     struct cvb_error *err)
{
	char cur[1024], want[256] = "";
	size_t len = 0;
	int r = cg_read(dir, "cgroup.subtree_control", cur, sizeof(cur), err);

	if (r < 0)
		return -1;
	if (r == 0)
		cur[0] = '\0';
	for (int c = 0; c < CG_N; c++) {
		bool on = false;
		char tmp[sizeof(cur)], *save = NULL;

		if (!dir_has(d, c) || c == CG_CPUACCT || c == CG_FREEZER || c == CG_DEVICES)
			continue;
		memcpy(tmp, cur, sizeof(tmp));
		for (char *tok = strtok_r(tmp, " \t\n", &save); tok && !on;
		     tok = strtok_r(NULL, " \t\n", &save))
			on = strcmp(tok + (*tok == '+'), cg_ctrl_names[c]) == 0;
		if (!on)
			len += (size_t)snprintf(want + len, sizeof(want) - len, "%s+%s",
			                        len ? " " : "", cg_ctrl_names[c]);
	}
	if (len == 0)
		return 0;
	return cg_write(cg, dir, "cgroup.subtree_control", want, true, err);
}

/* v1 cpuset: a new cgroup starts with empty cpus and mems and no task can
 * join it (ENOSPC) until both are set, so copy the parent's when the limit
 * does not say. */
static int v1_cpuset_fill(struct cvb_cgroup *cg, const char *from, const char *to, const char *cpus,
                          const char *mems, struct cvb_error *err)
{
	static const char *const files[2] = {"cpuset.cpus", "cpuset.mems"};
	const char *values[2] = {cpus, mems};

	for (int i = 0; i < 2; i++) {
		char buf[1024];
		int r;

		if (values[i]) {
			if (cg_write(cg, to, files[i], values[i], true, err) < 0)
				return -1;
			continue;
		}
		r = cg_read(to, files[i], buf, sizeof(buf), err);
		if (r < 0)
			return -1;
		if (r > 0 && !is_blank(buf))
			continue;
		r = cg_read(from, files[i], buf, sizeof(buf), err);
		if (r < 0)
			return -1;
		if (r == 0 || is_blank(buf))
			return cvb_error_set(err, ENOENT, "cannot populate %s/%s: %s/%s is %s", to,
			                     files[i], from, files[i],
			                     r == 0 ? "missing" : "empty");
		trim_end(buf);
		if (cg_write(cg, to, files[i], buf, true, err) < 0)
			return -1;
	}
	return 0;
}

/* Parent (kept) then instance directory of one hierarchy. */
static int cg_dir_setup(struct cvb_cgroup *cg, struct cg_dir *d, const struct cvb_limits *lim,
                        struct cvb_error *err)
{
	bool cpuset_v1 = d->version == 1 && dir_has(d, CG_CPUSET);

	if (d->version == 2 && v2_enable(cg, d, d->mount, err) < 0)
		return -1;
	if (mkdir(d->parent, 0755) == 0)
		d->parent_created = true;
	else if (errno != EEXIST)
		return cvb_error_errno(err, errno, "cannot create cgroup %s", d->parent);
	if (d->version == 2 && v2_enable(cg, d, d->parent, err) < 0)
		return -1;
	if (cpuset_v1 && v1_cpuset_fill(cg, d->mount, d->parent, NULL, NULL, err) < 0)
		return -1;

	if (mkdir(d->path, 0755) < 0) {
		if (errno == EEXIST)
			return cvb_error_set(
			    err, EEXIST,
			    "cgroup %s already exists (left over from a killed run? "
			    "`cvbench cleanup` removes it)",
			    d->path);
		return cvb_error_errno(err, errno, "cannot create cgroup %s", d->path);
	}
	d->created = true;
	if (cpuset_v1 &&
	    v1_cpuset_fill(cg, d->parent, d->path, lim->cpuset_cpus, lim->cpuset_mems, err) < 0)
		return -1;
	return 0;
}

static int cg_write_i64(struct cvb_cgroup *cg, const struct cg_dir *d, const char *file, int64_t v,
                        struct cvb_error *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return cg_write(cg, d->path, file, buf, true, err);
}

/* io.weight / blkio.weight, or the BFQ file of the same meaning when only
 * that one exists (blk-mq kernels dropped CFQ's blkio.weight). */
static const char *io_weight_file(const struct cg_dir *d)
{
	const char *std = d->version == 2 ? "io.weight" : "blkio.weight";
	const char *bfq = d->version == 2 ? "io.bfq.weight" : "blkio.bfq.weight";

	if (!file_exists(d->path, std) && file_exists(d->path, bfq))
		return bfq;
	return std;
}

/* The device allowlist on v1: deny everything, then allow each rule (a new
 * cgroup inherits its parent's list, which is "a *:* rwm" under the root). */
static int cg_write_devices(struct cvb_cgroup *cg, const struct cg_dir *d, struct cvb_error *err)
{
	char rule[64];

	if (cg_write(cg, d->path, "devices.deny", "a", true, err) < 0)
		return -1;
	for (size_t i = 0; i < cvb_device_rule_count; i++) {
		cvb_device_rule_format(&cvb_device_rules[i], rule, sizeof(rule));
		if (cg_write(cg, d->path, "devices.allow", rule, true, err) < 0)
			return -1;
	}
	return 0;
}

static int cg_write_limits(struct cvb_cgroup *cg, const struct cg_dir *d,
                           const struct cvb_limits *lim, struct cvb_error *err)
{
	bool v2 = d->version == 2;
	char buf[64];

	if (dir_has(d, CG_CPU)) {
		int64_t period =
		    CG_IS_SET(lim->cpu_period_us) ? lim->cpu_period_us : CG_DEFAULT_PERIOD_US;

		if (CG_IS_SET(lim->cpu_quota_us)) {
			if (v2) {
				snprintf(buf, sizeof(buf), "%lld %lld",
				         (long long)lim->cpu_quota_us, (long long)period);
				if (cg_write(cg, d->path, "cpu.max", buf, true, err) < 0)
					return -1;
				/* v1: the period first, the kernel checks the quota
				 * against it. */
			} else if (cg_write_i64(cg, d, "cpu.cfs_period_us", period, err) < 0 ||
			           cg_write_i64(cg, d, "cpu.cfs_quota_us", lim->cpu_quota_us, err) <
			               0) {
				return -1;
			}
		} else if (CG_IS_SET(lim->cpu_period_us)) {
			snprintf(buf, sizeof(buf), "max %lld", (long long)period);
			if (v2 ? cg_write(cg, d->path, "cpu.max", buf, true, err) < 0
			       : cg_write_i64(cg, d, "cpu.cfs_period_us", period, err) < 0)
				return -1;
		}
		if (CG_IS_SET(lim->cpu_weight)) {
			int64_t shares = lim->cpu_weight * 1024 / 100;

			if (v2 ? cg_write_i64(cg, d, "cpu.weight", lim->cpu_weight, err) < 0
			       : cg_write_i64(cg, d, "cpu.shares", shares < 2 ? 2 : shares, err) <
			             0)
				return -1;
		}
	}
	/* v1 cpuset was written when the directory was made. */
	if (v2 && dir_has(d, CG_CPUSET)) {
		if (lim->cpuset_cpus &&
		    cg_write(cg, d->path, "cpuset.cpus", lim->cpuset_cpus, true, err) < 0)
			return -1;
		if (lim->cpuset_mems &&
		    cg_write(cg, d->path, "cpuset.mems", lim->cpuset_mems, true, err) < 0)
			return -1;
	}
	if (dir_has(d, CG_MEMORY)) {
		if (CG_IS_SET(lim->memory_max_bytes) &&
		    cg_write_i64(cg, d, v2 ? "memory.max" : "memory.limit_in_bytes",
		                 lim->memory_max_bytes, err) < 0)
			return -1;
		/* v1: after memory.limit_in_bytes, as memsw may not be below it. */
		if (CG_IS_SET(lim->swap_max_bytes) &&
		    (v2 ? cg_write_i64(cg, d, "memory.swap.max", lim->swap_max_bytes, err)
		        : cg_write_i64(cg, d, "memory.memsw.limit_in_bytes",
		                       lim->memory_max_bytes + lim->swap_max_bytes, err)) < 0)
			return -1;
	}
	if (!v2 && dir_has(d, CG_DEVICES) && cg_write_devices(cg, d, err) < 0)
		return -1;
	if (dir_has(d, CG_PIDS) && CG_IS_SET(lim->pids_max) &&
	    cg_write_i64(cg, d, "pids.max", lim->pids_max, err) < 0)
		return -1;
	if (dir_has(d, CG_IO) && CG_IS_SET(lim->io_weight)) {
		if (v2)
			snprintf(buf, sizeof(buf), "default %lld", (long long)lim->io_weight);
		else
			snprintf(buf, sizeof(buf), "%lld", (long long)lim->io_weight);
		if (cg_write(cg, d->path, io_weight_file(d), buf, true, err) < 0)
			return -1;
	}
	return 0;
}

/* Undoes a failed create: the instance directories, then the parents this
 * call made if nothing else moved in. */
static void cg_rollback(struct cvb_cgroup *cg)
{
	for (size_t i = cg->n_dirs; i-- > 0;) {
		struct cg_dir *d = &cg->dirs[i];

		if (d->created && !d->removed && cg_remove_tree(d->path, cg->fake, 0, NULL) == 0)
			d->removed = true;
	}
	for (size_t i = cg->n_dirs; i-- > 0;) {
		if (cg->dirs[i].parent_created)
			parent_remove_if_empty(cg->dirs[i].parent, cg->fake);
	}
}

static struct cvb_cgroup *cg_alloc(bool fake)
{
	struct cvb_cgroup *cg = calloc(1, sizeof(*cg));

	if (!cg)
		return NULL;
	cg->fake = fake;
	cg->v2_fd = -1;
	for (int c = 0; c < CG_N; c++)
		cg->ctrl_dir[c] = -1;
	return cg;
}

int cvb_cgroup_create(const struct cvb_cgroup_layout *layout, const char *root, const char *parent,
                      const char *name, const struct cvb_limits *lim, struct cvb_cgroup **out,
                      struct cvb_error *err)
{
	struct cvb_cgroup *cg;
	bool all_v2 = true;

	*out = NULL;
	if (check_component("parent", parent, err) < 0 ||
	    check_component("instance", name, err) < 0)
		return -1;
	cg = cg_alloc(!cvb_host_root_is_real(root));
	if (!cg)
		return cvb_error_set(err, ENOMEM, "out of memory");
	if (cg_plan(cg, layout, root, parent, name, lim, err) < 0 || cg_preflight(cg, lim, err) < 0)
		goto fail;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (cg_dir_setup(cg, &cg->dirs[i], lim, err) < 0 ||
		    cg_write_limits(cg, &cg->dirs[i], lim, err) < 0)
			goto fail;
		all_v2 = all_v2 && cg->dirs[i].version == 2;
	}
	if (all_v2) {
		cg->v2_fd = open(cg->dirs[0].path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (cg->v2_fd < 0) {
			cvb_error_errno(err, errno, "cannot open cgroup %s", cg->dirs[0].path);
			goto fail;
		}
	}
	*out = cg;
	return 0;
fail:
	cg_rollback(cg);
	cvb_cgroup_free(cg);
	return -1;
}

static bool dir_live(const struct cg_dir *d)
{
	return d->created && !d->removed;
}

int cvb_cgroup_attach(struct cvb_cgroup *cg, pid_t pid, struct cvb_error *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (dir_live(&cg->dirs[i]) &&
		    cg_write(cg, cg->dirs[i].path, "cgroup.procs", buf, false, err) < 0)
			return -1;
	}
	return 0;
}

size_t cvb_cgroup_v1_task_files(const struct cvb_cgroup *cg, char (*paths)[PATH_MAX], size_t max)
{
	size_t n = 0;
	for (size_t i = 0; cg && i < cg->n_dirs && n < max; i++)
		if (cg->dirs[i].version == 1 && dir_live(&cg->dirs[i]))
			snprintf(paths[n++], PATH_MAX, "%s/tasks", cg->dirs[i].path);
	return n;
}

int cvb_cgroup_attach_v2(struct cvb_cgroup *cg, pid_t pid, struct cvb_error *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%d", (int)pid);
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (cg->dirs[i].version == 2 && dir_live(&cg->dirs[i]) &&
		    cg_write(cg, cg->dirs[i].path, "cgroup.procs", buf, false, err) < 0)
			return -1;
	}
	return 0;
}

int cvb_cgroup_dirfd_v2(const struct cvb_cgroup *cg)
{
	return cg ? cg->v2_fd : -1;
}

bool cvb_cgroup_has_devices_v1(const struct cvb_cgroup *cg)
{
	return cg && ctrl_dir(cg, CG_DEVICES) != NULL;
}

const char *cvb_cgroup_v2_path(const struct cvb_cgroup *cg)
{
	for (size_t i = 0; cg && i < cg->n_dirs; i++)
		if (cg->dirs[i].version == 2 && dir_live(&cg->dirs[i]))
			return cg->dirs[i].path;
	return NULL;
}

int cvb_cgroup_usage_read(struct cvb_cgroup *cg, struct cvb_cgroup_usage *u, struct cvb_error *err)
{
	const struct cg_dir *d;
	int64_t usage_usec_ns = -1;

	*u = (struct cvb_cgroup_usage){-1, -1, -1, -1, -1, -1, -1, -1};
	d = ctrl_dir(cg, CG_MEMORY);
	if (d && d->version == 2) {
		const struct cg_key events[] = {{"oom_kill", &u->oom_kills, 1}};

		if (cg_read_i64(d->path, "memory.current", &u->memory_current, err) < 0 ||
		    cg_read_i64(d->path, "memory.peak", &u->memory_peak, err) < 0 ||
		    cg_read_keyed(d->path, "memory.events", events, 1, err) < 0)
			return -1;
	} else if (d) {
		const struct cg_key oom[] = {{"oom_kill", &u->oom_kills, 1}};

		if (cg_read_i64(d->path, "memory.usage_in_bytes", &u->memory_current, err) < 0 ||
		    cg_read_i64(d->path, "memory.max_usage_in_bytes", &u->memory_peak, err) < 0 ||
		    cg_read_keyed(d->path, "memory.oom_control", oom, 1, err) < 0)
			return -1;
	}
	d = ctrl_dir(cg, CG_CPUACCT);
	if (d && cg_read_i64(d->path, "cpuacct.usage", &u->cpu_usage_ns, err) < 0)
		return -1;
	d = ctrl_dir(cg, CG_CPU);
	if (d && d->version == 2) {
		const struct cg_key stat[] = {{"usage_usec", &usage_usec_ns, 1000},
		                              {"nr_periods", &u->nr_periods, 1},
		                              {"nr_throttled", &u->nr_throttled, 1},
		                              {"throttled_usec", &u->throttled_ns, 1000}};

		if (cg_read_keyed(d->path, "cpu.stat", stat, 4, err) < 0)
			return -1;
	} else if (d) {
		const struct cg_key stat[] = {{"nr_periods", &u->nr_periods, 1},
		                              {"nr_throttled", &u->nr_throttled, 1},
		                              {"throttled_time", &u->throttled_ns, 1}};

		if (cg_read_keyed(d->path, "cpu.stat", stat, 3, err) < 0)
			return -1;
	}
	/* Every v2 cgroup has cpu.stat usage_usec, even without the cpu
	 * controller. */
	for (size_t i = 0; i < cg->n_dirs && usage_usec_ns < 0 && u->cpu_usage_ns < 0; i++) {
		const struct cg_key stat[] = {{"usage_usec", &usage_usec_ns, 1000}};

		if (cg->dirs[i].version == 2 &&
		    cg_read_keyed(cg->dirs[i].path, "cpu.stat", stat, 1, err) < 0)
			return -1;
	}
	if (u->cpu_usage_ns < 0)
		u->cpu_usage_ns = usage_usec_ns;
	d = ctrl_dir(cg, CG_PIDS);
	if (d && cg_read_i64(d->path, "pids.current", &u->pids_current, err) < 0)
		return -1;
	return 0;
}

/* ---- killing ---- */

/* Freezes (on) or thaws every directory that can be frozen; best effort,
 * since killing works without it, only less surely against fork bombs. */
static void cg_freeze(struct cvb_cgroup *cg, bool on, int64_t deadline)
{
	for (size_t i = 0; i < cg->n_dirs; i++) {
		const struct cg_dir *d = &cg->dirs[i];
		const char *file, *value;
		int64_t until;

		if (!dir_live(d))
			continue;
		if (d->version == 1 && dir_has(d, CG_FREEZER)) {
			file = "freezer.state";
			value = on ? "FROZEN" : "THAWED";
		} else if (d->version == 2) {
			file = "cgroup.freeze";
			value = on ? "1" : "0";
		} else {
			continue;
		}
		if (!file_exists(d->path, file) ||
		    cg_write(cg, d->path, file, value, false, NULL) < 0)
			continue;
		until = cvb_now_ns() + (int64_t)CG_FREEZE_WAIT_MS * 1000000;
		if (until > deadline)
			until = deadline;
		while (on && cvb_now_ns() < until) {
			char buf[64];
			int64_t frozen = -1;
			const struct cg_key k[] = {{"frozen", &frozen, 1}};

			if (d->version == 1
			        ? cg_read(d->path, file, buf, sizeof(buf), NULL) > 0 &&
			              strncmp(buf, "FROZEN", 6) == 0
			        : cg_read_keyed(d->path, "cgroup.events", k, 1, NULL) == 0 &&
			              frozen != 0)
				break;
			sleep_ms(1);
		}
	}
}

/* Asked while a pidfd holds pid: is it still listed in ctx, a cgroup.procs
 * file? */
static bool cg_pid_listed(pid_t pid, void *ctx)
{
	char line[32];
	bool in = false;
	FILE *f = fopen(ctx, "re");
	while (f && !in && fgets(line, sizeof(line), f))
		in = atoi(line) == (int)pid;
	if (f)
		fclose(f);
	return in;
}

/* Counts every pid in <dir>/cgroup.procs and in its sub-cgroups in *found,
 * and with `signal` SIGKILLs each through a pidfd once cgroup.procs, read
 * again while the pidfd is held, still lists it (a pid that exited and was
 * reused meanwhile is not hit). In a fake tree the pids are counted, never
 * signalled: they name no process of ours. */
static int cg_signal_tree(const struct cvb_cgroup *cg, const char *dir, int depth, bool signal,
                          size_t *found, struct cvb_error *err)
{
	char path[PATH_MAX];
	struct cvb_error e2 = {0};
	char *text, *line, *next;
	DIR *d;
	struct dirent *de;

	if (depth > CG_MAX_DEPTH)
		return cvb_error_set(err, ELOOP, "cgroup %s is nested too deep", dir);
	if (path_join(path, sizeof(path), dir, "cgroup.procs", err) < 0)
		return -1;
	text = cvb_host_file_read(NULL, path, NULL, &e2);
	if (!text && e2.code != ENOENT) {
		if (err)
			*err = e2;
		return -1;
	}
	for (line = text; line && *line; line = next) {
		int64_t pid;

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		if (is_blank(line))
			continue;
		if (parse_i64(line, &pid) < 0 || pid <= 0 || pid > INT_MAX) {
			cvb_error_set(err, EINVAL, "unexpected line '%.32s' in %s", line, path);
			free(text);
			return -1;
		}
		if ((pid_t)pid == getpid()) {
			free(text);
			return cvb_error_set(
			    err, EBUSY, "refusing to kill cgroup %s: this process (%d) is in it",
			    dir, (int)pid);
		}
		if (signal && !cg->fake &&
		    cvb_signal_if_ours((pid_t)pid, SIGKILL, cg_pid_listed, path) < 0) {
			int e = errno;

			free(text);
			return cvb_error_errno(err, e, "cannot kill pid %lld of cgroup %s",
			                       (long long)pid, dir);
		}
		(*found)++;
	}
	free(text);
	d = opendir(dir);
	if (!d)
		return 0; /* gone meanwhile: nothing left to kill */
	while ((de = readdir(d))) {
		char sub[PATH_MAX];

		if (de->d_name[0] == '.' || !dirent_is_dir(dir, de))
			continue;
		if (path_join(sub, sizeof(sub), dir, de->d_name, err) < 0 ||
		    cg_signal_tree(cg, sub, depth + 1, signal, found, err) < 0) {
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

int cvb_cgroup_kill(struct cvb_cgroup *cg, struct cvb_error *err)
{
	int64_t deadline = cvb_now_ns() + (int64_t)CVB_CGROUP_KILL_TIMEOUT_MS * 1000000;

	if (!cg)
		return 0;
	for (;;) {
		bool kill_file = false;
		uint64_t killed = 0; /* bit i: dirs[i] took cgroup.kill */
		const char *busy = NULL;
		size_t total = 0;
		int rc = 0;

		/* cgroup.kill (Linux 5.14) is atomic against forks, and after it
		 * the kernel alone kills: the pids it still lists are only waited
		 * for, never signalled by number. Without it a frozen cgroup
		 * cannot refill between listing and killing. */
		for (size_t i = 0; i < cg->n_dirs && i < 64; i++) {
			const struct cg_dir *d = &cg->dirs[i];

			if (dir_live(d) && d->version == 2 && file_exists(d->path, "cgroup.kill") &&
			    cg_write(cg, d->path, "cgroup.kill", "1", false, NULL) == 0) {
				kill_file = true;
				killed |= (uint64_t)1 << i;
			}
		}
		if (!kill_file)
			cg_freeze(cg, true, deadline);
		for (size_t i = 0; i < cg->n_dirs && rc == 0; i++) {
			size_t found = 0;

			if (!dir_live(&cg->dirs[i]))
				continue;
			bool signal = i >= 64 || !(killed & ((uint64_t)1 << i));
			rc = cg_signal_tree(cg, cg->dirs[i].path, 0, signal, &found, err);
			if (found && !busy)
				busy = cg->dirs[i].path;
			total += found;
		}
		if (!kill_file)
			cg_freeze(cg, false, deadline);
		if (rc < 0)
			return -1;
		if (total == 0)
			return 0;
		if (cvb_now_ns() >= deadline)
			return cvb_error_set(
			    err, EBUSY,
			    "cannot empty cgroup %s: %zu task(s) still listed after "
			    "%d ms of SIGKILL",
			    busy, total, CVB_CGROUP_KILL_TIMEOUT_MS);
		sleep_ms(CG_POLL_MS);
	}
}

int cvb_cgroup_destroy(struct cvb_cgroup *cg, struct cvb_error *err)
{
	int rc = 0;

	if (!cg)
		return 0;
	if (cg->v2_fd >= 0) {
		close(cg->v2_fd);
		cg->v2_fd = -1;
	}
	for (size_t i = cg->n_dirs; i-- > 0;) {
		struct cg_dir *d = &cg->dirs[i];

		if (!dir_live(d))
			continue;
		if (cg_remove_tree(d->path, cg->fake, 0, rc ? NULL : err) < 0) {
			rc = -1;
			continue;
		}
		d->removed = true;
	}
	return rc;
}

static void cg_dirs_free(struct cvb_cgroup *cg)
{
	for (size_t i = 0; i < cg->n_dirs; i++) {
		free(cg->dirs[i].mount);
		free(cg->dirs[i].parent);
		free(cg->dirs[i].path);
	}
	free(cg->dirs);
	cg->dirs = NULL;
	cg->n_dirs = 0;
}

void cvb_cgroup_free(struct cvb_cgroup *cg)
{
	if (!cg)
		return;
	if (cg->v2_fd >= 0)
		close(cg->v2_fd);
	cg_dirs_free(cg);
	for (size_t i = 0; i < cg->n_writes; i++) {
		free(cg->writes[i].file);
		free(cg->writes[i].value);
	}
	free(cg->writes);
	free(cg);
}

cJSON *cvb_cgroup_describe(const struct cvb_cgroup *cg)
{
	cJSON *obj = cJSON_CreateObject(), *h, *writes;

	if (!obj)
		return NULL;
	h = cJSON_AddObjectToObject(obj, "hierarchies");
	writes = cJSON_AddArrayToObject(obj, "writes");
	if (!h || !writes)
		goto fail;
	for (int c = 0; c < CG_N; c++) {
		const struct cg_dir *d = ctrl_dir(cg, c);

		if (d && !cvb_json_add(h, ctrl_name(c, d->version), cJSON_CreateString(d->path)))
			goto fail;
	}
	for (size_t i = 0; i < cg->n_writes; i++) {
		cJSON *w = cJSON_CreateObject();

		if (!w)
			goto fail;
		cJSON_AddItemToArray(writes, w);
		if (!cvb_json_add(w, "file", cJSON_CreateString(cg->writes[i].file)) ||
		    !cvb_json_add(w, "value", cJSON_CreateString(cg->writes[i].value)))
			goto fail;
	}
	return obj;
fail:
	cJSON_Delete(obj);
	return NULL;
}

/* ---- cleanup of leftovers ---- */

struct name_set {
	char **v;
	size_t n;
};

static int name_set_add(struct name_set *s, const char *name)
{
	char **p;

	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i], name) == 0)
			return 0;
	}
	p = realloc(s->v, (s->n + 1) * sizeof(*p));
	if (!p)
		return -1;
	s->v = p;
	s->v[s->n] = strdup(name);
	if (!s->v[s->n])
		return -1;
	s->n++;
	return 0;
}

static void name_set_free(struct name_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* The hierarchies to search: each v1 one with a controller, and cgroup2. */
static int stale_hierarchies(const struct cvb_cgroup_layout *layout, const char *root,
                             const char *parent, struct cvb_cgroup *all, struct cvb_error *err)
{
	for (size_t i = 0; i <= layout->n_v1; i++) {
		const struct cvb_cgroup_v1_hierarchy *h = i < layout->n_v1 ? &layout->v1[i] : NULL;
		const char *mount = h ? h->mount : layout->v2_mount;
		struct cg_dir *d;

		if (!mount || (h && (!h->controllers || !h->controllers[0])))
			continue;
		d = cg_add_dir(all, err);
		if (!d)
			return -1;
		d->version = h ? 1 : 2;
		for (char **c = h ? h->controllers : NULL; c && *c; c++) {
			if (strcmp(*c, "freezer") == 0)
				d->ctrls |= 1u << CG_FREEZER;
		}
		if (cg_dir_paths(d, root, mount, parent, NULL, err) < 0)
			return -1;
	}
	return 0;
}

/* Kills and removes <parent>/<name> in every hierarchy that has it. Returns
 * the number removed, -1 with err on the first failure (after trying all). */
static int stale_remove(const struct cvb_cgroup *all, const char *name,
                        void (*report)(void *ctx, const char *what), void *ctx,
                        struct cvb_error *err)
{
	struct cvb_cgroup *cg = cg_alloc(all->fake);
	struct cvb_error e2 = {0};
	int removed = 0, rc = 0;

	if (!cg)
		return cvb_error_set(err, ENOMEM, "out of memory");
	for (size_t i = 0; i < all->n_dirs; i++) {
		char path[PATH_MAX];
		struct cg_dir *d;

		if (path_join(path, sizeof(path), all->dirs[i].parent, name, err) < 0)
			goto fail;
		if (!is_dir(path))
			continue;
		d = cg_add_dir(cg, err);
		if (!d || !(d->path = strdup(path))) {
			cvb_error_set(err, ENOMEM, "out of memory");
			goto fail;
		}
		d->version = all->dirs[i].version;
		d->ctrls = all->dirs[i].ctrls;
		d->created = true;
	}
	/* With tasks left inside, rmdir could only fail (EBUSY). */
	if (cvb_cgroup_kill(cg, err) < 0)
		goto fail;
	for (size_t i = 0; i < cg->n_dirs; i++) {
		if (cg_remove_tree(cg->dirs[i].path, cg->fake, 0, &e2) < 0) {
			if (rc == 0 && err)
				*err = e2;
			rc = -1;
			continue;
		}
		removed++;
		if (report)
			report(ctx, cg->dirs[i].path);
	}
	cvb_cgroup_free(cg);
	return rc < 0 ? -1 : removed;
fail:
	cvb_cgroup_free(cg);
	return -1;
}

int cvb_cgroup_cleanup_stale(const struct cvb_cgroup_layout *layout, const char *root,
                             const char *parent, void (*report)(void *ctx, const char *what),
                             void *ctx, struct cvb_error *err)
{
	return cvb_cgroup_cleanup_select(layout, root, parent, NULL, false, report, ctx, err);
}

int cvb_cgroup_cleanup_select(const struct cvb_cgroup_layout *layout, const char *root,
                              const char *parent, bool (*keep)(const char *name), bool dry_run,
                              void (*report)(void *ctx, const char *what), void *ctx,
                              struct cvb_error *err)
{
	struct cvb_cgroup *all;
	struct name_set names = {0};
	struct cvb_error e2 = {0};
	int removed = 0, rc = 0;

	if (check_component("parent", parent, err) < 0)
		return -1;
	all = cg_alloc(!cvb_host_root_is_real(root));
	if (!all)
		return cvb_error_set(err, ENOMEM, "out of memory");
	if (stale_hierarchies(layout, root, parent, all, err) < 0)
		goto fail;
	for (size_t i = 0; i < all->n_dirs; i++) {
		DIR *d = opendir(all->dirs[i].parent);
		struct dirent *de;

		if (!d) {
			if (errno == ENOENT)
				continue;
			cvb_error_errno(err, errno, "cannot open %s", all->dirs[i].parent);
			goto fail;
		}
		while ((de = readdir(d))) {
			if (strncmp(de->d_name, "cvb-", 4) != 0 ||
			    !dirent_is_dir(all->dirs[i].parent, de) || (keep && keep(de->d_name)))
				continue;
			if (name_set_add(&names, de->d_name) < 0) {
				closedir(d);
				cvb_error_set(err, ENOMEM, "out of memory");
				goto fail;
			}
		}
		closedir(d);
	}
	for (size_t i = 0; i < names.n; i++) {
		if (dry_run) {
			char what[300];
			snprintf(what, sizeof(what), "cgroup %s/%s", parent, names.v[i]);
			report(ctx, what);
			removed++;
			continue;
		}
		int n = stale_remove(all, names.v[i], report, ctx, &e2);

		if (n < 0) {
			if (rc == 0 && err)
				*err = e2;
			rc = -1;
		} else {
			removed += n;
		}
	}
	for (size_t i = 0; i < all->n_dirs && !dry_run; i++)
		parent_remove_if_empty(all->dirs[i].parent, all->fake);
	name_set_free(&names);
	cvb_cgroup_free(all);
	return rc < 0 ? -1 : removed;
fail:
	name_set_free(&names);
	cvb_cgroup_free(all);
	return -1;
}

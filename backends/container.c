/* The container backend: cvbench's own container runtime. Each launch makes
 * a cgroup, clones the agent's init into new namespaces, enters a minimal
 * read-only rootfs with pivot_root, optionally hardens it, and execs the
 * same static agent. Every step is timed; teardown kills the whole cgroup. */
#include "backend.h"
#include "cgroup.h"
#include "cgroup_layout.h"
#include "clock.h"
#include "config_label.h"
#include "container.h"
#include "container_options.h"
#include "container_ids.h"
#include "cvb_spawn.h"
#include "device_filter.h"
#include "procfs.h"
#include "fsutil.h"
#include "reap.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CONTAINER_MAX_ARGS 64
#define CONTAINER_EXIT_GRACE_MS 2000
#define CONTAINER_EXEC_BOUND_MS 10000
#define CGROUP_PARENT "cvbench"
#define CHILD_STACK_SIZE (256 * 1024)
#define CVB_MAX_V1_HIERARCHIES 16

/* gcc says __SANITIZE_ADDRESS__, clang __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define CVB_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CVB_ASAN 1
#endif
#endif
#ifdef CVB_ASAN
#include <sanitizer/asan_interface.h>
#endif

extern const struct cvb_backend cvb_backend_container;

/* What enforces the device allowlist (device_filter.h) on this host. */
enum device_guard {
	DEVICES_NONE,  /* no cgroup (--no-cgroup), or no hierarchy to put it in */
	DEVICES_V1,    /* the v1 devices controller, written by cvb_cgroup_create */
	DEVICES_V2_BPF /* a BPF program attached to the instance's v2 directory */
};

/* Shared by every launch of a run: prepared once, outside the measured window. */
struct container_run {
	char run_dir[PATH_MAX];
	char rootfs[PATH_MAX + 16];
	struct cvb_cgroup_layout layout;
	struct cvb_instance_config config;
	struct cvb_seccomp_prog seccomp;
	struct cvb_container_ids ids; /* with a user namespace: the host block mapped */
	int cap_last_cap;
	enum device_guard devices;
	int device_prog_fd; /* DEVICES_V2_BPF: the loaded program, else -1 */
	int64_t rootfs_ns, seccomp_ns, device_prog_ns;
	/* The CLONE_VM child's stack: launches are sequential and each child
	 * leaves it when it execs (or is reaped), so one per run suffices. */
	void *child_stack;
};

struct container_inst {
	struct cvb_limits limits; /* what this instance's cgroup was given */
	bool pids_max_default; /* limits.pids_max is CVB_CGROUP_DEFAULT_PIDS_MAX, not asked for */
	struct container_run *run;
	pid_t pid;
	int pidfd;
	struct cvb_cgroup *cg;
	struct cvb_child_times *times; /* shared with the child until it execs */
	bool destroyed;
	struct cvb_exit exit;
	struct cvb_cgroup_usage usage; /* read just before the cgroup is removed */
	const char *created_by;        /* how the init was cloned (clone_child) */
	char task_files[CVB_MAX_V1_HIERARCHIES][PATH_MAX]; /* the child joins its cgroup */
	bool have_usage;
};

static int container_probe(const struct cvb_probe_ctx *ctx, char *reason, size_t len)
{
	(void)ctx;
	struct cvb_cgroup_layout layout;
	struct cvb_error err = {0};
	if (geteuid() != 0) {
		snprintf(reason, len, "needs root: creates namespaces, cgroups and mounts");
		return -1;
	}
	if (access("/proc/self/ns/pid", F_OK) < 0) {
		snprintf(reason, len,
		         "the kernel has no namespaces (/proc/self/ns/pid is missing)");
		return -1;
	}
	if (cvb_cgroup_layout_detect("/", &layout, &err) < 0) {
		snprintf(reason, len, "cannot read the cgroup layout: %s", err.msg);
		return -1;
	}
	bool none = layout.mode == CVB_CGROUP_MODE_NONE;
	cvb_cgroup_layout_clear(&layout);
	if (none) {
		snprintf(reason, len, "no cgroup hierarchy is mounted");
		return -1;
	}
	return 0;
}

/* Namespaces the running kernel offers, by their /proc/self/ns entries. */
static int check_namespaces(unsigned ns, struct cvb_error *err)
{
	static const struct {
		unsigned bit;
		const char *file, *name;
	} all[] = {{CVB_NS_PID, "pid", "pid"},    {CVB_NS_MNT, "mnt", "mnt"},
	           {CVB_NS_NET, "net", "net"},    {CVB_NS_UTS, "uts", "uts"},
	           {CVB_NS_IPC, "ipc", "ipc"},    {CVB_NS_CGROUP, "cgroup", "cgroup"},
	           {CVB_NS_USER, "user", "user"}, {CVB_NS_TIME, "time", "time"}};
	char path[64];
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", all[i].file);
		if ((ns & all[i].bit) && access(path, F_OK) < 0)
			return cvb_error_set(
			    err, ENOSYS, "--ns %s: this kernel has no %s namespace (%s is missing)",
			    all[i].name, all[i].name, path);
	}
	return 0;
}

static int container_validate(const struct cvb_instance_config *c, struct cvb_error *err)
{
	if (check_namespaces(c->namespaces, err) < 0)
		return -1;
	const struct cvb_limits *l = &c->limits;
	if (c->no_cgroup && !(c->namespaces & CVB_NS_PID))
		return cvb_error_set(err, EINVAL,
		                     "--no-cgroup needs the pid namespace (teardown then kills the "
		                     "namespace's init, and with it every process)");
	if (c->no_cgroup &&
	    (l->cpu_quota_us >= 0 || l->cpu_weight >= 0 || l->cpuset_cpus || l->cpuset_mems ||
	     l->memory_max_bytes >= 0 || l->pids_max >= 0 || l->io_weight >= 0))
		return cvb_error_set(err, EINVAL,
		                     "--no-cgroup cannot apply limits: drop one or the other");
	if ((c->namespaces & CVB_NS_MNT) == 0 && (c->namespaces & CVB_NS_PID))
		return cvb_error_set(
		    err, EINVAL,
		    "--ns: pid needs mnt too (a fresh /proc must be mounted for the "
		    "new PID namespace)");
	return 0;
}

/* The shared cgroup parents go when the last run using them ends (rmdir
 * fails harmlessly while another run's cgroups are inside). */
static void remove_cgroup_parents(const struct cvb_cgroup_layout *l)
{
	char path[PATH_MAX];
	if (l->v2_mount) {
		snprintf(path, sizeof(path), "%s/%s", l->v2_mount, CGROUP_PARENT);
		rmdir(path);
	}
	for (size_t i = 0; i < l->n_v1; i++) {
		snprintf(path, sizeof(path), "%s/%s", l->v1[i].mount, CGROUP_PARENT);
		rmdir(path);
	}
}

/* The container's root as the host sees it: the owner of its scratch
 * directory and the group that may traverse its run directory. The one place
 * that maps the container's root to a host id. */
static uid_t container_root_host_uid(const struct container_run *r)
{
	return r->config.namespaces & CVB_NS_USER ? (uid_t)r->ids.base : 0;
}

static void container_run_end(void *state)
{
	struct container_run *r = state;
	if (!r)
		return;
	struct cvb_error rm_err = {0};
	if (r->run_dir[0] && cvb_remove_tree_err(r->run_dir, &rm_err) < 0)
		fprintf(stderr, "cvbench: warning: %s (run 'cvbench cleanup' to retry)\n",
		        rm_err.msg);
	cvb_seccomp_free(&r->seccomp);
	if (r->device_prog_fd >= 0)
		close(r->device_prog_fd);
	remove_cgroup_parents(&r->layout);
	cvb_cgroup_layout_clear(&r->layout);
	if (r->child_stack)
		munmap(r->child_stack, CHILD_STACK_SIZE);
	rmdir(CVB_CONTAINER_RUN_DIR); /* only if no other run uses it */
	free(r);
}

/* The device allowlist goes where the instance's cgroup will be: the v1
 * devices controller when mounted (cgroup.c joins it), else a BPF program
 * on the v2 directory, when instances get one (pure v2; hybrid hosts that
 * moved controllers there). */
static enum device_guard device_guard_of(const struct cvb_cgroup_layout *l, bool no_cgroup)
{
	if (no_cgroup)
		return DEVICES_NONE;
	if (cvb_cgroup_layout_find(l, "devices").version == 1)
		return DEVICES_V1;
	return cvb_cgroup_layout_joins_v2(l) ? DEVICES_V2_BPF : DEVICES_NONE;
}

static cJSON *device_allowlist_json(const struct container_run *r)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(
	    o, "enforced_by",
	    r->devices == DEVICES_V1       ? "cgroup v1 devices controller"
	    : r->devices == DEVICES_V2_BPF ? "cgroup v2 BPF device program (BPF_CGROUP_DEVICE)"
	    : r->config.no_cgroup          ? "none (--no-cgroup): only nodev mounts"
	                          : "none (no devices controller, no cgroup v2 directory): "
	                            "only nodev mounts");
	cJSON *rules = cJSON_AddArrayToObject(o, "rules");
	for (size_t i = 0; r->devices != DEVICES_NONE && i < cvb_device_rule_count; i++) {
		char line[64];
		cvb_device_rule_format(&cvb_device_rules[i], line, sizeof(line));
		cJSON_AddItemToArray(rules, cJSON_CreateString(line));
	}
	return o;
}

static int container_run_begin(const char *run_id, const struct cvb_instance_config *config,
                               const char *agent_path, void **state, struct cvb_error *err)
{
	struct container_run *r = calloc(1, sizeof(*r));
	if (!r)
		return cvb_error_set(err, ENOMEM, "out of memory");
	r->config = *config;
	r->device_prog_fd = -1;
	r->child_stack = mmap(NULL, CHILD_STACK_SIZE, PROT_READ | PROT_WRITE,
	                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (r->child_stack == MAP_FAILED) {
		r->child_stack = NULL;
		cvb_error_errno(err, errno, "cannot allocate the container init's stack");
		goto fail;
	}
	if (cvb_cgroup_layout_detect("/", &r->layout, err) < 0)
		goto fail;
	/* Root's alone: others may only pass through the top (0711) to a run
	 * directory that lets in nobody but root and, with a user namespace,
	 * the container's root, whose init resolves the rootfs path with no
	 * capability over host-owned directories (0710, its group). */
	if (cvb_dir_make_private(CVB_CONTAINER_RUN_DIR, 0711, 0, err) < 0)
		goto fail;
	int64_t t = cvb_now_ns();
	const struct cvb_container_ids *ids;
	if ((config->namespaces & CVB_NS_USER) && cvb_container_ids_get(&ids, err) < 0)
		goto fail;
	if (config->namespaces & CVB_NS_USER)
		r->ids = *ids;
	uid_t root_id = container_root_host_uid(r);
	snprintf(r->run_dir, sizeof(r->run_dir), "%s/cvb-%s", CVB_CONTAINER_RUN_DIR, run_id);
	if (mkdir(r->run_dir, 0700) < 0) {
		cvb_error_errno(err, errno, "cannot create '%s'", r->run_dir);
		r->run_dir[0] = '\0';
		goto fail;
	}
	if (cvb_dir_make_private(r->run_dir, root_id ? 0710 : 0700, (gid_t)root_id, err) < 0)
		goto fail;
	snprintf(r->rootfs, sizeof(r->rootfs), "%s/rootfs", r->run_dir);
	if (cvb_rootfs_prepare(r->rootfs, agent_path, root_id, (gid_t)root_id, err) < 0)
		goto fail;
	r->rootfs_ns = cvb_now_ns() - t;
	if (config->harden & CVB_HARDEN_CAPS) {
		r->cap_last_cap = cvb_harden_cap_last_cap(err);
		if (r->cap_last_cap < 0)
			goto fail;
	}
	if (config->harden & CVB_HARDEN_SECCOMP) {
		t = cvb_now_ns();
		if (cvb_seccomp_build(config->seccomp_profile, &r->seccomp, err) < 0)
			goto fail;
		r->seccomp_ns = cvb_now_ns() - t;
	}
	r->devices = device_guard_of(&r->layout, config->no_cgroup);
	if (r->devices == DEVICES_V2_BPF) {
		t = cvb_now_ns();
		r->device_prog_fd = cvb_device_bpf_load(err);
		if (r->device_prog_fd < 0)
			goto fail;
		r->device_prog_ns = cvb_now_ns() - t;
	}
	*state = r;
	return 0;
fail:
	container_run_end(r);
	return -1;
}

static cJSON *ns_list(unsigned ns)
{
	static const char *const names[] = {"pid", "mnt",    "net",  "uts",
	                                    "ipc", "cgroup", "user", "time"};
	cJSON *a = cJSON_CreateArray();
	for (unsigned i = 0; i < 8; i++)
		if (ns & (1u << i))
			cJSON_AddItemToArray(a, cJSON_CreateString(names[i]));
	return a;
}

static void add_limit(cJSON *o, const char *name, int64_t v)
{
	if (v >= 0)
		cJSON_AddNumberToObject(o, name, (double)v);
	else
		cJSON_AddNullToObject(o, name);
}

static cJSON *limits_json(const struct cvb_limits *lim, bool pids_max_default)
{
	cJSON *l = cJSON_CreateObject();
	add_limit(l, "cpu_quota_us", lim->cpu_quota_us);
	add_limit(l, "cpu_period_us", lim->cpu_period_us);
	add_limit(l, "cpu_weight", lim->cpu_weight);
	cJSON_AddItemToObject(l, "cpuset_cpus",
	                      lim->cpuset_cpus ? cJSON_CreateString(lim->cpuset_cpus)
	                                       : cJSON_CreateNull());
	cJSON_AddItemToObject(l, "cpuset_mems",
	                      lim->cpuset_mems ? cJSON_CreateString(lim->cpuset_mems)
	                                       : cJSON_CreateNull());
	add_limit(l, "memory_max_bytes", lim->memory_max_bytes);
	add_limit(l, "swap_max_bytes", lim->swap_max_bytes);
	add_limit(l, "pids_max", lim->pids_max);
	cJSON_AddBoolToObject(l, "pids_max_default", pids_max_default);
	add_limit(l, "io_weight", lim->io_weight);
	return l;
}

static cJSON *container_describe_run(void *state)
{
	struct container_run *r = state;
	const struct cvb_instance_config *c = &r->config;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "namespaces", ns_list(c->namespaces));
	cJSON *h = cJSON_AddArrayToObject(o, "hardening");
	if (c->harden & CVB_HARDEN_CAPS)
		cJSON_AddItemToArray(h, cJSON_CreateString("caps"));
	if (c->harden & CVB_HARDEN_NNP)
		cJSON_AddItemToArray(h, cJSON_CreateString("nnp"));
	if (c->harden & CVB_HARDEN_SECCOMP) {
		cJSON_AddItemToArray(h, cJSON_CreateString("seccomp"));
		const struct cvb_seccomp_profile *sp = cvb_seccomp_profile_get(c->seccomp_profile);
		cJSON_AddStringToObject(o, "seccomp_profile", sp ? sp->name : "unknown");
		cJSON_AddStringToObject(o, "seccomp_profile_summary",
		                        cvb_seccomp_profile_summary(c->seccomp_profile));
		cJSON_AddStringToObject(o, "seccomp_profile_detail",
		                        cvb_seccomp_profile_detail(c->seccomp_profile));
	}
	if (c->namespaces & CVB_NS_USER) {
		char map[64];
		cvb_container_ids_map_line(&r->ids, map, sizeof(map));
		cJSON_AddStringToObject(o, "uid_gid_map", map);
		cJSON_AddStringToObject(o, "uid_gid_map_chosen",
		                        r->ids.base == CVB_CONTAINER_IDS_DEFAULT_BASE
		                            ? "the default block: no /etc/subuid or /etc/subgid "
		                              "range overlaps it"
		                            : "the first free block above the default: /etc/subuid "
		                              "or /etc/subgid ranges overlap it");
		if (r->ids.note[0])
			cJSON_AddStringToObject(o, "uid_gid_map_note", r->ids.note);
	}
	cJSON_AddBoolToObject(o, "rootfs_read_only", !c->rootfs_writable);
	cJSON_AddBoolToObject(o, "cgroup_per_instance", !c->no_cgroup);
	cJSON_AddStringToObject(o, "rootfs", r->rootfs);
	struct cvb_limits lim = c->limits;
	bool pids_default = !c->no_cgroup && cvb_cgroup_default_pids(&r->layout, &lim);
	cJSON_AddItemToObject(o, "limits", limits_json(&lim, pids_default));
	cJSON_AddStringToObject(o, "cgroup_mode", cvb_cgroup_mode_name(r->layout.mode));
	cJSON_AddItemToObject(o, "device_allowlist", device_allowlist_json(r));
	cJSON_AddStringToObject(o, "session_keyring", "a new anonymous one per instance");
	/* Shared costs, paid once per run outside every launch's window; the
	 * per-launch phases (cgroup, clone, mounts, exec) are in each launch. */
	cJSON *sh = cJSON_AddObjectToObject(o, "shared_setup_ns");
	cJSON_AddNumberToObject(sh, "rootfs_prepare", (double)r->rootfs_ns);
	if (c->harden & CVB_HARDEN_SECCOMP)
		cJSON_AddNumberToObject(sh, "seccomp_compile", (double)r->seccomp_ns);
	if (r->devices == DEVICES_V2_BPF)
		cJSON_AddNumberToObject(sh, "device_program_load", (double)r->device_prog_ns);
	cJSON_AddStringToObject(
	    o, "per_launch",
	    "cgroup create, clone, id maps, cgroup attach, hostname, lo, mounts and "
	    "pivot_root, hardening, exec, READY; and teardown after DONE");
	return o;
}

static unsigned long clone_flags(unsigned ns, bool cgroup_at_clone)
{
	unsigned long f = 0;
	f |= ns & CVB_NS_PID ? CLONE_NEWPID : 0;
	f |= ns & CVB_NS_MNT ? CLONE_NEWNS : 0;
	f |= ns & CVB_NS_NET ? CLONE_NEWNET : 0;
	f |= ns & CVB_NS_UTS ? CLONE_NEWUTS : 0;
	f |= ns & CVB_NS_IPC ? CLONE_NEWIPC : 0;
	f |= ns & CVB_NS_USER ? CLONE_NEWUSER : 0;
	f |= (ns & CVB_NS_TIME) ? CLONE_NEWTIME : 0;
	/* A cgroup namespace takes the cgroup the child is in at that moment as
	 * its root: at clone time only when the child is born in its cgroup. */
	f |= (ns & CVB_NS_CGROUP) && cgroup_at_clone ? CLONE_NEWCGROUP : 0;
	return f;
}

/* Under ASan the CLONE_VM child shares our shadow memory. The last child
 * exec'd from deep frames that never returned, so their redzones are still
 * poisoned in the shadow of this reused stack; ASan cannot clean it at the
 * child's noreturn calls (it does not know this stack: "ignoring requested
 * __asan_handle_no_return"), and its own uninstrumented frames then trip on
 * the stale poison (a false stack-buffer-overflow in child_entry). A fresh
 * mmap would not help: the kernel hands back the same range, shadow and all.
 * The normal build compiles this to nothing. */
static void child_stack_clean(void *stack)
{
#ifdef CVB_ASAN
	__asan_unpoison_memory_region(stack, CHILD_STACK_SIZE);
#else
	(void)stack;
#endif
}

static int child_entry(void *arg)
{
	cvb_container_child(arg);
}

/* Two ways to make the init:
 * - on pure cgroup v2, or with a time namespace: clone3 like fork, born in
 *   its cgroup (CLONE_INTO_CGROUP: no migration) or in its time namespace
 *   (clone3 only);
 * - otherwise clone(CLONE_VM) on a stack of its own, like posix_spawn: no
 *   copy of the harness's page tables, and an exec that has no address space
 *   to tear down. The child then shares our memory until it execs, so it
 *   touches nothing but its stack, its arguments and `times`. */
static pid_t clone_child(unsigned long flags, int cgroup_fd, void *stack,
                         const struct cvb_child_args *args, int *pidfd, const char **how)
{
	if (cgroup_fd >= 0 || (flags & CLONE_NEWTIME)) {
		struct clone_args ca = {
		    .flags = flags | CLONE_PIDFD | (cgroup_fd >= 0 ? CLONE_INTO_CGROUP : 0),
		    .pidfd = (uint64_t)(uintptr_t)pidfd,
		    .exit_signal = SIGCHLD,
		    .cgroup = cgroup_fd >= 0 ? (uint64_t)cgroup_fd : 0,
		};
		*how = cgroup_fd >= 0 ? "clone3 into its cgroup" : "clone3";
		long pid = syscall(SYS_clone3, &ca, sizeof(ca));
		if (pid == 0)
			cvb_container_child(args);
		return (pid_t)pid;
	}
	*how = "clone with CLONE_VM";
	child_stack_clean(stack);
	return clone(child_entry, (char *)stack + CHILD_STACK_SIZE, (int)flags | CLONE_VM | SIGCHLD,
	             (void *)args);
}

/* setgroups stays "allow": the maps are written by host root, and the init
 * must drop the harness's supplementary groups, which "deny" would keep for
 * good (they would still grant host group access, shown as nogroup). */
static int write_id_maps(pid_t pid, const struct cvb_container_ids *ids, struct cvb_error *err)
{
	char path[64], map[64];
	cvb_container_ids_map_line(ids, map, sizeof(map) - 1);
	strcat(map, "\n");
	static const char *const files[] = {"uid_map", "gid_map"};
	for (size_t i = 0; i < 2; i++) {
		const char *text = map;
		snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, files[i]);
		int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
			int e = errno;
			if (fd >= 0)
				close(fd);
			return cvb_error_errno(err, e, "cannot write '%s'", path);
		}
		close(fd);
	}
	return 0;
}

/* Reads the child's error pipe until EOF (its exec closed it, or it died) or
 * timeout_ms; returns what it said (maybe "") or -1 on timeout or when a
 * signal asked the run to stop. */
static int read_child_message(int err_fd, int timeout_ms, char *msg, size_t size)
{
	size_t len = 0;
	int64_t deadline = cvb_now_ns() + (int64_t)timeout_ms * 1000000;
	msg[0] = '\0';
	for (;;) {
		struct pollfd pfd = {.fd = err_fd, .events = POLLIN};
		int left = (int)((deadline - cvb_now_ns()) / 1000000);
		if (left <= 0)
			return -1;
		int r = poll(&pfd, 1, left);
		if (r < 0)
			return -1; /* EINTR: our signal handlers only run to stop the run */
		if (r == 0)
			continue;
		ssize_t n = read(err_fd, msg + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			return -1;
		if (n <= 0)
			break;
		len += (size_t)n;
		msg[len] = '\0';
		if (len == size - 1)
			break;
	}
	return 0;
}

/* Waits for the child's exec: EOF on its close-on-exec error pipe with the
 * exec timestamp set. A message, or an EOF without exec (it died), fails. */
static int wait_exec(int err_fd, const struct cvb_child_times *t, struct cvb_error *err)
{
	char msg[300];
	if (read_child_message(err_fd, CONTAINER_EXEC_BOUND_MS, msg, sizeof(msg)) < 0)
		return cvb_error_set(err, ETIMEDOUT,
		                     "the container's init did not reach exec within %d ms "
		                     "(or the run was interrupted)",
		                     CONTAINER_EXEC_BOUND_MS);
	if (msg[0])
		return cvb_error_set(err, EPERM, "container set-up failed: %s", msg);
	if (t->exec_called == 0)
		return cvb_error_set(err, ECHILD, "the container's init died before exec");
	return 0;
}

static int container_destroy(struct cvb_instance *inst, bool graceful, struct cvb_exit *exit,
                             struct cvb_error *err);
static void container_release(struct cvb_instance *inst);

static void mark_child_phases(struct cvb_instance *inst, const struct cvb_child_times *t,
                              int64_t t0)
{
	const struct {
		const char *name;
		int64_t at;
	} p[] = {{"child_started", t->started},
	         {"ids_set", t->ids_set},
	         {"net_up", t->net_up},
	         {"mounted", t->mounted},
	         {"child_in_cgroup", t->in_cgroup},
	         {"hardened", t->hardened},
	         {"exec", t->exec_called}};
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (p[i].at > 0 && inst->n_phases < CVB_MAX_PHASES)
			inst->phases[inst->n_phases++] =
			    (struct cvb_phase){.name = p[i].name, .t_ns = p[i].at - t0};
}

/* On v2, before the init is born in (or moved to) the cgroup. */
static int attach_device_program(const struct container_run *run, const struct cvb_cgroup *cg,
                                 struct cvb_error *err)
{
	if (run->devices != DEVICES_V2_BPF)
		return 0;
	const char *path = cvb_cgroup_v2_path(cg);
	if (!path)
		return cvb_error_set(err, ENODEV,
		                     "no cgroup v2 directory to attach the device allowlist to");
	int fd = cvb_cgroup_dirfd_v2(cg);
	bool own = fd < 0;
	if (own && (fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return cvb_error_errno(err, errno, "cannot open cgroup %s", path);
	int rc = cvb_device_bpf_attach(fd, run->device_prog_fd, path, err);
	if (own)
		close(fd);
	return rc;
}

/* The four pipes between the harness and a container's init: the agent's
 * output and control input, and the set-up's go-aheads and errors. */
struct launch_fds {
	int out[2], in[2], sync[2], err[2];
};

/* The instance and its private state, before anything exists on the host:
 * its limits (an aggressor's may differ from the run's) and the page the
 * child writes its phase times into. NULL with err on failure. */
static struct cvb_instance *new_instance(const struct cvb_launch_spec *spec,
                                         struct container_run *run, struct cvb_error *err)
{
	const struct cvb_instance_config *cfg = &run->config;
	struct cvb_instance *inst = calloc(1, sizeof(*inst));
	struct container_inst *ci = calloc(1, sizeof(*ci));
	if (!inst || !ci) {
		free(inst);
		free(ci);
		cvb_error_set(err, ENOMEM, "out of memory");
		return NULL;
	}
	inst->backend = &cvb_backend_container;
	inst->priv = ci;
	inst->out_fd = inst->in_fd = ci->pidfd = -1;
	ci->run = run;
	ci->limits = spec->config ? spec->config->limits : cfg->limits;
	ci->pids_max_default =
	    !cfg->no_cgroup && cvb_cgroup_default_pids(&run->layout, &ci->limits);
	ci->exit = (struct cvb_exit){.cpu_ns = -1, .max_rss_bytes = -1};
	ci->times = mmap(NULL, sizeof(*ci->times), PROT_READ | PROT_WRITE,
	                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (ci->times == MAP_FAILED) {
		ci->times = NULL;
		cvb_error_errno(err, errno, "mmap");
		container_release(inst);
		return NULL;
	}
	return inst;
}

/* "/cvb-agent" then the workload's arguments, NULL-terminated. */
static int agent_argv(char *const *agent_args, char **argv, struct cvb_error *err)
{
	size_t n = 0;
	argv[n++] = "/cvb-agent";
	for (char *const *a = agent_args; *a; a++) {
		if (n > CONTAINER_MAX_ARGS)
			return cvb_error_set(err, E2BIG, "more than %d agent arguments",
			                     CONTAINER_MAX_ARGS);
		argv[n++] = *a;
	}
	argv[n] = NULL;
	return 0;
}

static int open_pipes(struct launch_fds *f, struct cvb_error *err)
{
	if (pipe2(f->out, O_CLOEXEC) < 0 || pipe2(f->in, O_CLOEXEC) < 0 ||
	    pipe2(f->sync, O_CLOEXEC) < 0 || pipe2(f->err, O_CLOEXEC) < 0)
		return cvb_error_errno(err, errno, "cannot create the container's pipes");
	return 0;
}

/* After clone: keeps our ends of the pipes, hands the agent's to inst. */
static void keep_parent_ends(struct cvb_instance *inst, struct launch_fds *f)
{
	close(f->sync[0]);
	close(f->err[1]);
	close(f->out[1]);
	close(f->in[0]);
	f->sync[0] = f->err[1] = f->out[1] = f->in[0] = -1;
	inst->out_fd = f->out[0];
	inst->in_fd = f->in[1];
	f->out[0] = f->in[1] = -1;
	fcntl(inst->out_fd, F_SETFL, O_NONBLOCK);
}

/* The child joins its cgroup v1 directories itself (see
 * cvb_cgroup_v1_task_files: a moving thread skips a lock whose first use
 * waits an RCU grace period). Two go-aheads: after the id maps it sets up
 * its namespaces and mounts while we join it to a cgroup v2 directory where
 * one is used; after that it may exec. Returns once it has exec'd. */
static int release_child(struct cvb_instance *inst, const struct cvb_launch_spec *spec,
                         bool cgroup_at_clone, struct launch_fds *f, struct cvb_error *err)
{
	struct container_inst *ci = inst->priv;
	struct container_run *run = ci->run;
	if ((run->config.namespaces & CVB_NS_USER) && write_id_maps(ci->pid, &run->ids, err) < 0)
		return -1;
	if (write(f->sync[1], "m", 1) != 1)
		return cvb_error_errno(err, errno, "cannot start the container's init");
	cvb_instance_mark(inst, "ids_mapped", spec->t_start_ns);
	if (ci->cg && !cgroup_at_clone && cvb_cgroup_attach_v2(ci->cg, ci->pid, err) < 0)
		return -1;
	if (write(f->sync[1], "c", 1) != 1)
		return cvb_error_errno(err, errno, "cannot start the container's init");
	close(f->sync[1]);
	f->sync[1] = -1;
	cvb_instance_mark(inst, "child_released", spec->t_start_ns);
	if (wait_exec(f->err[0], ci->times, err) < 0)
		return -1;
	/* The child's id change marked our shared memory not dumpable. */
	prctl(PR_SET_DUMPABLE, 1);
	close(f->err[0]);
	f->err[0] = -1;
	return 0;
}

/* A launch that failed part way: explains it by the child's own words when
 * it failed first, closes what is open and undoes everything. */
static void launch_failed(struct cvb_instance *inst, struct launch_fds *f, struct cvb_error *err)
{
	struct container_inst *ci = inst->priv;
	if (f->sync[1] >= 0) {
		close(f->sync[1]); /* a child waiting for us gives up */
		f->sync[1] = -1;
	}
	if (f->err[0] >= 0 && ci->pid > 0) {
		char msg[300];
		if (read_child_message(f->err[0], 500, msg, sizeof(msg)) == 0 && msg[0])
			cvb_error_set(err, EPERM, "container set-up failed: %s", msg);
	}
	for (int i = 0; i < 2; i++) {
		int *fds[] = {&f->out[i], &f->in[i], &f->sync[i], &f->err[i]};
		for (size_t k = 0; k < 4; k++)
			if (*fds[k] >= 0)
				close(*fds[k]);
	}
	struct cvb_error terr = {0};
	if (container_destroy(inst, false, NULL, &terr) < 0 && err)
		snprintf(err->msg + strlen(err->msg), sizeof(err->msg) - strlen(err->msg),
		         "; teardown also failed: %s", terr.msg);
	container_release(inst);
}

static int container_launch(const struct cvb_launch_spec *spec, struct cvb_instance **out,
                            struct cvb_error *err)
{
	struct container_run *run = spec->run_state;
	const struct cvb_instance_config *cfg = &run->config;
	struct launch_fds f = {{-1, -1}, {-1, -1}, {-1, -1}, {-1, -1}};
	char name[96], hostname[65];
	struct cvb_instance *inst = new_instance(spec, run, err);
	if (!inst)
		return -1;
	struct container_inst *ci = inst->priv;

	snprintf(name, sizeof(name), "cvb-%s-%u", spec->run_id, spec->index);
	if (!cfg->no_cgroup && cvb_cgroup_create(&run->layout, "/", CGROUP_PARENT, name,
	                                         &ci->limits, &ci->cg, err) < 0)
		goto fail;
	if (ci->cg && attach_device_program(run, ci->cg, err) < 0)
		goto fail;
	cvb_instance_mark(inst, "cgroup_created", spec->t_start_ns);

	char *argv[CONTAINER_MAX_ARGS + 2];
	if (agent_argv(spec->agent_args, argv, err) < 0)
		goto fail;
	char env_run[128], env_inst[128];
	snprintf(env_run, sizeof(env_run), "CVB_RUN_ID=%s", spec->run_id);
	snprintf(env_inst, sizeof(env_inst), "CVB_INSTANCE=%s", name);
	/* The agent's parent (us), so it can tell it was orphaned early. */
	char env_ppid[48];
	snprintf(env_ppid, sizeof(env_ppid), "CVB_PARENT_PID=%ld", (long)getpid());
	char *envp[] = {"PATH=/usr/sbin:/usr/bin:/sbin:/bin", env_run, env_inst, env_ppid, NULL};
	snprintf(hostname, sizeof(hostname), "%s", name);

	if (open_pipes(&f, err) < 0)
		goto fail;
	cpu_set_t pin;
	if (spec->cpus && cvb_cpulist_to_cpuset(spec->cpus, &pin, err) < 0)
		goto fail;
	size_t n_task_files =
	    cvb_cgroup_v1_task_files(ci->cg, ci->task_files, CVB_MAX_V1_HIERARCHIES);
	if (n_task_files == CVB_MAX_V1_HIERARCHIES) {
		cvb_error_set(err, E2BIG, "more than %d cgroup v1 hierarchies",
		              CVB_MAX_V1_HIERARCHIES - 1);
		goto fail;
	}
	int cgroup_fd = cvb_cgroup_dirfd_v2(ci->cg);
	bool cgroup_at_clone = cgroup_fd >= 0;
	struct cvb_child_args args = {
	    .rootfs = run->rootfs,
	    .hostname = hostname,
	    .argv = argv,
	    .envp = envp,
	    .namespaces = cfg->namespaces,
	    .harden = cfg->harden,
	    .rootfs_writable = cfg->rootfs_writable,
	    .unshare_cgroup_late = (cfg->namespaces & CVB_NS_CGROUP) && !cgroup_at_clone,
	    .cap_last_cap = run->cap_last_cap,
	    .seccomp = &run->seccomp,
	    .sync_fd = f.sync[0],
	    .err_fd = f.err[1],
	    .stdin_fd = f.in[0],
	    .stdout_fd = f.out[1],
	    .times = ci->times,
	    .task_files = ci->task_files,
	    .n_task_files = n_task_files,
	    .cpus = spec->cpus ? &pin : NULL,
	};
	/* No harness signal handler may run in the child before it has reset
	 * them (as posix_spawn does): block everything across clone. */
	sigset_t all, saved;
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &saved);
	args.sigmask = &saved;
	const char *how;
	pid_t pid = clone_child(clone_flags(cfg->namespaces, cgroup_at_clone), cgroup_fd,
	                        run->child_stack, &args, &ci->pidfd, &how);
	int clone_errno = errno;
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (pid < 0) {
		cvb_error_errno(err, clone_errno, "cannot create the container's init (%s)", how);
		goto fail;
	}
	ci->pid = pid;
	ci->created_by = how;
	cvb_instance_mark(inst, "cloned", spec->t_start_ns);
	keep_parent_ends(inst, &f);
	if (ci->pidfd < 0)
		ci->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (release_child(inst, spec, cgroup_at_clone, &f, err) < 0)
		goto fail;
	mark_child_phases(inst, ci->times, spec->t_start_ns);
	*out = inst;
	return 0;
fail:
	launch_failed(inst, &f, err);
	return -1;
}

/* Host-side memory of the container: its cgroup's charge, and the PSS, RSS
 * and USS of its init (the agent). */
static int container_measure(struct cvb_instance *inst, struct cvb_usage *u, struct cvb_error *err)
{
	struct container_inst *ci = inst->priv;
	struct cvb_proc_memory m;
	struct cvb_cgroup_usage cu;
	*u = CVB_USAGE_UNKNOWN;
	if (cvb_proc_memory_read("/proc", ci->pid, &m, err) < 0)
		return -1;
	u->rss_bytes = m.rss_bytes;
	u->pss_bytes = m.pss_bytes;
	u->uss_bytes = m.uss_bytes;
	if (ci->cg && cvb_cgroup_usage_read(ci->cg, &cu, err) < 0)
		return -1;
	u->cpu_ns = ci->cg ? cu.cpu_usage_ns : -1;
	u->cgroup_memory_bytes = ci->cg ? cu.memory_current : -1;
	return 0;
}

static int container_destroy(struct cvb_instance *inst, bool graceful, struct cvb_exit *exit,
                             struct cvb_error *err)
{
	struct container_inst *ci = inst->priv;
	int rc = 0;
	if (ci->destroyed)
		goto out;
	ci->destroyed = true;
	if (inst->in_fd >= 0) {
		close(inst->in_fd);
		inst->in_fd = -1;
	}
	if (ci->pid > 0) {
		bool gone = cvb_pidfd_wait(ci->pidfd, graceful ? CONTAINER_EXIT_GRACE_MS : 0);
		ci->exit.killed = !gone;
		if (!gone && kill(ci->pid, SIGKILL) < 0 && errno != ESRCH)
			rc = cvb_error_errno(err, errno, "cannot kill the container's init %d",
			                     (int)ci->pid);
		/* The agent's own CPU and peak RSS, as the native backend reports
		 * them; the cgroup's (set-up included) are in the launch's facts. */
		if (cvb_reap(ci->pid, &ci->exit) < 0 && rc == 0)
			rc = cvb_error_errno(err, errno, "cannot reap the container's init %d",
			                     (int)ci->pid);
	}
	if (ci->cg) {
		struct cvb_error e2 = {0};
		/* The init's death ends its PID namespace; without one, or if
		 * something escaped, the cgroup still holds every task. */
		if (cvb_cgroup_kill(ci->cg, &e2) < 0 && rc == 0)
			rc = cvb_error_set(err, e2.code, "%s", e2.msg);
		if (cvb_cgroup_usage_read(ci->cg, &ci->usage, &e2) == 0) {
			ci->have_usage = true;
			if (ci->usage.oom_kills > 0)
				snprintf(ci->exit.note, sizeof(ci->exit.note),
				         "OOM kill in the container's cgroup (%lld kill(s); memory "
				         "limit %lld bytes)",
				         (long long)ci->usage.oom_kills,
				         (long long)ci->limits.memory_max_bytes);
		}
		if (cvb_cgroup_destroy(ci->cg, &e2) < 0 && rc == 0)
			rc = cvb_error_set(err, e2.code, "%s", e2.msg);
	}
out:
	if (ci->pidfd >= 0) {
		close(ci->pidfd);
		ci->pidfd = -1;
	}
	if (inst->out_fd >= 0) {
		close(inst->out_fd);
		inst->out_fd = -1;
	}
	if (ci->times) {
		munmap(ci->times, sizeof(*ci->times));
		ci->times = NULL;
	}
	if (exit)
		*exit = ci->exit;
	return rc;
}

static cJSON *container_describe_instance(struct cvb_instance *inst)
{
	struct container_inst *ci = inst->priv;
	if (!ci->have_usage)
		return NULL;
	const struct cvb_cgroup_usage *u = &ci->usage;
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "limits", limits_json(&ci->limits, ci->pids_max_default));
	/* Which path ran (clone3 into the cgroup on pure v2): tests assert it. */
	if (ci->created_by)
		cJSON_AddStringToObject(o, "created_by", ci->created_by);
	cJSON *c = cJSON_AddObjectToObject(o, "cgroup_usage");
	add_limit(c, "memory_peak_bytes", u->memory_peak);
	add_limit(c, "cpu_usage_ns", u->cpu_usage_ns);
	add_limit(c, "nr_periods", u->nr_periods);
	add_limit(c, "nr_throttled", u->nr_throttled);
	add_limit(c, "throttled_ns", u->throttled_ns);
	add_limit(c, "oom_kills", u->oom_kills);
	return o;
}

static void container_release(struct cvb_instance *inst)
{
	if (!inst)
		return;
	struct container_inst *ci = inst->priv;
	if (ci)
		cvb_cgroup_free(ci->cg);
	free(ci);
	free(inst);
}

/* The top run directory, for cleanup to remove runs below it: NULL with
 * err unset if there is none, NULL with err set if it is not root's alone
 * (a symlink, another owner, writable by others), where root must not
 * delete anything. */
static DIR *open_run_dir_top(struct cvb_error *err)
{
	struct stat st;
	int fd = open(CVB_CONTAINER_RUN_DIR, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			cvb_error_errno(err, errno,
			                "refusing to clean '%s' (a symlink or not a directory?): "
			                "remove it by hand",
			                CVB_CONTAINER_RUN_DIR);
		return NULL;
	}
	if (fstat(fd, &st) < 0) {
		cvb_error_errno(err, errno, "cannot stat '%s'", CVB_CONTAINER_RUN_DIR);
		close(fd);
		return NULL;
	}
	if (st.st_uid != 0 || (st.st_mode & 022)) {
		cvb_error_set(err, EPERM,
		              "refusing to clean '%s': not root's alone (owner uid %u, mode "
		              "%04o); remove it by hand",
		              CVB_CONTAINER_RUN_DIR, (unsigned)st.st_uid,
		              (unsigned)(st.st_mode & 07777));
		close(fd);
		return NULL;
	}
	DIR *d = fdopendir(fd);
	if (!d) {
		cvb_error_errno(err, errno, "cannot read '%s'", CVB_CONTAINER_RUN_DIR);
		close(fd);
	}
	return d;
}

static int container_cleanup(bool dry_run, bool (*is_live)(const char *name),
                             void (*report)(void *ctx, const char *what), void *ctx,
                             struct cvb_error *err)
{
	struct cvb_cgroup_layout layout;
	int found;
	if (cvb_cgroup_layout_detect("/", &layout, err) < 0)
		return -1;
	found = cvb_cgroup_cleanup_select(&layout, "/", CGROUP_PARENT, is_live, dry_run, report,
	                                  ctx, err);
	cvb_cgroup_layout_clear(&layout);
	if (found < 0)
		return -1;
	DIR *d = open_run_dir_top(err);
	if (!d)
		return err && err->code ? -1 : found;
	struct dirent *e;
	char path[PATH_MAX], what[PATH_MAX + 32];
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, "cvb-", 4) != 0 || is_live(e->d_name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", CVB_CONTAINER_RUN_DIR, e->d_name);
		struct cvb_error rm_err = {0};
		if (dry_run || cvb_remove_tree_err(path, &rm_err) == 0) {
			snprintf(what, sizeof(what), "rootfs %s", path);
			report(ctx, what);
			if (found >= 0)
				found++;
		} else if (found >= 0) { /* the first failure is the one told */
			cvb_error_set(err, rm_err.code, "%s; remove what remains by hand",
			              rm_err.msg);
			found = -1;
		}
	}
	closedir(d);
	if (!dry_run)
		rmdir(CVB_CONTAINER_RUN_DIR); /* only if empty */
	return found;
}

const struct cvb_backend cvb_backend_container = {
    .name = "container",
    .summary = "cvbench's own runtime: namespaces, cgroup, minimal rootfs, pivot_root",
    .caps = CVB_CAP_PIN | CVB_CAP_CGROUP_LIMITS,
    .default_timeout_ms = 10000,
    .describe_config = cvb_container_describe_config,
    .typical_launch_s = 0.01,
    .typical_slowdown = 1.0,
    .options = cvb_container_option_rows,
    .options_heading = "container instances (other backends record these as not applicable):",
    .probe = container_probe,
    .doctor = cvb_container_doctor,
    .validate = container_validate,
    .run_begin = container_run_begin,
    .describe_run = container_describe_run,
    .run_end = container_run_end,
    .cleanup = container_cleanup,
    .launch = container_launch,
    .measure = container_measure,
    .describe_instance = container_describe_instance,
    .destroy = container_destroy,
    .release = container_release,
};

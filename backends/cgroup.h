/* One cgroup per container instance, under a shared parent ("cvbench"), in
 * every hierarchy that holds a controller cvbench uses: a single directory on
 * pure cgroup v2, one per hierarchy on v1, and both kinds on hybrid hosts
 * (cvb_cgroup_layout_find() decides where each controller lives).
 *
 * Hierarchies joined: memory, cpu, cpuacct, pids and freezer whenever the host
 * has them (accounting and killing); v1 devices whenever the host has it (the
 * device allowlist, device_filter.h: devices.deny "a", then devices.allow
 * for each rule; on v2 the caller attaches the allowlist as a BPF program);
 * cpuset and io/blkio only when their limits are set (a v1 cpuset cgroup
 * needs cpus and mems populated before a task can join it).
 *
 * Limit files written (only for limits that are set, -1/NULL is unset):
 *   limit            cgroup v2                          cgroup v1
 *   cpu_quota_us     cpu.max "<quota> <period>"         cpu.cfs_period_us, then cpu.cfs_quota_us
 *   cpu_period_us    (period; 100000 with a quota)      (period; 100000 with a quota)
 *                    "max <period>" without a quota     cpu.cfs_period_us alone without a quota
 *   cpu_weight       cpu.weight N                       cpu.shares N*1024/100 (at least 2)
 *   cpuset_cpus      cpuset.cpus                        cpuset.cpus (else copied from the parent)
 *   cpuset_mems      cpuset.mems                        cpuset.mems (else copied from the parent)
 *   memory_max_bytes memory.max                         memory.limit_in_bytes
 *   swap_max_bytes   memory.swap.max                    memory.memsw.limit_in_bytes = memory + swap
 *                                                       (needs a memory limit and swap accounting)
 *   pids_max         pids.max                           pids.max
 *   io_weight        io.weight "default N"              blkio.weight N (10..1000, else an error)
 * On a host without io.weight / blkio.weight (blk-mq kernels without io.cost)
 * the BFQ file io.bfq.weight / blkio.bfq.weight takes the same value when it
 * exists. On v2 the needed controllers are also enabled ("+cpu +memory ...")
 * in <v2 mount>/cgroup.subtree_control and <v2 mount>/<parent>/cgroup.subtree_control
 * unless already enabled there. On v1 the parent's own cpuset.cpus/mems are
 * copied from the hierarchy root when empty.
 *
 * Usage files read: v2 memory.current, memory.peak, cpu.stat (usage_usec,
 * nr_periods, nr_throttled, throttled_usec), pids.current, memory.events
 * (oom_kill); v1 memory.usage_in_bytes, memory.max_usage_in_bytes,
 * cpuacct.usage, cpu.stat (nr_periods, nr_throttled, throttled_time),
 * pids.current, memory.oom_control (oom_kill).
 *
 * Fake trees: with a root other than "/", a control file that does not exist
 * is created on write (on a real cgroupfs the files exist by themselves, and a
 * missing one means a missing controller or feature, reported as an error),
 * and removing a cgroup first unlinks the regular files in it. Tests build
 * such trees under a temporary directory. */
#ifndef CVB_CGROUP_H
#define CVB_CGROUP_H

#include "cgroup_layout.h"
#include "cvb_error.h"
#include "instance_config.h"

#include <cjson/cJSON.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* How long cvb_cgroup_kill() keeps signalling before it gives up. */
#define CVB_CGROUP_KILL_TIMEOUT_MS 2000

/* Opaque: the directories it created in each hierarchy and the files it wrote
 * while creating them. Holds no reference to the layout it was made from. */
struct cvb_cgroup;

/* Readings of an instance's cgroup; -1 means unknown on this host. */
struct cvb_cgroup_usage {
	int64_t memory_current;           /* bytes charged now */
	int64_t memory_peak;              /* high-water mark, bytes */
	int64_t cpu_usage_ns;             /* CPU time of all tasks, user + system */
	int64_t nr_periods, nr_throttled; /* CFS bandwidth periods, and throttled ones */
	int64_t throttled_ns;
	int64_t pids_current;
	int64_t oom_kills; /* tasks killed by the OOM killer inside the cgroup */
};

/* Creates <root><mount>/<parent>/<name> in every hierarchy needed (root is "/"
 * on a real host, a fake tree's prefix in tests; parent is created once and
 * kept between instances; name is "cvb-<run-id>-<n>") and writes the limits
 * that are set (see the table above). An existing <name> is an error (a
 * leftover: `cvbench cleanup`). A refused write fails with the file, value and
 * errno ("cannot write '50000 100000' to /sys/fs/cgroup/cpu.max: Invalid
 * argument"); a limit whose controller the host lacks fails naming the
 * controller. On failure everything it created is removed again. On success
 * *out (caller frees with cvb_cgroup_free) is set; the layout may be released
 * afterwards. Returns 0 or -1 with err filled. */
int cvb_cgroup_create(const struct cvb_cgroup_layout *layout, const char *root, const char *parent,
                      const char *name, const struct cvb_limits *lim, struct cvb_cgroup **out,
                      struct cvb_error *err);

/* Moves process pid (all its threads) into the instance's cgroup in every
 * hierarchy by writing it to each cgroup.procs. Returns 0 or -1 with err. */
int cvb_cgroup_attach(struct cvb_cgroup *cg, pid_t pid, struct cvb_error *err);

/* The `tasks` files of the instance's cgroup v1 directories, into paths (at
 * most max); returns how many. A single-threaded process moves itself into
 * its cgroup by writing "0" to each: a thread moving itself skips the global
 * cgroup_threadgroup_rwsem that cgroup.procs takes, whose first use after a
 * quiet spell waits for an RCU grace period (measured here: 0.1 ms against
 * 7 to 14 ms). The container's init does this between clone and exec. */
size_t cvb_cgroup_v1_task_files(const struct cvb_cgroup *cg, char (*paths)[PATH_MAX], size_t max);

/* Like cvb_cgroup_attach, for the cgroup v2 directory only (hybrid hosts
 * with controllers on v2; pure v2 hosts clone straight into the cgroup). */
int cvb_cgroup_attach_v2(struct cvb_cgroup *cg, pid_t pid, struct cvb_error *err);

/* The O_DIRECTORY fd of the v2 cgroup, for clone3(CLONE_INTO_CGROUP), when
 * every hierarchy the instance uses is the v2 one; -1 otherwise (v1 or hybrid:
 * the caller attaches the child with cvb_cgroup_attach() before it execs).
 * The fd belongs to cg (closed by destroy/free); it is close-on-exec. */
int cvb_cgroup_dirfd_v2(const struct cvb_cgroup *cg);

/* True when the instance has a v1 devices directory, its allowlist written
 * by create; false on v2, where the caller attaches the BPF program. */
bool cvb_cgroup_has_devices_v1(const struct cvb_cgroup *cg);

/* True when every instance gets a cgroup v2 directory on this layout (a
 * controller joined whatever the limits lives on v2), without creating one. */
bool cvb_cgroup_layout_joins_v2(const struct cvb_cgroup_layout *layout);

/* The pids.max of an instance that asked for none: a fork bomb inside would
 * otherwise fill the host's pid table (podman's default is 2048; docker and
 * runc set none). */
#define CVB_CGROUP_DEFAULT_PIDS_MAX 4096

/* Sets lim->pids_max to CVB_CGROUP_DEFAULT_PIDS_MAX when it is unset and the
 * layout has a pids controller (v1 or v2); returns true when it did. */
bool cvb_cgroup_default_pids(const struct cvb_cgroup_layout *layout, struct cvb_limits *lim);

/* The instance's cgroup v2 directory (owned by cg), or NULL when it uses
 * none (pure v1, or a hybrid host with every controller on v1). */
const char *cvb_cgroup_v2_path(const struct cvb_cgroup *cg);

/* Reads the usage files; a missing file gives -1 for its fields, an
 * unreadable or malformed one fails. Returns 0 or -1 with err. */
int cvb_cgroup_usage_read(struct cvb_cgroup *cg, struct cvb_cgroup_usage *u, struct cvb_error *err);

/* Kills every task in the cgroup and its sub-cgroups: writes cgroup.kill on v2
 * when the kernel has it; otherwise freezes (v1 freezer.state, v2
 * cgroup.freeze, when present) so that forks cannot refill it, SIGKILLs every
 * pid in cgroup.procs of every hierarchy, and thaws. Repeats until every
 * cgroup.procs is empty, at most CVB_CGROUP_KILL_TIMEOUT_MS. Refuses when the
 * calling process itself is inside. Reaping is the caller's job. Returns 0,
 * or -1 with err naming the cgroup that would not empty. */
int cvb_cgroup_kill(struct cvb_cgroup *cg, struct cvb_error *err);

/* Removes the instance's directory in every hierarchy (sub-cgroups first,
 * retrying briefly while the kernel reports it busy); keeps the parent. Call
 * cvb_cgroup_kill() first. Idempotent: what is already gone is skipped, what
 * failed is retried by the next call. Tries every hierarchy and reports the
 * first error. Returns 0 or -1 with err. */
int cvb_cgroup_destroy(struct cvb_cgroup *cg, struct cvb_error *err);

/* Frees cg (NULL is fine) and closes its v2 fd; removes nothing. */
void cvb_cgroup_free(struct cvb_cgroup *cg);

/* For the results: {"hierarchies": {"memory": "<dir>", "cpu": "<dir>", ...},
 * "writes": [{"file": "<path>", "value": "<text>"}, ...]} with one key per
 * controller used (v2 controllers share one dir) and every configuration
 * write in order (parent set-up included; attach and kill writes are not).
 * Returns a new object (caller owns) or NULL when out of memory. */
cJSON *cvb_cgroup_describe(const struct cvb_cgroup *cg);

/* `cvbench cleanup`: in every hierarchy of the layout, kills the tasks of
 * each <root><mount>/<parent>/cvb-* cgroup and removes it (sub-cgroups
 * included), calling report(ctx, path) for each directory removed; then
 * removes the <parent> directories left empty. One instance on a v1 host
 * counts once per hierarchy. Returns the number of directories removed, or
 * -1 with err (the first failure; the others are still attempted). */
int cvb_cgroup_cleanup_stale(const struct cvb_cgroup_layout *layout, const char *root,
                             const char *parent, void (*report)(void *ctx, const char *what),
                             void *ctx, struct cvb_error *err);

/* Like cvb_cgroup_cleanup_stale, sparing the cvb-* cgroups for which
 * keep(name) is true (a run still in progress), and with dry_run only
 * reporting ("cgroup <parent>/<name>") what it would remove. */
int cvb_cgroup_cleanup_select(const struct cvb_cgroup_layout *layout, const char *root,
                              const char *parent, bool (*keep)(const char *name), bool dry_run,
                              void (*report)(void *ctx, const char *what), void *ctx,
                              struct cvb_error *err);

#endif

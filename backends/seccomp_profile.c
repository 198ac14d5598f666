/* The seccomp profiles' tables (see seccomp_profile.h), their counts and
 * their summaries. The default profile follows moby's default profile for
 * what a container may do and is stricter where moby's own rules depend on
 * capabilities the kept set (harden.h) does not have. */
#include "seccomp_profile.h"

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/socket.h>

#define NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The namespace flags of clone(2). CLONE_NEWTIME (0x80) shares its bit with
 * the exit signal in clone(2): it only exists for clone3 and unshare, which
 * the profile refuses anyway. */
#define CLONE_NAMESPACE_FLAGS                                                                      \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | \
	 CLONE_NEWCGROUP)

/* s390 swaps clone's first two arguments. */
#if defined(__s390__) || defined(__s390x__)
#define CLONE_FLAGS_ARG 1
#else
#define CLONE_FLAGS_ARG 0
#endif

static const struct cvb_seccomp_group default_groups[] = {
    /* ---- allowed ---- */
    {"program start and exit",
     "what a static or dynamic program does from its first instruction to exit_group: the exec "
     "itself (the runtime's last call before the agent runs), TLS and thread-list setup, "
     "resource limits, the random seed of the stack protector and malloc",
     CVB_SCMP_ALLOW,
     .names = NAMES("execve", "execveat", "exit", "exit_group", "arch_prctl", "set_tid_address",
                    "set_robust_list", "get_robust_list", "rseq", "restart_syscall",
                    "set_thread_area", "get_thread_area", "uname", "sysinfo", "prlimit64",
                    "getrlimit", "ugetrlimit", "setrlimit", "getrandom")},
    {"memory",
     "the process's own address space: mappings, protection, advice, locking (bounded by "
     "RLIMIT_MEMLOCK and the memory cgroup); NUMA policy (mbind, set_mempolicy, move_pages) is "
     "left out, as moby leaves it to CAP_SYS_NICE",
     CVB_SCMP_ALLOW,
     .names = NAMES("brk", "mmap", "mmap2", "munmap", "mprotect", "mremap", "madvise", "mincore",
                    "msync", "mlock", "mlock2", "mlockall", "munlock", "munlockall", "membarrier",
                    "memfd_create", "pkey_alloc", "pkey_free", "pkey_mprotect", "remap_file_pages",
                    "map_shadow_stack")},
    {"file I/O",
     "reading, writing, syncing and duplicating descriptors the process already holds; ioctl as "
     "in moby (terminals, the VM agent's console): which devices open at all is for the device "
     "rules and capabilities to decide",
     CVB_SCMP_ALLOW,
     .names = NAMES("read", "write", "readv", "writev", "pread64", "pwrite64", "preadv", "preadv2",
                    "pwritev", "pwritev2", "lseek", "_llseek", "close", "close_range", "dup",
                    "dup2", "dup3", "fcntl", "fcntl64", "ioctl", "flock", "fsync", "fdatasync",
                    "sync", "syncfs", "sync_file_range", "fallocate", "ftruncate", "ftruncate64",
                    "truncate", "truncate64", "fadvise64", "fadvise64_64", "readahead", "sendfile",
                    "sendfile64", "splice", "tee", "vmsplice", "copy_file_range")},
    {"paths and file metadata",
     "the file tree the runtime built (rootfs, /proc, /dev, /scratch): permissions, "
     "capabilities and mount flags decide what succeeds; mknod and chroot as in moby, whose "
     "default capabilities keep CAP_MKNOD and CAP_SYS_CHROOT",
     CVB_SCMP_ALLOW,
     .names = NAMES("open", "openat", "openat2", "creat", "stat", "lstat", "fstat", "newfstatat",
                    "stat64", "lstat64", "fstat64", "fstatat64", "statx", "statfs", "fstatfs",
                    "statfs64", "fstatfs64", "access", "faccessat", "faccessat2", "getdents",
                    "getdents64", "getcwd", "chdir", "fchdir", "chroot", "mkdir", "mkdirat",
                    "rmdir", "unlink", "unlinkat", "rename", "renameat", "renameat2", "link",
                    "linkat", "symlink", "symlinkat", "readlink", "readlinkat", "chmod", "fchmod",
                    "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "chown32",
                    "fchown32", "lchown32", "umask", "utime", "utimes", "utimensat", "futimesat",
                    "mknod", "mknodat", "getxattr", "lgetxattr", "fgetxattr", "setxattr",
                    "lsetxattr", "fsetxattr", "listxattr", "llistxattr", "flistxattr",
                    "removexattr", "lremovexattr", "fremovexattr", "inotify_init", "inotify_init1",
                    "inotify_add_watch", "inotify_rm_watch", "fanotify_mark")},
    {"waiting for events",
     "poll, select, epoll and the descriptors that turn events into reads (eventfd, signalfd, "
     "timerfd)",
     CVB_SCMP_ALLOW,
     .names =
         NAMES("poll", "ppoll", "select", "_newselect", "pselect6", "epoll_create", "epoll_create1",
               "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "eventfd", "eventfd2",
               "signalfd", "signalfd4", "timerfd_create", "timerfd_settime", "timerfd_gettime")},
    {"pipes and IPC",
     "pipes, and SysV and POSIX IPC objects, which live in the container's IPC namespace",
     CVB_SCMP_ALLOW,
     .names = NAMES("pipe", "pipe2", "msgget", "msgsnd", "msgrcv", "msgctl", "semget", "semop",
                    "semtimedop", "semctl", "shmget", "shmat", "shmdt", "shmctl", "ipc", "mq_open",
                    "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr")},
    {"sockets: AF_UNIX/INET/INET6/NETLINK only",
     "families that stay inside the container's network namespace; AF_VSOCK reaches the "
     "hypervisor's and the host's vsock services, and rarely used families autoload kernel "
     "modules on first use (AF_PACKET, AF_ALG and the rest get EPERM too)",
     CVB_SCMP_ALLOW_ARG_IN, .arg = 0, .values = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK},
     .n_values = 4, .names = NAMES("socket")},
    {"socket calls",
     "calls on sockets the process could create (or was given); socketpair only makes AF_UNIX "
     "pairs",
     CVB_SCMP_ALLOW,
     .names = NAMES("socketpair", "bind", "connect", "listen", "accept", "accept4", "getsockname",
                    "getpeername", "getsockopt", "setsockopt", "sendto", "recvfrom", "sendmsg",
                    "recvmsg", "sendmmsg", "recvmmsg", "shutdown", "send", "recv")},
    {"signals",
     "handlers, masks and sending: a signal reaches only processes of the container's PID "
     "namespace that the sender's credentials allow",
     CVB_SCMP_ALLOW,
     .names = NAMES("rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "rt_sigpending",
                    "rt_sigsuspend", "rt_sigtimedwait", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
                    "sigaltstack", "sigreturn", "sigprocmask", "kill", "tkill", "tgkill", "pause",
                    "alarm", "getitimer", "setitimer", "pidfd_open", "pidfd_send_signal")},
    {"time (read)",
     "reading clocks, sleeping and the process's own timers; setting a clock is denied: the "
     "clock is the host's",
     CVB_SCMP_ALLOW,
     .names = NAMES("clock_gettime", "clock_getres", "clock_nanosleep", "gettimeofday", "time",
                    "nanosleep", "times", "timer_create", "timer_settime", "timer_gettime",
                    "timer_getoverrun", "timer_delete", "clock_gettime64", "clock_getres_time64",
                    "clock_nanosleep_time64", "timer_settime64", "timer_gettime64")},
    {"process lifecycle",
     "fork, wait, process groups and sessions, prctl (death signal, names, no_new_privs: its "
     "privileged options check capabilities), usage",
     CVB_SCMP_ALLOW,
     .names = NAMES("fork", "vfork", "wait4", "waitid", "waitpid", "getpid", "getppid", "gettid",
                    "getpgid", "setpgid", "getpgrp", "getsid", "setsid", "prctl", "getrusage")},
    {"clone without namespace flags",
     "threads and fork; a clone with a CLONE_NEW* flag gets EPERM: a new user namespace needs "
     "no capability and gives back a full set inside it (moby's masked rule)",
     CVB_SCMP_ALLOW_ARG_MASK_0, .arg = CLONE_FLAGS_ARG, .mask = CLONE_NAMESPACE_FLAGS,
     .names = NAMES("clone")},
    {"personality: moby's personas",
     "the query (0xffffffff), PER_LINUX, PER_LINUX32 and UNAME26; other personas (for "
     "ADDR_NO_RANDOMIZE, READ_IMPLIES_EXEC) weaken the next exec's ASLR or W^X",
     CVB_SCMP_ALLOW_ARG_IN, .arg = 0,
     .values = {PER_LINUX, PER_LINUX32, UNAME26, UNAME26 | PER_LINUX32, 0xffffffffu}, .n_values = 5,
     .names = NAMES("personality")},
    {"identity and capabilities",
     "reading and changing ids and capabilities: the kernel checks CAP_SETUID/SETGID and the "
     "user namespace's map, and capset can only lower",
     CVB_SCMP_ALLOW,
     .names = NAMES("getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid", "getgroups",
                    "setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
                    "setfsuid", "setfsgid", "setgroups", "capget", "capset", "getuid32",
                    "geteuid32", "getgid32", "getegid32", "setuid32", "setgid32", "setresuid32",
                    "setresgid32", "setgroups32", "getgroups32")},
    {"scheduling",
     "affinity (within the cgroup's cpuset), policy and priority (real-time and raising them "
     "need CAP_SYS_NICE), I/O priority, the current CPU",
     CVB_SCMP_ALLOW,
     .names = NAMES("sched_yield", "sched_getaffinity", "sched_setaffinity", "sched_getparam",
                    "sched_setparam", "sched_getscheduler", "sched_setscheduler",
                    "sched_get_priority_max", "sched_get_priority_min", "sched_rr_get_interval",
                    "sched_getattr", "sched_setattr", "getpriority", "setpriority", "getcpu",
                    "ioprio_get", "ioprio_set")},
    {"futexes", "locks and thread joins", CVB_SCMP_ALLOW,
     .names = NAMES("futex", "futex_waitv", "futex_wake", "futex_wait", "futex_requeue",
                    "futex_time64")},
    {"legacy AIO", "the old asynchronous I/O calls, bounded by fs.aio-max-nr (not io_uring)",
     CVB_SCMP_ALLOW,
     .names = NAMES("io_setup", "io_destroy", "io_submit", "io_cancel", "io_getevents",
                    "io_pgetevents")},
    {"restricting itself further",
     "a process may add seccomp filters and Landlock rules: they only take rights away",
     CVB_SCMP_ALLOW,
     .names = NAMES("seccomp", "landlock_create_ruleset", "landlock_add_rule",
                    "landlock_restrict_self")},
    /* ---- refused with something else than the default action ---- */
    {"clone3: ENOSYS",
     "its flags are in memory a filter cannot read, so it cannot be checked like clone; ENOSYS "
     "makes glibc (2.34+) fall back to clone, as moby does",
     CVB_SCMP_ERRNO, .errno_ret = ENOSYS, .names = NAMES("clone3")},
    /* ---- denied by the default action, listed for the reason ---- */
    {"ptrace class",
     "reading or steering another process (moby allows these only with CAP_SYS_PTRACE, which "
     "the kept set lacks): pidfd_getfd copies a descriptor out of it, process_madvise drops its "
     "memory, kcmp compares its kernel objects",
     CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names = NAMES("ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
                    "process_madvise", "kcmp")},
    {"io_uring",
     "a second system call interface whose operations no filter sees, and a rich source of "
     "kernel bugs (moby allows it; Android, ChromeOS and Google's servers turn it off)",
     CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names = NAMES("io_uring_setup", "io_uring_enter", "io_uring_register")},
    {"namespaces and mounts",
     "the runtime builds the container's view before the filter goes on: the container must "
     "neither change it nor leave it (the new mount API too, which would bypass mount)",
     CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names =
         NAMES("unshare", "setns", "mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig",
               "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr", "open_tree_attr")},
    {"kernel and host administration",
     "modules, kexec, reboot, swap, accounting, clocks, BPF, perf, userfaultfd, keyrings, file "
     "handles, raw I/O ports, quotas, the kernel log, host and domain names, NUMA placement: the "
     "host's business, not a container's",
     CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names =
         NAMES("kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
               "create_module", "reboot", "swapon", "swapoff", "acct", "settimeofday",
               "clock_settime", "clock_adjtime", "adjtimex", "stime", "bpf", "perf_event_open",
               "userfaultfd", "keyctl", "add_key", "request_key", "open_by_handle_at",
               "name_to_handle_at", "lookup_dcookie", "iopl", "ioperm", "quotactl", "quotactl_fd",
               "syslog", "vhangup", "sethostname", "setdomainname", "fanotify_init", "mbind",
               "set_mempolicy", "get_mempolicy", "move_pages", "migrate_pages", "modify_ldt",
               "uselib", "ustat", "sysfs", "_sysctl", "nfsservctl")},
};

/* Earlier versions' profile: default allow and these, exactly, EPERM. */
static const struct cvb_seccomp_group denylist_groups[] = {
    {"kernel code", "modules and kexec replace the host's kernel", CVB_SCMP_ERRNO,
     .errno_ret = EPERM,
     .names = NAMES("kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
                    "create_module")},
    {"host administration", "reboot, swap, process accounting, the kernel log, vhangup",
     CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names = NAMES("reboot", "swapon", "swapoff", "acct", "syslog", "vhangup")},
    {"clocks", "the clock is the host's", CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names = NAMES("settimeofday", "clock_settime", "clock_adjtime", "adjtimex", "stime")},
    {"kernel interfaces", "BPF, perf and userfaultfd: large attack surface", CVB_SCMP_ERRNO,
     .errno_ret = EPERM, .names = NAMES("bpf", "perf_event_open", "userfaultfd")},
    {"keyrings", "not namespaced", CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names = NAMES("keyctl", "add_key", "request_key")},
    {"tracing", "ptrace and its relatives (not pidfd_getfd, process_madvise: left open)",
     CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names = NAMES("ptrace", "process_vm_readv", "process_vm_writev", "kcmp")},
    {"file handles, ports, quotas", "open_by_handle_at escapes a chroot; raw I/O ports",
     CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names = NAMES("open_by_handle_at", "name_to_handle_at", "lookup_dcookie", "iopl", "ioperm",
                    "quotactl", "quotactl_fd")},
    {"mounts and namespaces",
     "the container's view stays as built (clone's namespace flags, clone3 and calls newer "
     "than libseccomp stay open)",
     CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names = NAMES("mount", "umount", "umount2", "pivot_root", "fsopen", "fsconfig", "fsmount",
                    "fspick", "move_mount", "open_tree", "mount_setattr", "unshare", "setns")},
    {"obsolete", "calls nothing modern needs", CVB_SCMP_ERRNO, .errno_ret = EPERM,
     .names = NAMES("nfsservctl", "uselib", "ustat", "sysfs", "_sysctl", "get_kernel_syms",
                    "query_module", "vm86", "vm86old")},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct cvb_seccomp_profile profiles[CVB_SECCOMP_PROFILE_COUNT] = {
    [CVB_SECCOMP_PROFILE_DEFAULT] = {"default", false, true, default_groups, COUNT(default_groups)},
    [CVB_SECCOMP_PROFILE_DENYLIST] = {"denylist", true, false, denylist_groups,
                                      COUNT(denylist_groups)},
};

const struct cvb_seccomp_profile *cvb_seccomp_profile_get(enum cvb_seccomp_profile_id id)
{
	return (unsigned)id < CVB_SECCOMP_PROFILE_COUNT ? &profiles[id] : NULL;
}

int cvb_seccomp_profile_find(const char *name)
{
	for (int i = 0; i < CVB_SECCOMP_PROFILE_COUNT; i++)
		if (strcmp(profiles[i].name, name) == 0)
			return i;
	return -1;
}

int cvb_seccomp_name_nr(const char *name)
{
	return seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, name);
}

static int highest_known = -1;
static pthread_once_t highest_known_once = PTHREAD_ONCE_INIT;

/* libseccomp 2.5 has no call for it: ask for every number's name. Native
 * numbers are small everywhere (x86_64 < 512, MIPS o32 4000 + n below
 * 4096 + 4000): 8192 covers them. */
static void highest_known_find(void)
{
	for (int nr = 0; nr < 8192; nr++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		if (name) {
			highest_known = nr;
			free(name);
		}
	}
}

int cvb_seccomp_highest_known_nr(void)
{
	pthread_once(&highest_known_once, highest_known_find);
	return highest_known;
}

static bool group_allows(const struct cvb_seccomp_group *g)
{
	return g->rule != CVB_SCMP_ERRNO;
}

/* Whether `name` already appeared (resolved) in an earlier counted slot. */
static bool counted_before(const struct cvb_seccomp_profile *p, size_t gi, size_t ni)
{
	const char *name = p->groups[gi].names[ni];
	for (size_t g = 0; g <= gi; g++) {
		const struct cvb_seccomp_group *grp = &p->groups[g];
		if (group_allows(grp) != group_allows(&p->groups[gi]))
			continue;
		for (size_t n = 0; grp->names[n] && (g < gi || n < ni); n++)
			if (strcmp(grp->names[n], name) == 0)
				return true;
	}
	return false;
}

size_t cvb_seccomp_profile_count(const struct cvb_seccomp_profile *p)
{
	size_t n = 0;
	for (size_t g = 0; g < p->n_groups; g++) {
		const struct cvb_seccomp_group *grp = &p->groups[g];
		if (group_allows(grp) == p->default_allow)
			continue; /* the default-allow profile counts denials, the other allowances
			           */
		for (size_t i = 0; grp->names[i]; i++)
			n += cvb_seccomp_name_nr(grp->names[i]) >= 0 && !counted_before(p, g, i);
	}
	return n;
}

static char summaries[CVB_SECCOMP_PROFILE_COUNT][64];
static char details[CVB_SECCOMP_PROFILE_COUNT][8192];
static pthread_once_t texts_once = PTHREAD_ONCE_INIT;

#define APPEND(buf, off, ...)                                                                      \
	do {                                                                                       \
		if ((off) < sizeof(buf))                                                           \
			(off) +=                                                                   \
			    (size_t)snprintf((buf) + (off), sizeof(buf) - (off), __VA_ARGS__);     \
	} while (0)

static void detail_build(const struct cvb_seccomp_profile *p, char (*buf)[8192])
{
	char skipped[1024] = "";
	size_t off = 0, soff = 0;
	if (p->default_allow)
		APPEND(*buf, off, "default-allow");
	else
		APPEND(*buf, off, "default-deny: EPERM for anything not allowed");
	if (p->enosys_above_known)
		APPEND(*buf, off, ", ENOSYS above %d (the highest number libseccomp knows)",
		       cvb_seccomp_highest_known_nr());
	for (size_t g = 0; g < p->n_groups; g++) {
		const struct cvb_seccomp_group *grp = &p->groups[g];
		if (grp->rule == CVB_SCMP_ERRNO && !p->default_allow && grp->errno_ret == EPERM)
			continue; /* documentation: the default action */
		APPEND(*buf, off, "; %s", grp->what);
		if (grp->rule == CVB_SCMP_ERRNO)
			APPEND(*buf, off, " (errno %d)", grp->errno_ret);
		APPEND(*buf, off, ":");
		for (size_t i = 0; grp->names[i]; i++) {
			if (cvb_seccomp_name_nr(grp->names[i]) >= 0)
				APPEND(*buf, off, " %s", grp->names[i]);
			else
				APPEND(skipped, soff, "%s%s", soff ? " " : "", grp->names[i]);
		}
		if (grp->rule == CVB_SCMP_ALLOW_ARG_MASK_0)
			APPEND(*buf, off, " (if arg %u & %#llx == 0)", grp->arg,
			       (unsigned long long)grp->mask);
		if (grp->rule == CVB_SCMP_ALLOW_ARG_IN) {
			APPEND(*buf, off, " (if arg %u is one of", grp->arg);
			for (size_t v = 0; v < grp->n_values; v++)
				APPEND(*buf, off, "%s %#llx", v ? "," : "",
				       (unsigned long long)grp->values[v]);
			APPEND(*buf, off, ")");
		}
	}
	APPEND(*buf, off, "; not on this architecture or unknown to libseccomp: %s",
	       soff ? skipped : "none");
	APPEND(*buf, off, "; native ABI only, others get ENOSYS");
}

static void texts_build(void)
{
	for (int i = 0; i < CVB_SECCOMP_PROFILE_COUNT; i++) {
		const struct cvb_seccomp_profile *p = &profiles[i];
		snprintf(summaries[i], sizeof(summaries[i]), "%s (%zu %s)",
		         p->default_allow ? "default-allow" : "default-deny",
		         cvb_seccomp_profile_count(p), p->default_allow ? "denied" : "allowed");
		detail_build(p, &details[i]);
	}
}

const char *cvb_seccomp_profile_summary(enum cvb_seccomp_profile_id id)
{
	if ((unsigned)id >= CVB_SECCOMP_PROFILE_COUNT)
		return "unknown profile";
	pthread_once(&texts_once, texts_build);
	return summaries[id];
}

const char *cvb_seccomp_profile_detail(enum cvb_seccomp_profile_id id)
{
	if ((unsigned)id >= CVB_SECCOMP_PROFILE_COUNT)
		return "unknown profile";
	pthread_once(&texts_once, texts_build);
	return details[id];
}

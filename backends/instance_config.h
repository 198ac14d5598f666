/* What an instance is asked to be, beyond the agent's arguments: namespaces,
 * resource limits, hardening. Parsed and validated by the harness into the
 * plan (config flows one way); each backend applies what it supports and
 * records it in the result. */
#ifndef CVB_INSTANCE_CONFIG_H
#define CVB_INSTANCE_CONFIG_H

#include <stdbool.h>
#include <stdint.h>

/* Namespaces, as bits (container backend). */
enum cvb_ns {
	CVB_NS_PID = 1u << 0,
	CVB_NS_MNT = 1u << 1,
	CVB_NS_NET = 1u << 2,
	CVB_NS_UTS = 1u << 3,
	CVB_NS_IPC = 1u << 4,
	CVB_NS_CGROUP = 1u << 5,
	CVB_NS_USER = 1u << 6,
	CVB_NS_TIME = 1u << 7,
};
#define CVB_NS_DEFAULT                                                                             \
	(CVB_NS_PID | CVB_NS_MNT | CVB_NS_NET | CVB_NS_UTS | CVB_NS_IPC | CVB_NS_CGROUP |          \
	 CVB_NS_USER)

/* cgroup limits; -1 (or NULL) means not set. */
struct cvb_limits {
	int64_t cpu_quota_us;  /* with cpu_period_us: CPU bandwidth */
	int64_t cpu_period_us; /* default 100000 when a quota is set */
	int64_t cpu_weight;    /* 1..10000, cgroup v2 scale (v1 shares = weight * 1024 / 100) */
	const char *cpuset_cpus;
	const char *cpuset_mems;
	int64_t memory_max_bytes;
	int64_t swap_max_bytes; /* swap on top of memory_max (v1: memsw = memory + swap) */
	int64_t pids_max;
	int64_t io_weight; /* 1..10000 on v2 io.weight; v1 blkio.weight takes 10..1000 */
};

/* Hardening steps, each off by default so that raw costs are measured. */
enum cvb_harden {
	CVB_HARDEN_CAPS = 1u << 0,    /* drop capabilities to the documented set */
	CVB_HARDEN_NNP = 1u << 1,     /* no_new_privs */
	CVB_HARDEN_SECCOMP = 1u << 2, /* a seccomp profile, seccomp_profile below */
};

struct cvb_instance_config {
	unsigned namespaces; /* enum cvb_ns bits */
	unsigned harden;     /* enum cvb_harden bits */
	/* With CVB_HARDEN_SECCOMP: enum cvb_seccomp_profile_id (seccomp_profile.h),
	 * 0 = "default", the default-deny allowlist. */
	unsigned seccomp_profile;
	bool rootfs_writable;
	bool no_cgroup; /* namespaces only, like unshare(1): to see what the cgroup costs */
	struct cvb_vm_config {
		int accel;           /* enum cvb_accel_request: auto, kvm, tcg */
		const char *connect; /* libvirt URI */
		const char *kernel;  /* NULL: guest/vmlinuz next to the agent */
		unsigned vcpus;
		unsigned memory_mib;
		const char *machine;
		const char *cpu_model;                /* NULL: the accelerator's default */
		const char *pin_vcpus, *pin_emulator; /* cpulists, or NULL */
	} vm;
	struct cvb_limits limits;
};

/* Fills defaults: default namespaces, no limits, no hardening, read-only rootfs. */
static inline void cvb_instance_config_init(struct cvb_instance_config *c)
{
	*c = (struct cvb_instance_config){
	    .namespaces = CVB_NS_DEFAULT,
	    .limits = {-1, -1, -1, NULL, NULL, -1, -1, -1, -1},
	    .vm = {.connect = "qemu:///system", .vcpus = 1, .memory_mib = 256, .machine = "q35"},
	};
}

#endif

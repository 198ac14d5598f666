/* The container backend's `cvbench run` options (other backends record them
 * as not applicable). Stored in struct cvb_instance_config. */
#include "backend_options.h"
#include "container_options.h"
#include "instance_config.h"
#include "seccomp_profile.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define CFG(field) offsetof(struct cvb_instance_config, field)

static const char *const ns_names[] = {"pid",    "mnt",  "net",  "uts", "ipc",
                                       "cgroup", "user", "time", NULL};

/* --harden: caps,nnp,seccomp, all or none; "seccomp=PROFILE" also picks the
 * seccomp profile (seccomp_profile.h), "seccomp" alone is the default. */
static int parse_harden(const struct cvb_option *o, void *storage, const char *arg,
                        struct cvb_error *err)
{
	static const char *const harden_names[] = {"caps", "nnp", "seccomp", NULL};
	struct cvb_instance_config *config = storage;
	char buf[256], list[256] = "";
	size_t off = 0;
	int profile = CVB_SECCOMP_PROFILE_DEFAULT;
	(void)o;
	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return cvb_error_set(err, EINVAL, "--harden: list too long");
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (strncmp(tok, "seccomp=", 8) == 0) {
			profile = cvb_seccomp_profile_find(tok + 8);
			if (profile < 0)
				return cvb_error_set(
				    err, EINVAL,
				    "--harden: unknown seccomp profile '%s' (known: "
				    "default, denylist)",
				    tok + 8);
			tok = "seccomp";
		}
		off +=
		    (size_t)snprintf(list + off, sizeof(list) - off, "%s%s", off ? "," : "", tok);
	}
	if (cvb_option_parse_names("--harden", list, harden_names, &config->harden, err) < 0)
		return -1;
	config->seccomp_profile = (unsigned)profile;
	return 0;
}

#define LIMIT (CVB_OPTF_SCENARIO_LIMIT)
/* One row per option, compact: clang-format would spread each over a
 * dozen lines. */
/* clang-format off */
const struct cvb_option cvb_container_option_rows[] = {
    {.name = "ns", .kind = CVB_OPT_NAMES, .offset = CFG(namespaces), .names = ns_names,
     .arg = "LIST",
     .help = "namespaces: pid,mnt,net,uts,ipc,cgroup,user,time or none\n"
             "(default: all but time; user maps container root to an\n"
             "unprivileged host uid)"},
    {.name = "cpu-quota", .kind = CVB_OPT_INT, .offset = CFG(limits.cpu_quota_us), .min = 1,
     .max = 100000, .flags = LIMIT, .arg = "PCT",
     .help = "CPU bandwidth in percent of one CPU (e.g. 20)"},
    {.name = "cpu-period-us", .kind = CVB_OPT_INT, .offset = CFG(limits.cpu_period_us),
     .min = 1000, .max = 1000000, .flags = LIMIT, .arg = "N",
     .help = "CPU bandwidth period (default 100000)"},
    {.name = "cpu-weight", .kind = CVB_OPT_INT, .offset = CFG(limits.cpu_weight), .min = 1,
     .max = 10000, .flags = LIMIT, .arg = "N",
     .help = "CPU weight 1..10000 (v1: shares = N * 1024 / 100)"},
    {.name = "cpuset-cpus", .kind = CVB_OPT_CPULIST, .offset = CFG(limits.cpuset_cpus),
     .expect = "a list such as 0 or 0-1", .flags = LIMIT, .arg = "LIST",
     .help = "cpuset limits"},
    {.name = "cpuset-mems", .kind = CVB_OPT_CPULIST, .offset = CFG(limits.cpuset_mems),
     .expect = "a list such as 0 or 0-1", .flags = CVB_OPTF_HELP_PAIR, .arg = "LIST",
     .help = "cpuset limits"},
    {.name = "memory-max", .kind = CVB_OPT_SIZE, .offset = CFG(limits.memory_max_bytes),
     .min = 1 << 20, .max = INT64_MAX, .flags = LIMIT, .arg = "SIZE",
     .help = "memory limit (e.g. 64M)"},
    {.name = "swap-max", .kind = CVB_OPT_SIZE, .offset = CFG(limits.swap_max_bytes), .min = 0,
     .max = INT64_MAX, .flags = LIMIT | CVB_OPTF_HELP_INLINE, .arg = "SIZE",
     .help = "swap on top of it"},
    {.name = "pids-max", .kind = CVB_OPT_INT, .offset = CFG(limits.pids_max), .min = 1,
     .max = 4194304, .flags = LIMIT, .arg = "N", .help = "process limit"},
    {.name = "io-weight", .kind = CVB_OPT_INT, .offset = CFG(limits.io_weight), .min = 1,
     .max = 10000, .flags = LIMIT | CVB_OPTF_HELP_INLINE, .arg = "N",
     .help = "I/O weight 1..10000"},
    {.name = "harden", .kind = CVB_OPT_CUSTOM, .parse = parse_harden, .arg = "LIST",
     .help = "caps,nnp,seccomp or all (default: none, raw costs);\n"
             "seccomp is the default-deny profile, seccomp=denylist the\n"
             "deny list of earlier versions (to measure it)"},
    {.name = "rootfs-rw", .kind = CVB_OPT_FLAG, .offset = CFG(rootfs_writable),
     .help = "writable root filesystem (default: read-only)"},
    {.name = "no-cgroup", .kind = CVB_OPT_FLAG, .offset = CFG(no_cgroup),
     .help = "namespaces only, no cgroup (what unshare(1) does): shows\n"
             "what the per-instance cgroup costs; needs the pid namespace"},
    {0},
};
/* clang-format on */

/* The container backend's words in a cell's label: namespaces, hardening,
 * root filesystem, cgroup and its limits, where they differ from the
 * defaults (config_label.h). */
#include "config_label.h"
#include "seccomp_profile.h"

#include <inttypes.h>
#include <stdio.h>

static size_t flags_text(unsigned bits, const char *const *names, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; names[i]; i++)
		if (bits & (1u << i))
			cvb_label_append(buf, len, &off, "%s%s", off ? "," : "", names[i]);
	return off;
}

static void limits_text(const struct cvb_limits *l, char *buf, size_t len, size_t *off)
{
	if (l->cpu_quota_us >= 0)
		cvb_label_append(buf, len, off, " cpu-quota=%g%%",
		                 100.0 * (double)l->cpu_quota_us / (double)l->cpu_period_us);
	if (l->cpu_weight >= 0)
		cvb_label_append(buf, len, off, " cpu-weight=%" PRId64, l->cpu_weight);
	if (l->cpuset_cpus)
		cvb_label_append(buf, len, off, " cpuset-cpus=%s", l->cpuset_cpus);
	if (l->cpuset_mems)
		cvb_label_append(buf, len, off, " cpuset-mems=%s", l->cpuset_mems);
	if (l->memory_max_bytes >= 0)
		cvb_label_append(buf, len, off, " memory-max=%" PRId64 "M",
		                 l->memory_max_bytes >> 20);
	if (l->swap_max_bytes >= 0)
		cvb_label_append(buf, len, off, " swap-max=%" PRId64 "M", l->swap_max_bytes >> 20);
	if (l->pids_max >= 0)
		cvb_label_append(buf, len, off, " pids-max=%" PRId64, l->pids_max);
	if (l->io_weight >= 0)
		cvb_label_append(buf, len, off, " io-weight=%" PRId64, l->io_weight);
}

void cvb_container_describe_config(const struct cvb_config_desc *desc, char *buf, size_t len,
                                   size_t *off)
{
	static const char *const ns_names[] = {"pid",    "mnt",  "net",  "uts", "ipc",
	                                       "cgroup", "user", "time", NULL};
	static const char *const harden_names[] = {"caps", "nnp", "seccomp", NULL};
	const struct cvb_instance_config *c = desc->config;
	struct cvb_instance_config def;
	char tmp[128];
	cvb_instance_config_init(&def);
	if (c->namespaces != def.namespaces) {
		flags_text(c->namespaces, ns_names, tmp, sizeof(tmp));
		cvb_label_append(buf, len, off, " ns=%s", tmp[0] ? tmp : "none");
	}
	if (c->harden) {
		size_t n = flags_text(c->harden, harden_names, tmp, sizeof(tmp));
		const struct cvb_seccomp_profile *sp = cvb_seccomp_profile_get(c->seccomp_profile);
		/* seccomp is the last name: its profile follows it. */
		if ((c->harden & CVB_HARDEN_SECCOMP) && c->seccomp_profile && sp)
			snprintf(tmp + n, sizeof(tmp) - n, "=%s", sp->name);
		cvb_label_append(buf, len, off, " harden=%s", tmp);
	}
	if (c->rootfs_writable)
		cvb_label_append(buf, len, off, " rootfs-rw");
	if (c->no_cgroup)
		cvb_label_append(buf, len, off, " no-cgroup");
	limits_text(&c->limits, buf, len, off);
}

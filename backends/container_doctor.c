/* The container backend's preflight: root, namespaces, and the cgroup
 * controllers its cells need on this host's layout (v1, v2 or hybrid). */
#include "cgroup_layout.h"
#include "backend.h"
#include "container.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Controllers every container launch uses: accounting (cpu, memory, pids)
 * and, on v1, the freezer that makes teardown atomic. */
static const char *const needed_always[] = {"cpu", "memory", "pids", NULL};

static void check_controllers(const struct cvb_instance_config *c,
                              const struct cvb_cgroup_layout *layout, struct cvb_findings *out)
{
	char missing[256] = "", found[512] = "";
	size_t mo = 0, fo = 0;
	const char *wanted[8];
	size_t nw = 0;
	for (size_t i = 0; needed_always[i]; i++)
		wanted[nw++] = needed_always[i];
	if (layout->mode != CVB_CGROUP_MODE_V2)
		wanted[nw++] = "freezer";
	if (c && (c->limits.cpuset_cpus || c->limits.cpuset_mems))
		wanted[nw++] = "cpuset";
	if (c && c->limits.io_weight >= 0)
		wanted[nw++] = layout->mode == CVB_CGROUP_MODE_V2 ? "io" : "blkio";
	for (size_t i = 0; i < nw; i++) {
		struct cvb_cgroup_location at = cvb_cgroup_layout_find(layout, wanted[i]);
		if (at.version == 0)
			mo += (size_t)snprintf(missing + mo, sizeof(missing) - mo, "%s%s",
			                       mo ? ", " : "", wanted[i]);
		else
			fo += (size_t)snprintf(found + fo, sizeof(found) - fo, "%s%s (v%d)",
			                       fo ? ", " : "", wanted[i], at.version);
		if (mo >= sizeof(missing) || fo >= sizeof(found))
			break;
	}
	cvb_findings_add(out, "cgroup.controllers", "container",
	                 missing[0] ? CVB_LEVEL_FAIL : CVB_LEVEL_OK,
	                 "mount the missing controllers (v2: enable them in the root's "
	                 "cgroup.subtree_control), or run with --no-cgroup",
	                 "%s layout; %s%s%s", cvb_cgroup_mode_name(layout->mode),
	                 found[0] ? found : "", missing[0] ? "; missing: " : "", missing);
}

/* Adds the container backend's findings (its doctor hook). */
void cvb_container_doctor(const struct cvb_probe_ctx *ctx, struct cvb_findings *out)
{
	const struct cvb_instance_config *c = ctx->config;
	if (geteuid() != 0) {
		cvb_findings_add(out, "container.root", "container", CVB_LEVEL_FAIL,
		                 "run cvbench as root (sudo)",
		                 "running as uid %d: namespaces, cgroups and mounts need root",
		                 (int)geteuid());
		return;
	}
	char buf[32] = "";
	FILE *f = fopen("/proc/sys/user/max_user_namespaces", "re");
	bool userns = !c || (c->namespaces & CVB_NS_USER);
	if (f && fgets(buf, sizeof(buf), f) && userns && strtol(buf, NULL, 10) == 0)
		cvb_findings_add(out, "container.userns", "container", CVB_LEVEL_FAIL,
		                 "sysctl -w user.max_user_namespaces=15000, or --ns without user",
		                 "user namespaces are disabled (user.max_user_namespaces = 0)");
	if (f)
		fclose(f);
	if (c && c->no_cgroup) {
		cvb_findings_add(out, "cgroup.controllers", "container", CVB_LEVEL_OK, NULL,
		                 "--no-cgroup: no cgroup is made");
		return;
	}
	struct cvb_cgroup_layout layout;
	struct cvb_error err = {0};
	if (cvb_cgroup_layout_detect("/", &layout, &err) < 0) {
		cvb_findings_add(out, "cgroup.controllers", "container", CVB_LEVEL_FAIL, NULL,
		                 "cannot read the cgroup layout: %s", err.msg);
		return;
	}
	if (layout.mode == CVB_CGROUP_MODE_NONE)
		cvb_findings_add(out, "cgroup.controllers", "container", CVB_LEVEL_FAIL,
		                 "mount cgroup2 at /sys/fs/cgroup (or the v1 hierarchies)",
		                 "no cgroup hierarchy is mounted");
	else
		check_controllers(c, &layout, out);
	cvb_cgroup_layout_clear(&layout);
}

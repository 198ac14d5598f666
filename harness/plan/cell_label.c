#include "cell_label.h"
#include "seccomp_profile.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define APPEND(buf, len, off, ...)                                                                 \
	do {                                                                                       \
		if ((off) < (len))                                                                 \
			(off) += (size_t)snprintf((buf) + (off), (len) - (off), __VA_ARGS__);      \
	} while (0)

static size_t flags_text(unsigned bits, const char *const *names, char *buf, size_t len)
{
	size_t off = 0;
	buf[0] = '\0';
	for (size_t i = 0; names[i]; i++)
		if (bits & (1u << i))
			APPEND(buf, len, off, "%s%s", off ? "," : "", names[i]);
	return off;
}

static void limits_text(const struct cvb_limits *l, char *buf, size_t len, size_t *off)
{
	if (l->cpu_quota_us >= 0)
		APPEND(buf, len, *off, " cpu-quota=%g%%",
		       100.0 * (double)l->cpu_quota_us / (double)l->cpu_period_us);
	if (l->cpu_weight >= 0)
		APPEND(buf, len, *off, " cpu-weight=%" PRId64, l->cpu_weight);
	if (l->cpuset_cpus)
		APPEND(buf, len, *off, " cpuset-cpus=%s", l->cpuset_cpus);
	if (l->cpuset_mems)
		APPEND(buf, len, *off, " cpuset-mems=%s", l->cpuset_mems);
	if (l->memory_max_bytes >= 0)
		APPEND(buf, len, *off, " memory-max=%" PRId64 "M", l->memory_max_bytes >> 20);
	if (l->swap_max_bytes >= 0)
		APPEND(buf, len, *off, " swap-max=%" PRId64 "M", l->swap_max_bytes >> 20);
	if (l->pids_max >= 0)
		APPEND(buf, len, *off, " pids-max=%" PRId64, l->pids_max);
	if (l->io_weight >= 0)
		APPEND(buf, len, *off, " io-weight=%" PRId64, l->io_weight);
}

void cvb_config_variant(const struct cvb_backend *be, const struct cvb_plan *p, char *buf,
                        size_t len)
{
	static const char *const ns_names[] = {"pid",    "mnt",  "net",  "uts", "ipc",
	                                       "cgroup", "user", "time", NULL};
	static const char *const harden_names[] = {"caps", "nnp", "seccomp", NULL};
	struct cvb_instance_config def;
	const struct cvb_instance_config *c = &p->config;
	char tmp[128];
	size_t off = 0;
	buf[0] = '\0';
	cvb_instance_config_init(&def);
	if (strcmp(be->name, "container") == 0) {
		if (c->namespaces != def.namespaces) {
			flags_text(c->namespaces, ns_names, tmp, sizeof(tmp));
			APPEND(buf, len, off, " ns=%s", tmp[0] ? tmp : "none");
		}
		if (c->harden) {
			size_t n = flags_text(c->harden, harden_names, tmp, sizeof(tmp));
			const struct cvb_seccomp_profile *sp =
			    cvb_seccomp_profile_get(c->seccomp_profile);
			/* seccomp is the last name: its profile follows it. */
			if ((c->harden & CVB_HARDEN_SECCOMP) && c->seccomp_profile && sp)
				snprintf(tmp + n, sizeof(tmp) - n, "=%s", sp->name);
			APPEND(buf, len, off, " harden=%s", tmp);
		}
		if (c->rootfs_writable)
			APPEND(buf, len, off, " rootfs-rw");
		if (c->no_cgroup)
			APPEND(buf, len, off, " no-cgroup");
		limits_text(&c->limits, buf, len, &off);
	} else if (strcmp(be->name, "vm") == 0) {
		if (c->vm.accel != def.vm.accel)
			APPEND(buf, len, off, " accel=%s", c->vm.accel == 1 ? "kvm" : "tcg");
		if (c->vm.vcpus != def.vm.vcpus)
			APPEND(buf, len, off, " vcpus=%u", c->vm.vcpus);
		if (c->vm.memory_mib != def.vm.memory_mib)
			APPEND(buf, len, off, " vm-memory=%uM", c->vm.memory_mib);
		if (strcmp(c->vm.machine, def.vm.machine) != 0)
			APPEND(buf, len, off, " machine=%s", c->vm.machine);
		if (c->vm.cpu_model)
			APPEND(buf, len, off, " cpu-model=%s", c->vm.cpu_model);
		if (c->vm.pin_vcpus)
			APPEND(buf, len, off, " vm-pin-vcpus=%s", c->vm.pin_vcpus);
		if (c->vm.pin_emulator)
			APPEND(buf, len, off, " vm-pin-emulator=%s", c->vm.pin_emulator);
		if (p->ksm >= 0)
			APPEND(buf, len, off, " ksm=%s", p->ksm ? "on" : "off");
	} else if (p->launcher[0]) {
		APPEND(buf, len, off, " launcher=%s", p->launcher[0]);
	}
	if (p->pin_mode != CVB_PIN_NONE && (be->caps & CVB_CAP_PIN))
		APPEND(buf, len, off, " pin=%s",
		       p->pin_mode == CVB_PIN_AUTO ? "auto" : p->pin_cpus);
	/* Without the leading blank. */
	if (buf[0] == ' ')
		memmove(buf, buf + 1, strlen(buf));
}

static void label_one(struct cvb_cell *c)
{
	char *buf = c->label, variant[256];
	size_t len = sizeof(c->label), off = 0;
	const struct cvb_workload *w = c->workload;
	APPEND(buf, len, off, "%s/%s", c->backend->name, w->name);
	for (size_t i = 0; i < cvb_workload_param_count(w); i++)
		if (c->params[i] != w->params[i].def)
			APPEND(buf, len, off, " %s=%" PRId64, w->params[i].name, c->params[i]);
	cvb_config_variant(c->backend, c->plan, variant, sizeof(variant));
	if (variant[0])
		APPEND(buf, len, off, " %s", variant);
	if (c->instances)
		APPEND(buf, len, off, " instances=%u", c->instances);
	if (c->scenario)
		APPEND(buf, len, off, " scenario=%s", c->scenario->name);
	if (c->placement && c->placement->kind != CVB_PLACE_NONE)
		APPEND(buf, len, off, " placement=%s", cvb_placement_name(c->placement->kind));
}

void cvb_cells_label(struct cvb_cell *cells, size_t n, bool multi_block)
{
	for (size_t k = 0; k < n; k++)
		label_one(&cells[k]);
	if (!multi_block)
		return;
	/* Same cell in two blocks (a matrix that repeats it on purpose): tell
	 * them apart by block, the same way on every run of the matrix. Marked
	 * first, renamed after, so that each pair is seen whole. */
	bool *dup = calloc(n ? n : 1, sizeof(bool));
	if (!dup)
		return;
	/* Blocks are named uniquely (matrix.c), so names settle it; a label
	 * that is still not unique (cut at its buffer's end) gets its cell's
	 * position, the same on every run of the same matrix. */
	for (size_t k = 0; k < n; k++)
		for (size_t j = 0; j < n; j++)
			dup[k] |= j != k && strcmp(cells[j].label, cells[k].label) == 0 &&
			          cells[j].plan != cells[k].plan;
	for (size_t k = 0; k < n; k++) {
		size_t off = strlen(cells[k].label);
		if (dup[k])
			APPEND(cells[k].label, sizeof(cells[k].label), off, " [%s]",
			       cells[k].plan->name);
	}
	for (size_t k = 0; k < n; k++) {
		bool again = false;
		for (size_t j = 0; j < k; j++)
			again |= strcmp(cells[j].label, cells[k].label) == 0;
		if (again) {
			size_t off = strlen(cells[k].label);
			if (off + 16 > sizeof(cells[k].label))
				off = sizeof(cells[k].label) - 16;
			snprintf(cells[k].label + off, sizeof(cells[k].label) - off, " #%zu", k);
		}
	}
	free(dup);
}

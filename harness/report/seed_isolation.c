/* The seed table's fact rows: kernel shared or own and what an instance can
 * see and do (the audit workload's facts), and the noisy-neighbour slowdowns
 * (derived.slowdowns). */
#include "report_view.h"
#include "seed_table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The facts of the cell's first ok measured launch that carries `key`. */
static const cJSON *launch_facts(const cJSON *cell, const char *key)
{
	const cJSON *l, *fallback = NULL;
	cJSON_ArrayForEach(l, cvb_rv_get(cell, "launches"))
	{
		const cJSON *facts = cvb_rv_get(l, "facts");
		if (!cvb_rv_get(facts, key))
			continue;
		const char *status = cvb_rv_str(l, "status");
		if (status && strcmp(status, "ok") == 0 && !cJSON_IsTrue(cvb_rv_get(l, "warmup")))
			return facts;
		if (!fallback)
			fallback = facts;
	}
	return fallback;
}

static bool has_fact(const cJSON *cell, const void *key)
{
	return launch_facts(cell, key) != NULL;
}

/* A fact as text ("77", "yes"); NULL when absent. */
static const char *fact_text(const cJSON *facts, const char *key, char *buf, size_t len)
{
	const cJSON *v = cvb_rv_get(facts, key);
	if (cJSON_IsString(v))
		return v->valuestring;
	if (cJSON_IsNumber(v)) {
		snprintf(buf, len, "%.15g", v->valuedouble);
		return buf;
	}
	if (cJSON_IsBool(v))
		return cJSON_IsTrue(v) ? "yes" : "no";
	return NULL;
}

static void kernel_value(const cJSON *doc, const cJSON *facts, char *buf, size_t len)
{
	char tmp[64];
	const char *guest = fact_text(facts, "kernel_release", tmp, sizeof(tmp));
	const char *host = cvb_rv_path_str(cvb_rv_host(doc), "kernel.release");
	if (!host)
		snprintf(buf, len, "%s (host release not recorded)", guest);
	else if (strcmp(guest, host) == 0)
		snprintf(buf, len, "shared: %s, the host's", guest);
	else
		snprintf(buf, len, "own: %s (host %s)", guest, host);
}

static int popcount_hex(const char *hex)
{
	int n = 0;
	for (const char *p = hex; *p; p++) {
		unsigned d = *p >= '0' && *p <= '9'   ? (unsigned)(*p - '0')
		             : *p >= 'a' && *p <= 'f' ? (unsigned)(*p - 'a' + 10)
		             : *p >= 'A' && *p <= 'F' ? (unsigned)(*p - 'A' + 10)
		                                      : 0;
		n += __builtin_popcount(d);
	}
	return n;
}

/* True when the instance runs its own kernel: its root is then the guest's
 * root, not the host's, whatever its uid map says. */
static bool own_kernel(const cJSON *doc, const cJSON *facts)
{
	char tmp[64];
	const char *guest = fact_text(facts, "kernel_release", tmp, sizeof(tmp));
	const char *host = cvb_rv_path_str(cvb_rv_host(doc), "kernel.release");
	return guest && host && strcmp(guest, host) != 0;
}

/* "41 (0x000001ffffffffff), user namespace: root is host uid 1879048192, ..." */
static void caps_value(const cJSON *doc, const cJSON *facts, char *buf, size_t len)
{
	char t1[32], t2[32];
	const char *caps = fact_text(facts, "cap_effective", t1, sizeof(t1));
	const char *map = fact_text(facts, "uid_map", t2, sizeof(t2));
	size_t used = (size_t)snprintf(buf, len, "%d (0x%s)", popcount_hex(caps), caps);
	long inside, outside;
	if (map && sscanf(map, "%ld %ld", &inside, &outside) == 2 && used < len) {
		if (inside == 0 && outside != 0)
			snprintf(buf + used, len - used,
			         ", user namespace: root is host uid %ld, so they hold only "
			         "inside it",
			         outside);
		else if (inside == 0 && outside == 0)
			snprintf(buf + used, len - used,
			         own_kernel(doc, facts) ? ", the guest root's (own kernel)"
			                                : ", host root's");
	}
}

/* "default-deny (289 allowed), no_new_privs set": the profile's summary from
 * the run's backend_setup (container), else the kernel's mode name. */
static void seccomp_value(const cJSON *cell, const cJSON *facts, char *buf, size_t len)
{
	char t1[32], t2[32];
	const char *mode = fact_text(facts, "seccomp_mode", t1, sizeof(t1));
	const char *nnp = fact_text(facts, "no_new_privs", t2, sizeof(t2));
	const char *summary =
	    cvb_rv_str(cvb_rv_get(cell, "backend_setup"), "seccomp_profile_summary");
	const char *name = strcmp(mode, "0") == 0   ? "off"
	                   : strcmp(mode, "1") == 0 ? "strict"
	                   : strcmp(mode, "2") == 0 ? (summary ? summary : "filter")
	                                            : mode;
	snprintf(buf, len, "%s%s", name, nnp && strcmp(nnp, "1") == 0 ? ", no_new_privs set" : "");
}

/* The probed calls that got past the filter, and whether there was one. */
static void reachable_value(const cJSON *facts, const char *list, char *buf, size_t len)
{
	char t[32];
	const char *mode = fact_text(facts, "seccomp_mode", t, sizeof(t));
	snprintf(buf, len, "%s%s", list,
	         mode && strcmp(mode, "0") == 0 ? " (no seccomp filter)" : "");
}

/* "none", or "2 (4,24)": the groups as the instance sees them. */
static void groups_value(const cJSON *facts, char *buf, size_t len)
{
	char t1[32], t2[300];
	const char *n = fact_text(facts, "supplementary_groups_count", t1, sizeof(t1));
	const char *list = fact_text(facts, "supplementary_groups", t2, sizeof(t2));
	if (strcmp(n, "0") == 0)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s (%s)", n, list ? list : "?");
}

static void net_value(const cJSON *facts, char *buf, size_t len)
{
	char t[32];
	const char *list = fact_text(facts, "net_interfaces", t, sizeof(t));
	int n = *list ? 1 : 0;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	snprintf(buf, len, "%d (%s)", n, list);
}

enum fact_kind {
	FACT_PLAIN,
	FACT_KERNEL,
	FACT_CAPS,
	FACT_SECCOMP,
	FACT_NET,
	FACT_REACHABLE,
	FACT_GROUPS
};

static const struct fact_row {
	const char *feature, *claim, *key;
	enum fact_kind kind;
} fact_rows[] = {
    {"Kernel", "shared kernel / full OS per VM", "kernel_release", FACT_KERNEL},
    {"Isolation: processes visible", "process-level / hardware-level", "visible_processes",
     FACT_PLAIN},
    {"Isolation: network interfaces", "", "net_interfaces", FACT_NET},
    {"Isolation: effective capabilities", "", "cap_effective", FACT_CAPS},
    {"Isolation: seccomp", "less / more isolated (seccomp, AppArmor harden containers)",
     "seccomp_mode", FACT_SECCOMP},
    {"Isolation: can load a kernel module", "", "can_load_module", FACT_PLAIN},
    {"Isolation: can set the clock", "", "can_set_clock", FACT_PLAIN},
    {"Isolation: /proc/kcore readable", "", "proc_kcore_readable", FACT_PLAIN},
    {"Isolation: can create a user namespace", "", "can_create_user_namespace", FACT_PLAIN},
    {"Isolation: syscalls the filter lets through", "", "syscalls_reachable", FACT_REACHABLE},
    {"Isolation: can reach host devices", "", "can_open_host_block_device", FACT_PLAIN},
    {"Isolation: can see the host keyring", "", "host_keyring_visible", FACT_PLAIN},
    {"Isolation: can write host /sys", "", "host_sys_writable", FACT_PLAIN},
    {"Isolation: supplementary groups", "", "supplementary_groups_count", FACT_GROUPS},
};

void cvb_seed_add_isolation_rows(const cJSON *doc, struct cvb_seed_table *t)
{
	const size_t n_rows = sizeof(fact_rows) / sizeof(fact_rows[0]);
	struct cvb_seed_row *rows[sizeof(fact_rows) / sizeof(fact_rows[0])];
	for (size_t r = 0; r < n_rows; r++)
		rows[r] = cvb_seed_row_add(t, fact_rows[r].feature, fact_rows[r].claim);
	for (size_t c = 0; c < t->n_cols; c++) {
		const cJSON *failed;
		const cJSON *cell = cvb_seed_pick_cell(doc, t->backend[c], "audit", true, has_fact,
		                                       "kernel_release", &failed);
		char v[512];
		for (size_t r = 0; r < n_rows; r++) {
			const struct fact_row *fr = &fact_rows[r];
			const cJSON *facts = cell ? launch_facts(cell, fr->key) : NULL;
			char tmp[64];
			const char *plain =
			    facts ? fact_text(facts, fr->key, tmp, sizeof(tmp)) : NULL;
			if (!plain) {
				cvb_seed_not_measured(failed,
				                      cell ? "this audit does not report it"
				                           : "no audit cell in this run",
				                      v, sizeof(v));
			} else if (fr->kind == FACT_KERNEL) {
				kernel_value(doc, facts, v, sizeof(v));
			} else if (fr->kind == FACT_CAPS) {
				caps_value(doc, facts, v, sizeof(v));
			} else if (fr->kind == FACT_SECCOMP) {
				seccomp_value(cell, facts, v, sizeof(v));
			} else if (fr->kind == FACT_NET) {
				net_value(facts, v, sizeof(v));
			} else if (fr->kind == FACT_GROUPS) {
				groups_value(facts, v, sizeof(v));
			} else if (fr->kind == FACT_REACHABLE) {
				reachable_value(facts, plain, v, sizeof(v));
			} else {
				snprintf(v, sizeof(v), "%s", plain);
			}
			cvb_seed_row_set(t, rows[r], c, "%s", v);
		}
	}
	cvb_seed_note(t, "Kernel and isolation: what the audit workload saw from inside the "
	                 "instance (first ok measured launch), against the host's kernel "
	                 "release. Capabilities count the bits of CapEff. A user namespace: "
	                 "clone, clone3 or unshare with CLONE_NEWUSER worked in a throwaway "
	                 "child. Syscalls the filter lets through: of io_uring_setup, "
	                 "pidfd_getfd, process_madvise, personality (a persona moby refuses), "
	                 "socket(AF_VSOCK) and open_tree_attr (newer than libseccomp), those "
	                 "that failed with neither EPERM nor ENOSYS. Supplementary groups: "
	                 "as the instance sees them (a host group outside its user "
	                 "namespace shows as 65534 yet still grants access).");
}

/* One derived.slowdowns entry as "cpu-victim vs cpu-hog (same-pu): 1.9× [1.8 .. 2.0]". */
static void slowdown_text(const cJSON *e, char *buf, size_t len)
{
	const char *victim = cvb_rv_str(e, "victim"), *scen = cvb_rv_str(e, "scenario");
	const char *place = cvb_rv_str(e, "placement");
	if (place && strcmp(place, "none") == 0)
		place = NULL; /* unpinned: nothing to say */
	double s, x;
	size_t used =
	    (size_t)snprintf(buf, len, "%s vs %s%s%s%s: ", victim ? victim : "?", scen ? scen : "?",
	                     place ? " (" : "", place ? place : "", place ? ")" : "");
	if (!cvb_rv_num(e, "slowdown", &s) || used >= len) {
		snprintf(buf + used, len - used, "no value");
		return;
	}
	const cJSON *ci = cvb_rv_get(e, "ci95");
	if (cJSON_GetArraySize(ci) == 2)
		used += (size_t)snprintf(buf + used, len - used, "%.3g× [%.3g .. %.3g]", s,
		                         cJSON_GetArrayItem(ci, 0)->valuedouble,
		                         cJSON_GetArrayItem(ci, 1)->valuedouble);
	else
		used += (size_t)snprintf(buf + used, len - used, "%.3g×", s);
	if (cvb_rv_num(e, "p99_inflation", &x) && used < len) {
		const cJSON *pci = cvb_rv_get(e, "p99_ci95");
		if (cJSON_GetArraySize(pci) == 2)
			snprintf(buf + used, len - used, ", p99 %.3g× [%.3g .. %.3g]", x,
			         cJSON_GetArrayItem(pci, 0)->valuedouble,
			         cJSON_GetArrayItem(pci, 1)->valuedouble);
		else
			snprintf(buf + used, len - used, ", p99 %.3g×", x);
	}
}

/* A scenario with limits names them after a colon: "cpu-hog:cpu-quota=20". */
static bool scenario_limited(const char *scenario)
{
	return scenario && strchr(scenario, ':') != NULL;
}

/* Why a backend has no slowdown: a victim cell of it that did not run. */
static const cJSON *failed_scenario_cell(const cJSON *doc, const char *backend)
{
	const cJSON *cell;
	cJSON_ArrayForEach(cell, cvb_rv_get(doc, "cells"))
	{
		const char *b = cvb_rv_str(cell, "backend");
		const cJSON *sc = cvb_rv_get(cell, "scenario");
		if (b && strcmp(b, backend) == 0 && cJSON_IsObject(sc) &&
		    strcmp(cvb_rv_cell_status(cell), "ok") != 0)
			return cell;
	}
	return NULL;
}

void cvb_seed_add_noisy_rows(const cJSON *doc, struct cvb_seed_table *t)
{
	struct cvb_seed_row *rows[2] = {
	    cvb_seed_row_add(t, "Noisy-neighbour slowdown, no limits",
	                     "a container without limits starves its neighbours"),
	    cvb_seed_row_add(t, "Noisy-neighbour slowdown, with limits", "set cgroup limits"),
	};
	const cJSON *slowdowns = cvb_rv_path(doc, "derived.slowdowns");
	for (size_t c = 0; c < t->n_cols; c++) {
		for (int limited = 0; limited < 2; limited++) {
			char v[1024] = "", one[320];
			size_t used = 0;
			const cJSON *e;
			cJSON_ArrayForEach(e, slowdowns)
			{
				const char *b = cvb_rv_str(e, "backend");
				const char *scen = cvb_rv_str(e, "scenario");
				if (!b || strcmp(b, t->backend[c]) != 0 ||
				    scenario_limited(scen) != (limited == 1) ||
				    (scen && strcmp(scen, "alone") == 0))
					continue;
				slowdown_text(e, one, sizeof(one));
				if (used < sizeof(v))
					used += (size_t)snprintf(v + used, sizeof(v) - used, "%s%s",
					                         used ? "; " : "", one);
			}
			if (!used)
				cvb_seed_not_measured(
				    failed_scenario_cell(doc, t->backend[c]),
				    cJSON_GetArraySize(slowdowns) > 0
				        ? "no such scenario for this backend"
				        : "no noisy-neighbour scenarios in this run",
				    v, sizeof(v));
			cvb_seed_row_set(t, rows[limited], c, "%s", v);
		}
	}
	if (cJSON_GetArraySize(slowdowns) > 0)
		cvb_seed_note(t, "Noisy neighbours: the victim's metric next to the aggressor "
		                 "divided by the victim alone (ratio of medians, bootstrap 95%% "
		                 "interval), and the same for its p99, from derived.slowdowns; "
		                 "'with limits' scenarios name their limits after a colon.");
	else
		cvb_seed_note(t, "Noisy neighbours: this file has no slowdowns in derived (no "
		                 "scenario cells, or written before they existed).");
}

/* Host-wide preflight checks: each reads a few files under the root (a
 * fixture tree in tests) and adds one finding with its evidence and fix. */
#include "cpu_watch.h"
#include "hostfacts.h"
#include "hostmem.h"
#include "preflight.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

/* The first line of <root><path> without its newline, or NULL. */
static char *first_line(const char *root, const char *path)
{
	struct cvb_error ignored = {0};
	char *s = cvb_host_file_read(root, path, NULL, &ignored);
	if (s)
		s[strcspn(s, "\n")] = '\0';
	return s;
}

static void check_load(const struct cvb_preflight_plan *pp, const char *root,
                       struct cvb_findings *out)
{
	char proc[4096];
	struct cvb_error err = {0};
	struct cvb_cpu_snapshot a, b;
	const int ms = pp->thorough ? CVB_DOCTOR_LOAD_MS : CVB_PREFLIGHT_LOAD_MS;
	if (cvb_host_path(proc, sizeof(proc), root, "/proc", &err) < 0 ||
	    cvb_cpu_snapshot_take(proc, getpid(), pp->run_id, &a, &err) < 0) {
		cvb_findings_add(out, "host.load", NULL, CVB_LEVEL_WARN, NULL,
		                 "cannot sample CPU use: %s", err.msg);
		return;
	}
	nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L},
	          NULL);
	if (cvb_cpu_snapshot_take(proc, getpid(), pp->run_id, &b, &err) < 0) {
		cvb_cpu_snapshot_free(&a);
		cvb_findings_add(out, "host.load", NULL, CVB_LEVEL_WARN, NULL,
		                 "cannot sample CPU use: %s", err.msg);
		return;
	}
	struct cvb_cpu_use use;
	cvb_cpu_use_between(&a, &b, sysconf(_SC_CLK_TCK), &use);
	bool other_cvbench = false;
	for (size_t i = 0; i < b.n; i++)
		other_cvbench |= b.procs[i].kind == CVB_PROC_FOREIGN &&
		                 strcmp(b.procs[i].comm, "cvbench") == 0;
	cvb_cpu_snapshot_free(&a);
	cvb_cpu_snapshot_free(&b);
	char busy[320], *load = first_line(root, "/proc/loadavg");
	/* The three averages, whatever their width: "12.50 10.20 9.90 5/300 777". */
	if (load) {
		char *p = load;
		for (int field = 0; *p && field < 3; field++) {
			p += strspn(p, " ");
			p += strcspn(p, " ");
		}
		*p = '\0';
	}
	cvb_cpu_use_describe(&use, busy, sizeof(busy));
	bool bad = use.foreign_cpus >= CVB_BUSY_CPUS_WARN || other_cvbench;
	cvb_findings_add(out, "host.load", NULL, bad ? CVB_LEVEL_WARN : CVB_LEVEL_OK,
	                 other_cvbench ? "another cvbench is running: wait for it to finish "
	                                 "(two benchmarks side by side skew each other)"
	                               : "stop or wait for the busy processes: they compete "
	                                 "with the measured instances",
	                 "other processes used %.2f CPUs over %d ms (busiest: %s)%s; load "
	                 "average %s",
	                 use.foreign_cpus, ms, busy, other_cvbench ? "; another cvbench runs" : "",
	                 load ? load : "unreadable");
	free(load);
}

/* Frequency scaling: a governor that is not `performance` lets the clock
 * move under the measurement; turbo makes it depend on temperature. */
static void check_frequency(const char *root, struct cvb_findings *out)
{
	char *gov = first_line(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	char *no_turbo = first_line(root, "/sys/devices/system/cpu/intel_pstate/no_turbo");
	char *boost = first_line(root, "/sys/devices/system/cpu/cpufreq/boost");
	if (!gov)
		cvb_findings_add(out, "cpu.governor", NULL, CVB_LEVEL_OK, NULL,
		                 "no cpufreq here (typical in a VM): the frequency is not "
		                 "cvbench's to see or set");
	else
		cvb_findings_add(out, "cpu.governor", NULL,
		                 strcmp(gov, "performance") == 0 ? CVB_LEVEL_OK
		                                                 : CVB_LEVEL_WARN,
		                 "cpupower frequency-set -g performance (for the run)",
		                 "scaling governor '%s'%s", gov,
		                 strcmp(gov, "performance") == 0
		                     ? ""
		                     : ": the clock speed changes with load, between and within "
		                       "launches");
	bool turbo_on = (no_turbo && strcmp(no_turbo, "0") == 0) || (boost && strcmp(boost, "1") == 0);
	if (no_turbo || boost)
		cvb_findings_add(out, "cpu.turbo", NULL, turbo_on ? CVB_LEVEL_WARN : CVB_LEVEL_OK,
		                 no_turbo ? "echo 1 > /sys/devices/system/cpu/intel_pstate/no_turbo"
		                          : "echo 0 > /sys/devices/system/cpu/cpufreq/boost",
		                 "turbo/boost %s%s", turbo_on ? "on" : "off",
		                 turbo_on ? ": speed depends on temperature and on how many cores "
		                            "are busy, so runs differ"
		                          : "");
	free(gov);
	free(no_turbo);
	free(boost);
}

static void check_smt(const char *root, struct cvb_findings *out)
{
	char *active = first_line(root, "/sys/devices/system/cpu/smt/active");
	char *control = first_line(root, "/sys/devices/system/cpu/smt/control");
	bool on = active && strcmp(active, "1") == 0;
	cvb_findings_add(out, "cpu.smt", NULL, CVB_LEVEL_OK, NULL,
	                 "SMT %s (control: %s)%s", on ? "on" : "off or absent",
	                 control ? control : "unreadable",
	                 on ? ": siblings share a core; --placement sibling measures it"
	                    : ": --placement sibling is refused");
	free(active);
	free(control);
}

static void check_clocksource(const char *root, struct cvb_findings *out)
{
	static const char *const fast[] = {"tsc", "kvm-clock", "arch_sys_counter",
	                                   "hyperv_clocksource_tsc_page", "xen", NULL};
	char *cs = first_line(root, "/sys/devices/system/clocksource/clocksource0/"
	                            "current_clocksource");
	bool ok = false;
	for (size_t i = 0; cs && fast[i]; i++)
		ok |= strcmp(cs, fast[i]) == 0;
	cvb_findings_add(out, "clock.source", NULL, !cs || ok ? CVB_LEVEL_OK : CVB_LEVEL_WARN,
	                 "boot with clocksource=tsc if the TSC is stable here (dmesg | grep -i "
	                 "tsc)",
	                 "clock source %s%s", cs ? cs : "unreadable",
	                 !cs || ok ? ""
	                           : ": every clock read traps to slow hardware, which inflates "
	                             "short timings (syscall, startup)");
	free(cs);
}

static void check_nested(const char *root, struct cvb_findings *out)
{
	struct cvb_error ignored = {0};
	char *cpuinfo = cvb_host_file_read(root, "/proc/cpuinfo", NULL, &ignored);
	char *vendor = first_line(root, "/sys/class/dmi/id/sys_vendor");
	char *product = first_line(root, "/sys/class/dmi/id/product_name");
	bool guest = cpuinfo && strstr(cpuinfo, " hypervisor");
	char dmi[160] = "";
	if (vendor || product)
		snprintf(dmi, sizeof(dmi), "; DMI: %s%s%s", vendor ? vendor : "",
		         vendor && product ? " " : "", product ? product : "");
	cvb_findings_add(out, "host.nested", NULL, CVB_LEVEL_OK, NULL,
	                 guest ? "this host is itself a VM (cpuinfo: hypervisor%s): figures "
	                         "include the outer hypervisor's cost and its neighbours' "
	                         "noise, and VMs here are nested"
	                       : "bare metal as far as cpuinfo tells%s",
	                 dmi);
	free(cpuinfo);
	free(vendor);
	free(product);
}

static void check_memory(const struct cvb_preflight_plan *pp, const char *root,
                         struct cvb_findings *out)
{
	int64_t avail, total;
	struct cvb_error err = {0};
	if (cvb_hostmem_read(root, &avail, &total, &err) < 0) {
		cvb_findings_add(out, "host.memory", NULL, CVB_LEVEL_WARN, NULL, "%s", err.msg);
		return;
	}
	int64_t reserve = cvb_hostmem_reserve(total), need = pp->memory_need_bytes;
	enum cvb_level v = need > avail            ? CVB_LEVEL_FAIL
	                     : avail - need < reserve ? CVB_LEVEL_WARN
	                                              : CVB_LEVEL_OK;
	cvb_findings_add(out, "host.memory", NULL, v,
	                 "free memory (stop other work) or plan fewer or smaller instances",
	                 "MemAvailable %lld MiB of %lld MiB; the plan holds up to about %lld MiB "
	                 "at once%s (%lld MiB stay free)",
	                 (long long)(avail >> 20), (long long)(total >> 20), (long long)(need >> 20),
	                 v == CVB_LEVEL_OK ? "" : ", which leaves too little", (long long)(reserve >> 20));
}

static void check_disk_at(const char *what, const char *path, struct cvb_findings *out)
{
	struct statvfs sv;
	if (statvfs(path, &sv) < 0)
		return;
	int64_t free_b = (int64_t)sv.f_bavail * (int64_t)sv.f_frsize;
	enum cvb_level v = free_b < (64LL << 20)    ? CVB_LEVEL_FAIL
	                     : free_b < (512LL << 20) ? CVB_LEVEL_WARN
	                                              : CVB_LEVEL_OK;
	cvb_findings_add(out, "host.disk", what, v,
	                 "free space there, or write the results elsewhere (--out)",
	                 "%lld MiB free%s", (long long)(free_b >> 20),
	                 v == CVB_LEVEL_OK ? ""
	                                     : " (rootfs copies, guest files and results need "
	                                       "a few hundred MiB)");
}

/* Free space where the run writes: its results, and cvbench's run
 * directories (rootfs copies, guest files) under /var/lib/cvbench. */
static void check_disk(const struct cvb_preflight_plan *pp, const char *root,
                       struct cvb_findings *out)
{
	char path[4096];
	if (cvb_host_root_is_real(root))
		check_disk_at("results directory", pp->out_dir, out);
	if (cvb_host_path(path, sizeof(path), root, "/var/lib/cvbench", NULL) == 0 &&
	    access(path, F_OK) == 0)
		check_disk_at("/var/lib/cvbench", path, out);
	else if (cvb_host_path(path, sizeof(path), root, "/var/lib", NULL) == 0)
		check_disk_at("/var/lib", path, out);
}

void cvb_preflight_host(const struct cvb_preflight_plan *pp, const char *root,
                        struct cvb_findings *out)
{
	check_load(pp, root, out);
	check_frequency(root, out);
	check_smt(root, out);
	check_clocksource(root, out);
	check_nested(root, out);
	check_memory(pp, root, out);
	check_disk(pp, root, out);
}

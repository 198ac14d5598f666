/* The report's host section: the facts a reader needs to judge the numbers
 * (design rule 5), each "not recorded" when the file lacks it. */
#include "report_doc.h"
#include "numfmt.h"
#include "report_view.h"

#include <stdio.h>
#include <string.h>

#define NOT_RECORDED "not recorded"

static const char *or_nr(const char *s)
{
	return s ? s : NOT_RECORDED;
}

static void cpu_item(const cJSON *host, struct cvb_rdoc *d)
{
	const cJSON *cpu = cvb_rv_get(host, "cpu");
	const cJSON *hv = cvb_rv_get(cpu, "hypervisor");
	const char *gov = cvb_rv_str(cpu, "governor");
	cvb_rdoc_item(d, "CPU", "%s (%s)%s; frequency governor: %s",
	              or_nr(cvb_rv_str(cpu, "model")), or_nr(cvb_rv_str(cpu, "vendor")),
	              cJSON_IsTrue(hv) ? "; runs under a hypervisor (nested)" : "",
	              gov ? gov : "not readable");
}

static void topology_item(const cJSON *host, struct cvb_rdoc *d)
{
	const cJSON *t = cvb_rv_get(host, "topology");
	double pk = 0, co = 0, pu = 0, nu = 0, mem = 0;
	if (!cvb_rv_num(t, "pus", &pu)) {
		cvb_rdoc_item(d, "Topology", NOT_RECORDED);
		return;
	}
	cvb_rv_num(t, "packages", &pk);
	cvb_rv_num(t, "cores", &co);
	cvb_rv_num(t, "numa_nodes", &nu);
	char caches[512] = "", size[32];
	size_t used = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cvb_rv_get(t, "caches"))
	{
		double level = 0, bytes = 0, count = 0;
		const char *type = cvb_rv_str(c, "type");
		cvb_rv_num(c, "level", &level);
		cvb_rv_num(c, "size_bytes", &bytes);
		cvb_rv_num(c, "count", &count);
		cvb_format_value(bytes, "bytes", size, sizeof(size));
		if (used < sizeof(caches))
			used += (size_t)snprintf(caches + used, sizeof(caches) - used,
			                         "%sL%.0f%s %s x%.0f", used ? ", " : "", level,
			                         type && strcmp(type, "data") == 0          ? "d"
			                         : type && strcmp(type, "instruction") == 0 ? "i"
			                                                                    : "",
			                         size, count);
	}
	const char *allowed = cvb_rv_str(t, "allowed_cpus");
	cvb_rdoc_item(d, "Topology (hwloc)",
	              "%.0f package(s), %.0f core(s), %.0f PU(s), %.0f NUMA node(s); caches: %s; "
	              "CPUs allowed: %s",
	              pk, co, pu, nu, caches[0] ? caches : "none reported", or_nr(allowed));
	if (cvb_rv_num(host, "memory_total_bytes", &mem)) {
		cvb_format_value(mem, "bytes", size, sizeof(size));
		cvb_rdoc_item(d, "Memory", "%s", size);
	}
}

static void cgroup_item(const cJSON *host, struct cvb_rdoc *d)
{
	const cJSON *cg = cvb_rv_get(host, "cgroup");
	char ctl[256] = "";
	size_t used = 0;
	const cJSON *c;
	cJSON_ArrayForEach(c, cvb_rv_get(cg, "v2_controllers"))
	{
		if (cJSON_IsString(c) && used < sizeof(ctl))
			used += (size_t)snprintf(ctl + used, sizeof(ctl) - used, "%s%s",
			                         used ? ", " : "", c->valuestring);
	}
	const char *v2 = cvb_rv_str(cg, "v2_mount");
	cvb_rdoc_item(d, "cgroup mode", "%s%s%s%s%s", or_nr(cvb_rv_str(cg, "mode")),
	              v2 ? "; cgroup2 at " : "", v2 ? v2 : "", v2 ? " with " : "",
	              v2 ? (ctl[0] ? ctl : "no controllers") : "");
}

static void accel_item(const cJSON *doc, const cJSON *host, struct cvb_rdoc *d)
{
	const cJSON *kvm = cvb_rv_get(host, "kvm");
	char mods[128] = "";
	size_t used = 0;
	const cJSON *m;
	cJSON_ArrayForEach(m, cvb_rv_get(kvm, "modules"))
	{
		if (cJSON_IsString(m) && used < sizeof(mods))
			used += (size_t)snprintf(mods + used, sizeof(mods) - used, "%s%s",
			                         used ? ", " : "", m->valuestring);
	}
	const char *note = cvb_rv_str(kvm, "note");
	cvb_rdoc_item(d, "KVM", "/dev/kvm %s%s; modules: %s%s%s%s",
	              cJSON_IsTrue(cvb_rv_get(kvm, "device")) ? "present" : "absent",
	              cJSON_IsFalse(cvb_rv_get(kvm, "accessible")) ? " (not accessible)" : "",
	              mods[0] ? mods : "none",
	              cJSON_IsTrue(cvb_rv_get(kvm, "paravirtual")) ? "; paravirtual" : "",
	              note ? "; " : "", note ? note : "");
	const char *why = NULL, *accel = cvb_rv_vm_accel(doc, &why);
	if (accel)
		cvb_rdoc_item(d, "VM accelerator", "%s%s%s", accel, why ? ": " : "",
		              why ? why : "");
	else
		cvb_rdoc_item(d, "VM accelerator", "no VM cell in this run");
}

static void mitigations_item(const cJSON *host, struct cvb_rdoc *d)
{
	const cJSON *mit = cvb_rv_get(host, "mitigations"), *m;
	if (!cJSON_IsObject(mit)) {
		cvb_rdoc_item(d, "CPU vulnerability mitigations", NOT_RECORDED);
		return;
	}
	char list[2048] = "";
	size_t used = 0, unaffected = 0, total = 0;
	cJSON_ArrayForEach(m, mit)
	{
		total++;
		if (!cJSON_IsString(m) || strcmp(m->valuestring, "Not affected") == 0) {
			unaffected++;
			continue;
		}
		if (used < sizeof(list))
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s: %s",
			                         used ? "; " : "", m->string, m->valuestring);
	}
	cvb_rdoc_item(d, "CPU vulnerability mitigations", "%zu of %zu not affected%s%s", unaffected,
	              total, used ? "; " : "", list);
}

void cvb_report_host(const cJSON *doc, struct cvb_rdoc *d)
{
	const cJSON *host = cvb_rv_host(doc);
	cvb_rdoc_heading(d, 2, "Host");
	if (!host) {
		cvb_rdoc_para(d, "The file records no host facts.");
		return;
	}
	cvb_rdoc_list(d);
	cvb_rdoc_item(d, "Hostname", "%s", or_nr(cvb_rv_str(host, "hostname")));
	cpu_item(host, d);
	topology_item(host, d);
	const cJSON *k = cvb_rv_get(host, "kernel");
	cvb_rdoc_item(d, "Kernel", "%s %s (%s)", or_nr(cvb_rv_str(k, "release")),
	              cvb_rv_str(k, "version") ? cvb_rv_str(k, "version") : "",
	              or_nr(cvb_rv_str(k, "machine")));
	cgroup_item(host, d);
	const cJSON *root = cvb_rv_get(host, "root");
	cvb_rdoc_item(d, "Privileges", "%s",
	              cJSON_IsTrue(root)    ? "root"
	              : cJSON_IsFalse(root) ? "not root"
	                                    : NOT_RECORDED);
	accel_item(doc, host, d);
	mitigations_item(host, d);
	const cJSON *q = cvb_rv_get(host, "qemu"), *lv = cvb_rv_get(host, "libvirt");
	const char *qn = cvb_rv_str(q, "note"), *ln = cvb_rv_str(lv, "note");
	cvb_rdoc_item(d, "QEMU", "%s%s%s", or_nr(cvb_rv_str(q, "version")), qn ? "; " : "",
	              qn ? qn : "");
	cvb_rdoc_item(d, "libvirt", "library %s, daemon %s%s%s", or_nr(cvb_rv_str(lv, "library")),
	              or_nr(cvb_rv_str(lv, "daemon")), ln ? "; " : "", ln ? ln : "");
	const cJSON *tool = cvb_rv_get(doc, "tool");
	cvb_rdoc_item(d, "Tool", "%s %s, git %s", or_nr(cvb_rv_str(tool, "name")),
	              or_nr(cvb_rv_str(tool, "version")), or_nr(cvb_rv_str(tool, "git")));
}

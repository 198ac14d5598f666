/* The VM backend's host facts (its host_facts hook, backend.h): who may open
 * /dev/kvm for QEMU and the KVM probe's cached verdict, added to the "kvm"
 * object hostfacts.c collected. Real host only: a fixture has neither a
 * qemu.conf to ask nor a probe cache. */
#include "backend.h"
#include "json_util.h"
#include "vm_host.h"
#include "vm_probe_cache.h"

#include <stdbool.h>

#define KVM_NODE "/dev/kvm"

static cJSON *tristate(int value)
{
	return value < 0 ? cJSON_CreateNull() : cJSON_CreateBool(value);
}

/* The newest cached verdict that still holds for this host as it is now,
 * whichever guest kernel it was probed with (named in "kernel");
 * {"probed": false, "why": ...} when there is none. */
static cJSON *kvm_probe_json(bool paravirtual)
{
	struct cvb_vm_probe_verdict v;
	char why[512], kernel[4096], when[32], reason[320];
	int rc = cvb_vm_probe_cache_load(CVB_VM_PROBE_CACHE_PATH, NULL, &v, kernel, sizeof(kernel),
	                                 why, sizeof(why));
	cJSON *o = cJSON_CreateObject();

	if (!o || !cvb_json_add(o, "probed", cJSON_CreateBool(rc == 1)))
		goto oom;
	if (rc != 1) {
		/* unusable: a file cvbench cannot read or trust, not just no verdict */
		if (cvb_json_add(o, "why", cJSON_CreateString(why)) &&
		    (rc == 0 || cvb_json_add(o, "unusable", cJSON_CreateTrue())))
			return o;
		goto oom;
	}
	cvb_vm_probe_time_format(v.probed_at, when, sizeof(when));
	cvb_vm_probe_verdict_describe(&v, paravirtual, reason, sizeof(reason));
	if (cvb_json_add(o, "boots_guest", cJSON_CreateBool(v.probe == CVB_PROBE_READY)) &&
	    cvb_json_add(o, "result", cJSON_CreateString(cvb_vm_probe_result_name(v.probe))) &&
	    cvb_json_add(o, "reason", cJSON_CreateString(reason)) &&
	    cvb_json_add(o, "probed_at", cJSON_CreateString(when)) &&
	    cvb_json_add(o, "kernel", cJSON_CreateString(kernel)) &&
	    cvb_json_add(o, "cache", cJSON_CreateString(CVB_VM_PROBE_CACHE_PATH)))
		return o;
oom:
	cJSON_Delete(o);
	return NULL;
}

/* The node's owner and mode, whether QEMU's user (qemu.conf) may open it,
 * and the probe verdict; "device" and "paravirtual" are the host's facts. */
bool cvb_vm_host_facts(cJSON *facts)
{
	cJSON *kvm = cJSON_GetObjectItemCaseSensitive(facts, "kvm");
	if (!cJSON_IsObject(kvm))
		return true; /* nothing to add to */
	bool device = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(kvm, "device"));
	bool paravirtual = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(kvm, "paravirtual"));
	char user[64];
	struct cvb_vm_access a;
	bool known = false;
	int for_qemu = 0; /* no node: nobody can open it */

	cvb_vm_qemu_user(user, sizeof(user));
	a.owner[0] = '\0';
	if (device) {
		known = cvb_vm_user_access(KVM_NODE, user, &a, NULL) == 0;
		for_qemu = known ? a.accessible : -1;
	}
	/* a.owner is filled whenever the node could be read, even for a missing user. */
	return cvb_json_add(kvm, "node", cvb_json_string_or_null(a.owner[0] ? a.owner : NULL)) &&
	       cvb_json_add(kvm, "qemu_user", cJSON_CreateString(user)) &&
	       cvb_json_add(kvm, "accessible_to_qemu_user", tristate(for_qemu)) &&
	       cvb_json_add(kvm, "probe", kvm_probe_json(paravirtual));
}

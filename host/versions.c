#include "versions.h"
#include "cvb_spawn.h"

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <string.h>

void cvb_version_unpack(unsigned long packed, char *buf, size_t len)
{
	snprintf(buf, len, "%lu.%lu.%lu", packed / 1000000, packed / 1000 % 1000, packed % 1000);
}

int cvb_qemu_version_parse(const char *text, char *buf, size_t len)
{
	const char *p = strstr(text, "version ");
	if (!p)
		return -1;
	p += strlen("version ");
	size_t n = strspn(p, "0123456789.");
	if (n == 0)
		return -1;
	snprintf(buf, len, "%.*s", (int)n, p);
	return 0;
}

/* libvirt prints every error to stderr by default; ours are reported. */
static void quiet_libvirt(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

static void add_libvirt(cJSON *host)
{
	cJSON *o = cJSON_AddObjectToObject(host, "libvirt");
	unsigned long lib = 0;
	char v[32];
	virSetErrorFunc(NULL, quiet_libvirt);
	if (virGetVersion(&lib, NULL, NULL) == 0) {
		cvb_version_unpack(lib, v, sizeof(v));
		cJSON_AddStringToObject(o, "library", v);
	} else {
		cJSON_AddNullToObject(o, "library");
	}
	/* Read-only connection: needs no privileges and changes nothing. */
	virConnectPtr conn = virConnectOpenReadOnly("qemu:///system");
	unsigned long daemon = 0;
	if (conn && virConnectGetLibVersion(conn, &daemon) == 0) {
		cvb_version_unpack(daemon, v, sizeof(v));
		cJSON_AddStringToObject(o, "daemon", v);
		cJSON_AddStringToObject(o, "uri", "qemu:///system");
	} else {
		virErrorPtr e = virGetLastError();
		cJSON_AddNullToObject(o, "daemon");
		char note[300];
		snprintf(note, sizeof(note), "libvirtd not reachable at qemu:///system: %s",
		         e && e->message ? e->message : "unknown error");
		cJSON_AddStringToObject(o, "note", note);
	}
	if (conn)
		virConnectClose(conn);
}

static void add_qemu(cJSON *host)
{
	cJSON *o = cJSON_AddObjectToObject(host, "qemu");
	char out[512], v[32];
	char *argv[] = {"qemu-system-x86_64", "--version", NULL};
	struct cvb_error err = {0};
	cJSON_AddStringToObject(o, "binary", argv[0]);
	if (cvb_spawn_capture(argv, out, sizeof(out), 5000, &err) == 0 &&
	    cvb_qemu_version_parse(out, v, sizeof(v)) == 0) {
		cJSON_AddStringToObject(o, "version", v);
	} else {
		cJSON_AddNullToObject(o, "version");
		cJSON_AddStringToObject(
		    o, "note", err.msg[0] ? err.msg : "qemu-system-x86_64 printed no version");
	}
}

void cvb_versions_add(cJSON *host)
{
	add_libvirt(host);
	add_qemu(host);
}

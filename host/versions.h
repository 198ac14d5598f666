/* Virtualisation stack versions for the host facts: libvirt (library and,
 * if reachable, the daemon) and QEMU. */
#ifndef CVB_VERSIONS_H
#define CVB_VERSIONS_H

#include <cjson/cJSON.h>

/* Adds "libvirt" and "qemu" objects to host; absent tools give nulls with a
 * "note" saying what was missing. Never fails. */
void cvb_versions_add(cJSON *host);

/* "9.0.0" from libvirt's packed major*1000000 + minor*1000 + release. */
void cvb_version_unpack(unsigned long packed, char *buf, size_t len);

/* The version in `qemu-system-x86_64 --version` output ("QEMU emulator
 * version 7.2.19 (Debian ...)" -> "7.2.19"); 0, or -1 if absent. */
int cvb_qemu_version_parse(const char *text, char *buf, size_t len);

#endif

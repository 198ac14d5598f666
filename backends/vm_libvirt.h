/* libvirt's error plumbing, shared by the VM backend and its doctor:
 * errors are reported through cvbench's own messages, never printed by
 * libvirt on stderr. */
#ifndef CVB_VM_LIBVIRT_H
#define CVB_VM_LIBVIRT_H

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

static void cvb_vm_libvirt_ignore(void *data, virErrorPtr e)
{
	(void)data;
	(void)e;
}

/* Keeps libvirt from printing its errors itself (once per process is enough). */
static inline void cvb_vm_libvirt_quiet(void)
{
	virSetErrorFunc(NULL, cvb_vm_libvirt_ignore);
}

/* The message of this thread's last libvirt error. */
static inline const char *cvb_vm_libvirt_error(void)
{
	virErrorPtr e = virGetLastError();
	return e && e->message ? e->message : "unknown libvirt error";
}

#endif

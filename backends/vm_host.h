/* What the VM backend needs to know about this host besides libvirt: where
 * its guest kernel is, which user QEMU runs as and whether /dev/kvm is open
 * to that user, and which daemons run. Shared by the backend (probe,
 * run_begin), its doctor hook and `cvbench env`, so that they all say the
 * same. The decisions are pure functions of a struct stat or a text, tested
 * on their own (tests/unit/test_vm_doctor.c). */
#ifndef CVB_VM_HOST_H
#define CVB_VM_HOST_H

#include "cvb_error.h"

#include <cjson/cJSON.h>

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

#define CVB_VM_KVM_DEVICE "/dev/kvm"
#define CVB_VM_QEMU_BINARY "/usr/bin/qemu-system-x86_64"
#define CVB_VM_QEMU_CONF "/etc/libvirt/qemu.conf"
/* Debian's compiled-in `user` of qemu.conf. */
#define CVB_VM_QEMU_DEFAULT_USER "libvirt-qemu"
#define CVB_VM_CAPS_CACHE_DIR "/var/cache/libvirt/qemu/capabilities"

/* The guest kernel a run would boot: `kernel_opt` (--kernel) if given, else
 * guest/vmlinuz next to the agent (what `make guest` builds), else
 * ../share/cvbench/guest/vmlinuz for an installed agent. Writes the path
 * into out (the one looked for first when none is readable). 0 if it is
 * readable; -1 with err ("no guest kernel at PATH (run make guest)"). */
int cvb_vm_kernel_path(const char *agent_path, const char *kernel_opt, char *out, size_t len,
                       struct cvb_error *err);

/* The `user = "..."` setting of a qemu.conf text (the last one wins, as in
 * libvirt; "+N" names uid N), or CVB_VM_QEMU_DEFAULT_USER when the text is
 * NULL or does not set it. Writes into out. */
void cvb_vm_qemu_user_parse(const char *conf_text, char *out, size_t len);

/* The user QEMU runs as under qemu:///system, from CVB_VM_QEMU_CONF. */
void cvb_vm_qemu_user(char *out, size_t len);

/* True if the mode bits of st let uid (with these groups, its primary one
 * included) open the node for reading and writing, as the kernel decides:
 * owner bits for the owner, else group bits for a member, else others'
 * bits. uid 0 passes (DAC override). */
bool cvb_vm_node_grants_rw(const struct stat *st, uid_t uid, const gid_t *gids, size_t n_gids);

/* What a user may do with a device node. */
struct cvb_vm_access {
	struct stat st;  /* the node */
	uid_t uid;       /* the user's */
	gid_t gid;       /* its primary group */
	bool accessible; /* cvb_vm_node_grants_rw for this user */
	char owner[64];  /* "root:kvm 0660", for evidence */
};

/* Fills *out for `user` and `path` (getpwnam, getgrouplist, stat: the user
 * is never switched to). -1 with err when the node or the user is missing. */
int cvb_vm_user_access(const char *path, const char *user, struct cvb_vm_access *out,
                       struct cvb_error *err);

/* "root:kvm 0660" for a node (names, or numbers where there is no name). */
void cvb_vm_node_describe(const struct stat *st, char *out, size_t len);

/* The pid of a process whose comm (<proc_root>/<pid>/comm) is exactly
 * `comm`, or 0 if there is none. proc_root is "/proc" on a host. */
pid_t cvb_vm_process_find(const char *proc_root, const char *comm);

/* True when a udev daemon (systemd-udevd, udevd) runs: then device modes are
 * its business, not cvbench's. */
bool cvb_vm_udev_running(void);

/* The VM backend's host_facts hook (vm_host_facts.c): adds to facts' "kvm"
 * object "node", "qemu_user", "accessible_to_qemu_user" and "probe" (the
 * cached KVM verdict). false if out of memory. */
bool cvb_vm_host_facts(cJSON *facts);

#endif

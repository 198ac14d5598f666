/* The VM agent's channel: a UNIX socket only the domain's QEMU can reach
 * and only the domain's QEMU may speak on (as libvirt does for its own
 * sockets). The socket has a random name in a private directory (0710
 * root:<QEMU's group>, socket 0660; 0700/0600 when QEMU runs as this
 * process's user), so no other user can connect at all and another QEMU of
 * the same user cannot find it. A connection is kept only when its peer
 * (SO_PEERCRED) is the domain's QEMU, whose pid comes from libvirt's own pid
 * file and is cross-checked in /proc; anything else fails closed. Tested
 * without a VM in tests/unit/test_vm_channel.c. */
#ifndef CVB_VM_CHANNEL_H
#define CVB_VM_CHANNEL_H

#include "cvb_error.h"

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#define CVB_VM_CHANNEL_MAX_REFUSED 16
/* libvirt's pid files for a privileged daemon (qemu:///system, and
 * qemu:///session when run as root, which the same daemon serves). */
#define CVB_VM_LIBVIRT_PID_DIR "/run/libvirt/qemu"

struct cvb_vm_channel {
	int fd;                                    /* listening; -1 once closed */
	char dir[PATH_MAX];                        /* the private directory, "" once removed */
	char path[PATH_MAX];                       /* dir/<32 hex>.sock */
	pid_t refused[CVB_VM_CHANNEL_MAX_REFUSED]; /* peers turned away, in order */
	int n_refused;                             /* all of them: may exceed the array */
};

/* n random bytes from getrandom as 2n lowercase hex digits (len > 2n). */
int cvb_vm_channel_random_hex(char *out, size_t len, size_t n, struct cvb_error *err);

/* Makes parent/ch-<8 hex>/ and listens on <32 hex>.sock in it, owned so
 * that a QEMU running as qemu_uid:qemu_gid can connect and nobody else but
 * root can: group qemu_gid with 0710/0660 when qemu_uid is not this
 * process's euid, else 0700/0600. */
int cvb_vm_channel_open(struct cvb_vm_channel *ch, const char *parent, uid_t qemu_uid,
                        gid_t qemu_gid, struct cvb_error *err);

/* Waits until deadline_ns (cvb_now_ns clock) for a connection whose peer
 * is pid qemu; every other one is closed and recorded in ch->refused.
 * Then closes and unlinks the listener, so no second connection can come.
 * Returns the connection (non-blocking, close-on-exec), or -1 with err. */
int cvb_vm_channel_accept(struct cvb_vm_channel *ch, pid_t qemu, int64_t deadline_ns,
                          struct cvb_error *err);

/* Closes the listener and removes the socket and its directory; safe to
 * call again. */
void cvb_vm_channel_close(struct cvb_vm_channel *ch);

/* The uid:gid libvirt runs QEMU as, from the DAC <baselabel> of its
 * capabilities XML ("+64055:+64055"; for virt type "kvm" or "qemu", else
 * any). 0, or -1 with err when there is none. */
int cvb_vm_qemu_ids_parse(const char *caps_xml, const char *virt_type, uid_t *uid, gid_t *gid,
                          struct cvb_error *err);

/* The pid in a pid file only `owner` can have written: a regular file
 * (O_NOFOLLOW) owned by owner, writable by no one else, in a directory
 * likewise, holding digits and a newline. 0, or -1 with err. */
int cvb_vm_pid_file_read(const char *path, uid_t owner, pid_t *pid, struct cvb_error *err);

/* 0 when <proc_root>/<pid> is a qemu-system-* binary running with every
 * uid (real, effective, saved, fs) equal to uid; -1 with err otherwise. */
int cvb_vm_qemu_verify(const char *proc_root, pid_t pid, uid_t uid, struct cvb_error *err);

/* The pid of the domain `name`'s QEMU, from libvirt's pid file (the
 * privileged daemon's when this process is root, else the session
 * daemon's under $XDG_RUNTIME_DIR or ~/.cache), verified to run as
 * qemu_uid. 0, or -1 with err: the caller must not go on without it. */
int cvb_vm_qemu_pid(const char *name, uid_t qemu_uid, pid_t *pid, struct cvb_error *err);

#endif

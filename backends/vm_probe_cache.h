/* The KVM probe's verdict, kept per host boot: whether a probe guest reached
 * READY under KVM does not change until the host reboots or its KVM, QEMU or
 * the guest kernel change, and finding out costs a ~5 s boot. So the first
 * VM run of a boot probes and writes the verdict here; later runs, `cvbench
 * doctor`, `list` and `env` read it.
 *
 * One root-only file, CVB_VM_PROBE_CACHE_PATH (directory 0700, file 0600,
 * replaced atomically), holding verdicts (one per guest kernel) and the key
 * each is valid for:
 * /proc/sys/kernel/random/boot_id, the QEMU binary (size, mtime), /dev/kvm's
 * device number, which of kvm_pvm/kvm_intel/kvm_amd are loaded, and the guest
 * kernel (path, size, mtime). Any difference means "not probed". Removing
 * the file makes the next VM run probe again. It is not a leftover of a run:
 * `cvbench cleanup` leaves it alone (it looks only for cvb-* names). */
#ifndef CVB_VM_PROBE_CACHE_H
#define CVB_VM_PROBE_CACHE_H

#include "cvb_error.h"
#include "vm_accel.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CVB_VM_PROBE_CACHE_DIR "/run/cvbench"
#define CVB_VM_PROBE_CACHE_PATH CVB_VM_PROBE_CACHE_DIR "/kvm-probe.json"

/* What would change the verdict. */
struct cvb_vm_probe_key {
	char boot_id[40];
	int64_t qemu_size, qemu_mtime_ns;
	uint64_t kvm_rdev; /* 0: no /dev/kvm */
	char modules[64];  /* the loaded ones of kvm_pvm, kvm_intel, kvm_amd: "kvm_pvm" */
	char kernel[PATH_MAX];
	int64_t kernel_size, kernel_mtime_ns;
};

/* What the probe found. */
struct cvb_vm_probe_verdict {
	enum cvb_kvm_probe probe; /* READY, TIMEOUT or FAILED (never NOT_RUN) */
	int probe_ms;
	char detail[256];  /* QEMU's or libvirt's words when it FAILED, else "" */
	int64_t probed_at; /* unix time (s) */
};

/* Reads this host's key for a probe booting `kernel`. -1 with err when the
 * boot id, the QEMU binary or the kernel cannot be read (then nothing can
 * be cached). */
int cvb_vm_probe_key_read(const char *kernel, struct cvb_vm_probe_key *key, struct cvb_error *err);

/* The first difference between two keys in words ("another boot", "QEMU
 * changed", ...), or NULL when they are equal. */
const char *cvb_vm_probe_key_diff(const struct cvb_vm_probe_key *a,
                                  const struct cvb_vm_probe_key *b);

/* One verdict and the key it holds for. The file keeps up to
 * CVB_VM_PROBE_CACHE_ENTRIES of them, one per guest kernel, newest first. */
struct cvb_vm_probe_entry {
	struct cvb_vm_probe_key key;
	struct cvb_vm_probe_verdict v;
};
#define CVB_VM_PROBE_CACHE_ENTRIES 8

/* The file's text for n entries (caller frees), or NULL on ENOMEM. */
char *cvb_vm_probe_cache_format(const struct cvb_vm_probe_entry *e, size_t n);

/* Parses the file's text into at most max entries (*n of them); -1 with
 * err (and *n = 0) if it is not a file this version wrote. */
int cvb_vm_probe_cache_parse(const char *text, struct cvb_vm_probe_entry *e, size_t max, size_t *n,
                             struct cvb_error *err);

/* Adds key and verdict to the file at path, replacing the verdict for the
 * same kernel and dropping those of other boots (its directory made 0700 if
 * missing; the file 0600: temporary file, fsync, rename, fsync of the
 * directory). Two runs storing at once may lose one's verdict: it is only
 * probed again. */
int cvb_vm_probe_cache_store(const char *path, const struct cvb_vm_probe_key *key,
                             const struct cvb_vm_probe_verdict *v, struct cvb_error *err);

/* Looks the verdict up for `kernel` (NULL: the newest verdict that still
 * holds, whichever kernel it was probed with). 1 with *v filled when
 * the file holds a verdict for this host's current key; 0 when there is
 * none, with why[] saying so ("not probed yet", "probed under another
 * boot"); -1 when the file exists but cannot be trusted or read (why[]
 * says so). `probed_kernel` (may be NULL) gets the kernel of the verdict. */
int cvb_vm_probe_cache_load(const char *path, const char *kernel, struct cvb_vm_probe_verdict *v,
                            char *probed_kernel, size_t kernel_len, char *why, size_t why_len);

/* "2026-12-02T06:01:02Z" for a unix time. */
void cvb_vm_probe_time_format(int64_t unix_s, char *out, size_t len);

/* "a probe guest did not reach READY under KVM within 4003 ms (...)": the
 * verdict in the accelerator decision's words. */
void cvb_vm_probe_verdict_describe(const struct cvb_vm_probe_verdict *v, bool paravirtual,
                                   char *out, size_t len);

/* "ready", "timeout", "failed" ("not_run" for CVB_PROBE_NOT_RUN). */
const char *cvb_vm_probe_result_name(enum cvb_kvm_probe p);

#endif

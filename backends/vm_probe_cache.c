#include "vm_probe_cache.h"
#include "atomic_file.h"
#include "vm_host.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#define CACHE_FORMAT 1
#define CACHE_MAX_BYTES 65536 /* the file is < 1 KiB per verdict */

static const char *const kvm_modules[] = {"kvm_pvm", "kvm_intel", "kvm_amd", NULL};

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static int boot_id_read(char *out, size_t len, struct cvb_error *err)
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return cvb_error_errno(err, errno, "cannot read /proc/sys/kernel/random/boot_id");
	ssize_t n = read(fd, out, len - 1);
	close(fd);
	if (n <= 0)
		return cvb_error_set(err, EIO, "/proc/sys/kernel/random/boot_id is empty");
	out[n] = '\0';
	out[strcspn(out, "\n")] = '\0';
	return 0;
}

int cvb_vm_probe_key_read(const char *kernel, struct cvb_vm_probe_key *key, struct cvb_error *err)
{
	struct stat st;
	memset(key, 0, sizeof(*key));
	if (boot_id_read(key->boot_id, sizeof(key->boot_id), err) < 0)
		return -1;
	if (stat(CVB_VM_QEMU_BINARY, &st) < 0)
		return cvb_error_errno(err, errno, "cannot stat %s", CVB_VM_QEMU_BINARY);
	key->qemu_size = (int64_t)st.st_size;
	key->qemu_mtime_ns = mtime_ns(&st);
	if (stat(CVB_VM_KVM_DEVICE, &st) == 0 && S_ISCHR(st.st_mode))
		key->kvm_rdev = (uint64_t)st.st_rdev;
	size_t off = 0;
	for (const char *const *m = kvm_modules; *m; m++) {
		char path[64];
		snprintf(path, sizeof(path), "/sys/module/%s", *m);
		if (access(path, F_OK) == 0 && off < sizeof(key->modules))
			off += (size_t)snprintf(key->modules + off, sizeof(key->modules) - off,
			                        "%s%s", off ? "," : "", *m);
	}
	/* The same file under another spelling of its path is the same kernel. */
	if (stat(kernel, &st) < 0 || !realpath(kernel, key->kernel))
		return cvb_error_errno(err, errno, "cannot stat the guest kernel %s", kernel);
	key->kernel_size = (int64_t)st.st_size;
	key->kernel_mtime_ns = mtime_ns(&st);
	return 0;
}

const char *cvb_vm_probe_key_diff(const struct cvb_vm_probe_key *a,
                                  const struct cvb_vm_probe_key *b)
{
	if (strcmp(a->boot_id, b->boot_id) != 0)
		return "it was probed under another boot of this host";
	if (a->qemu_size != b->qemu_size || a->qemu_mtime_ns != b->qemu_mtime_ns)
		return "QEMU changed since it was probed";
	if (a->kvm_rdev != b->kvm_rdev)
		return "/dev/kvm changed since it was probed";
	if (strcmp(a->modules, b->modules) != 0)
		return "the loaded KVM modules changed since it was probed";
	if (strcmp(a->kernel, b->kernel) != 0)
		return "it was probed with another guest kernel";
	if (a->kernel_size != b->kernel_size || a->kernel_mtime_ns != b->kernel_mtime_ns)
		return "the guest kernel changed since it was probed";
	return NULL;
}

const char *cvb_vm_probe_result_name(enum cvb_kvm_probe p)
{
	switch (p) {
	case CVB_PROBE_READY:
		return "ready";
	case CVB_PROBE_TIMEOUT:
		return "timeout";
	case CVB_PROBE_FAILED:
		return "failed";
	case CVB_PROBE_NOT_RUN:
		break;
	}
	return "not_run";
}

void cvb_vm_probe_time_format(int64_t unix_s, char *out, size_t len)
{
	time_t t = (time_t)unix_s;
	struct tm tm;
	if (!gmtime_r(&t, &tm) || strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(out, len, "?");
}

/* ns counts exceed a double's 53 bits: kept as decimal strings. */
static bool add_i64(cJSON *o, const char *name, int64_t v)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%" PRId64, v);
	return cJSON_AddStringToObject(o, name, buf) != NULL;
}

static bool get_i64(const cJSON *o, const char *name, int64_t *v)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
	char *end;
	if (!cJSON_IsString(it))
		return false;
	errno = 0;
	*v = strtoll(it->valuestring, &end, 10);
	return errno == 0 && end != it->valuestring && *end == '\0';
}

static bool get_str(const cJSON *o, const char *name, char *out, size_t len)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, name);
	if (!cJSON_IsString(it) || strlen(it->valuestring) >= len)
		return false;
	snprintf(out, len, "%s", it->valuestring);
	return true;
}

static bool key_to_json(cJSON *k, const struct cvb_vm_probe_key *key)
{
	return cJSON_AddStringToObject(k, "boot_id", key->boot_id) &&
	       cJSON_AddStringToObject(k, "qemu_binary", CVB_VM_QEMU_BINARY) &&
	       add_i64(k, "qemu_size", key->qemu_size) &&
	       add_i64(k, "qemu_mtime_ns", key->qemu_mtime_ns) &&
	       add_i64(k, "kvm_rdev", (int64_t)key->kvm_rdev) &&
	       cJSON_AddStringToObject(k, "kvm_modules", key->modules) &&
	       cJSON_AddStringToObject(k, "kernel", key->kernel) &&
	       add_i64(k, "kernel_size", key->kernel_size) &&
	       add_i64(k, "kernel_mtime_ns", key->kernel_mtime_ns);
}

static cJSON *entry_to_json(const struct cvb_vm_probe_entry *e)
{
	char when[32];
	cJSON *doc = cJSON_CreateObject();
	cJSON *k = cJSON_AddObjectToObject(doc, "key");
	cJSON *o = cJSON_AddObjectToObject(doc, "verdict");
	const struct cvb_vm_probe_verdict *v = &e->v;
	cvb_vm_probe_time_format(v->probed_at, when, sizeof(when));
	if (k && o && key_to_json(k, &e->key) &&
	    cJSON_AddStringToObject(o, "result", cvb_vm_probe_result_name(v->probe)) &&
	    cJSON_AddBoolToObject(o, "boots_guest", v->probe == CVB_PROBE_READY) &&
	    cJSON_AddNumberToObject(o, "probe_ms", v->probe_ms) &&
	    cJSON_AddStringToObject(o, "detail", v->detail) &&
	    cJSON_AddStringToObject(o, "probed_at", when) &&
	    add_i64(o, "probed_at_unix", v->probed_at))
		return doc;
	cJSON_Delete(doc);
	return NULL;
}

char *cvb_vm_probe_cache_format(const struct cvb_vm_probe_entry *e, size_t n)
{
	cJSON *doc = cJSON_CreateObject();
	cJSON *arr = NULL;
	char *text = NULL;
	if (!doc || !cJSON_AddNumberToObject(doc, "cvbench_kvm_probe", CACHE_FORMAT) ||
	    !(arr = cJSON_AddArrayToObject(doc, "verdicts")))
		goto out;
	for (size_t i = 0; i < n; i++) {
		cJSON *item = entry_to_json(&e[i]);
		if (!item)
			goto out;
		cJSON_AddItemToArray(arr, item);
	}
	text = cJSON_Print(doc);
out:
	cJSON_Delete(doc);
	return text;
}

static bool key_from_json(const cJSON *k, struct cvb_vm_probe_key *key)
{
	int64_t rdev = 0;
	bool ok = get_str(k, "boot_id", key->boot_id, sizeof(key->boot_id)) &&
	          get_i64(k, "qemu_size", &key->qemu_size) &&
	          get_i64(k, "qemu_mtime_ns", &key->qemu_mtime_ns) &&
	          get_i64(k, "kvm_rdev", &rdev) &&
	          get_str(k, "kvm_modules", key->modules, sizeof(key->modules)) &&
	          get_str(k, "kernel", key->kernel, sizeof(key->kernel)) &&
	          get_i64(k, "kernel_size", &key->kernel_size) &&
	          get_i64(k, "kernel_mtime_ns", &key->kernel_mtime_ns);
	key->kvm_rdev = (uint64_t)rdev;
	return ok;
}

static bool verdict_from_json(const cJSON *o, struct cvb_vm_probe_verdict *v)
{
	char result[16];
	const cJSON *ms = cJSON_GetObjectItemCaseSensitive(o, "probe_ms");
	if (!get_str(o, "result", result, sizeof(result)) || !cJSON_IsNumber(ms) ||
	    !get_str(o, "detail", v->detail, sizeof(v->detail)) ||
	    !get_i64(o, "probed_at_unix", &v->probed_at))
		return false;
	v->probe_ms = ms->valueint;
	if (strcmp(result, "ready") == 0)
		v->probe = CVB_PROBE_READY;
	else if (strcmp(result, "timeout") == 0)
		v->probe = CVB_PROBE_TIMEOUT;
	else if (strcmp(result, "failed") == 0)
		v->probe = CVB_PROBE_FAILED;
	else
		return false;
	return true;
}

int cvb_vm_probe_cache_parse(const char *text, struct cvb_vm_probe_entry *e, size_t max, size_t *n,
                             struct cvb_error *err)
{
	cJSON *doc = cJSON_Parse(text);
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(doc, "cvbench_kvm_probe");
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(doc, "verdicts"), *item;
	bool ok = cJSON_IsNumber(fmt) && fmt->valueint == CACHE_FORMAT && cJSON_IsArray(arr);
	*n = 0;
	if (!ok)
		arr = NULL;
	cJSON_ArrayForEach(item, arr)
	{
		if (*n == max)
			break;
		memset(&e[*n], 0, sizeof(e[*n]));
		if (!key_from_json(cJSON_GetObjectItemCaseSensitive(item, "key"), &e[*n].key) ||
		    !verdict_from_json(cJSON_GetObjectItemCaseSensitive(item, "verdict"),
		                       &e[*n].v)) {
			ok = false;
			break;
		}
		(*n)++;
	}
	cJSON_Delete(doc);
	if (!ok)
		*n = 0;
	return ok ? 0 : cvb_error_set(err, EINVAL, "not a KVM probe verdict file cvbench wrote");
}

/* The cache's directory, root's alone: made 0700, or refused if it is not
 * a directory of ours. */
static int cache_dir_make(const char *path, struct cvb_error *err)
{
	char buf[PATH_MAX];
	struct stat st;
	snprintf(buf, sizeof(buf), "%s", path);
	const char *dir = dirname(buf);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return cvb_error_errno(err, errno, "cannot create %s", dir);
	if (lstat(dir, &st) < 0)
		return cvb_error_errno(err, errno, "cannot stat %s", dir);
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid())
		return cvb_error_set(err, EPERM, "%s is not a directory of uid %d: not using it",
		                     dir, (int)geteuid());
	if ((st.st_mode & 077) && chmod(dir, 0700) < 0)
		return cvb_error_errno(err, errno, "cannot make %s private (0700)", dir);
	return 0;
}

/* Reads the file if it is ours and private; 1 read, 0 absent, -1 not usable. */
static int cache_read(const char *path, char *buf, size_t len, char *why, size_t why_len)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(why, why_len, "cannot read %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Anyone who could write it could make runs trust a wrong verdict. */
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || (st.st_mode & 022)) {
		close(fd);
		snprintf(why, why_len, "%s is not a private file of uid %d: ignored", path,
		         (int)geteuid());
		return -1;
	}
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0) {
		snprintf(why, why_len, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	return 1;
}

/* The entries of the file at path; 1 read (*n of them), 0 no file, -1 a
 * file that cannot be read or trusted (why says so). */
static int entries_read(const char *path, struct cvb_vm_probe_entry *e, size_t *n, char *why,
                        size_t why_len)
{
	struct cvb_error err = {0};
	char *text = malloc(CACHE_MAX_BYTES);
	*n = 0;
	if (!text) {
		snprintf(why, why_len, "out of memory");
		return -1;
	}
	int rc = cache_read(path, text, CACHE_MAX_BYTES, why, why_len);
	if (rc > 0 && cvb_vm_probe_cache_parse(text, e, CVB_VM_PROBE_CACHE_ENTRIES, n, &err) < 0) {
		snprintf(why, why_len, "%s: %s", path, err.msg);
		rc = -1;
	}
	free(text);
	return rc;
}

int cvb_vm_probe_cache_store(const char *path, const struct cvb_vm_probe_key *key,
                             const struct cvb_vm_probe_verdict *v, struct cvb_error *err)
{
	struct cvb_vm_probe_entry *old = calloc(2 * CVB_VM_PROBE_CACHE_ENTRIES, sizeof(*old));
	struct cvb_vm_probe_entry *e = old ? old + CVB_VM_PROBE_CACHE_ENTRIES : NULL;
	size_t n_old = 0, n = 0;
	char why[512];
	if (!old)
		return cvb_error_set(err, ENOMEM, "out of memory");
	if (cache_dir_make(path, err) < 0) {
		free(old);
		return -1;
	}
	/* The newest first; other kernels' verdicts of this boot are kept, so
	 * that runs of two builds do not make each other probe again. */
	entries_read(path, old, &n_old, why, sizeof(why));
	e[n++] = (struct cvb_vm_probe_entry){.key = *key, .v = *v};
	for (size_t i = 0; i < n_old && n < CVB_VM_PROBE_CACHE_ENTRIES; i++)
		if (strcmp(old[i].key.kernel, key->kernel) != 0 &&
		    strcmp(old[i].key.boot_id, key->boot_id) == 0)
			e[n++] = old[i];
	char *text = cvb_vm_probe_cache_format(e, n);
	int rc = text ? cvb_atomic_write_mode(path, text, strlen(text), 0600, err)
	              : cvb_error_set(err, ENOMEM, "out of memory");
	free(text);
	free(old);
	return rc;
}

int cvb_vm_probe_cache_load(const char *path, const char *kernel, struct cvb_vm_probe_verdict *v,
                            char *probed_kernel, size_t kernel_len, char *why, size_t why_len)
{
	struct cvb_vm_probe_entry *e = calloc(CVB_VM_PROBE_CACHE_ENTRIES, sizeof(*e));
	struct cvb_vm_probe_key now;
	char want[PATH_MAX];
	const char *diff = NULL;
	size_t n = 0;
	int rc = e ? entries_read(path, e, &n, why, why_len) : -1;
	if (!e)
		snprintf(why, why_len, "out of memory");
	if (kernel && !realpath(kernel, want))
		snprintf(want, sizeof(want), "%s", kernel);
	for (size_t i = 0; rc > 0 && i < n; i++) {
		struct cvb_error err = {0};
		if (kernel && strcmp(e[i].key.kernel, want) != 0)
			continue;
		const char *d = cvb_vm_probe_key_read(e[i].key.kernel, &now, &err) < 0
		                    ? "its guest kernel is gone"
		                    : cvb_vm_probe_key_diff(&e[i].key, &now);
		if (!d) {
			*v = e[i].v;
			if (probed_kernel)
				snprintf(probed_kernel, kernel_len, "%s", e[i].key.kernel);
			why[0] = '\0';
			free(e);
			return 1;
		}
		diff = diff ? diff : d;
	}
	free(e);
	if (rc < 0)
		return -1;
	if (diff)
		snprintf(why, why_len, "not probed yet (a verdict is cached, but %s)", diff);
	else
		snprintf(why, why_len, "not probed yet");
	return 0;
}

void cvb_vm_probe_verdict_describe(const struct cvb_vm_probe_verdict *v, bool paravirtual,
                                   char *out, size_t len)
{
	struct cvb_kvm_facts f = {.device = true,
	                          .accessible = true,
	                          .paravirtual = paravirtual,
	                          .probe = v->probe,
	                          .probe_ms = v->probe_ms,
	                          .probe_detail = v->detail[0] ? v->detail : NULL};
	enum cvb_vm_accel accel;
	char reason[512];
	cvb_accel_decide(CVB_ACCEL_REQ_AUTO, &f, &accel, reason, sizeof(reason));
	/* Its words without the accelerator it chose: "tcg: a probe guest ..." */
	const char *colon = strstr(reason, ": ");
	snprintf(out, len, "%s", colon ? colon + 2 : reason);
}

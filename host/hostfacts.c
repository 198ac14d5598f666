#include "json_util.h"
#include "hostfacts.h"
#include "topology.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define LABEL_WIDTH 18

/* cpu0 speaks for all: cvbench records the policy, not per-CPU tuning. */
#define GOVERNOR_PATH "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"

static const char kvm_pvm_note[] = "kvm_pvm is a paravirtual KVM: stock Linux guests hang on it; "
                                   "VMs will run under TCG";

static void trim_trailing_space(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
}

/* An optional one-value file (procfs, sysfs), trimmed; NULL when it is
 * missing or unreadable, which the facts record as null. */
static char *optional_value_read(const char *root, const char *path)
{
	struct cvb_error ignored;
	char *s = cvb_host_file_read(root, path, NULL, &ignored);

	if (s)
		trim_trailing_space(s);
	return s;
}

/* Adds s, or null when s is NULL, and frees s: for values read from files. */
static bool json_add_owned_string(cJSON *obj, const char *key, char *s)
{
	bool ok = cvb_json_add(obj, key, cvb_json_string_or_null(s));

	free(s);
	return ok;
}

/* -1 means unknown. */
static cJSON *json_tristate(int value)
{
	return value < 0 ? cJSON_CreateNull() : cJSON_CreateBool(value);
}

static int strcmp_indirect(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A growable list of owned names: kvm modules, vulnerability files. */
struct name_list {
	char **names;
	size_t n, cap;
};

static void name_list_free(struct name_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->names[i]);
	free(l->names);
	memset(l, 0, sizeof(*l));
}

static bool name_list_contains(const struct name_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->names[i], name) == 0)
			return true;
	}
	return false;
}

static int name_list_add(struct name_list *l, const char *name, size_t len)
{
	char *copy;

	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 16;
		char **p = realloc(l->names, ncap * sizeof(*p));

		if (!p)
			return -1;
		l->names = p;
		l->cap = ncap;
	}
	copy = strndup(name, len);
	if (!copy)
		return -1;
	l->names[l->n++] = copy;
	return 0;
}

static void name_list_sort(struct name_list *l)
{
	if (l->n > 1)
		qsort(l->names, l->n, sizeof(*l->names), strcmp_indirect);
}

/* Entry names of <root><dir> (dot entries skipped) that start with prefix.
 * Returns 1 when the directory was read, 0 when it is missing or
 * unreadable, -1 when out of memory. */
static int dir_names_read(const char *root, const char *dir, const char *prefix,
                          struct name_list *out)
{
	char path[4096];
	struct dirent *de;
	DIR *d;
	int rc = 1;

	if (cvb_host_path(path, sizeof(path), root, dir, NULL) < 0)
		return 0;
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || strncmp(de->d_name, prefix, strlen(prefix)) != 0 ||
		    name_list_contains(out, de->d_name))
			continue;
		if (name_list_add(out, de->d_name, strlen(de->d_name)) < 0) {
			rc = -1;
			break;
		}
	}
	closedir(d);
	return rc;
}

static bool facts_add_hostname(cJSON *facts, const char *root, const struct utsname *uts)
{
	char *name = optional_value_read(root, "/proc/sys/kernel/hostname");

	if (!name && uts)
		name = strdup(uts->nodename);
	return json_add_owned_string(facts, "hostname", name);
}

static bool facts_add_kernel(cJSON *facts, const char *root, const struct utsname *uts)
{
	char *release = optional_value_read(root, "/proc/sys/kernel/osrelease");
	char *version = optional_value_read(root, "/proc/sys/kernel/version");
	char *machine = optional_value_read(root, "/proc/sys/kernel/arch");
	cJSON *kernel = cJSON_AddObjectToObject(facts, "kernel");

	/* kernel.arch appeared in Linux 6.1; uname() answers for older hosts. */
	if (uts) {
		if (!release)
			release = strdup(uts->release);
		if (!version)
			version = strdup(uts->version);
		if (!machine)
			machine = strdup(uts->machine);
	}
	if (!kernel) {
		free(release);
		free(version);
		free(machine);
		return false;
	}
	bool ok = json_add_owned_string(kernel, "release", release);

	ok = json_add_owned_string(kernel, "version", version) && ok;
	ok = json_add_owned_string(kernel, "machine", machine) && ok;
	return ok;
}

static bool has_word(const char *list, const char *word)
{
	size_t wlen = strlen(word);

	while (*list) {
		size_t len;

		list += strspn(list, " \t");
		len = strcspn(list, " \t");
		if (len == wlen && strncmp(list, word, len) == 0)
			return true;
		list += len;
	}
	return false;
}

/* x86's cpuinfo: "model name\t: AMD EPYC"; the first processor speaks for
 * all (heterogeneous cores share vendor, model and flags on x86). */
static bool facts_add_cpu(cJSON *facts, const char *root)
{
	struct cvb_error ignored;
	char *text = cvb_host_file_read(root, "/proc/cpuinfo", NULL, &ignored);
	const char *model = NULL, *vendor = NULL;
	int hypervisor = -1;
	cJSON *cpu = cJSON_AddObjectToObject(facts, "cpu");
	bool ok;

	for (char *line = text, *next; line && *line; line = next) {
		char *colon, *value;

		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		colon = strchr(line, ':');
		if (!colon)
			continue;
		*colon = '\0';
		trim_trailing_space(line);
		value = colon + 1 + strspn(colon + 1, " \t");
		trim_trailing_space(value);
		if (!model && strcmp(line, "model name") == 0 && *value)
			model = value;
		else if (!vendor && strcmp(line, "vendor_id") == 0 && *value)
			vendor = value;
		else if (hypervisor < 0 && strcmp(line, "flags") == 0)
			hypervisor = has_word(value, "hypervisor");
	}
	ok = cpu && cvb_json_add(cpu, "model", cvb_json_string_or_null(model)) &&
	     cvb_json_add(cpu, "vendor", cvb_json_string_or_null(vendor)) &&
	     cvb_json_add(cpu, "hypervisor", json_tristate(hypervisor)) &&
	     json_add_owned_string(cpu, "governor", optional_value_read(root, GOVERNOR_PATH));
	free(text);
	return ok;
}

/* MemTotal in bytes, or -1 when meminfo is missing or does not say. */
static int64_t memory_total_read(const char *root)
{
	struct cvb_error ignored;
	char *text = cvb_host_file_read(root, "/proc/meminfo", NULL, &ignored);
	int64_t bytes = -1;
	char *line;

	if (!text)
		return -1;
	for (line = text; line && strncmp(line, "MemTotal:", 9) != 0;) {
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	if (line) {
		unsigned long long kib;
		char *end;

		errno = 0;
		kib = strtoull(line + 9, &end, 10);
		if (!errno && end != line + 9 && strncmp(end, " kB", 3) == 0 &&
		    kib <= (unsigned long long)INT64_MAX / 1024)
			bytes = (int64_t)kib * 1024;
	}
	free(text);
	return bytes;
}

static int facts_add_topology(cJSON *facts, bool real, struct cvb_error *err)
{
	hwloc_topology_t topo;
	cJSON *desc;

	/* A fixture root has no hwloc view; its topology is unknown. */
	if (!real)
		desc = cJSON_CreateNull();
	else if (cvb_topology_load_machine(&topo, err) < 0)
		return -1;
	else {
		desc = cvb_topology_describe(topo);
		hwloc_topology_destroy(topo);
	}
	if (!cvb_json_add(facts, "topology", desc))
		return cvb_error_set(err, ENOMEM, "out of memory describing the topology");
	return 0;
}

static int facts_add_cgroup(cJSON *facts, const char *root, struct cvb_error *err)
{
	struct cvb_cgroup_layout layout;
	struct cvb_error detect_err;
	cJSON *obj = NULL;

	if (cvb_cgroup_layout_detect(root, &layout, &detect_err) == 0) {
		obj = cvb_cgroup_layout_to_json(&layout);
		cvb_cgroup_layout_clear(&layout);
	} else if (detect_err.code == ENOENT || detect_err.code == EACCES) {
		/* No mountinfo: unknown, like any missing file; a broken one is an error. */
		obj = cJSON_CreateNull();
	} else {
		if (err)
			*err = detect_err;
		return -1;
	}
	if (!cvb_json_add(facts, "cgroup", obj))
		return cvb_error_set(err, ENOMEM, "out of memory describing cgroups");
	return 0;
}

/* Modules named kvm*, from proc/modules (loadable) and sys/module (built-in
 * ones with parameters appear only there). Returns 1 with a sorted list, 0
 * when neither source is readable, -1 when out of memory. */
static int kvm_modules_read(const char *root, struct name_list *mods)
{
	struct cvb_error ignored;
	char *text = cvb_host_file_read(root, "/proc/modules", NULL, &ignored);
	int found = text ? 1 : 0, rc;

	for (char *line = text; line && *line;) {
		size_t len = strcspn(line, " \n");

		if (len >= 3 && strncmp(line, "kvm", 3) == 0) {
			char name[256];

			snprintf(name, sizeof(name), "%.*s", (int)len, line);
			if (!name_list_contains(mods, name) &&
			    name_list_add(mods, name, strlen(name)) < 0) {
				free(text);
				return -1;
			}
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	free(text);
	rc = dir_names_read(root, "/sys/module", "kvm", mods);
	if (rc < 0)
		return -1;
	name_list_sort(mods);
	return found || rc;
}

/* The note: why VMs will (likely) run under TCG, as far as the facts tell.
 * On the real host it does not guess for kvm_pvm: the probe verdict (its
 * own line, "not probed yet" included) says what happens. */
static void kvm_note(char *note, size_t len, bool device, int paravirtual, bool real)
{
	if (!device)
		snprintf(note, len, "no /dev/kvm: VMs will run under TCG");
	if (paravirtual != 1)
		return;
	if (!real)
		snprintf(note, len, "%s", kvm_pvm_note);
	else
		snprintf(note, len, "kvm_pvm is a paravirtual KVM: stock Linux guests hang on it");
}

/* Whether /dev/kvm opens read-write for us, and its API version (real host). */
static void kvm_open_probe(const char *path, bool device, int *accessible, int *api_version,
                           char *note, size_t len)
{
	int fd = device ? open(path, O_RDWR | O_CLOEXEC) : -1;

	*accessible = fd >= 0;
	if (device && fd < 0)
		snprintf(note, len, "cannot open /dev/kvm (%s): VMs will run under TCG",
		         strerror(errno));
	if (fd >= 0) {
		*api_version = ioctl(fd, KVM_GET_API_VERSION, 0);
		close(fd);
	}
}

static bool facts_add_kvm(cJSON *facts, const char *root, bool real)
{
	char path[4096];
	char note[256] = "", open_note[256] = "";
	struct name_list mods = {0};
	struct stat st;
	bool device;
	int accessible = -1, api_version = -1, paravirtual = -1, have_mods;
	cJSON *kvm = cJSON_AddObjectToObject(facts, "kvm"), *arr = NULL;
	bool ok = false;

	if (!kvm || cvb_host_path(path, sizeof(path), root, "/dev/kvm", NULL) < 0)
		return false;
	device = stat(path, &st) == 0;
	if (real)
		kvm_open_probe(path, device, &accessible, &api_version, open_note,
		               sizeof(open_note));

	have_mods = kvm_modules_read(root, &mods);
	if (have_mods < 0)
		goto out;
	if (have_mods) {
		paravirtual = name_list_contains(&mods, "kvm_pvm");
		arr = cJSON_CreateArray();
		for (size_t i = 0; arr && i < mods.n; i++) {
			cJSON *s = cJSON_CreateString(mods.names[i]);

			if (!s)
				goto out;
			cJSON_AddItemToArray(arr, s);
		}
	} else {
		arr = cJSON_CreateNull();
	}
	/* The paravirtual trap explains more than any other reason. */
	kvm_note(note, sizeof(note), device, paravirtual, real);
	if (!note[0])
		snprintf(note, sizeof(note), "%s", open_note);

	if (!cvb_json_add(kvm, "device", cJSON_CreateBool(device)) ||
	    !cvb_json_add(kvm, "accessible", json_tristate(accessible)) ||
	    !cvb_json_add(kvm, "api_version",
	                  api_version < 0 ? cJSON_CreateNull() : cJSON_CreateNumber(api_version)))
		goto out;
	ok = cvb_json_add(kvm, "modules", arr);
	arr = NULL; /* cvb_json_add() took it, even on failure */
	ok = ok && cvb_json_add(kvm, "paravirtual", json_tristate(paravirtual)) &&
	     cvb_json_add(kvm, "note", cvb_json_string_or_null(note[0] ? note : NULL));
out:
	cJSON_Delete(arr);
	name_list_free(&mods);
	return ok;
}

/* One entry per file of sys/devices/system/cpu/vulnerabilities, sorted. */
static bool facts_add_mitigations(cJSON *facts, const char *root)
{
	static const char dir[] = "/sys/devices/system/cpu/vulnerabilities";
	struct name_list names = {0};
	cJSON *obj;
	int rc = dir_names_read(root, dir, "", &names);
	bool ok = false;

	if (rc < 0)
		goto out;
	if (rc == 0) {
		ok = cvb_json_add(facts, "mitigations", cJSON_CreateNull());
		goto out;
	}
	name_list_sort(&names);
	obj = cJSON_AddObjectToObject(facts, "mitigations");
	if (!obj)
		goto out;
	for (size_t i = 0; i < names.n; i++) {
		char rel[4096];

		snprintf(rel, sizeof(rel), "%s/%s", dir, names.names[i]);
		if (!json_add_owned_string(obj, names.names[i], optional_value_read(root, rel)))
			goto out;
	}
	ok = true;
out:
	name_list_free(&names);
	return ok;
}

cJSON *cvb_host_facts_collect(const char *root, struct cvb_error *err)
{
	bool real = cvb_host_root_is_real(root);
	struct utsname uts_buf, *uts = NULL;
	struct stat st;
	cJSON *facts;
	int64_t mem;

	if (real)
		root = "/";
	if (stat(root, &st) < 0) {
		cvb_error_errno(err, errno, "cannot use host root %s", root);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode)) {
		cvb_error_set(err, ENOTDIR, "cannot use host root %s: not a directory", root);
		return NULL;
	}
	/* uname() fills gaps only on the real host: a fixture must not borrow ours. */
	if (real && uname(&uts_buf) == 0)
		uts = &uts_buf;

	facts = cJSON_CreateObject();
	if (!facts)
		goto oom;
	mem = memory_total_read(root);
	if (!facts_add_hostname(facts, root, uts) || !facts_add_kernel(facts, root, uts) ||
	    !facts_add_cpu(facts, root) ||
	    !cvb_json_add(facts, "memory_total_bytes",
	                  mem < 0 ? cJSON_CreateNull() : cJSON_CreateNumber((double)mem)))
		goto oom;
	if (facts_add_topology(facts, real, err) < 0 || facts_add_cgroup(facts, root, err) < 0)
		goto fail;
	if (!cvb_json_add(facts, "root", cJSON_CreateBool(geteuid() == 0)) ||
	    !facts_add_kvm(facts, root, real) || !facts_add_mitigations(facts, root) ||
	    !json_add_owned_string(facts, "cmdline", optional_value_read(root, "/proc/cmdline")))
		goto oom;
	return facts;
oom:
	cvb_error_set(err, ENOMEM, "out of memory collecting host facts from %s", root);
fail:
	cJSON_Delete(facts);
	return NULL;
}

/* ---- printing ---- */

static const cJSON *item_get(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNull(it) ? NULL : it;
}

static const char *string_get(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* -1 when absent or not a number. */
static double number_get(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(it) ? it->valuedouble : -1;
}

/* 0 or 1, -1 when absent or null. */
static int bool_get(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsBool(it) ? cJSON_IsTrue(it) : -1;
}

/* "32 KiB", "23.5 GiB": exact when the size is a whole number of units. */
static void size_format(char *buf, size_t size, double bytes)
{
	static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
	double scaled = bytes;
	size_t u = 0;

	while (scaled >= 1024 && u + 1 < sizeof(units) / sizeof(units[0])) {
		scaled /= 1024;
		u++;
	}
	if (scaled == (double)(uint64_t)scaled)
		snprintf(buf, size, "%" PRIu64 " %s", (uint64_t)scaled, units[u]);
	else
		snprintf(buf, size, "%.1f %s", scaled, units[u]);
}

static void label_print(FILE *out, const char *label)
{
	fprintf(out, "%-*s", LABEL_WIDTH, label);
}

static void count_print(FILE *out, double n, const char *one, const char *many)
{
	fprintf(out, "%.0f %s", n, n == 1 ? one : many);
}

/* lstopo's names: L1d, L1i, L2. */
static const char *cache_suffix(const char *type)
{
	if (type && strcmp(type, "data") == 0)
		return "d";
	if (type && strcmp(type, "instruction") == 0)
		return "i";
	return "";
}

static void topology_print(FILE *out, const cJSON *topo)
{
	const cJSON *caches = item_get(topo, "caches"), *c;
	const char *sep = "; ";

	label_print(out, "topology:");
	count_print(out, number_get(topo, "packages"), "package", "packages");
	fputs(", ", out);
	count_print(out, number_get(topo, "cores"), "core", "cores");
	fputs(", ", out);
	count_print(out, number_get(topo, "pus"), "PU", "PUs");
	fputs(", ", out);
	count_print(out, number_get(topo, "numa_nodes"), "NUMA node", "NUMA nodes");
	cJSON_ArrayForEach(c, caches)
	{
		char size[32];

		size_format(size, sizeof(size), number_get(c, "size_bytes"));
		fprintf(out, "%sL%.0f%s %s x%.0f", sep, number_get(c, "level"),
		        cache_suffix(string_get(c, "type")), size, number_get(c, "count"));
		sep = ", ";
	}
	fputc('\n', out);
	if (string_get(topo, "allowed_cpus")) {
		label_print(out, "allowed cpus:");
		fprintf(out, "%s\n", string_get(topo, "allowed_cpus"));
	}
}

static void string_array_print(FILE *out, const cJSON *arr, const char *sep)
{
	const cJSON *s;
	const char *next = "";

	cJSON_ArrayForEach(s, arr)
	{
		if (cJSON_IsString(s))
			fprintf(out, "%s%s", next, s->valuestring);
		next = sep;
	}
}

/* "hybrid (v2 at /sys/fs/cgroup/unified: hugetlb; v1: cpu, cpuacct, name=systemd)";
 * controllers sharing a v1 hierarchy are joined with '+'. */
static void cgroup_print(FILE *out, const cJSON *cg)
{
	const char *mode = string_get(cg, "mode"), *v2 = string_get(cg, "v2_mount");
	const cJSON *v2c = cJSON_GetObjectItemCaseSensitive(cg, "v2_controllers");
	const cJSON *v1 = cJSON_GetObjectItemCaseSensitive(cg, "v1"), *h;
	const char *lead = " (", *sep = "";

	label_print(out, "cgroup mode:");
	fputs(mode ? mode : "unknown", out);
	if (v2) {
		fprintf(out, "%sv2 at %s", lead, v2);
		if (cJSON_IsArray(v2c) && cJSON_GetArraySize(v2c) == 0) {
			fputs(": no controllers", out);
		} else if (cJSON_IsArray(v2c)) {
			fputs(": ", out);
			string_array_print(out, v2c, ", ");
		}
		lead = "; ";
	}
	if (cJSON_GetArraySize(v1) > 0) {
		fprintf(out, "%sv1: ", lead);
		lead = "; ";
	}
	cJSON_ArrayForEach(h, v1)
	{
		const cJSON *ctl = cJSON_GetObjectItemCaseSensitive(h, "controllers");
		const char *name = string_get(h, "name");

		fputs(sep, out);
		string_array_print(out, ctl, "+");
		if (name)
			fprintf(out, "%sname=%s", cJSON_GetArraySize(ctl) > 0 ? "+" : "", name);
		sep = ", ";
	}
	if (lead[0] == ';')
		fputc(')', out);
	fputc('\n', out);
}

/* "kvm boots guest:" from the probe verdict: what decides the accelerator. */
static void kvm_probe_print(FILE *out, const cJSON *probe)
{
	const char *s;

	label_print(out, "kvm boots guest:");
	if (bool_get(probe, "probed") != 1) {
		s = string_get(probe, "why");
		if (bool_get(probe, "unusable") == 1)
			fprintf(out, "unknown: %s\n", s ? s : "?");
		else
			fprintf(out, "%s (the first VM run probes, ~5 s, and caches the verdict)\n",
			        s ? s : "not probed yet");
		return;
	}
	fprintf(out, "%s (probed %s): %s\n", bool_get(probe, "boots_guest") == 1 ? "yes" : "no",
	        (s = string_get(probe, "probed_at")) ? s : "?",
	        bool_get(probe, "boots_guest") == 1 ? "VMs use KVM" : "VMs run under TCG");
	if ((s = string_get(probe, "reason")) && bool_get(probe, "boots_guest") != 1) {
		label_print(out, "kvm probe:");
		fprintf(out, "%s\n", s);
	}
}

/* The kvm lines; as_root: whether "accessible" was checked as root. */
static void kvm_print(FILE *out, const cJSON *kvm, bool as_root)
{
	int device = bool_get(kvm, "device"), accessible = bool_get(kvm, "accessible");
	int paravirtual = bool_get(kvm, "paravirtual");
	int for_qemu = bool_get(kvm, "accessible_to_qemu_user");
	double api = number_get(kvm, "api_version");
	const cJSON *mods = item_get(kvm, "modules"), *probe = item_get(kvm, "probe");
	const char *note = string_get(kvm, "note"), *node = string_get(kvm, "node");
	const char *user = string_get(kvm, "qemu_user");

	label_print(out, "kvm:");
	fputs(device == 1 ? "/dev/kvm present" : "no /dev/kvm", out);
	if (node)
		fprintf(out, " (%s)", node);
	/* It opening for us says nothing about QEMU's user, nor about a guest. */
	if (accessible >= 0)
		fprintf(out, ", %s read-write as %s", accessible ? "opens" : "does not open",
		        as_root ? "root" : "this user");
	if (api >= 0)
		fprintf(out, ", API %.0f", api);
	if (paravirtual == 1)
		fputs(", paravirtual (kvm_pvm)", out);
	fputc('\n', out);
	if (device == 1 && for_qemu >= 0 && user) {
		label_print(out, "kvm for QEMU:");
		if (for_qemu)
			fprintf(out, "%s (QEMU's user) can open /dev/kvm\n", user);
		else
			fprintf(out,
			        "%s (QEMU's user) cannot open /dev/kvm: libvirt re-probes QEMU "
			        "on every call (fix: scripts/services.sh; see cvbench doctor)\n",
			        user);
	}
	if (device == 1 && probe)
		kvm_probe_print(out, probe);
	if (mods) {
		label_print(out, "kvm modules:");
		if (cJSON_GetArraySize(mods) == 0)
			fputs("none", out);
		string_array_print(out, mods, ", ");
		fputc('\n', out);
	}
	if (note) {
		label_print(out, "kvm note:");
		fprintf(out, "%s\n", note);
	}
}

static void mitigations_print(FILE *out, const cJSON *mit)
{
	const cJSON *m;
	int width = 0;

	fputs("mitigations:\n", out);
	cJSON_ArrayForEach(m, mit)
	{
		int len = (int)strlen(m->string) + 1;

		if (len > width)
			width = len;
	}
	cJSON_ArrayForEach(m, mit)
	{
		fprintf(out, "  %s:%*s%s\n", m->string, width - (int)strlen(m->string), "",
		        cJSON_IsString(m) ? m->valuestring : "unknown");
	}
}

/* Facts added by other modules after this one was written. */
static void other_print(FILE *out, const cJSON *item)
{
	char label[128];

	snprintf(label, sizeof(label), "%s:", item->string);
	label_print(out, label);
	if (cJSON_IsString(item)) {
		fprintf(out, "%s\n", item->valuestring);
	} else if (cJSON_IsBool(item)) {
		fputs(cJSON_IsTrue(item) ? "yes\n" : "no\n", out);
	} else if (cJSON_IsObject(item)) {
		/* Flat objects (libvirt, qemu versions) read as "key value, ...". */
		const cJSON *f;
		bool first = true;
		cJSON_ArrayForEach(f, item)
		{
			if (cJSON_IsString(f))
				fprintf(out, "%s%s %s", first ? "" : ", ", f->string,
				        f->valuestring);
			else if (cJSON_IsNull(f))
				fprintf(out, "%s%s unknown", first ? "" : ", ", f->string);
			else
				continue;
			first = false;
		}
		fputc('\n', out);
	} else {
		char *text = cJSON_PrintUnformatted(item);

		fprintf(out, "%s\n", text ? text : "?");
		free(text);
	}
}

static bool key_is_known(const char *key)
{
	static const char *const known[] = {
	    "hostname",    "kernel",  "cpu",  "memory_total_bytes",
	    "topology",    "cgroup",  "root", "kvm",
	    "mitigations", "cmdline", NULL,
	};

	for (const char *const *k = known; *k; k++) {
		if (strcmp(*k, key) == 0)
			return true;
	}
	return false;
}

void cvb_host_facts_print(FILE *out, const cJSON *facts)
{
	const cJSON *kernel = item_get(facts, "kernel"), *cpu = item_get(facts, "cpu");
	const cJSON *it;
	const char *s;
	double mem = number_get(facts, "memory_total_bytes");
	int b;

	if ((s = string_get(facts, "hostname"))) {
		label_print(out, "hostname:");
		fprintf(out, "%s\n", s);
	}
	if (kernel && string_get(kernel, "release")) {
		label_print(out, "kernel:");
		fputs(string_get(kernel, "release"), out);
		if ((s = string_get(kernel, "version")))
			fprintf(out, " %s", s);
		if ((s = string_get(kernel, "machine")))
			fprintf(out, " (%s)", s);
		fputc('\n', out);
	}
	if (cpu && (s = string_get(cpu, "model"))) {
		label_print(out, "cpu model:");
		fputs(s, out);
		if ((s = string_get(cpu, "vendor")))
			fprintf(out, " (%s)", s);
		fputc('\n', out);
	}
	if (cpu && (b = bool_get(cpu, "hypervisor")) >= 0) {
		label_print(out, "hypervisor:");
		fputs(b ? "yes (this host is a guest: VMs here are nested)\n" : "no\n", out);
	}
	if (cpu && (s = string_get(cpu, "governor"))) {
		label_print(out, "cpu governor:");
		fprintf(out, "%s\n", s);
	}
	if (mem >= 0) {
		char size[32];

		size_format(size, sizeof(size), mem);
		label_print(out, "memory:");
		fprintf(out, "%s\n", size);
	}
	if ((it = item_get(facts, "topology")))
		topology_print(out, it);
	if ((it = item_get(facts, "cgroup")))
		cgroup_print(out, it);
	if ((b = bool_get(facts, "root")) >= 0) {
		label_print(out, "running as root:");
		fputs(b ? "yes\n" : "no\n", out);
	}
	if ((it = item_get(facts, "kvm")))
		kvm_print(out, it, bool_get(facts, "root") == 1);
	if ((it = item_get(facts, "mitigations")))
		mitigations_print(out, it);
	if ((s = string_get(facts, "cmdline"))) {
		label_print(out, "cmdline:");
		fprintf(out, "%s\n", s);
	}
	cJSON_ArrayForEach(it, facts)
	{
		if (it->string && !key_is_known(it->string) && !cJSON_IsNull(it))
			other_print(out, it);
	}
}

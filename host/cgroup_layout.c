#include "json_util.h"
#include "cgroup_layout.h"
#include "host_root.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MOUNTINFO_PATH "/proc/self/mountinfo"
#define MOUNTINFO_MAX_FIELDS 64

/* Super options of a v1 cgroup mount that are not controllers: generic
 * superblock flags and the cgroup options the kernel prints (anything with
 * '=' such as name= and release_agent= is skipped separately). */
static const char *const v1_non_controllers[] = {
    "rw",           "ro",       "sync",  "dirsync",        "mand",
    "lazytime",     "noprefix", "xattr", "clone_children", "cpuset_v2_mode",
    "favordynmods", "none",     NULL,
};

const char *cvb_cgroup_mode_name(enum cvb_cgroup_mode mode)
{
	switch (mode) {
	case CVB_CGROUP_MODE_V1:
		return "v1";
	case CVB_CGROUP_MODE_V2:
		return "v2";
	case CVB_CGROUP_MODE_HYBRID:
		return "hybrid";
	default:
		return "none";
	}
}

static void strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

static size_t strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Appends a copy of s (its first len bytes) to the NULL-terminated vector;
 * an empty vector is allocated on first use. */
static int strv_append(char ***v, const char *s, size_t len)
{
	size_t n = strv_len(*v);
	char **p = realloc(*v, (n + 2) * sizeof(*p));

	if (!p)
		return -1;
	*v = p;
	p[n] = strndup(s, len);
	p[n + 1] = NULL;
	return p[n] ? 0 : -1;
}

static bool strv_contains(char *const *v, const char *s)
{
	for (; v && *v; v++) {
		if (strcmp(*v, s) == 0)
			return true;
	}
	return false;
}

/* Undoes the kernel's octal escaping of ' ', '\t', '\n' and '\\' in
 * mountinfo paths, in place. */
static void mountinfo_unescape(char *s)
{
	char *out = s;

	while (*s) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
		    s[3] >= '0' && s[3] <= '7') {
			*out++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 4;
		} else {
			*out++ = *s++;
		}
	}
	*out = '\0';
}

static bool v1_option_is_controller(const char *opt, size_t len)
{
	if (len == 0 || memchr(opt, '=', len))
		return false;
	for (const char *const *p = v1_non_controllers; *p; p++) {
		if (strlen(*p) == len && strncmp(*p, opt, len) == 0)
			return false;
	}
	return true;
}

static void v1_hierarchy_clear(struct cvb_cgroup_v1_hierarchy *h)
{
	free(h->mount);
	free(h->mount_root);
	free(h->name);
	strv_free(h->controllers);
	memset(h, 0, sizeof(*h));
}

/* Splits super options ("rw,cpu,cpuacct" or "rw,xattr,name=systemd"). */
static int v1_options_parse(const char *opts, struct cvb_cgroup_v1_hierarchy *h)
{
	/* A named-only hierarchy still gets an empty, non-NULL list. */
	h->controllers = calloc(1, sizeof(char *));
	if (!h->controllers)
		return -1;
	while (*opts) {
		size_t len = strcspn(opts, ",");

		if (len > 5 && strncmp(opts, "name=", 5) == 0) {
			free(h->name);
			h->name = strndup(opts + 5, len - 5);
			if (!h->name)
				return -1;
		} else if (v1_option_is_controller(opts, len)) {
			if (strv_append(&h->controllers, opts, len) < 0)
				return -1;
		}
		opts += len;
		if (*opts == ',')
			opts++;
	}
	return 0;
}

/* Adds a v1 mount unless its hierarchy (superblock) is already known: bind
 * mounts and cgroup-namespace mounts repeat it. A mount of the hierarchy's
 * root wins over a mount of a sub-directory. */
static int layout_add_v1(struct cvb_cgroup_layout *layout, struct cvb_cgroup_v1_hierarchy *h)
{
	for (size_t i = 0; i < layout->n_v1; i++) {
		struct cvb_cgroup_v1_hierarchy *old = &layout->v1[i];

		if (old->dev_major != h->dev_major || old->dev_minor != h->dev_minor)
			continue;
		if (strcmp(old->mount_root, "/") != 0 && strcmp(h->mount_root, "/") == 0) {
			v1_hierarchy_clear(old);
			*old = *h;
		} else {
			v1_hierarchy_clear(h);
		}
		memset(h, 0, sizeof(*h));
		return 0;
	}

	struct cvb_cgroup_v1_hierarchy *p =
	    realloc(layout->v1, (layout->n_v1 + 1) * sizeof(*layout->v1));
	if (!p)
		return -1;
	layout->v1 = p;
	layout->v1[layout->n_v1++] = *h;
	memset(h, 0, sizeof(*h));
	return 0;
}

/* Parses one mountinfo line (modified in place):
 *   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
 * (id, parent, major:minor, root, mount point, options, optional fields, "-",
 * fstype, source, super options). Only cgroup and cgroup2 mounts are kept. */
static int mountinfo_line_parse(char *line, struct cvb_cgroup_layout *layout, bool *v2_at_root,
                                const char *path, size_t lineno, struct cvb_error *err)
{
	char *fields[MOUNTINFO_MAX_FIELDS];
	size_t n = 0, sep = 0;
	unsigned int major, minor;
	char *save = NULL;

	for (char *tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (n == MOUNTINFO_MAX_FIELDS)
			return cvb_error_set(err, EINVAL, "%s line %zu: more than %d fields", path,
			                     lineno, MOUNTINFO_MAX_FIELDS);
		fields[n++] = tok;
	}
	for (size_t i = 6; i < n; i++) {
		if (strcmp(fields[i], "-") == 0) {
			sep = i;
			break;
		}
	}
	if (sep == 0 || sep + 3 >= n)
		return cvb_error_set(err, EINVAL,
		                     "%s line %zu: truncated or malformed (expected 'ID PARENT "
		                     "MAJ:MIN ROOT MOUNT OPTIONS [OPTIONAL...] - FSTYPE SOURCE "
		                     "SUPEROPTIONS')",
		                     path, lineno);
	if (sscanf(fields[2], "%u:%u", &major, &minor) != 2)
		return cvb_error_set(err, EINVAL, "%s line %zu: bad device number '%s'", path,
		                     lineno, fields[2]);

	const char *fstype = fields[sep + 1], *superopts = fields[sep + 3];
	char *root = fields[3], *mount = fields[4];

	mountinfo_unescape(root);
	mountinfo_unescape(mount);
	if (strcmp(fstype, "cgroup2") == 0) {
		bool at_root = strcmp(root, "/") == 0;

		/* Prefer the first mount of the whole v2 hierarchy. */
		if (layout->v2_mount && (*v2_at_root || !at_root))
			return 0;
		free(layout->v2_mount);
		layout->v2_mount = strdup(mount);
		*v2_at_root = at_root;
		if (!layout->v2_mount)
			return cvb_error_set(err, ENOMEM, "out of memory reading %s", path);
		return 0;
	}
	if (strcmp(fstype, "cgroup") != 0)
		return 0;

	struct cvb_cgroup_v1_hierarchy h = {.dev_major = major, .dev_minor = minor};

	h.mount = strdup(mount);
	h.mount_root = strdup(root);
	if (!h.mount || !h.mount_root || v1_options_parse(superopts, &h) < 0 ||
	    layout_add_v1(layout, &h) < 0) {
		v1_hierarchy_clear(&h);
		return cvb_error_set(err, ENOMEM, "out of memory reading %s", path);
	}
	return 0;
}

/* Reads <root><v2 mount>/cgroup.controllers; unreadable means unknown (NULL),
 * an empty file an empty list. */
static int v2_controllers_read(const char *root, struct cvb_cgroup_layout *layout,
                               struct cvb_error *err)
{
	char rel[4096];
	char *text, *save = NULL;
	struct cvb_error ignored;

	if (snprintf(rel, sizeof(rel), "%s/cgroup.controllers",
	             strcmp(layout->v2_mount, "/") == 0 ? "" : layout->v2_mount) >=
	    (int)sizeof(rel))
		return 0;
	text = cvb_host_file_read(root, rel, NULL, &ignored);
	if (!text)
		return 0;
	layout->v2_controllers = calloc(1, sizeof(char *));
	if (!layout->v2_controllers)
		goto oom;
	for (char *tok = strtok_r(text, " \t\n", &save); tok;
	     tok = strtok_r(NULL, " \t\n", &save)) {
		if (strv_append(&layout->v2_controllers, tok, strlen(tok)) < 0)
			goto oom;
	}
	free(text);
	return 0;
oom:
	free(text);
	return cvb_error_set(err, ENOMEM, "out of memory reading %s", rel);
}

int cvb_cgroup_layout_detect(const char *root, struct cvb_cgroup_layout *out, struct cvb_error *err)
{
	char path[4096];
	char *text, *line, *next;
	size_t lineno = 0;
	bool v2_at_root = false, v1_controllers = false;

	memset(out, 0, sizeof(*out));
	if (cvb_host_path(path, sizeof(path), root, MOUNTINFO_PATH, err) < 0)
		return -1;
	text = cvb_host_file_read(root, MOUNTINFO_PATH, NULL, err);
	if (!text)
		return -1;
	for (line = text; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = '\0';
		lineno++;
		if (*line == '\0')
			continue;
		if (mountinfo_line_parse(line, out, &v2_at_root, path, lineno, err) < 0)
			goto fail;
	}
	free(text);
	text = NULL;

	if (out->v2_mount && v2_controllers_read(root, out, err) < 0)
		goto fail;
	for (size_t i = 0; i < out->n_v1; i++) {
		if (out->v1[i].controllers && out->v1[i].controllers[0])
			v1_controllers = true;
	}
	if (out->v2_mount)
		out->mode = v1_controllers ? CVB_CGROUP_MODE_HYBRID : CVB_CGROUP_MODE_V2;
	else
		out->mode = v1_controllers ? CVB_CGROUP_MODE_V1 : CVB_CGROUP_MODE_NONE;
	return 0;
fail:
	free(text);
	cvb_cgroup_layout_clear(out);
	return -1;
}

struct cvb_cgroup_location cvb_cgroup_layout_find(const struct cvb_cgroup_layout *layout,
                                                  const char *controller)
{
	struct cvb_cgroup_location loc = {0, NULL};

	for (size_t i = 0; i < layout->n_v1; i++) {
		if (strv_contains(layout->v1[i].controllers, controller)) {
			loc.version = 1;
			loc.mount = layout->v1[i].mount;
			return loc;
		}
	}
	if (layout->v2_mount && strv_contains(layout->v2_controllers, controller)) {
		loc.version = 2;
		loc.mount = layout->v2_mount;
	}
	return loc;
}

void cvb_cgroup_layout_clear(struct cvb_cgroup_layout *layout)
{
	for (size_t i = 0; i < layout->n_v1; i++)
		v1_hierarchy_clear(&layout->v1[i]);
	free(layout->v1);
	free(layout->v2_mount);
	strv_free(layout->v2_controllers);
	memset(layout, 0, sizeof(*layout));
}

/* A string array, or JSON null for a NULL vector. */
static cJSON *strv_to_json(char *const *v)
{
	cJSON *arr;

	if (!v)
		return cJSON_CreateNull();
	arr = cJSON_CreateArray();
	for (; arr && *v; v++) {
		cJSON *s = cJSON_CreateString(*v);

		if (!s) {
			cJSON_Delete(arr);
			return NULL;
		}
		cJSON_AddItemToArray(arr, s);
	}
	return arr;
}

cJSON *cvb_cgroup_layout_to_json(const struct cvb_cgroup_layout *layout)
{
	cJSON *obj = cJSON_CreateObject(), *v1;

	if (!obj)
		return NULL;
	if (!cvb_json_add(obj, "mode", cJSON_CreateString(cvb_cgroup_mode_name(layout->mode))) ||
	    !cvb_json_add(obj, "v2_mount", cvb_json_string_or_null(layout->v2_mount)) ||
	    !cvb_json_add(obj, "v2_controllers", strv_to_json(layout->v2_controllers)))
		goto fail;
	v1 = cJSON_AddArrayToObject(obj, "v1");
	if (!v1)
		goto fail;
	for (size_t i = 0; i < layout->n_v1; i++) {
		const struct cvb_cgroup_v1_hierarchy *h = &layout->v1[i];
		cJSON *entry = cJSON_CreateObject();

		if (!entry)
			goto fail;
		cJSON_AddItemToArray(v1, entry);
		if (!cvb_json_add(entry, "mount", cJSON_CreateString(h->mount)) ||
		    !cvb_json_add(entry, "name", cvb_json_string_or_null(h->name)) ||
		    !cvb_json_add(entry, "controllers", strv_to_json(h->controllers)))
			goto fail;
	}
	return obj;
fail:
	cJSON_Delete(obj);
	return NULL;
}

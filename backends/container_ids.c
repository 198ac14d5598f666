/* The container's host id block, chosen outside every subordinate id range
 * (container_ids.h). */
#include "container_ids.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct range {
	uint64_t start, end; /* [start, end) */
};

struct ranges {
	struct range *v;
	size_t n, cap;
	unsigned bad;        /* malformed lines seen */
	char first_bad[160]; /* where the first one was */
};

/* "start:count" after the name, decimal, count >= 1, inside 32 bits. */
static bool parse_line(const char *line, struct range *r)
{
	const char *colon = strchr(line, ':');
	if (!colon || colon == line)
		return false;
	const char *p = colon + 1;
	char *end;
	if (*p < '0' || *p > '9')
		return false;
	errno = 0;
	unsigned long long start = strtoull(p, &end, 10);
	if (errno || *end != ':' || end[1] < '0' || end[1] > '9')
		return false;
	unsigned long long count = strtoull(end + 1, &end, 10);
	if (errno || count == 0)
		return false;
	end += strspn(end, " \t\r\n");
	if (*end || start > UINT32_MAX || count > (1ull << 32) - start)
		return false;
	*r = (struct range){start, start + count};
	return true;
}

static int read_ranges(const char *path, struct ranges *rs, struct cvb_error *err)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT)
			return 0; /* no subordinate ids handed out */
		return cvb_error_errno(err, errno, "cannot read '%s'", path);
	}
	char *line = NULL;
	size_t size = 0;
	int rc = 0;
	for (unsigned no = 1; getline(&line, &size, f) > 0; no++) {
		struct range r;
		if (line[strspn(line, " \t\r\n")] == '\0')
			continue; /* blank */
		if (!parse_line(line, &r)) {
			if (rs->bad++ == 0)
				snprintf(rs->first_bad, sizeof(rs->first_bad), "%s:%u", path, no);
			continue;
		}
		if (rs->n == rs->cap) {
			size_t cap = rs->cap ? rs->cap * 2 : 16;
			struct range *v = realloc(rs->v, cap * sizeof(*v));
			if (!v) {
				rc = cvb_error_set(err, ENOMEM, "out of memory");
				break;
			}
			rs->v = v;
			rs->cap = cap;
		}
		rs->v[rs->n++] = r;
	}
	if (rc == 0 && ferror(f))
		rc = cvb_error_errno(err, errno, "cannot read '%s'", path);
	free(line);
	fclose(f);
	return rc;
}

int cvb_container_ids_choose(const char *subuid_path, const char *subgid_path,
                             struct cvb_container_ids *out, struct cvb_error *err)
{
	struct ranges rs = {0};
	if (read_ranges(subuid_path, &rs, err) < 0 || read_ranges(subgid_path, &rs, err) < 0) {
		free(rs.v);
		return -1;
	}
	/* The candidate only moves up, past each range it overlaps, to the next
	 * aligned block: at most one move per range. uid 2^32-1 is invalid. */
	const uint64_t count = CVB_CONTAINER_IDS_COUNT;
	uint64_t base = CVB_CONTAINER_IDS_DEFAULT_BASE;
	for (bool moved = true; moved;) {
		moved = false;
		for (size_t i = 0; i < rs.n; i++)
			if (rs.v[i].start < base + count && base < rs.v[i].end) {
				base = (rs.v[i].end + count - 1) / count * count;
				moved = true;
			}
	}
	free(rs.v);
	if (base + count > UINT32_MAX)
		return cvb_error_set(err, ENOSPC,
		                     "no free block of %u host ids at or above %u outside the "
		                     "ranges in %s and %s: shrink a subordinate range there",
		                     CVB_CONTAINER_IDS_COUNT, CVB_CONTAINER_IDS_DEFAULT_BASE,
		                     subuid_path, subgid_path);
	*out = (struct cvb_container_ids){.base = (uint32_t)base, .count = (uint32_t)count};
	if (rs.bad)
		snprintf(out->note, sizeof(out->note),
		         "%s: not name:start:count, ignored (%u such line%s)", rs.first_bad, rs.bad,
		         rs.bad == 1 ? "" : "s");
	return 0;
}

/* The harness launches from one thread; the choice is made before the
 * first clone and never changes after. */
static struct cvb_container_ids host_ids;
static bool host_ids_known;

int cvb_container_ids_get(const struct cvb_container_ids **out, struct cvb_error *err)
{
	if (!host_ids_known) {
		if (cvb_container_ids_choose("/etc/subuid", "/etc/subgid", &host_ids, err) < 0)
			return -1;
		host_ids_known = true;
	}
	*out = &host_ids;
	return 0;
}

uid_t cvb_container_host_root_uid(void)
{
	const struct cvb_container_ids *ids;
	struct cvb_error err = {0};
	return cvb_container_ids_get(&ids, &err) < 0 ? (uid_t)-1 : (uid_t)ids->base;
}

gid_t cvb_container_host_root_gid(void)
{
	return (gid_t)cvb_container_host_root_uid();
}

void cvb_container_ids_map_line(const struct cvb_container_ids *ids, char *buf, size_t len)
{
	snprintf(buf, len, "0 %u %u", ids->base, ids->count);
}

/* See host_root.h. */
#include "host_root.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Far above any cpuinfo or mountinfo; a runaway file is a bug, not a fact. */
#define HOST_FILE_MAX (64u << 20)

bool cvb_host_root_is_real(const char *root)
{
	return !root || root[0] == '\0' || strcmp(root, "/") == 0;
}

int cvb_host_path(char *buf, size_t size, const char *root, const char *path, struct cvb_error *err)
{
	size_t rlen;
	int n;

	if (cvb_host_root_is_real(root)) {
		n = snprintf(buf, size, "%s", path);
	} else {
		/* "fixtures/v2/" + "/proc" must not become "fixtures/v2//proc". */
		rlen = strlen(root);
		while (rlen > 1 && root[rlen - 1] == '/')
			rlen--;
		n = snprintf(buf, size, "%.*s%s%s", (int)rlen, root, path[0] == '/' ? "" : "/",
		             path);
	}
	if (n < 0 || (size_t)n >= size)
		return cvb_error_set(err, ENAMETOOLONG, "path too long: %s%s",
		                     cvb_host_root_is_real(root) ? "" : root, path);
	return 0;
}

char *cvb_host_file_read(const char *root, const char *path, size_t *len, struct cvb_error *err)
{
	char full[4096];
	char *buf = NULL;
	size_t used = 0, cap = 0;
	int fd;

	if (cvb_host_path(full, sizeof(full), root, path, err) < 0)
		return NULL;
	fd = open(full, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		cvb_error_errno(err, errno, "cannot open %s", full);
		return NULL;
	}
	for (;;) {
		ssize_t n;

		if (cap - used < 2) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *p;

			if (ncap > HOST_FILE_MAX) {
				cvb_error_set(err, EFBIG, "cannot read %s: larger than %u bytes",
				              full, HOST_FILE_MAX);
				goto fail;
			}
			p = realloc(buf, ncap);
			if (!p) {
				cvb_error_errno(err, ENOMEM, "cannot read %s", full);
				goto fail;
			}
			buf = p;
			cap = ncap;
		}
		n = read(fd, buf + used, cap - used - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			cvb_error_errno(err, errno, "cannot read %s", full);
			goto fail;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	close(fd);
	buf[used] = '\0';
	if (len)
		*len = used;
	return buf;
fail:
	close(fd);
	free(buf);
	return NULL;
}

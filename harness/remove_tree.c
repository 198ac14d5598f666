#include "remove_tree.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

static int remove_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	int rc = type == FTW_DP ? rmdir(path) : unlink(path);
	return rc < 0 && errno != ENOENT ? -1 : 0;
}

int cvb_remove_tree(const char *path)
{
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	/* FTW_PHYS: never follow a symlink out; FTW_MOUNT: stay on this mount. */
	return nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

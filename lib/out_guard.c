/* Refusing to write over an input; see out_guard.h. */
#include "out_guard.h"

#include <errno.h>
#include <sys/stat.h>

/* See out_guard.h. Compared by device and inode, so other spellings of the
 * same path (./r.json, a symlink, a hard link) are caught too. */
int cvb_out_not_an_input(const char *out, char *const *inputs, int n, struct cvb_error *err)
{
	struct stat so, si;

	if (stat(out, &so) < 0)
		return 0;
	for (int i = 0; i < n; i++)
		if (stat(inputs[i], &si) == 0 && si.st_dev == so.st_dev && si.st_ino == so.st_ino)
			return cvb_error_set(
			    err, EEXIST,
			    "the output '%s' is also an input (%s): write the output "
			    "to another file",
			    out, inputs[i]);
	return 0;
}

/* Removing a directory tree that cvbench made (a run's rootfs or VM files),
 * without following symlinks or crossing into other mounts. */
#ifndef CVB_REMOVE_TREE_H
#define CVB_REMOVE_TREE_H

/* Removes path and everything below it; 0, or -1 with errno when something
 * remains. A missing path is success. */
int cvb_remove_tree(const char *path);

#endif

/* `cvbench plan --split K`: K independent shard matrices that any scheduler
 * can run anywhere (GNU parallel over ssh, a Slurm job array, a Kubernetes
 * indexed Job), whose results `cvbench merge` joins. Shards split blocks per
 * workload (their backends stay together, so each shard has the native twin
 * its ratios to native need), and are balanced by estimated duration. */
#ifndef CVB_SHARDS_H
#define CVB_SHARDS_H

#include "cvb_error.h"

#include <stdio.h>

#define CVB_MAX_SHARDS 256

/* Writes DIR/<name>-shard-<i>-of-<K>.json for the matrix at path (created
 * if absent) and lists each file with its description on out. A cell is
 * never split. 0, or -1 with err (nothing is written before the whole
 * matrix has been checked). */
int cvb_shards_write(const char *path, unsigned k, const char *dir, FILE *out,
                     struct cvb_error *err);

#endif

/* Self-checks on every measurement (hyperfine-style warnings), made from
 * a results document alone so that any file can be checked again:
 * - a launch whose "create_returned" phase (the backend's create call, e.g.
 *   libvirt's) is most of its startup: the toolstack, not the instance,
 *   dominated;
 * - a cell metric whose samples are unstable (CoV, many MAD outliers), whose
 *   first measured launch is far from the rest (warm-up too short), or whose
 *   95% interval is wider than its median;
 * - a run during which other processes loaded the host (host_load).
 * Findings go to the document's top-level "checks", to each cell's
 * "checks", and a launch's own "checks" names what was seen in it. */
#ifndef CVB_SELFCHECK_H
#define CVB_SELFCHECK_H

#include "findings.h"

#include <cjson/cJSON.h>

/* create_returned above this share of startup, and above the absolute
 * bound, flags the launch: a healthy libvirt create is well under a second;
 * a KVM guest may legitimately be mostly create. */
#define CVB_CHECK_CREATE_SHARE 0.5
#define CVB_CHECK_CREATE_MIN_NS 3000000000LL
/* Coefficient of variation above which a metric is called unstable. */
#define CVB_CHECK_COV 0.25
/* MAD outliers in more than this share of the samples, in a metric whose
 * CoV is above the second bound (a tight metric's outliers are harmless). */
#define CVB_CHECK_OUTLIER_SHARE 0.10
#define CVB_CHECK_OUTLIER_MIN_COV 0.05
/* The first measured sample this many scaled MADs from the rest's median. */
#define CVB_CHECK_FIRST_Z 5.0
/* Metrics need this many samples before they are judged. */
#define CVB_CHECK_MIN_N 5

/* Checks doc (a results document), adds what it finds to `out` and writes
 * them into doc as described above (replacing earlier checks). */
void cvb_selfcheck_results(cJSON *doc, struct cvb_findings *out);

#endif

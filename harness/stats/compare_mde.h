/* The minimum detectable effect (MDE) of compare's gate: the smallest change
 * of the median that the rank test could have flagged, given both sides'
 * observed noise and sample counts; and how many samples per side a change
 * of a given size would need.
 *
 * Method (results depend on it, so it is spelled out):
 * - The noise model is the samples themselves. Each side is sorted; the new
 *   side is moved onto the base so that the rank test sees no shift at all:
 *   r_j = new_j + s0, s0 the shift at which U of base against new + s0 is
 *   nb nc / 2 (the Hodges-Lehmann shift, the middle of the shifts where U
 *   passes nb nc / 2, by bisection). Each side keeps its own spread, shape,
 *   ties and n. (Moving the medians together instead would leave the
 *   samples' own chance offset between medians and ranks in the model:
 *   one direction's MDE too small, the other's too large.)
 * - A change of d (a fraction) is the location shift r_j + d |median(base)|:
 *   every location measure of the new side moves by d |median(base)|, its
 *   median included, so compare's change % would be about 100 d.
 * - The gate flags the shift when the two-sided Mann-Whitney test of base
 *   against the shifted r (rank_test.h: exact for small sides, normal
 *   approximation with tie and continuity corrections otherwise) gives
 *   p < alpha with the ranks pointing the shift's way. The MDE in one
 *   direction is the smallest such d, found by bisection (to 0.2% of itself)
 *   between d = 0 and a shift that separates the two sets completely. When
 *   even complete separation does not reach p < alpha (e.g. 4 + 4 samples
 *   at alpha 0.01: the exact p cannot go below 2/70), no change is
 *   detectable: INFINITY.
 * - The MDE reported is the larger of the upward and downward ones, so a
 *   change either way must be at least that large to be flagged. compare's
 *   threshold applies on top: a change is flagged only when it exceeds both.
 * - What it means: a real change the size of the MDE, measured again with
 *   the same noise, lands on either side of p = alpha about equally often
 *   (about 50% power). About 80% power needs a change
 *   (z(alpha/2) + z(0.2)) / z(alpha/2) times larger (1.33x at alpha 0.01;
 *   normal approximation).
 * - Large sides: beyond CVB_MDE_SUBSAMPLE samples, a side is represented
 *   by an evenly spaced subsample in file order (x[i n / k]), and the MDE of
 *   the subsamples is scaled to the full counts by the rank test's
 *   large-sample law, MDE ~ sqrt(1 / nb + 1 / nc). At such counts the MDE
 *   is a small fraction of a percent; the cost stays bounded (two sorts of
 *   at most CVB_MDE_SUBSAMPLE values, O(n) per bisection step: a merge of
 *   the sorted sides; up to 4096 samples in all, the rank test itself is
 *   called on the shifted copy). Deterministic: no random draws.
 * - Samples per side for a change c: the smallest N for which the MDE of
 *   N-point normal models of both sides (the base median plus each side's
 *   robust sd, 1.4826 MAD, or IQR / 1.349 when MAD is 0, times the normal
 *   quantiles at (i + 0.5) / N) is at most c z(alpha/2) / (z(alpha/2) +
 *   z(0.2)): 80% power for c. The model keeps the observed spreads but not
 *   their shape (a smooth model: a few samples' gaps would make the
 *   quantiles of the samples themselves scale badly); at small N it keeps
 *   the exact test's floor (no N below 5 at alpha 0.01). Found by a
 *   large-sample guess, doubling, then bisection on N up to
 *   CVB_MDE_REPS_MAX, and rounded up to two significant digits. */
#ifndef CVB_COMPARE_MDE_H
#define CVB_COMPARE_MDE_H

#include "cvb_error.h"

#include <stddef.h>

#define CVB_MDE_POWER 0.8        /* the power the sample-count estimate aims at */
#define CVB_MDE_REPS_MAX 100000u /* estimates stop here */
#define CVB_MDE_SUBSAMPLE 20000u /* larger sides are subsampled (see above) */

/* Both sides sorted (subsampled when large), the new side moved to the
 * base median. */
struct cvb_mde_model {
	double *base, *cur;     /* owned, ascending */
	size_t nb, nc;          /* their counts */
	size_t nb_all, nc_all;  /* the counts given */
	double scale;           /* |median(base)|: a change of d is a shift of d * scale */
	double sd_base, sd_cur; /* robust sds, for the sample-count estimate */
};

/* Builds the model from base (nb >= 1) and cur (nc >= 1) finite samples;
 * the inputs are not modified. 0, or -1 with err (EINVAL, ENOMEM). Free
 * with cvb_mde_model_free. */
int cvb_mde_model_init(struct cvb_mde_model *m, const double *base, size_t nb, const double *cur,
                       size_t nc, struct cvb_error *err);

void cvb_mde_model_free(struct cvb_mde_model *m);

/* The MDE in percent (see above): >= 0; INFINITY when no change is
 * detectable at these sample counts and alpha; NAN when the base median is
 * 0 (no relative change). 0, or -1 with err (ENOMEM). */
int cvb_mde_model_pct(const struct cvb_mde_model *m, double alpha, double *pct,
                      struct cvb_error *err);

/* The MDE of one direction (dir +1: the new side larger, -1: smaller). */
int cvb_mde_model_pct_dir(const struct cvb_mde_model *m, double alpha, int dir, double *pct,
                          struct cvb_error *err);

/* Samples per side needed to detect a change of change_pct (either sign)
 * with 80% power (see above). *reps is 0 when change_pct is 0 or not
 * finite or the MDE is undefined, and CVB_MDE_REPS_MAX + 1 when even
 * CVB_MDE_REPS_MAX samples would not do. 0, or -1 with err (ENOMEM). */
int cvb_mde_model_reps(const struct cvb_mde_model *m, double alpha, double change_pct, size_t *reps,
                       struct cvb_error *err);

/* z such that P(Z > z) = p for a standard normal Z, 0 < p < 1. */
double cvb_mde_normal_upper_quantile(double p);

/* The smallest number of samples per side (1 .. 64) at which complete
 * separation of two equal-sized sides gives p < alpha in the rank test (5 at
 * alpha 0.01), or 0 when none does. */
size_t cvb_mde_min_reps(double alpha);

#endif

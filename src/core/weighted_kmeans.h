/*
 * weighted_kmeans.h
 *	  K-means on a small set of weighted points: the reduction step of the
 *	  one-pass mode, which clusters the summary's sample (distinct rows,
 *	  each weighted by its multiplicity) instead of the rows themselves.
 *	  The objective is the weighted inertia, sum of w_i |x_i - c(i)|^2, so a
 *	  point of weight w acts as w copies of it.
 *
 *	  Same conventions as km_fit (kmeans.h): greedy k-means++ (2 + ln k
 *	  trials a center), random or explicit initialization, n_init runs with
 *	  the lowest inertia winning (or, with KmConfig.seedings, one run from
 *	  the best of several seedings), scikit-learn's tolerance rule, ties to the
 *	  lowest cluster index, empty clusters re-seeded with the farthest point.
 *	  Every draw is keyed by the point's values and the seed (an
 *	  exponential race, -ln(u) / weight, smallest wins), so the result
 *	  depends on the multiset of (point, weight) only through the order the
 *	  caller gives, and the one-pass summary gives its canonical order.
 */
#ifndef RFM_WEIGHTED_KMEANS_H
#define RFM_WEIGHTED_KMEANS_H

#include <stddef.h>
#include <stdint.h>

#include "kmeans.h"

/*
 * Fit k centroids to the n x d points x with positive weights w.
 * The runs (cfg->n_init) go to up to cfg->parallel.threads threads (one
 * run's passes too, for large n), with the same result for any number of
 * threads; cfg->on_iteration keeps them on the calling thread, and is
 * called for iteration 0 too: the start's inertia, before any update.
 * cfg->seedings > 1: Lloyd from the best of that many seedings (kmeans.h).
 * cfg->parallel's check_interrupts is called between passes, on the
 * calling thread only (may longjmp; nothing is allocated outside mem). res->sizes gets each
 * cluster's total weight; res->inertia the weighted inertia and
 * res->mean_distance the weighted mean distance. res->labels may be NULL.
 * KM_BAD_ARGUMENT when k exceeds the points or a weight is not positive.
 * cfg->spherical: spherical k-means on unit rows, as km_fit does it (each
 * centroid the direction of its cluster's weighted mean; a zero mean keeps
 * the previous centroid; explicit centroids rescaled, a zero one is
 * KM_BAD_ARGUMENT).
 */
KmStatus	km_fit_weighted(const double *x, const int64_t *w, size_t n, int d,
							const KmConfig *cfg, const KmAlloc *mem, KmResult *res);

/*
 * The memory km_fit_weighted allocates with cfg (beside x, w and res): a
 * workspace per thread its runs go to, and each run's centers.
 */
size_t		km_fit_weighted_bytes(size_t n, int d, const KmConfig *cfg);

#endif							/* RFM_WEIGHTED_KMEANS_H */

/*
 * centroid_ranks.h
 *	  Where each centroid falls in the training data's distribution, per
 *	  feature: the number of training rows whose value is strictly below the
 *	  centroid's. With n, this places a centroid against any quantile of the
 *	  training data exactly (percentile_disc(q) < v  <=>  below >= ceil(q n)),
 *	  with one pass and no sort. Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_CENTROID_RANKS_H
#define RFM_CENTROID_RANKS_H

#include <stddef.h>
#include <stdint.h>

#include "parallel_for.h"

/*
 * below[c * d + j] = #{ i : x[i * d + j] < centroids[c * d + j] } over the
 * n x d row-major x, on par's threads (NULL: the caller's only, no
 * interrupt checks).
 */
void		km_centroid_ranks(const double *x, size_t n, int d,
							  const double *centroids, int k, int64_t *below,
							  const KmParallel *par);

#endif							/* RFM_CENTROID_RANKS_H */

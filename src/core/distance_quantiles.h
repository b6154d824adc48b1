/*
 * distance_quantiles.h
 *	  The distribution of the training rows' distances to their nearest
 *	  centroid, kept by a model as the distance at every thousandth of the
 *	  rows (anomaly scores read it). Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_DISTANCE_QUANTILES_H
#define RFM_DISTANCE_QUANTILES_H

#include <stdbool.h>
#include <stddef.h>

#include "kmeans.h"
#include "parallel_for.h"

/*
 * out[j], j = 0 .. m - 1 (m >= 2): the distance of rank max(1, ceil(j n /
 * (m - 1))) among the n rows' distances to the nearest of the k centroids
 * (km_nearest's), each rounded up to a float so that no row is beyond its
 * quantile. With cosine (unit rows and centroids), the cosine distance
 * |x - c|^2 / 2; otherwise the Euclidean distance. The distances are
 * computed on par's threads, each row's the same on any number of them.
 * n >= 1. Takes km_distance_quantiles_bytes(n) from mem; KM_NO_MEMORY if
 * that could not be had.
 */
KmStatus	km_distance_quantiles(const double *x, size_t n, int d, const double *centroids,
								  int k, bool cosine, int m, double *out,
								  const KmAlloc *mem, const KmParallel *par);

/* The memory km_distance_quantiles takes for n rows (SIZE_MAX: too much). */
size_t		km_distance_quantiles_bytes(size_t n);

#endif							/* RFM_DISTANCE_QUANTILES_H */

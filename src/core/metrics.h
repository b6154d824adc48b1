/*
 * metrics.h
 *	  Clustering quality of labelled rows: inertia, silhouette,
 *	  Davies-Bouldin and Calinski-Harabasz, with scikit-learn's definitions
 *	  (cluster centers are the means of their labelled rows; empty clusters
 *	  are ignored). Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_METRICS_H
#define RFM_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "kmeans.h"

/* Rows up to which the silhouette is exact; above, a seeded sample of this size. */
#define KM_SILHOUETTE_EXACT_ROWS 10000

typedef struct KmMetrics
{
	double		inertia;		/* to the cluster means */
	double		silhouette;		/* NaN when undefined (fewer than 2 clusters) */
	double		davies_bouldin; /* NaN when undefined */
	double		calinski_harabasz;	/* NaN when undefined */
	size_t		silhouette_rows;	/* rows the silhouette was computed on */
} KmMetrics;

/*
 * Metrics of n x d rows x with labels in 0..k-1. The silhouette uses every
 * row when n <= KM_SILHOUETTE_EXACT_ROWS, else the rows with the smallest
 * seeded draws (keyed by value, so independent of row order).
 */
KmStatus	km_metrics(const double *x, size_t n, int d, const int32_t *labels, int k,
					   uint64_t seed, const KmAlloc *mem, KmMetrics *out);

/*
 * The most memory km_metrics allocates for n rows of d features and k
 * clusters; SIZE_MAX when that does not fit a size_t.
 */
size_t		km_metrics_bytes(size_t n, int d, int k);

/*
 * Mean silhouette of the given rows (O(n^2 d)); NaN for fewer than 2
 * clusters or when out of memory.
 */
double		km_silhouette(const double *x, size_t n, int d, const int32_t *labels, int k,
						  const KmAlloc *mem);

#endif							/* RFM_METRICS_H */

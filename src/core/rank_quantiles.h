/*
 * rank_quantiles.h
 *	  Exact order statistics of many ranks at once (a radix selection
 *	  that only counts): training keeps the distribution of the rows' distances
 *	  to their centroid as the values at every thousandth of the rows, so
 *	  the share of training rows beyond any distance is known to 1e-3.
 *	  Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_RANK_QUANTILES_H
#define RFM_RANK_QUANTILES_H

#include <stddef.h>
#include <stdint.h>

#include "kmeans.h"
#include "parallel_for.h"

/*
 * The 1-based rank of quantile j of m (m >= 2) among n values:
 * max(1, ceil(j n / (m - 1))), without overflow.
 */
uint64_t	km_quantile_rank(int j, uint64_t n, int m);

/* The memory km_rank_quantiles takes from its KmAlloc for n values. */
size_t		km_rank_quantiles_bytes(size_t n);

/*
 * out[j], j = 0 .. m - 1 (m >= 2): the value of rank max(1, ceil(j n /
 * (m - 1))) among the n values of v (1 = the smallest; out[0] is the
 * minimum, out[m - 1] the maximum). n >= 1; no NaN. From 2^19 values on,
 * three passes over v per 1,001 ranks, with km_rank_quantiles_bytes(n)
 * (about 3 MB) from mem, KM_NO_MEMORY if that could not be had; below, v is
 * reordered in place. par's check_interrupts (par may be NULL) runs
 * every 2^20 values read and before every partition of more than 65,536.
 */
KmStatus	km_rank_quantiles(float *v, size_t n, int m, double *out,
							  const KmAlloc *mem, const KmParallel *par);

#endif							/* RFM_RANK_QUANTILES_H */

/*
 * clv_value_cache.h
 *	  clv()'s per-query cache. clv() is the spend times P(alive) times the
 *	  discounted sum over months of N(t_i) - N(t_(i-1)), N the numerator of
 *	  the conditional expectation (bgnbd_numerator_many()); that sum depends
 *	  on nothing but x, t_cal, the BG/NBD parameters, the months, the
 *	  discount and the time unit. Customers share (x, t_cal) (1M simulated
 *	  customers have 6,229 distinct pairs: whole purchase counts and a day
 *	  grid of calibration lengths), so each pair's series is summed once and
 *	  only P(alive), which needs t_x, is computed per row.
 */
#ifndef RFM_CLV_VALUE_CACHE_H
#define RFM_CLV_VALUE_CACHE_H

#include "postgres.h"

#include "core/bgnbd.h"

/* What a cached value depends on besides the summary. */
typedef struct ClvValueContext
{
	BgnbdParams bg;
	int64		months;			/* int64: no padding, contexts compare by bytes */
	double		discount;
	double		unit_days;
} ClvValueContext;

/*
 * The cached value of (x, t_cal) under ctx into *value: true if found.
 * *cache is the cache's pointer (from clv_function_cache), allocated in
 * mcxt; a context different from the cached one empties it.
 */
bool		clv_value_cache_find(void **cache, MemoryContext mcxt, const ClvValueContext *ctx,
								 double x, double t_cal, double *value);

/*
 * Keep the value of (x, t_cal), computed after find() missed it under the
 * same context; nothing when the cache is full (2^19 pairs, 12 MB).
 * Only values computed without error are kept.
 */
void		clv_value_cache_store(void **cache, MemoryContext mcxt,
								  double x, double t_cal, double value);

#endif							/* RFM_CLV_VALUE_CACHE_H */

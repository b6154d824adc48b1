/*
 * train_checks.h
 *	  The checks a k-means run over a relation's rows makes on those rows
 *	  and on the core's result, raising the user-facing ERRORs, and what a
 *	  training run produced (TrainOutcome). Shared by train()'s three modes
 *	  (kmeans_train.c: memory, kmeans_aggregate.c: aggregate, train_onepass.c:
 *	  one-pass) and the
 *	  evaluation functions (kmeans_evaluate.c).
 */
#ifndef RFM_TRAIN_CHECKS_H
#define RFM_TRAIN_CHECKS_H

#include "postgres.h"

#include "core/kmeans.h"

/* What a training run produced, in any mode. */
typedef struct TrainOutcome
{
	int64	   *sizes;			/* k */
	double		inertia;
	double		mean_distance;	/* mean distance of a row to its centroid */
	double	   *distance_quantiles; /* DISTANCE_QUANTILES (model_store.h): the rows' distances to
									 * their centroid at every thousandth of the
									 * rows (rank_quantiles.h), when the caller
									 * allocates it (not NULL) */
	int64	   *centroid_below; /* k x d: rows below each centroid value, counted
								 * when the caller allocates it (not NULL) */
	int			iterations;
	bool		converged;
	int64		n_rows;
	int64		n_skipped;
} TrainOutcome;

/* ERROR 22000: relid has no usable row (skipped had a null feature). */
void		no_usable_row_error(Oid relid, int64 skipped);

/* ERROR 22023: argument argname (k, k_max) is above the usable rows. */
void		k_above_rows_error(const char *argname, int k, size_t rows);

/* ERROR for what km_fit returned unless KM_OK (53200, 22003). */
void		fit_status_check(KmStatus status, size_t rows);

/*
 * ERROR 22003 unless k-means arithmetic on n rows stays finite once they
 * are scaled (core/value_range.h): the columns' ranges lo..hi (original
 * units) scaled by offset and factor, widened by k scaled centroids
 * (centroids may be NULL). scaler says how they were scaled, for the message.
 */
void		check_value_range(char **names, int d, const double *lo, const double *hi,
							  const double *offset, const double *factor,
							  const double *centroids, int k, size_t n, const char *scaler);

#endif							/* RFM_TRAIN_CHECKS_H */

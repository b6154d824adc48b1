/*
 * kmeans_train.h
 *	  train() and its two modes: memory (kmeans_train.c) and aggregate
 *	  (kmeans_aggregate.c).
 */
#ifndef RFM_KMEANS_TRAIN_H
#define RFM_KMEANS_TRAIN_H

#include "postgres.h"

#include "core/kmeans.h"
#include "model_store.h"
#include "train_options.h"

/* What a training run produced, in either mode. */
typedef struct TrainOutcome
{
	int64	   *sizes;			/* k */
	double		inertia;
	double		mean_distance;	/* mean distance of a row to its centroid */
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

/*
 * Train with one aggregate query per Lloyd iteration: fills model (scaler
 * and centroids in original units, allocated by the caller) and out.
 */
void		train_aggregate(const TrainOptions *o, Model *model, TrainOutcome *out);

/*
 * One-pass mode's refinement (kmeans_aggregate.c): from the scaled centers
 * (updated in place), up to steps aggregate-mode Lloyd iterations, stopping
 * once the squared shift is within tol_abs (then *converged), and one more
 * scan for the exact sizes, inertia and mean distance of the final centers
 * (into out). Returns the iterations run.
 */
int			refine_aggregate(const TrainOptions *o, const Model *model, double *centers,
							 int steps, double tol_abs, bool *converged, TrainOutcome *out);

/*
 * Train in one scan (train_onepass.c): the kmeans_summary() aggregate over
 * the relation, then weighted k-means on its sample; fills model and out
 * (sizes, inertia and centroid ranks estimated from the sample, exact when
 * it holds every distinct row or after refine passes).
 */
void		train_onepass(const TrainOptions *o, Model *model, TrainOutcome *out);

#endif							/* RFM_KMEANS_TRAIN_H */

/*
 * kmeans_train.h
 *	  Options of train() and its two modes: memory (kmeans_train.c) and
 *	  aggregate (kmeans_aggregate.c).
 */
#ifndef RFM_KMEANS_TRAIN_H
#define RFM_KMEANS_TRAIN_H

#include "postgres.h"

#include "core/kmeans.h"
#include "core/scaler.h"
#include "model_store.h"
#include "utils/array.h"

typedef struct TrainOptions
{
	char	   *model;
	Oid			relid;
	char	  **features;
	int			d;
	int			k;
	KmInit		init;
	const char *init_name;
	ArrayType  *init_centroids;
	int			n_init;
	int			max_iter;
	double		tol;
	int64		seed;
	KmScale		scale;
	const char *scale_name;
	bool		verbose;
	bool		aggregate;		/* mode => 'aggregate' */
	bool		may_fall_back;	/* mode unset: memory, else aggregate */
} TrainOptions;

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

/* An init / scale option by name; ERROR 22023 for any other name. */
KmInit		parse_init_option(const char *name);
KmScale		parse_scale_option(const char *name);

/* The k x d starting centroids in original units, scaled like the data. */
double	   *explicit_centroids(const TrainOptions *o, const double *offset,
							   const double *factor);

/*
 * Train with one aggregate query per Lloyd iteration: fills model (scaler
 * and centroids in original units, allocated by the caller) and out.
 */
void		train_aggregate(const TrainOptions *o, Model *model, TrainOutcome *out);

#endif							/* RFM_KMEANS_TRAIN_H */

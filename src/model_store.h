/*
 * model_store.h
 *	  K-means models in the tables rfm_kmeans.models (the current version
 *	  of each) and rfm_kmeans.model_versions (the earlier ones).
 *
 * Everyone may read both tables; only the functions here write them
 * (train, rollback_model, drop_model), after checking that the caller owns
 * the model or is a superuser, and while holding a lock on the model's
 * name, so that changes to one model happen one after the other.
 */
#ifndef RFM_MODEL_STORE_H
#define RFM_MODEL_STORE_H

#include "postgres.h"

/* Model names are at most this many bytes (they are a table's key). */
#define MODEL_NAME_MAX_BYTES 1024

/*
 * The distance quantiles kept with a model: the rows' distances to their
 * centroid at ranks 0, 1/1000, ..., 1 of the rows (rank_quantiles.h).
 */
#define DISTANCE_QUANTILES 1001

typedef struct Model
{
	int			k;
	int			d;
	double	   *offset;			/* d: scaler */
	double	   *factor;			/* d */
	double	   *centroids;		/* k x d, original units */
	double	   *scaled;			/* k x d, scaled space */
	char	  **features;		/* d column names (model_load only) */
	char	  **categories;		/* d: a one-hot feature's category, else NULL;
								 * NULL when none is (model_load only) */
	bool		cosine;			/* distance 'cosine' (cosine.h; model_load only) */
} Model;

typedef struct ModelToStore
{
	const char *name;
	const char *source;			/* qualified relation name */
	char	  **features;
	char	  **categories;		/* d or NULL (feature_encoding.h) */
	const char *scaler;
	const Model *model;
	const int64 *sizes;
	double		inertia;
	double		mean_distance;
	const int64 *centroid_below;	/* k x d, see core/centroid_ranks.h */
	const double *distance_quantiles;	/* 1001 (train_checks.h), or NULL */
	int			iterations;
	bool		converged;
	int64		n_rows;
	int64		n_skipped;
	const char *params_json;
} ModelToStore;

/* ERROR unless name is a valid model name: not empty, not too long. */
void		model_check_name(const char *name);

/*
 * ERROR 42501 unless the model does not exist or belongs to the caller
 * (or the caller is a superuser): the early check of train(), before the
 * work; model_store checks again under the lock.
 */
void		model_check_owner(const char *name);

/*
 * Insert or replace a model (in the caller's transaction): the version it
 * replaces goes to the history, the owner stays the owner. ERROR when the
 * model's numbers are not finite or its sizes do not add up to n_rows.
 */
void		model_store(const ModelToStore *m);

/* Make the latest earlier version current; returns its version. */
int32		model_rollback(const char *name);

/* Delete a model and its history. */
void		model_drop(const char *name);

/* Read a model into memory of context mcxt; ERROR 42704 if unknown. */
Model	   *model_load(const char *name, MemoryContext mcxt);

/* The same, or NULL when there is no model of that name. */
Model	   *model_load_if_exists(const char *name, MemoryContext mcxt);

#endif							/* RFM_MODEL_STORE_H */

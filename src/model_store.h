/*
 * model_store.h
 *	  K-means models in the table rfm_kmeans.models.
 */
#ifndef RFM_MODEL_STORE_H
#define RFM_MODEL_STORE_H

#include "postgres.h"

typedef struct Model
{
	int			k;
	int			d;
	double	   *offset;			/* d: scaler */
	double	   *factor;			/* d */
	double	   *centroids;		/* k x d, original units */
	double	   *scaled;			/* k x d, scaled space */
	char	  **features;		/* d column names (model_load only) */
} Model;

typedef struct ModelToStore
{
	const char *name;
	const char *source;			/* qualified relation name */
	char	  **features;
	const char *scaler;
	const Model *model;
	const int64 *sizes;
	double		inertia;
	double		mean_distance;
	const int64 *centroid_below;	/* k x d, see core/centroid_ranks.h */
	int			iterations;
	bool		converged;
	int64		n_rows;
	int64		n_skipped;
	const char *params_json;
} ModelToStore;

/* ERROR 42501 unless the model does not exist or belongs to the caller. */
void		model_check_owner(const char *name);

/* Insert or replace a model (in the caller's transaction). */
void		model_store(const ModelToStore *m);

/* Read a model into memory of context mcxt; ERROR 42704 if unknown. */
Model	   *model_load(const char *name, MemoryContext mcxt);

#endif							/* RFM_MODEL_STORE_H */

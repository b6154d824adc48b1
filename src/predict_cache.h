/*
 * predict_cache.h
 *	  What the scoring functions (predict, assign, distances, predict_row,
 *	  assign_row) keep between rows of a query in fn_extra: the model, read
 *	  once and again only when rfm_kmeans.models changes, and the row being
 *	  scored, scaled.
 */
#ifndef RFM_PREDICT_CACHE_H
#define RFM_PREDICT_CACHE_H

#include "postgres.h"

#include "fmgr.h"
#include "model_store.h"

typedef struct PredictCache
{
	MemoryContext mcxt;			/* the model's memory; NULL until loaded */
	char	   *name;
	size_t		name_len;
	uint64		generation;		/* of rfm_kmeans.models when loaded */
	Model	   *model;
	double	   *row;			/* d scaled features */
	void	   *row_map;		/* predict_row's, in mcxt: NULL until used */
	/* assign()'s result: a formed tuple to copy, and where its fields are */
	HeapTupleHeader result;
	Size		result_len;
	Size		cluster_off;
	Size		distance_off;
} PredictCache;

/*
 * The model named by text argument 0 (ERROR 22004 if NULL, 42704 if
 * unknown), kept in fn_extra.
 */
PredictCache *cached_model(FunctionCallInfo fcinfo);

/*
 * Feature j's value v into c->row, scaled; ERROR 22000 when v is not
 * finite, 22003 when scaling takes it past float8.
 */
void		predict_set_feature(PredictCache *c, int j, double v);

/*
 * The row in c->row complete: for a cosine model, scaled to unit length
 * (ERROR 22000 for an all-zero row). Returns c.
 */
PredictCache *predict_finish_row(PredictCache *c);

/* assign()'s result for c->row: the nearest cluster and the distance. */
Datum		predict_assignment(FunctionCallInfo fcinfo, PredictCache *c);

#endif							/* RFM_PREDICT_CACHE_H */

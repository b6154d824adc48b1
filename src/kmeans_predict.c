/*
 * kmeans_predict.c
 *	  predict(), assign() and distances(): the closest cluster of a row and
 *	  its distance, in the model's scaled space. The model is read once per
 *	  query (kept in fn_extra) and read again only if the model name changes.
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "core/kmeans.h"
#include "funcapi.h"
#include "model_store.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

typedef struct PredictCache
{
	MemoryContext mcxt;
	char	   *name;
	Model	   *model;
	double	   *row;			/* d scaled features */
	TupleDesc	tupdesc;		/* assign()'s result */
} PredictCache;

static PredictCache *
cached_model(FunctionCallInfo fcinfo, const char *name)
{
	PredictCache *c = (PredictCache *) fcinfo->flinfo->fn_extra;

	if (c != NULL && strcmp(c->name, name) == 0)
		return c;
	if (c == NULL)
	{
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(PredictCache));
		fcinfo->flinfo->fn_extra = c;
	}
	if (c->mcxt != NULL)
		MemoryContextDelete(c->mcxt);
	c->mcxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "rfm_kmeans model",
									ALLOCSET_SMALL_SIZES);
	c->model = model_load(name, c->mcxt);
	c->name = MemoryContextStrdup(c->mcxt, name);
	c->row = MemoryContextAlloc(c->mcxt, sizeof(double) * c->model->d);
	return c;
}

/* Load the model and put the scaled features of this call in c->row. */
static PredictCache *
scaled_row(FunctionCallInfo fcinfo)
{
	PredictCache *c;
	ArrayType  *a;
	Datum	   *elems;
	bool	   *nulls;
	int			count,
				j;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument model must not be null")));
	c = cached_model(fcinfo, text_to_cstring(PG_GETARG_TEXT_PP(0)));
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("features must not be null")));
	a = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must be a one-dimensional array")));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	if (count != c->model->d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" takes %d features, got %d", c->name, c->model->d, count)));
	for (j = 0; j < count; j++)
	{
		double		v;

		if (nulls[j])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("feature %d must not be null", j + 1),
					 errhint("Rows with a missing feature cannot be assigned; filter or impute them first.")));
		v = DatumGetFloat8(elems[j]);
		if (!isfinite(v))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature %d must be finite", j + 1)));
		c->row[j] = (v - c->model->offset[j]) / c->model->factor[j];
	}
	return c;
}

PG_FUNCTION_INFO_V1(rfm_predict);
Datum
rfm_predict(PG_FUNCTION_ARGS)
{
	PredictCache *c = scaled_row(fcinfo);

	PG_RETURN_INT32(km_nearest(c->row, c->model->scaled, c->model->k, c->model->d, NULL));
}

PG_FUNCTION_INFO_V1(rfm_assign);
Datum
rfm_assign(PG_FUNCTION_ARGS)
{
	PredictCache *c = scaled_row(fcinfo);
	double		d2;
	int			cluster = km_nearest(c->row, c->model->scaled, c->model->k, c->model->d, &d2);
	Datum		values[2];
	bool		nulls[2] = {false, false};

	if (c->tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
		TupleDesc	td;

		if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "assign() must return a composite type");
		c->tupdesc = BlessTupleDesc(td);
		MemoryContextSwitchTo(old);
	}
	values[0] = Int32GetDatum(cluster);
	values[1] = Float8GetDatum(sqrt(d2));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(c->tupdesc, values, nulls)));
}

PG_FUNCTION_INFO_V1(rfm_distances);
Datum
rfm_distances(PG_FUNCTION_ARGS)
{
	PredictCache *c = scaled_row(fcinfo);
	Datum	   *d = palloc(sizeof(Datum) * c->model->k);
	int			i;

	for (i = 0; i < c->model->k; i++)
		d[i] = Float8GetDatum(sqrt(km_dist2(c->row, c->model->scaled + (size_t) i * c->model->d,
											c->model->d)));
	PG_RETURN_ARRAYTYPE_P(construct_array(d, c->model->k, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

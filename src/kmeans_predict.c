/*
 * kmeans_predict.c
 *	  predict(), assign() and distances(): the closest cluster of a row and
 *	  its distance, in the model's scaled space. The model is read once per
 *	  query (kept in fn_extra) and read again only if the model name changes.
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "core/kmeans.h"
#include "cosine.h"
#include "funcapi.h"
#include "model_store.h"
#include "predict_cache.h"
#include "table_watch.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

/* model_load into mcxt, which is deleted if that fails. */
static Model *
load_in_new_context(const char *name, MemoryContext mcxt, uint64 *generation)
{
	Model	   *model = NULL;

	PG_TRY();
	{
		*generation = table_watch_start(WATCH_MODELS);
		model = model_load(name, mcxt);
	}
	PG_CATCH();
	{
		MemoryContextDelete(mcxt);
		PG_RE_THROW();
	}
	PG_END_TRY();
	return model;
}

/*
 * The model named by text argument 0: read on the first call, and again
 * when the name changes or rfm_kmeans.models did (table_watch.h), so a
 * statement sees the model that is current when it runs, also in the
 * next statement of a PL/pgSQL block. Per row, the check is a compare of
 * the name's bytes and of a counter.
 */
PredictCache *
cached_model(FunctionCallInfo fcinfo)
{
	PredictCache *c = (PredictCache *) fcinfo->flinfo->fn_extra;
	text	   *arg;
	char	   *name;
	MemoryContext mcxt;
	uint64		generation;
	Model	   *model;

	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument model must not be null")));
	arg = PG_GETARG_TEXT_PP(0);

	if (c != NULL && c->mcxt != NULL &&
		c->generation == table_watch_generation(WATCH_MODELS) &&
		VARSIZE_ANY_EXHDR(arg) == c->name_len &&
		memcmp(VARDATA_ANY(arg), c->name, VARSIZE_ANY_EXHDR(arg)) == 0)
		return c;
	name = text_to_cstring(arg);
	if (c == NULL)
	{
		c = MemoryContextAllocZero(fcinfo->flinfo->fn_mcxt, sizeof(PredictCache));
		fcinfo->flinfo->fn_extra = c;
	}
	/* forget the old model first: if loading fails, nothing dangles */
	if (c->mcxt != NULL)
		MemoryContextDelete(c->mcxt);
	c->mcxt = NULL;
	c->model = NULL;
	c->name = NULL;
	c->row = NULL;
	c->row_map = NULL;
	mcxt = AllocSetContextCreate(fcinfo->flinfo->fn_mcxt, "rfm_kmeans model",
								 ALLOCSET_SMALL_SIZES);
	model = load_in_new_context(name, mcxt, &generation);
	c->model = model;
	c->generation = generation;
	c->name = MemoryContextStrdup(mcxt, name);
	c->name_len = strlen(name);
	c->row = MemoryContextAlloc(mcxt, sizeof(double) * model->d);
	c->mcxt = mcxt;
	return c;
}

static void
null_feature_error(int j)
{
	ereport(ERROR,
			(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			 errmsg("feature %d must not be null", j + 1),
			 errhint("Rows with a missing feature cannot be assigned; filter or impute them first.")));
}

static void
scaled_feature_error(PredictCache *c, int j, double v)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("feature %d is out of range for model \"%s\"", j + 1, c->name),
			 errdetail("Scaled by the model's scaler, the value %g of \"%s\" exceeds the range of type double precision.",
					   v, c->model->features[j])));
}

/*
 * Feature j of this call, checked and scaled into c->row: one test per
 * feature (a NaN or infinite value scales to one too).
 */
static inline void
set_feature(PredictCache *c, int j, double v)
{
	double		scaled = (v - c->model->offset[j]) / c->model->factor[j];

	if (unlikely(!isfinite(scaled)))
	{
		if (!isfinite(v))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("feature %d must be finite", j + 1),
					 errdetail("The value is %g.", v)));
		scaled_feature_error(c, j, v);
	}
	c->row[j] = scaled;
}

void
predict_set_feature(PredictCache *c, int j, double v)
{
	set_feature(c, j, v);
}

/*
 * The fixed-arity overloads (2, 3 or 4 float8 features): the arguments are
 * read directly, without the array a VARIADIC call builds for every row.
 */
static PredictCache *
scaled_args(FunctionCallInfo fcinfo)
{
	PredictCache *c;
	int			count = PG_NARGS() - 1;
	int			j;

	c = cached_model(fcinfo);
	if (count != c->model->d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" takes %d features, got %d", c->name, c->model->d, count)));
	for (j = 0; j < count; j++)
	{
		if (PG_ARGISNULL(j + 1))
			null_feature_error(j);
		set_feature(c, j, PG_GETARG_FLOAT8(j + 1));
	}
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

	c = cached_model(fcinfo);
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("features must not be null")));
	a = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("features must be a one-dimensional array")));
	count = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	if (count != c->model->d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" takes %d features, got %d", c->name, c->model->d, count)));
	if (!ARR_HASNULL(a))
	{
		/* the common case: read the doubles in place (no null bitmap) */
		const double *v = (const double *) ((char *) a + ARR_OVERHEAD_NONULLS(ARR_NDIM(a)));

		for (j = 0; j < count; j++)
			set_feature(c, j, v[j]);
		return c;
	}
	/* with a null bitmap: element by element */
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	for (j = 0; j < count; j++)
	{
		if (nulls[j])
			null_feature_error(j);
		set_feature(c, j, DatumGetFloat8(elems[j]));
	}
	return c;
}

PredictCache *
predict_finish_row(PredictCache *c)
{
	if (c->model->cosine)
		unit_rows(c->row, 1, c->model->d, "the row");
	return c;
}

/* VARIADIC float8[] overloads have two arguments, the fixed ones more */
#define FEATURES(fcinfo) \
	predict_finish_row(PG_NARGS() == 2 ? scaled_row(fcinfo) : scaled_args(fcinfo))

/*
 * The distance of this call's row to a scaled centroid, computed without
 * overflowing in its squares; 22003 when the distance itself is past the
 * range of float8.
 */
static double
checked_distance(PredictCache *c, const double *centroid)
{
	double		dist;

	/* cosine: unit vectors, |x - c|^2 / 2 (cosine.h) */
	if (c->model->cosine)
		return km_dist2(c->row, centroid, c->model->d) / 2;
	dist = km_distance(c->row, centroid, c->model->d);

	if (!isfinite(dist))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("distance out of range for type double precision"),
				 errdetail("The row lies too far from the centroids of model \"%s\".", c->name)));
	return dist;
}

/*
 * predict(model, VARIADIC features) and predict(model, f1, f2 [, f3 [, f4]]):
 * returns the 0-based index of the model's centroid nearest to the features
 * (original units, scaled by the model's scaler). Not strict; the model is
 * kept per query, read again when rfm_kmeans.models changes. Checks: a NULL
 * model, features array or feature (ERRCODE_NULL_VALUE_NOT_ALLOWED); an
 * unknown model (ERRCODE_UNDEFINED_OBJECT; malformed ERRCODE_DATA_CORRUPTED);
 * features of more than one dimension (ERRCODE_ARRAY_SUBSCRIPT_ERROR), not
 * the model's count (ERRCODE_INVALID_PARAMETER_VALUE); a NaN or infinite
 * feature (ERRCODE_DATA_EXCEPTION), one that scales past float8
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(rfm_predict);
Datum
rfm_predict(PG_FUNCTION_ARGS)
{
	PredictCache *c = FEATURES(fcinfo);

	PG_RETURN_INT32(km_nearest(c->row, c->model->scaled, c->model->k, c->model->d, NULL));
}

/*
 * assign()'s composite, formed once per query; every row copies it and
 * writes its two fixed-width fields in place (no per-row heap_form_tuple).
 */
static void
prepare_assignment(FunctionCallInfo fcinfo, PredictCache *c)
{
	MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	TupleDesc	td;
	Datum		values[2] = {Int32GetDatum(0), Float8GetDatum(0)};
	bool		nulls[2] = {false, false};
	HeapTuple	tuple;
	Size		off;

	if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "assign() must return a composite type");
	td = BlessTupleDesc(td);
	tuple = heap_form_tuple(td, values, nulls);
	c->result_len = tuple->t_len;
	c->result = (HeapTupleHeader) palloc(tuple->t_len);
	memcpy(c->result, tuple->t_data, tuple->t_len);
	off = c->result->t_hoff;
	off = att_align_nominal(off, TupleDescAttr(td, 0)->attalign);
	c->cluster_off = off;
	off += TupleDescAttr(td, 0)->attlen;
	off = att_align_nominal(off, TupleDescAttr(td, 1)->attalign);
	c->distance_off = off;
	MemoryContextSwitchTo(old);
}

Datum
predict_assignment(FunctionCallInfo fcinfo, PredictCache *c)
{
	double		d2;
	int32		cluster = km_nearest(c->row, c->model->scaled, c->model->k, c->model->d, &d2);
	float8		distance = c->model->cosine ? d2 / 2 : d2 < INFINITY ? sqrt(d2) :
		checked_distance(c, c->model->scaled + (size_t) cluster * c->model->d);
	char	   *tuple;

	if (c->result == NULL)
		prepare_assignment(fcinfo, c);
	tuple = palloc(c->result_len);
	memcpy(tuple, c->result, c->result_len);
	memcpy(tuple + c->cluster_off, &cluster, sizeof(cluster));
	memcpy(tuple + c->distance_off, &distance, sizeof(distance));
	PG_RETURN_DATUM(PointerGetDatum(tuple));
}

/*
 * assign(model, VARIADIC features) and its 2, 3 and 4 feature overloads:
 * returns the assignment (cluster, distance), predict()'s cluster and the
 * Euclidean distance to its centroid in the model's scaled space. Not strict.
 * Checks: those of predict(), and a distance past the range of float8
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(rfm_assign);
Datum
rfm_assign(PG_FUNCTION_ARGS)
{
	return predict_assignment(fcinfo, FEATURES(fcinfo));
}

/*
 * distances(model, VARIADIC features) and its 2, 3 and 4 feature overloads:
 * returns a float8[] of the Euclidean distances to every centroid, in cluster
 * order, in the model's scaled space. Not strict. Checks: those of predict(),
 * and a distance past the range of float8
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(rfm_distances);
Datum
rfm_distances(PG_FUNCTION_ARGS)
{
	PredictCache *c = FEATURES(fcinfo);
	Datum	   *d = palloc(sizeof(Datum) * c->model->k);
	int			i;

	for (i = 0; i < c->model->k; i++)
		d[i] = Float8GetDatum(checked_distance(c, c->model->scaled + (size_t) i * c->model->d));
	PG_RETURN_ARRAYTYPE_P(construct_array(d, c->model->k, FLOAT8OID, sizeof(float8),
										  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

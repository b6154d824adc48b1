/*
 * kmeans_step_agg.c
 *	  The kmeans_step(features, centroids) aggregate: one Lloyd step over
 *	  any set of rows, combinable across parallel workers and nodes, and
 *	  its state type rfm_kmeans.kmeans_state (text and binary I/O).
 *
 * The centroids are copied into the state from the first row's argument
 * and never looked up again: a transition function called without
 * fn_extra surviving between rows (Citus) still works.
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "core/kmeans_step.h"
#include "core/kmeans_step_io.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#define PG_GETARG_STEP(n) ((KmStepState *) PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

/* The float8 values of an array argument, NULLs reported through *has_null. */
static double *
array_values(ArrayType *a, int *count, bool *has_null)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *v;
	int			i;

	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, count);
	v = palloc(sizeof(double) * Max(*count, 1));
	*has_null = false;
	for (i = 0; i < *count; i++)
	{
		if (nulls[i])
			*has_null = true;
		else
			v[i] = DatumGetFloat8(elems[i]);
	}
	return v;
}

/*
 * A new state for the k x d centroids argument and, when scaler is not
 * NULL, the 2 x d scaler argument (offsets, then factors: the rows are
 * then given in original units).
 */
static KmStepState *
new_state(ArrayType *centroids, ArrayType *scaler)
{
	int			k,
				d,
				count,
				i;
	bool		has_null;
	double	   *c,
			   *sc = NULL;
	Size		bytes;
	KmStepState *s;

	if (ARR_NDIM(centroids) != 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans_step() argument centroids must be a two-dimensional array (k x features)")));
	k = ARR_DIMS(centroids)[0];
	d = ARR_DIMS(centroids)[1];
	bytes = km_step_bytes(k, d, scaler ? KM_STEP_VERSION_SCALED : KM_STEP_VERSION);
	if (bytes == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans_step() supports 1 to %d centroids of 1 to %d features, got %d x %d",
						KM_STEP_MAX_K, KM_STEP_MAX_D, k, d)));
	c = array_values(centroids, &count, &has_null);
	for (i = 0; i < count; i++)
		if (has_null || !isfinite(c[i]))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kmeans_step() argument centroids must not contain nulls, NaN or infinities")));
	if (scaler)
	{
		if (ARR_NDIM(scaler) != 2 || ARR_DIMS(scaler)[0] != 2 || ARR_DIMS(scaler)[1] != d)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("kmeans_step() argument scaler must be a 2 x %d array", d),
					 errdetail("Its rows are the offsets and the factors of the %d features.", d)));
		sc = array_values(scaler, &count, &has_null);
		for (i = 0; i < count; i++)
			if (has_null || !isfinite(sc[i]) || (i >= d && !(sc[i] > 0)))
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("kmeans_step() argument scaler must hold finite offsets and positive factors")));
	}
	s = palloc(bytes);
	SET_VARSIZE(s, bytes);
	km_step_init(s, k, d, c, sc);
	return s;
}

static void
step_overflow_error(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
			 errmsg("value out of range: overflow"),
			 errdetail("The inertia or a cluster's sum of kmeans_step() exceeds the range of type double precision."),
			 errhint("Scale the features down, as train() does.")));
}

/*
 * The state this call adds to: argument 0, or on the first row a new one
 * from the centroids (and scaler, when scaler_arg >= 0) arguments. Outside
 * an aggregate the argument is copied, never changed.
 */
static KmStepState *
state_of_call(FunctionCallInfo fcinfo, int centroids_arg, int scaler_arg)
{
	KmStepState *s;

	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(centroids_arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("kmeans_step() argument centroids must not be null")));
		return new_state(PG_GETARG_ARRAYTYPE_P(centroids_arg),
						 scaler_arg < 0 || PG_ARGISNULL(scaler_arg) ? NULL :
						 PG_GETARG_ARRAYTYPE_P(scaler_arg));
	}
	s = PG_GETARG_STEP(0);
	if (!AggCheckCallContext(fcinfo, NULL) && (Pointer) s == DatumGetPointer(PG_GETARG_DATUM(0)))
	{
		KmStepState *copy = palloc(VARSIZE(s));

		memcpy(copy, s, VARSIZE(s));
		s = copy;
	}
	return s;
}

/* Add a row of count finite values to s (22023, 22000, 22003 otherwise). */
static void
add_row(KmStepState *s, const double *row, int count)
{
	int			j;

	if (count != s->d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans_step() argument features has %d values, the centroids have %d",
						count, s->d)));
	for (j = 0; j < count; j++)
		if (!isfinite(row[j]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("kmeans_step() feature %d must be finite", j + 1)));
	if (!km_step_add(s, row))
		step_overflow_error();
}

/*
 * The row of a features float8[] argument into row (its values counted in
 * *count); false when it is NULL or holds a NULL: the row is skipped, as
 * train() skips it.
 */
static bool
array_row(FunctionCallInfo fcinfo, int argno, double **row, int *count)
{
	ArrayType  *features;
	bool		has_null;

	if (PG_ARGISNULL(argno))
		return false;
	features = PG_GETARG_ARRAYTYPE_P(argno);
	if (ARR_NDIM(features) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("kmeans_step() argument features must be a one-dimensional array"),
				 errdetail("It has %d dimensions.", ARR_NDIM(features))));
	*row = array_values(features, count, &has_null);
	return !has_null;
}

/*
 * kmeans_step_trans(state, features, centroids): transition function of
 * kmeans_step(features, centroids), rows already scaled; returns the state
 * with the row added to its nearest centroid's cluster. Not strict: NULL
 * features, or a NULL among them, skip the row. Only the first row's
 * centroids are read: NULL is ERRCODE_NULL_VALUE_NOT_ALLOWED, not a 2-D array
 * of finite values ERRCODE_INVALID_PARAMETER_VALUE, over 10000 x 1000
 * ERRCODE_PROGRAM_LIMIT_EXCEEDED. Features: over one dimension
 * ERRCODE_ARRAY_SUBSCRIPT_ERROR, not d values
 * ERRCODE_INVALID_PARAMETER_VALUE, NaN or infinite ERRCODE_DATA_EXCEPTION,
 * overflow ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE. AggCheckCallContext: copied
 * outside.
 */
PG_FUNCTION_INFO_V1(kmeans_step_trans);
Datum
kmeans_step_trans(PG_FUNCTION_ARGS)
{
	KmStepState *s = state_of_call(fcinfo, 2, -1);
	double	   *row;
	int			count;

	if (array_row(fcinfo, 1, &row, &count))
		add_row(s, row, count);
	PG_RETURN_POINTER(s);
}

/*
 * kmeans_step_scaled_trans(state, features, centroids, scaler): transition
 * function of kmeans_step(features, centroids, scaler), rows in original
 * units that the state scales as train() does; returns the state. Checks:
 * those of kmeans_step_trans, and on the first row a scaler that is not a
 * 2 x d array of finite offsets and positive factors
 * (ERRCODE_INVALID_PARAMETER_VALUE). A NULL scaler on the first row makes a
 * state of already-scaled rows, as kmeans_step_trans does.
 */
PG_FUNCTION_INFO_V1(kmeans_step_scaled_trans);
Datum
kmeans_step_scaled_trans(PG_FUNCTION_ARGS)
{
	KmStepState *s = state_of_call(fcinfo, 2, 3);
	double	   *row;
	int			count;

	if (array_row(fcinfo, 1, &row, &count))
		add_row(s, row, count);
	PG_RETURN_POINTER(s);
}

/*
 * kmeans_step_args_trans(state, centroids, scaler, f1 [, f2, f3, f4]):
 * transition function of kmeans_step(centroids, scaler, f1 [, ...]), the
 * features as plain arguments so that no array is built and taken apart per
 * row (train()'s aggregate mode, up to 4 features); returns the state. Not
 * strict: a NULL feature skips the row. Checks: centroids and scaler as
 * kmeans_step_scaled_trans; a feature count other than d
 * (ERRCODE_INVALID_PARAMETER_VALUE); a NaN or infinite feature
 * (ERRCODE_DATA_EXCEPTION); sums overflowing
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE). The argument count is not checked
 * against its 4-value buffer: the SQL declares at most 4 features.
 */
PG_FUNCTION_INFO_V1(kmeans_step_args_trans);
Datum
kmeans_step_args_trans(PG_FUNCTION_ARGS)
{
	KmStepState *s = state_of_call(fcinfo, 1, 2);
	double		row[4];
	int			count = PG_NARGS() - 3,
				j;

	for (j = 0; j < count; j++)
	{
		if (PG_ARGISNULL(3 + j))
			PG_RETURN_POINTER(s);
		row[j] = PG_GETARG_FLOAT8(3 + j);
	}
	add_row(s, row, count);
	PG_RETURN_POINTER(s);
}

static void
check_state(const KmStepState *s, int errcode_)
{
	Size		bytes = km_step_bytes(s->k, s->d, s->version);

	if (bytes == 0 || bytes != VARSIZE(s))
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid kmeans_state")));
}

/*
 * kmeans_step_combine(a, b): combine function of every kmeans_step(), STRICT;
 * returns a with b's counts and sums added (a copy of a outside an aggregate,
 * by AggCheckCallContext). Checks: a state whose size does not fit its k and
 * d (ERRCODE_DATA_CORRUPTED); states of different k, d, centroids or scalers
 * (ERRCODE_DATATYPE_MISMATCH); a sum or the inertia overflowing
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(kmeans_step_combine);
Datum
kmeans_step_combine(PG_FUNCTION_ARGS)
{
	KmStepState *a = PG_GETARG_STEP(0);
	KmStepState *b = PG_GETARG_STEP(1);

	check_state(a, ERRCODE_DATA_CORRUPTED);
	check_state(b, ERRCODE_DATA_CORRUPTED);
	if (!AggCheckCallContext(fcinfo, NULL) && (Pointer) a == DatumGetPointer(PG_GETARG_DATUM(0)))
	{
		KmStepState *copy = palloc(VARSIZE(a));

		memcpy(copy, a, VARSIZE(a));
		a = copy;
	}
	if (!km_step_merge(a, b))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine kmeans_step states of different centroids")));
	if (!km_step_finite(a))
		step_overflow_error();
	PG_RETURN_POINTER(a);
}

static Datum
float8_datums(const double *v, int n, int rows, int cols)
{
	Datum	   *d = palloc(sizeof(Datum) * Max(n, 1));
	int			dims[2] = {rows, cols};
	int			lbs[2] = {1, 1};
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_md_array(d, NULL, cols > 0 ? 2 : 1, dims, lbs,
											  FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
											  TYPALIGN_DOUBLE));
}

/*
 * kmeans_step_final(state): final function of every kmeans_step(), STRICT
 * (no rows: NULL); returns the kmeans_step_result: the cluster means as the
 * new k x d centroids (an empty cluster keeps its centroid), the sizes, the
 * inertia, the rows and, from 0.3.0 on, the mean distance of a row to its
 * centroid (NULL for a state of already-scaled rows, or without rows).
 * Checks: a state whose size does not fit its k and d
 * (ERRCODE_DATA_CORRUPTED).
 */
PG_FUNCTION_INFO_V1(kmeans_step_final);
Datum
kmeans_step_final(PG_FUNCTION_ARGS)
{
	KmStepState *s = PG_GETARG_STEP(0);
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false};
	double	   *means;
	Datum	   *sizes;
	int			c;

	check_state(s, ERRCODE_DATA_CORRUPTED);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "kmeans_step final function must return a composite type");
	means = palloc(sizeof(double) * s->k * s->d);
	km_step_means(s, means);
	sizes = palloc(sizeof(Datum) * s->k);
	for (c = 0; c < s->k; c++)
		sizes[c] = Int64GetDatum(km_step_counts(s)[c]);
	values[0] = float8_datums(means, s->k * s->d, s->k, s->d);
	values[1] = PointerGetDatum(construct_array(sizes, s->k, INT8OID, sizeof(int64),
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[2] = Float8GetDatum(km_step_inertia(s));
	values[3] = Int64GetDatum(s->rows);
	/*
	 * From 0.3.0 on the type has the mean distance too (NULL for version 1
	 * states); with older SQL the tuple takes the first 4 values only.
	 */
	values[4] = Float8GetDatum(km_step_mean_distance(s));
	nulls[4] = isnan(km_step_mean_distance(s));
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/* ---------------------------------------------------------------------
 * I/O: the formats and their checks are in core/kmeans_step_io.c; here
 * their errors become ERRORs.
 * --------------------------------------------------------------------- */

static KmStepState *
alloc_state(int version, int k, int d, int errcode_)
{
	Size		bytes = km_step_bytes(k, d, version);
	KmStepState *s;

	if (bytes == 0)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid kmeans_state: %d x %d centroids out of range", k, d)));
	s = palloc0(bytes);
	SET_VARSIZE(s, bytes);
	s->version = (uint8) version;
	s->k = k;
	s->d = d;
	return s;
}

/* ERROR for what a reader of the text (or binary) form found wrong. */
static void
state_input_error(const char *what, bool binary)
{
	int			code = binary ? ERRCODE_INVALID_BINARY_REPRESENTATION :
		ERRCODE_INVALID_TEXT_REPRESENTATION;

	if (strcmp(what, KM_STEP_BAD_COUNTS) == 0)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid kmeans_state: %s", what)));
	if (binary)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid binary kmeans_state: %s", what)));
	ereport(ERROR,
			(errcode(code),
			 errmsg("invalid input syntax for type kmeans_state: %s", what)));
}

/*
 * kmeans_state_in(cstring): input function of kmeans_state, STRICT; returns
 * the state read from its text form (core/kmeans_step_io.h): version, k and d
 * in range, every value finite, positive scale factors, cluster counts adding
 * up to rows, no trailing data. Anything else is
 * ERRCODE_INVALID_TEXT_REPRESENTATION.
 */
PG_FUNCTION_INFO_V1(kmeans_state_in);
Datum
kmeans_state_in(PG_FUNCTION_ARGS)
{
	char	   *text = PG_GETARG_CSTRING(0);
	KmStepState *s;
	const char *err;
	int			version,
				k,
				d;

	if ((err = km_step_text_header(text, &version, &k, &d)) != NULL)
		state_input_error(err, false);
	s = alloc_state(version, k, d, ERRCODE_INVALID_TEXT_REPRESENTATION);
	if ((err = km_step_from_text(text, s)) != NULL)
		state_input_error(err, false);
	PG_RETURN_POINTER(s);
}

/*
 * kmeans_state_out(state): output function of kmeans_state, STRICT; returns
 * the text form (doubles with 17 significant digits). Checks: a state whose
 * size does not fit its k and d (ERRCODE_DATA_CORRUPTED).
 */
PG_FUNCTION_INFO_V1(kmeans_state_out);
Datum
kmeans_state_out(PG_FUNCTION_ARGS)
{
	KmStepState *s = PG_GETARG_STEP(0);
	char	   *out;

	check_state(s, ERRCODE_DATA_CORRUPTED);
	out = palloc(km_step_text_size(s));
	km_step_to_text(s, out);
	PG_RETURN_CSTRING(out);
}

/*
 * kmeans_state_send(state): send function of kmeans_state, STRICT; returns
 * the binary form (bytea, network byte order). Checks: a state whose size
 * does not fit its k and d (ERRCODE_DATA_CORRUPTED).
 */
PG_FUNCTION_INFO_V1(kmeans_state_send);
Datum
kmeans_state_send(PG_FUNCTION_ARGS)
{
	KmStepState *s = PG_GETARG_STEP(0);
	size_t		len;
	bytea	   *out;

	check_state(s, ERRCODE_DATA_CORRUPTED);
	len = km_step_binary_size(s);
	out = palloc(VARHDRSZ + len);
	SET_VARSIZE(out, VARHDRSZ + len);
	km_step_to_binary(s, (uint8_t *) VARDATA(out));
	PG_RETURN_BYTEA_P(out);
}

/*
 * kmeans_state_recv(internal): receive function of kmeans_state, STRICT;
 * returns the state read from the binary form with the checks of text input,
 * consuming the whole message. A malformed message, or one with bytes left
 * over, is ERRCODE_INVALID_BINARY_REPRESENTATION.
 */
PG_FUNCTION_INFO_V1(kmeans_state_recv);
Datum
kmeans_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	in = (StringInfo) PG_GETARG_POINTER(0);
	const uint8_t *data = (const uint8_t *) in->data + in->cursor;
	size_t		len = (size_t) (in->len - in->cursor);
	KmStepState *s;
	const char *err;
	int			version,
				k,
				d;

	if ((err = km_step_binary_header(data, len, &version, &k, &d)) != NULL)
		state_input_error(err, true);
	s = alloc_state(version, k, d, ERRCODE_INVALID_BINARY_REPRESENTATION);
	if ((err = km_step_from_binary(data, len, s)) != NULL)
		state_input_error(err, true);
	in->cursor = in->len;
	PG_RETURN_POINTER(s);
}

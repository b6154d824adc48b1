/*
 * kmeans_summary_agg.c
 *	  The kmeans_summary() aggregate that train(mode => 'onepass') runs over
 *	  a relation in one scan, and its state type
 *	  rfm_kmeans.kmeans_summary_state (the summary of core/onepass_summary.h:
 *	  a sample of the distinct rows with their multiplicities and the exact
 *	  moments of every feature). Combinable, so parallel query and Citus
 *	  split the scan; the state's content depends only on the set of rows,
 *	  so any split gives the same state, byte for byte.
 *
 *	  Text form: base64 of the binary form (a summary holds up to millions
 *	  of doubles; text in decimal would be some three times larger and slow
 *	  to read). Binary form: core/onepass_summary.c's, validated on input.
 *	  Stored and in memory: summary_value.h (a flat value, an expanded
 *	  object inside the aggregate).
 */
#include "compat.h"

#include <ctype.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#include "summary_value.h"

/*
 * The state this call adds to, with the Datum the transition function
 * returns in *result. Inside an aggregate: argument 0, the read-write
 * expanded object made on the first row (in a child of the aggregate's
 * context, where nodeAgg adopts it without a copy), or a new one, empty
 * (state NULL: d features and the sample_size argument) or read from a
 * flat state. Outside an aggregate: a copy of argument 0, never changed,
 * and *result 0 (the caller returns the copy's flat value).
 */
static const bool called_in_aggregate = true,
			called_plain = false;

/*
 * Argument 0 (not NULL) as a state to add to, for the transition and
 * combine functions alike: in an aggregate, its read-write expanded object,
 * or a new one read from a flat state (an INITCOND, the first state nodeAgg
 * copied for the combine), *result the object's Datum; outside an
 * aggregate, a copy the caller owns, *result 0.
 */
static KmSummary *
writable_state(FunctionCallInfo fcinfo, bool in_agg, MemoryContext aggcxt, Datum *result)
{
	SummaryObject *o = in_agg ? summary_object_rw(PG_GETARG_DATUM(0)) : NULL;
	MemoryContext mcxt = CurrentMemoryContext;
	KmSummary  *s;
	bool		fresh;

	*result = (Datum) 0;
	if (o != NULL)
	{
		*result = PG_GETARG_DATUM(0);
		return o->summary;
	}
	if (in_agg)
	{
		o = summary_object_new(aggcxt);
		mcxt = o->hdr.eoh_context;
		*result = EOHPGetRWDatum(&o->hdr);
	}
	s = summary_read(PG_GETARG_DATUM(0), mcxt, &fresh);
	if (!fresh)
		s = summary_copy(s, mcxt);
	if (o != NULL)
		o->summary = s;
	return s;
}

static KmSummary *
state_of_call(FunctionCallInfo fcinfo, int d, int sample_size_arg, Datum *result)
{
	MemoryContext aggcxt;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggcxt);
	SummaryObject *o;

	/* AggCheckCallContext once per call site: state_of_row runs for every row */
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = (void *) (in_agg ? &called_in_aggregate : &called_plain);
	*result = (Datum) 0;
	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(sample_size_arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("kmeans_summary() argument sample_size must not be null")));
		if (!in_agg)
			return summary_new(d, PG_GETARG_INT32(sample_size_arg), CurrentMemoryContext);
		o = summary_object_new(aggcxt);
		o->summary = summary_new(d, PG_GETARG_INT32(sample_size_arg), o->hdr.eoh_context);
		*result = EOHPGetRWDatum(&o->hdr);
		return o->summary;
	}
	return writable_state(fcinfo, in_agg, aggcxt, result);
}

/*
 * state_of_call's answer for every row but the first of an aggregate (the
 * state the expanded object made there), without a call.
 */
static inline KmSummary *
state_of_row(FunctionCallInfo fcinfo, int d, int sample_size_arg, Datum *result)
{
	if (fcinfo->flinfo->fn_extra == &called_in_aggregate && !PG_ARGISNULL(0))
	{
		KmSummary  *s = summary_of_rw_state(PG_GETARG_DATUM(0));

		if (s != NULL)
		{
			*result = PG_GETARG_DATUM(0);
			return s;
		}
	}
	return state_of_call(fcinfo, d, sample_size_arg, result);
}

/* What a transition or combine function returns: see state_of_call. */
static Datum
state_result(KmSummary *s, Datum result)
{
	return result != (Datum) 0 ? result : PointerGetDatum(summary_flat(s));
}

/* Add a row of d values, each finite (22000 naming the feature). */
static void
add_row(KmSummary *s, const double *row, int d)
{
	int			j;

	if (d != s->d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans_summary() argument features has %d values, the first row had %d",
						d, s->d)));
	for (j = 0; j < d; j++)
		if (!isfinite(row[j]))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("kmeans_summary() feature %d contains %s", j + 1,
							isnan(row[j]) ? "NaN" : "an infinite value"),
					 errdetail("Features must be finite numbers."),
					 errhint("Filter such rows out, for example with a view.")));
	km_summary_add(s, row);
}

/*
 * kmeans_summary_args_trans(state, sample_size, f1 [, f2, f3, f4]):
 * transition function of kmeans_summary(sample_size, f1, ...), the features
 * as plain arguments (no array built per row; train()'s one-pass mode up to
 * 4 features); returns the state with the row added. Not strict: a NULL
 * feature skips the row, counted as skipped in the state. Checks, on the
 * first row: sample_size NULL (ERRCODE_NULL_VALUE_NOT_ALLOWED) or outside
 * 16..4194304
 * (ERRCODE_INVALID_PARAMETER_VALUE); then a NaN or infinite feature
 * (ERRCODE_DATA_EXCEPTION). AggCheckCallContext: outside an aggregate the
 * state argument is copied, never changed.
 */
PG_FUNCTION_INFO_V1(kmeans_summary_args_trans);
Datum
kmeans_summary_args_trans(PG_FUNCTION_ARGS)
{
	int			d = PG_NARGS() - 2,
				j;
	double		row[4],
				probe = 0;
	KmSummary  *s;

	Datum		result;

	Assert(d >= 1 && d <= 4);
	s = state_of_row(fcinfo, d, 1, &result);
	for (j = 0; j < d; j++)
	{
		if (PG_ARGISNULL(2 + j))
		{
			km_summary_skip(s);
			return state_result(s, result);
		}
		row[j] = PG_GETARG_FLOAT8(2 + j);
		/* x * 0 is 0 for a finite x, NaN for an infinite or NaN one */
		probe += row[j] * 0.0;
	}
	if (d == s->d && probe == 0)
		km_summary_add(s, row);
	else
		add_row(s, row, d);		/* reports what is wrong */
	return state_result(s, result);
}

/*
 * kmeans_summary_array_trans(state, features, sample_size): transition
 * function of kmeans_summary(features float8[], sample_size), any number of
 * features up to 100; returns the state. Not strict: NULL features or a
 * NULL among them skip the row; one with a NULL among them is counted as
 * skipped (NULL features are not: before the first row there is no state
 * of their size to count them in, and the count must not depend on the
 * order). Checks: those of kmeans_summary_args_trans;
 * features not one-dimensional (ERRCODE_ARRAY_SUBSCRIPT_ERROR), over 100
 * values (ERRCODE_PROGRAM_LIMIT_EXCEEDED), a count other than the first
 * row's (ERRCODE_INVALID_PARAMETER_VALUE).
 */
PG_FUNCTION_INFO_V1(kmeans_summary_array_trans);
Datum
kmeans_summary_array_trans(PG_FUNCTION_ARGS)
{
	ArrayType  *a;
	Datum	   *elems;
	bool	   *nulls;
	double		row[KM_SUMMARY_MAX_FEATURES];
	int			count,
				j;
	KmSummary  *s;
	Datum		result;

	if (PG_ARGISNULL(1))
	{
		if (PG_ARGISNULL(0))
			PG_RETURN_NULL();
		PG_RETURN_DATUM(PG_GETARG_DATUM(0));
	}
	a = PG_GETARG_ARRAYTYPE_P(1);
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("kmeans_summary() argument features must be a one-dimensional array"),
				 errdetail("It has %d dimensions.", ARR_NDIM(a))));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	if (count < 1 || count > KM_SUMMARY_MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans_summary() supports 1 to %d features, got %d",
						KM_SUMMARY_MAX_FEATURES, count)));
	s = state_of_row(fcinfo, count, 2, &result);
	for (j = 0; j < count; j++)
	{
		if (nulls[j])
		{
			km_summary_skip(s);
			return state_result(s, result);
		}
		row[j] = DatumGetFloat8(elems[j]);
	}
	add_row(s, row, count);
	return state_result(s, result);
}

/* The checks of two states' shapes and sizes before they are combined. */
static void
check_combinable(int d_a, int budget_a, int64 rows_a, int d_b, int budget_b, int64 rows_b)
{
	if (d_a != d_b || budget_a != budget_b)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine kmeans_summary states of %d and %d features, sample sizes %d and %d",
						d_a, d_b, budget_a, budget_b)));
	/* each is at most KM_SUMMARY_MAX_ROWS: the sums cannot overflow */
	if (rows_a > KM_SUMMARY_MAX_ROWS - rows_b)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kmeans_summary states of " INT64_FORMAT " and " INT64_FORMAT " rows are too large to combine",
						rows_a, rows_b)));
}

/* An error about a corrupted state (what is wrong with its binary form). */
static void
corrupted_state(const char *err)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_CORRUPTED),
			 errmsg("invalid kmeans_summary_state: %s", err)));
}

/*
 * kmeans_summary_combine(a, b): combine function of kmeans_summary(),
 * STRICT; returns a with every row of b added: the same state whatever the
 * split. Inside an aggregate a is worked on as an expanded object (the
 * first a, a flat state nodeAgg copied, is read into one); outside, a copy
 * of a is. A flat b (a partial state from a parallel worker or a Citus
 * shard) is added straight from its binary form. Checks: a corrupted state
 * (ERRCODE_DATA_CORRUPTED); states of different features or sample sizes
 * (ERRCODE_DATATYPE_MISMATCH); more than KM_SUMMARY_MAX_ROWS rows together
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(kmeans_summary_combine);
Datum
kmeans_summary_combine(PG_FUNCTION_ARGS)
{
	MemoryContext aggcxt;
	bool		in_agg = AggCheckCallContext(fcinfo, &aggcxt);
	KmSummary  *a,
			   *b;
	bool		fresh_b;
	Datum		result;
	const uint8_t *bin;
	size_t		len = 0;
	struct varlena *detoasted;
	const char *err;

	a = writable_state(fcinfo, in_agg, aggcxt, &result);

	bin = summary_flat_binary(PG_GETARG_DATUM(1), &len, &detoasted);
	if (bin != NULL)
	{
		int			d,
					budget;
		int64_t		rows,
					skipped;

		if ((err = km_summary_binary_header(bin, len, &d, &budget)) != NULL ||
			(err = km_summary_binary_rows(bin, len, &rows, &skipped)) != NULL)
			corrupted_state(err);
		check_combinable(a->d, a->budget, a->rows + a->skipped, d, budget, rows + skipped);
		if ((err = km_summary_merge_binary(a, bin, len)) != NULL)
			corrupted_state(err);
		if (detoasted != NULL)
			pfree(detoasted);
	}
	else
	{
		b = summary_read(PG_GETARG_DATUM(1), CurrentMemoryContext, &fresh_b);
		check_combinable(a->d, a->budget, a->rows + a->skipped, b->d, b->budget, b->rows + b->skipped);
		km_summary_merge(a, b);
		if (fresh_b)
			pfree(b);
	}
	return state_result(a, result);
}

/* ---------------------------------------------------------------------
 * I/O
 * --------------------------------------------------------------------- */

/*
 * The binary form of argument 0, its length in *len. A flat value's is
 * its own bytes, checked (every field, no summary built); an expanded
 * object's or an old stored layout's is written from the summary.
 */
static const uint8_t *
binary_of(FunctionCallInfo fcinfo, size_t *len)
{
	bool		fresh;
	KmSummary  *s;
	uint8_t    *out;
	struct varlena *detoasted;
	const char *err;
	const uint8_t *bin = summary_flat_binary(PG_GETARG_DATUM(0), len, &detoasted);

	if (bin != NULL)
	{
		if ((err = km_summary_check_binary(bin, *len)) != NULL)
			corrupted_state(err);
		return bin;
	}
	s = summary_read(PG_GETARG_DATUM(0), CurrentMemoryContext, &fresh);
	/* an expanded object stays the same summary in canonical order */
	km_summary_canonicalize(s);
	*len = km_summary_binary_size(s);
	if (*len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans_summary_state of %zu bytes is too large to output", *len)));
	out = palloc(*len);
	km_summary_to_binary(s, out);
	if (fresh)
		pfree(s);
	return out;
}

/*
 * The flat value of a state read from a binary form (code: the SQLSTATE of
 * a bad one): this version's form, once checked, is copied as it is (an
 * accepted form is one km_summary_to_binary could have written); version
 * 1's is read and written again.
 */
static Datum
flat_from_binary(const uint8_t *in, size_t len, int code)
{
	KmSummary  *s;
	struct varlena *flat;
	const char *err;

	if (len > 0 && in[0] == KM_SUMMARY_BINARY_VERSION)
	{
		if ((err = km_summary_check_binary(in, len)) != NULL)
			ereport(ERROR,
					(errcode(code),
					 errmsg("invalid kmeans_summary_state: %s", err)));
		return PointerGetDatum(summary_flat_of_binary(in, len));
	}
	s = summary_from_binary(in, len, code, CurrentMemoryContext);
	flat = summary_flat(s);
	pfree(s);
	return PointerGetDatum(flat);
}

/*
 * kmeans_summary_state_out(state): output function, STRICT; returns the
 * base64 text of the binary form. Checks: a corrupted state
 * (ERRCODE_DATA_CORRUPTED), a form over 1 GB (ERRCODE_PROGRAM_LIMIT_EXCEEDED).
 */
PG_FUNCTION_INFO_V1(kmeans_summary_state_out);
Datum
kmeans_summary_state_out(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8_t *bin = binary_of(fcinfo, &len);
	int			cap = pg_b64_enc_len((int) len) + 1;
	char	   *out = palloc_extended(cap, MCXT_ALLOC_HUGE);
	int			n = pg_b64_encode((const char *) bin, (int) len, out, cap);

	if (n < 0)
		elog(ERROR, "could not encode a kmeans_summary_state");
	out[n] = '\0';
	PG_RETURN_CSTRING(out);
}

/*
 * kmeans_summary_state_in(cstring): input function, STRICT; returns the
 * state read from base64 text (white space ignored) with every check of the binary form (counts
 * adding up, values finite and in range, keys in order, no trailing data).
 * Anything else is ERRCODE_INVALID_TEXT_REPRESENTATION.
 */
PG_FUNCTION_INFO_V1(kmeans_summary_state_in);
Datum
kmeans_summary_state_in(PG_FUNCTION_ARGS)
{
	char	   *raw = PG_GETARG_CSTRING(0);
	char	   *text = palloc(strlen(raw) + 1);
	size_t		tlen = 0;
	int			cap,
				n;
	char	   *bin;

	/* white space ignored, as in encode(..., 'base64')'s lines */
	for (; *raw; raw++)
		if (!isspace((unsigned char) *raw))
			text[tlen++] = *raw;
	text[tlen] = '\0';

	if (tlen > (size_t) (MaxAllocSize / 2))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type kmeans_summary_state: too long")));
	cap = pg_b64_dec_len((int) tlen) + 1;
	bin = palloc(cap);
	n = pg_b64_decode(text, (int) tlen, bin, cap);
	if (n < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid input syntax for type kmeans_summary_state: not base64")));
	return flat_from_binary((const uint8_t *) bin, (size_t) n,
							ERRCODE_INVALID_TEXT_REPRESENTATION);
}

/*
 * kmeans_summary_state_send(state): send function, STRICT; returns the
 * binary form (network byte order). Checks: those of the output function.
 */
PG_FUNCTION_INFO_V1(kmeans_summary_state_send);
Datum
kmeans_summary_state_send(PG_FUNCTION_ARGS)
{
	size_t		len;
	const uint8_t *bin = binary_of(fcinfo, &len);
	bytea	   *out = palloc(VARHDRSZ + len);

	SET_VARSIZE(out, VARHDRSZ + len);
	memcpy(VARDATA(out), bin, len);
	PG_RETURN_BYTEA_P(out);
}

/*
 * kmeans_summary_state_recv(internal): receive function, STRICT; returns the
 * state read from the whole message with the checks of the input function.
 * A malformed message is ERRCODE_INVALID_BINARY_REPRESENTATION.
 */
PG_FUNCTION_INFO_V1(kmeans_summary_state_recv);
Datum
kmeans_summary_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	in = (StringInfo) PG_GETARG_POINTER(0);
	Datum		s = flat_from_binary((const uint8_t *) in->data + in->cursor,
									 (size_t) (in->len - in->cursor),
									 ERRCODE_INVALID_BINARY_REPRESENTATION);

	in->cursor = in->len;
	return s;
}

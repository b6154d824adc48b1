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
 */
#include "compat.h"

#include <ctype.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "common/base64.h"
#include "core/onepass_summary.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

#define PG_GETARG_SUMMARY(n) ((KmSummary *) PG_DETOAST_DATUM(PG_GETARG_DATUM(n)))

/* A new empty summary of d features and sample_size rows, in mcxt. */
static KmSummary *
new_summary(int d, int sample_size, MemoryContext mcxt)
{
	size_t		bytes;
	KmSummary  *s;

	if (sample_size < KM_SUMMARY_MIN_BUDGET || sample_size > KM_SUMMARY_MAX_BUDGET)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans_summary() argument sample_size must be between %d and %d, got %d",
						KM_SUMMARY_MIN_BUDGET, KM_SUMMARY_MAX_BUDGET, sample_size)));
	bytes = km_summary_bytes(d, sample_size);
	if (bytes == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans_summary() supports 1 to %d features, got %d",
						KM_SUMMARY_MAX_FEATURES, d)));
	/* a state is one varlena value: at most 1 GB */
	if (bytes > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a kmeans_summary of %d features and sample_size %d needs %zu MB, over the 1 GB a value may hold",
						d, sample_size, bytes >> 20),
				 errhint("Lower sample_size.")));
	s = MemoryContextAllocHuge(mcxt, bytes);
	km_summary_init(s, d, sample_size);
	SET_VARSIZE(s, bytes);
	return s;
}

/*
 * Argument n as a summary of this version, checked (its version and its
 * size): a state stored by an earlier version (1: 0.4.0 and 0.5.0, its
 * sample kept in a heap; 2: 0.6.0, without the skipped rows) is rebuilt in
 * the current layout, a new value.
 */
static KmSummary *
summary_arg(FunctionCallInfo fcinfo, int n)
{
	KmSummary  *s = PG_GETARG_SUMMARY(n);

	if (VARSIZE(s) < offsetof(KmSummary, skipped))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid kmeans_summary_state")));
	if (s->version == 1 || s->version == 2)
	{
		KmSummary  *now;
		const char *err;

		if (km_summary_stored_bytes(s->version, s->d, s->budget) != VARSIZE(s))
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("invalid kmeans_summary_state")));
		/* the current layout may hold more candidates: near 1 GB it may not fit */
		if (km_summary_bytes(s->d, s->budget) > MaxAllocSize)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("a kmeans_summary_state stored by version 0.4.0 to 0.6.0 of %d features and sample_size %d needs %zu MB in this version, over the 1 GB a value may hold",
							s->d, s->budget, km_summary_bytes(s->d, s->budget) >> 20),
					 errhint("Compute the summary again with a smaller sample_size.")));
		now = palloc_extended(km_summary_bytes(s->d, s->budget), MCXT_ALLOC_HUGE);
		if ((err = km_summary_from_stored(s, VARSIZE(s), now)) != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("invalid kmeans_summary_state: %s", err)));
		SET_VARSIZE(now, km_summary_bytes(s->d, s->budget));
		return now;
	}
	if (VARSIZE(s) < sizeof(KmSummary) || s->version != KM_SUMMARY_VERSION ||
		km_summary_bytes(s->d, s->budget) != VARSIZE(s))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid kmeans_summary_state")));
	return s;
}

/*
 * The state this call adds to: argument 0, or on the first row a new one
 * of d features and the sample_size argument. The new one is made in the
 * current (per-row) context: nodeAgg copies a new transition value into
 * its own context, and a first copy made there would stay beside it.
 * Outside an aggregate the argument is copied, never changed.
 */
static const bool called_in_aggregate = true,
			called_plain = false;

static KmSummary *
state_of_call(FunctionCallInfo fcinfo, int d, int sample_size_arg)
{
	bool		in_agg;
	KmSummary  *s;

	/* AggCheckCallContext once per call site: this runs for every row */
	if (fcinfo->flinfo->fn_extra == NULL)
		fcinfo->flinfo->fn_extra = (void *) (AggCheckCallContext(fcinfo, NULL) ?
											 &called_in_aggregate : &called_plain);
	in_agg = *(const bool *) fcinfo->flinfo->fn_extra;

	if (PG_ARGISNULL(0))
	{
		if (PG_ARGISNULL(sample_size_arg))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("kmeans_summary() argument sample_size must not be null")));
		return new_summary(d, PG_GETARG_INT32(sample_size_arg), CurrentMemoryContext);
	}
	/*
	 * inside the aggregate the state was made here or read by the input
	 * function (an INITCOND), both checked: no check per row
	 */
	if (in_agg)
	{
		/* never toasted: detoasting checks before calling out */
		struct varlena *v = (struct varlena *) PG_GETARG_POINTER(0);

		s = (KmSummary *) (VARATT_IS_EXTENDED(v) ? pg_detoast_datum(v) : v);
	}
	else
		s = summary_arg(fcinfo, 0);
	if (!in_agg && (Pointer) s == DatumGetPointer(PG_GETARG_DATUM(0)))
	{
		KmSummary  *copy = palloc_extended(VARSIZE(s), MCXT_ALLOC_HUGE);

		memcpy(copy, s, VARSIZE(s));
		s = copy;
	}
	return s;
}

/*
 * state_of_call's answer for every row but the first of an aggregate
 * (known to be in one, a state made there, not toasted), without a call.
 */
static inline KmSummary *
state_of_row(FunctionCallInfo fcinfo, int d, int sample_size_arg)
{
	if (fcinfo->flinfo->fn_extra == &called_in_aggregate && !PG_ARGISNULL(0))
	{
		struct varlena *v = (struct varlena *) PG_GETARG_POINTER(0);

		if (!VARATT_IS_EXTENDED(v))
			return (KmSummary *) v;
	}
	return state_of_call(fcinfo, d, sample_size_arg);
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

	Assert(d >= 1 && d <= 4);
	s = state_of_row(fcinfo, d, 1);
	for (j = 0; j < d; j++)
	{
		if (PG_ARGISNULL(2 + j))
		{
			km_summary_skip(s);
			PG_RETURN_POINTER(s);
		}
		row[j] = PG_GETARG_FLOAT8(2 + j);
		/* x * 0 is 0 for a finite x, NaN for an infinite or NaN one */
		probe += row[j] * 0.0;
	}
	if (d == s->d && probe == 0)
		km_summary_add(s, row);
	else
		add_row(s, row, d);		/* reports what is wrong */
	PG_RETURN_POINTER(s);
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
	s = state_of_row(fcinfo, count, 2);
	for (j = 0; j < count; j++)
	{
		if (nulls[j])
		{
			km_summary_skip(s);
			PG_RETURN_POINTER(s);
		}
		row[j] = DatumGetFloat8(elems[j]);
	}
	add_row(s, row, count);
	PG_RETURN_POINTER(s);
}

/*
 * kmeans_summary_combine(a, b): combine function of kmeans_summary(),
 * STRICT; returns a with every row of b added (a copy of a outside an
 * aggregate, by AggCheckCallContext): the same state whatever the split.
 * Checks: a state whose size does not fit its header
 * (ERRCODE_DATA_CORRUPTED); states of different features or sample sizes
 * (ERRCODE_DATATYPE_MISMATCH); more than KM_SUMMARY_MAX_ROWS rows together
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(kmeans_summary_combine);
Datum
kmeans_summary_combine(PG_FUNCTION_ARGS)
{
	KmSummary  *a = summary_arg(fcinfo, 0);
	KmSummary  *b = summary_arg(fcinfo, 1);

	if (a->d != b->d || a->budget != b->budget)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine kmeans_summary states of %d and %d features, sample sizes %d and %d",
						a->d, b->d, a->budget, b->budget)));
	/* each is at most KM_SUMMARY_MAX_ROWS: the sums cannot overflow */
	if (a->rows + a->skipped > KM_SUMMARY_MAX_ROWS - (b->rows + b->skipped))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("kmeans_summary states of " INT64_FORMAT " and " INT64_FORMAT " rows are too large to combine",
						a->rows + a->skipped, b->rows + b->skipped)));
	if (!AggCheckCallContext(fcinfo, NULL) && (Pointer) a == DatumGetPointer(PG_GETARG_DATUM(0)))
	{
		KmSummary  *copy = palloc_extended(VARSIZE(a), MCXT_ALLOC_HUGE);

		memcpy(copy, a, VARSIZE(a));
		a = copy;
	}
	km_summary_merge(a, b);
	PG_RETURN_POINTER(a);
}

/* ---------------------------------------------------------------------
 * I/O
 * --------------------------------------------------------------------- */

/*
 * The binary form of s (from summary_arg: checked), palloc'd, its length
 * in *len: of a canonicalized copy (s may be a value in a shared buffer,
 * never to be changed).
 */
static uint8_t *
binary_of(const KmSummary *in, size_t *len)
{
	uint8_t    *out;
	KmSummary  *s;

	s = palloc_extended(VARSIZE(in), MCXT_ALLOC_HUGE);
	memcpy(s, in, VARSIZE(in));
	km_summary_canonicalize(s);
	*len = km_summary_binary_size(s);
	if (*len > MaxAllocSize - VARHDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans_summary_state of %zu bytes is too large to output", *len)));
	out = palloc(*len);
	km_summary_to_binary(s, out);
	pfree(s);
	return out;
}

/* A summary read from a binary form (code: the SQLSTATE of a bad one). */
static KmSummary *
summary_from(const uint8_t *in, size_t len, int code)
{
	const char *err;
	int			d,
				budget;
	KmSummary  *s;

	if ((err = km_summary_binary_header(in, len, &d, &budget)) != NULL)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid kmeans_summary_state: %s", err)));
	/* a state is one varlena value: what new_summary refuses, so is this */
	if (km_summary_bytes(d, budget) == 0 || km_summary_bytes(d, budget) > MaxAllocSize)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid kmeans_summary_state: %d features and sample size %d need more than 1 GB",
						d, budget)));
	s = palloc_extended(km_summary_bytes(d, budget), MCXT_ALLOC_HUGE);
	if ((err = km_summary_from_binary(in, len, s)) != NULL)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid kmeans_summary_state: %s", err)));
	SET_VARSIZE(s, km_summary_bytes(d, budget));
	return s;
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
	uint8_t    *bin = binary_of(summary_arg(fcinfo, 0), &len);
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
	PG_RETURN_POINTER(summary_from((const uint8_t *) bin, (size_t) n,
								   ERRCODE_INVALID_TEXT_REPRESENTATION));
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
	uint8_t    *bin = binary_of(summary_arg(fcinfo, 0), &len);
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
	KmSummary  *s = summary_from((const uint8_t *) in->data + in->cursor,
								 (size_t) (in->len - in->cursor),
								 ERRCODE_INVALID_BINARY_REPRESENTATION);

	in->cursor = in->len;
	PG_RETURN_POINTER(s);
}

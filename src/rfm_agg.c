/*
 * rfm_agg.c
 *	  The rfm() aggregate: transition functions for every overload, the
 *	  combine function and the final functions returning rfm_features.
 *
 * The state is the concrete type rfm_kmeans.rfm_state (see rfm_state_pg.h),
 * updated in place inside an aggregate. Transition functions are not strict:
 * a row with a NULL ts or amount is skipped, a NULL order_key still counts
 * its amount.
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/xact.h"
#include "common/int.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "funcapi.h"
#include "rfm_state_pg.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"
#include "utils/uuid.h"

/* Which argument positions an overload has (state is argument 0). */
#define ARG_TS 1
#define ARG_AMOUNT 2

/*
 * The state to update: the input itself inside an aggregate, a copy when
 * called as a plain function (its input must not change then).
 */
static RfmState *
state_for_update(FunctionCallInfo fcinfo, RfmKeyMode mode, Oid key_type)
{
	RfmState   *s;

	if (PG_ARGISNULL(0))
		return rfm_state_new(mode, key_type,
							 mode == RFM_KEYS_TYPED ? PG_GET_COLLATION() : InvalidOid);
	s = PG_GETARG_RFM_STATE(0);
	if (s->key_mode != mode || rfm_state_key_type(s) != key_type)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("rfm_state was built by another rfm() overload")));
	if (!AggCheckCallContext(fcinfo, NULL) &&
		(Pointer) s == DatumGetPointer(PG_GETARG_DATUM(0)))
		s = rfm_state_copy(s);
	return s;
}

/* timestamptz_to_str returns a static buffer: copy before the next call */
static char *
ts_text(TimestampTz t)
{
	return pstrdup(timestamptz_to_str(t));
}

static void
check_finite_ts(TimestampTz t, const char *argname)
{
	if (TIMESTAMP_NOT_FINITE(t))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("rfm() argument %s must be a finite timestamp", argname)));
}

static void
check_not_after(TimestampTz ts, TimestampTz ref, const char *refname)
{
	if (ts > ref)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rfm() argument %s (%s) is earlier than transaction ts %s",
						refname, ts_text(ref), ts_text(ts)),
				 errhint("Measure recency from a reference time at or after the last transaction.")));
}

/* 22003 when the monetary sum overflowed, as the built-in sum(float8) reports it. */
static void
check_sum(const RfmState *s)
{
	if (!isfinite(s->sum))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("rfm() monetary sum is out of range for type double precision")));
}

/* Record as_of of one row: it must be given and the same on every row. */
static void
record_as_of(FunctionCallInfo fcinfo, RfmState *s, int argno)
{
	TimestampTz as_of;

	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("rfm() argument as_of must not be null")));
	as_of = PG_GETARG_TIMESTAMPTZ(argno);
	check_finite_ts(as_of, "as_of");
	if (s->has_as_of && s->as_of != as_of)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rfm() argument as_of differs between rows of one group: %s and %s",
						ts_text(s->as_of), ts_text(as_of)),
				 errhint("Pass one reference time, for example a constant or a query parameter.")));
	s->has_as_of = 1;
	s->as_of = as_of;
}

/*
 * Record the transaction of one row. Returns false if the row is skipped
 * (NULL ts or amount).
 */
static bool
record_txn(FunctionCallInfo fcinfo, RfmState *s)
{
	TimestampTz ts;
	float8		amount;

	if (PG_ARGISNULL(ARG_TS) || PG_ARGISNULL(ARG_AMOUNT))
		return false;
	ts = PG_GETARG_TIMESTAMPTZ(ARG_TS);
	amount = PG_GETARG_FLOAT8(ARG_AMOUNT);
	check_finite_ts(ts, "ts");
	if (!isfinite(amount))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("rfm() argument amount must be finite, got %s",
						isnan(amount) ? "NaN" : (amount > 0 ? "Infinity" : "-Infinity"))));
	if (s->has_as_of)
		check_not_after(ts, s->as_of, "as_of");
	rfm_state_add_txn(s, ts, amount);
	check_sum(s);
	return true;
}

/*
 * The common body of every transition function: as_of at argument
 * as_of_arg (or -1), the order key at key_arg (or -1), encoded by encode.
 */
typedef void (*EncodeKey) (FunctionCallInfo fcinfo, int argno, OrderKey *key,
						   const TypedKeyInfo *typed);

static Datum
rfm_transition(FunctionCallInfo fcinfo, RfmKeyMode mode, int key_arg,
			   int as_of_arg, EncodeKey encode)
{
	TypedKeyInfo tbuf;
	const TypedKeyInfo *typed = NULL;
	Oid			key_type = InvalidOid;
	RfmState   *s;

	if (mode == RFM_KEYS_TYPED)
	{
		key_type = get_fn_expr_argtype(fcinfo->flinfo, key_arg);
		if (!OidIsValid(key_type))
			ereport(ERROR,
					(errcode(ERRCODE_INDETERMINATE_DATATYPE),
					 errmsg("could not determine the type of rfm() argument order_key"),
					 errhint("Use an overload with a concrete order_key type (int, bigint, text, uuid, numeric).")));
		typed_key_info(&tbuf, key_type, PG_GET_COLLATION());
		typed = &tbuf;
	}
	s = state_for_update(fcinfo, mode, key_type);
	if (as_of_arg >= 0)
		record_as_of(fcinfo, s, as_of_arg);
	if (record_txn(fcinfo, s) && key_arg >= 0 && !PG_ARGISNULL(key_arg))
	{
		OrderKey	key;

		encode(fcinfo, key_arg, &key, typed);
		s = rfm_state_add_key_grow(s, &key, typed);
	}
	PG_RETURN_POINTER(s);
}

static void
encode_int2(FunctionCallInfo fcinfo, int argno, OrderKey *key, const TypedKeyInfo *t)
{
	(void) t;
	order_key_from_int64(key, PG_GETARG_INT16(argno));
}

static void
encode_int4(FunctionCallInfo fcinfo, int argno, OrderKey *key, const TypedKeyInfo *t)
{
	(void) t;
	order_key_from_int64(key, PG_GETARG_INT32(argno));
}

static void
encode_int8(FunctionCallInfo fcinfo, int argno, OrderKey *key, const TypedKeyInfo *t)
{
	(void) t;
	order_key_from_int64(key, PG_GETARG_INT64(argno));
}

static void
encode_text(FunctionCallInfo fcinfo, int argno, OrderKey *key, const TypedKeyInfo *t)
{
	text	   *v = PG_GETARG_TEXT_PP(argno);

	(void) t;
	order_key_from_bytes(key, VARDATA_ANY(v), VARSIZE_ANY_EXHDR(v));
}

static void
encode_uuid(FunctionCallInfo fcinfo, int argno, OrderKey *key, const TypedKeyInfo *t)
{
	(void) t;
	order_key_from_bytes(key, PG_GETARG_UUID_P(argno)->data, UUID_LEN);
}

static void
encode_numeric(FunctionCallInfo fcinfo, int argno, OrderKey *key, const TypedKeyInfo *t)
{
	(void) t;
	order_key_from_numeric(key, PG_GETARG_DATUM(argno));
}

static void
encode_any(FunctionCallInfo fcinfo, int argno, OrderKey *key, const TypedKeyInfo *t)
{
	order_key_from_datum(key, t, PG_GETARG_DATUM(argno));
}

/*
 * rfm_trans(state, ts, amount [, as_of]): transition function of rfm(ts,
 * amount) and rfm(ts, amount, as_of), frequency counting rows; returns the
 * state with the row added (a new state on the first row). Not strict: a NULL
 * ts or amount skips the row. Checks: a state of another overload
 * (ERRCODE_DATATYPE_MISMATCH); a NULL as_of (ERRCODE_NULL_VALUE_NOT_ALLOWED);
 * an infinite ts or as_of (ERRCODE_DATETIME_VALUE_OUT_OF_RANGE); a NaN or
 * infinite amount (ERRCODE_DATA_EXCEPTION); ts after as_of, as_of differing
 * between rows (ERRCODE_INVALID_PARAMETER_VALUE); the monetary sum
 * overflowing (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE). AggCheckCallContext:
 * outside an aggregate the input state is copied, never changed.
 */
PG_FUNCTION_INFO_V1(rfm_trans);
Datum
rfm_trans(PG_FUNCTION_ARGS)
{
	return rfm_transition(fcinfo, RFM_KEYS_NONE, -1, PG_NARGS() > 3 ? 3 : -1, NULL);
}

/*
 * rfm_trans_int2, _int4, _int8, _text, _uuid, _numeric and _any (state, ts,
 * amount, order_key [, as_of]): transition functions of rfm(ts, amount,
 * order_key [, as_of]) for each key type (the as_of overload is the same C
 * function with one argument more), frequency counting distinct keys; return
 * the state as rfm_trans does, with its checks, a NULL key still counting the
 * row. Also: a text or numeric key over half the state's byte limit, or too
 * many distinct keys (ERRCODE_PROGRAM_LIMIT_EXCEEDED); for _any, a key type
 * that cannot be determined (ERRCODE_INDETERMINATE_DATATYPE) or has no
 * default hash operator class (ERRCODE_UNDEFINED_FUNCTION).
 */
#define RFM_KEYED_TRANSITION(name, mode, encoder) \
PG_FUNCTION_INFO_V1(name); \
Datum \
name(PG_FUNCTION_ARGS) \
{ \
	return rfm_transition(fcinfo, mode, 3, PG_NARGS() > 4 ? 4 : -1, encoder); \
}

RFM_KEYED_TRANSITION(rfm_trans_int2, RFM_KEYS_INT, encode_int2)
RFM_KEYED_TRANSITION(rfm_trans_int4, RFM_KEYS_INT, encode_int4)
RFM_KEYED_TRANSITION(rfm_trans_int8, RFM_KEYS_INT, encode_int8)
RFM_KEYED_TRANSITION(rfm_trans_text, RFM_KEYS_TEXT, encode_text)
RFM_KEYED_TRANSITION(rfm_trans_uuid, RFM_KEYS_UUID, encode_uuid)
RFM_KEYED_TRANSITION(rfm_trans_numeric, RFM_KEYS_NUMERIC, encode_numeric)
RFM_KEYED_TRANSITION(rfm_trans_any, RFM_KEYS_TYPED, encode_any)

/*
 * rfm_combine(a, b): combine function of every rfm(), STRICT (the executor
 * copies the first non-NULL state); returns a with b merged into it, b never
 * modified (a copied outside an aggregate, by AggCheckCallContext). Checks: a
 * damaged state (ERRCODE_DATA_CORRUPTED); states of different order_key types
 * (ERRCODE_DATATYPE_MISMATCH); as_of differing between the states, or before
 * the last transaction (ERRCODE_INVALID_PARAMETER_VALUE); the monetary sum
 * overflowing (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE); too many distinct keys
 * (ERRCODE_PROGRAM_LIMIT_EXCEEDED).
 */
PG_FUNCTION_INFO_V1(rfm_combine);
Datum
rfm_combine(PG_FUNCTION_ARGS)
{
	RfmState   *a = PG_GETARG_RFM_STATE(0);
	RfmState   *b = PG_GETARG_RFM_STATE(1);

	rfm_state_check(a, VARSIZE(a), ERRCODE_DATA_CORRUPTED);
	rfm_state_check(b, VARSIZE(b), ERRCODE_DATA_CORRUPTED);
	if (a->key_mode != b->key_mode || rfm_state_key_type(a) != rfm_state_key_type(b))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine rfm states of different order_key types")));
	if (a->has_as_of && b->has_as_of && a->as_of != b->as_of)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("rfm() argument as_of differs between rows of one group: %s and %s",
						ts_text(a->as_of), ts_text(b->as_of))));
	if (!AggCheckCallContext(fcinfo, NULL) &&
		(Pointer) a == DatumGetPointer(PG_GETARG_DATUM(0)))
		a = rfm_state_copy(a);
	a = rfm_state_merge(a, b);
	check_sum(a);
	if (a->has_as_of && a->rows > 0)
		check_not_after(a->last_ts, a->as_of, "as_of");
	PG_RETURN_POINTER(a);
}

/*
 * Days from from to to (from <= to), in double: 22008 when the difference
 * does not fit a timestamp difference (over 292,000 years apart), as
 * PostgreSQL's own timestamptz subtraction reports it.
 */
static double
days_between(TimestampTz from, TimestampTz to, const char *what)
{
	int64		usecs;

	if (pg_sub_s64_overflow(to, from, &usecs))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("rfm() %s is out of range", what),
				 errdetail("From %s to %s is more than 292,000 years.", ts_text(from), ts_text(to))));
	return (double) usecs / (double) USECS_PER_DAY;
}

/*
 * The rfm_features row of a state, measured from ref. NULL when the group
 * had no row with both ts and amount.
 */
static Datum
rfm_features(FunctionCallInfo fcinfo, const RfmState *s, TimestampTz ref,
			 const char *refname)
{
	TupleDesc	tupdesc = (TupleDesc) fcinfo->flinfo->fn_extra;
	Datum		values[7];
	bool		nulls[7] = {false};
	int64		frequency = rfm_state_frequency(s);
	double		monetary = rfm_state_monetary(s);

	check_not_after(s->last_ts, ref, refname);
	if (tupdesc == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);

		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "rfm final function must return a composite type");
		tupdesc = BlessTupleDesc(tupdesc);
		fcinfo->flinfo->fn_extra = tupdesc;
		MemoryContextSwitchTo(old);
	}
	values[0] = Float8GetDatum(days_between(s->last_ts, ref, "recency"));
	values[1] = Int64GetDatum(frequency);
	values[2] = Float8GetDatum(monetary);
	if (frequency > 0)
		values[3] = Float8GetDatum(monetary / (double) frequency);
	else
		nulls[3] = true;
	values[4] = TimestampTzGetDatum(s->first_ts);
	values[5] = TimestampTzGetDatum(s->last_ts);
	values[6] = Float8GetDatum(days_between(s->first_ts, ref, "tenure"));
	return HeapTupleGetDatum(heap_form_tuple(tupdesc, values, nulls));
}

/*
 * rfm_final_now(state): final function of the rfm() overloads without as_of,
 * STRICT; returns the rfm_features row, recency and tenure in days from the
 * transaction start (now()), or NULL when no row had both ts and amount.
 * Checks: a transaction after now() (ERRCODE_INVALID_PARAMETER_VALUE); a span
 * over 292,000 years (ERRCODE_DATETIME_VALUE_OUT_OF_RANGE). The state itself
 * is not validated.
 */
PG_FUNCTION_INFO_V1(rfm_final_now);
Datum
rfm_final_now(PG_FUNCTION_ARGS)
{
	RfmState   *s = PG_GETARG_RFM_STATE(0);

	if (s->rows == 0)
		PG_RETURN_NULL();
	return rfm_features(fcinfo, s, GetCurrentTransactionStartTimestamp(), "now()");
}

/*
 * rfm_final_as_of(state): final function of the rfm() overloads with as_of,
 * STRICT; returns the rfm_features row measured from the state's as_of, or
 * NULL when no row had both ts and amount. Checks: a state without as_of
 * (ERRCODE_DATATYPE_MISMATCH); as_of before the last transaction
 * (ERRCODE_INVALID_PARAMETER_VALUE); a span over 292,000 years
 * (ERRCODE_DATETIME_VALUE_OUT_OF_RANGE). The state itself is not validated.
 */
PG_FUNCTION_INFO_V1(rfm_final_as_of);
Datum
rfm_final_as_of(PG_FUNCTION_ARGS)
{
	RfmState   *s = PG_GETARG_RFM_STATE(0);

	if (s->rows == 0)
		PG_RETURN_NULL();
	if (!s->has_as_of)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("rfm_state has no as_of")));
	return rfm_features(fcinfo, s, s->as_of, "as_of");
}

/*
 * clv_summary.c
 *	  The clv_summary(ts, amount, as_of [, time_unit]) aggregate: a
 *	  customer's CLV inputs (x, t_x, t_cal, m_x, first_purchase) from
 *	  transaction lines, and its state type rfm_kmeans.clv_summary_state
 *	  (text and binary I/O), combinable across parallel workers and nodes.
 *
 * A line is a purchase when its amount is >= 0: returns and cancellations
 * (amount < 0) are left out, as the usual practice drops returns before a
 * CLV summary, but a free item is a purchase (the CDNOW data of the BG/NBD
 * paper has customers whose only purchase cost $0, and its published fits
 * count them). Lines with a NULL ts or amount are skipped. Purchases on one UTC calendar day are one purchase
 * (clv_days.h); m_x is the mean spend of the purchase days after the
 * first. as_of and time_unit live in the state, copied from the first
 * row: Citus calls transition functions without fn_extra.
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "clv_common.h"
#include "clv_state_text.h"
#include "core/clv_days.h"
#include "core/ksum.h"
#include "datatype/timestamp.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#define DEFAULT_UNIT_USECS (7 * CLV_USECS_PER_DAY)

static ClvDays *
get_state(Datum d)
{
	ClvDays    *s = (ClvDays *) PG_DETOAST_DATUM(d);
	const char *problem = clv_days_check(s, VARSIZE(s));

	if (problem)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid clv_summary_state: %s", problem)));
	return s;
}

static ClvDays *
new_state(uint32 capacity)
{
	Size		bytes = clv_days_bytes(capacity);
	ClvDays    *s = palloc(bytes);

	SET_VARSIZE(s, bytes);
	clv_days_init(s, capacity);
	return s;
}

/* A copy of s with room for extra more days. */
static ClvDays *
grow(const ClvDays *s, uint32 extra)
{
	uint32		capacity = clv_days_grow_capacity(s, extra);
	ClvDays    *bigger;

	if (capacity == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many purchase days in one clv_summary() group"),
				 errdetail("The limit is %u days.", CLV_DAYS_MAX)));
	bigger = palloc(clv_days_bytes(capacity));
	SET_VARSIZE(bigger, clv_days_bytes(capacity));
	clv_days_copy(bigger, capacity, s);
	return bigger;
}

static char *
ts_text(TimestampTz t)
{
	return pstrdup(timestamptz_to_str(t));
}

/* as_of and time_unit are constants of a group */
static void
check_same_reference(const ClvDays *s, TimestampTz as_of, int64 unit)
{
	if (s->unit_usecs != 0 && (s->as_of != as_of || s->unit_usecs != unit))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_summary() arguments as_of and time_unit differ between rows of one group"),
				 errhint("Pass one reference time and one time unit, for example constants or query parameters.")));
}

/*
 * clv_summary_trans(state, ts, amount, as_of [, time_unit]): transition
 * function of clv_summary(); returns the state with the row's purchase day
 * added. Not strict: a NULL ts or amount, or amount < 0, skips the row.
 * Checks: NULL as_of or time_unit (ERRCODE_NULL_VALUE_NOT_ALLOWED); infinite
 * ts or as_of (ERRCODE_DATETIME_VALUE_OUT_OF_RANGE); NaN or infinite amount
 * (ERRCODE_DATA_EXCEPTION); time_unit not positive, ts after as_of's day,
 * as_of or time_unit differing between rows
 * (ERRCODE_INVALID_PARAMETER_VALUE); spend or row count overflow
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE); over CLV_DAYS_MAX days
 * (ERRCODE_PROGRAM_LIMIT_EXCEEDED). AggCheckCallContext: outside an aggregate
 * the input is checked (ERRCODE_DATA_CORRUPTED), copied.
 */
PG_FUNCTION_INFO_V1(clv_summary_trans);
Datum
clv_summary_trans(PG_FUNCTION_ARGS)
{
	ClvDays    *s;
	TimestampTz ts,
				as_of;
	float8		amount;
	int64		unit = DEFAULT_UNIT_USECS;
	double		day_total;
	if (PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("clv_summary() argument as_of must not be null")));
	if (PG_NARGS() > 4)
	{
		if (PG_ARGISNULL(4))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("clv_summary() argument time_unit must not be null")));
		unit = clv_interval_usecs("clv_summary", "time_unit", PG_GETARG_INTERVAL_P(4));
	}
	as_of = PG_GETARG_TIMESTAMPTZ(3);
	if (TIMESTAMP_NOT_FINITE(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("clv_summary() argument as_of must be a finite timestamp")));

	if (PG_ARGISNULL(0))
		s = new_state(4);
	else
	{
		s = (ClvDays *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
		/* outside an aggregate the input must not change */
		if (!AggCheckCallContext(fcinfo, NULL))
			s = grow(get_state(PG_GETARG_DATUM(0)), 0);
	}
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_POINTER(s);
	ts = PG_GETARG_TIMESTAMPTZ(1);
	amount = PG_GETARG_FLOAT8(2);
	if (TIMESTAMP_NOT_FINITE(ts))
		ereport(ERROR,
				(errcode(ERRCODE_DATETIME_VALUE_OUT_OF_RANGE),
				 errmsg("clv_summary() argument ts must be a finite timestamp")));
	if (!isfinite(amount))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("clv_summary() argument amount must be finite, got %s",
						isnan(amount) ? "NaN" : (amount > 0 ? "Infinity" : "-Infinity"))));
	/* as_of names a day (the summary counts days): its whole day is in */
	if (clv_day_of(ts) > clv_day_of(as_of))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv_summary() argument as_of (%s) is on a day before transaction ts %s",
						ts_text(as_of), ts_text(ts)),
				 errhint("Summarize the calibration period: filter ts < the day after as_of.")));
	check_same_reference(s, as_of, unit);
	s->as_of = as_of;
	s->unit_usecs = unit;
	if (amount < 0)
		PG_RETURN_POINTER(s);	/* a return or a cancellation: not a purchase */
	if (!clv_days_add(s, clv_day_of(ts), amount, 0, &day_total))
	{
		s = grow(s, 1);
		(void) clv_days_add(s, clv_day_of(ts), amount, 0, &day_total);
	}
	if (!isfinite(day_total))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("clv_summary() spend of a day is out of range for type double precision")));
	if (s->rows == 0 || ts < s->first_ts)
		s->first_ts = ts;
	if (s->rows == PG_INT64_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("clv_summary() row count out of range for type bigint")));
	s->rows++;
	PG_RETURN_POINTER(s);
}

/*
 * clv_summary_combine(a, b): combine function of clv_summary(), STRICT;
 * returns a new state with both states' purchase days merged (neither input
 * changes). Checks: a damaged state (ERRCODE_DATA_CORRUPTED); as_of or
 * time_unit differing between the states (ERRCODE_INVALID_PARAMETER_VALUE);
 * over CLV_DAYS_MAX days (ERRCODE_PROGRAM_LIMIT_EXCEEDED); a day's spend or
 * the row count overflowing (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(clv_summary_combine);
Datum
clv_summary_combine(PG_FUNCTION_ARGS)
{
	ClvDays    *a = get_state(PG_GETARG_DATUM(0));
	ClvDays    *b = get_state(PG_GETARG_DATUM(1));
	ClvDays    *merged;
	uint64		capacity = (uint64) a->n + b->n;

	if (b->unit_usecs != 0)
		check_same_reference(a, b->as_of, b->unit_usecs);
	if (capacity > CLV_DAYS_MAX)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many purchase days in one clv_summary() group"),
				 errdetail("The limit is %u days.", CLV_DAYS_MAX)));
	if (b->rows > PG_INT64_MAX - a->rows)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("clv_summary() row count out of range for type bigint")));
	merged = new_state((uint32) Max(capacity, 1));
	clv_days_merge(merged, (uint32) Max(capacity, 1), a, b);
	{
		uint32		i;

		/* a day's compensated total, not only its sum, must stay finite */
		for (i = 0; i < merged->n; i++)
		{
			const ClvDay *d = &clv_days_list(merged)[i];

			if (!isfinite(d->sum) || !isfinite(d->comp) || !isfinite(d->sum + d->comp))
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("clv_summary() spend of a day is out of range for type double precision")));
		}
	}
	PG_RETURN_POINTER(merged);
}

/*
 * clv_summary_final(state): final function of clv_summary(), STRICT; returns
 * the clv_inputs row (x, t_x, t_cal, m_x, first_purchase), m_x NULL when
 * x = 0, or NULL for a customer without purchases. Checks: a damaged state
 * (ERRCODE_DATA_CORRUPTED).
 */
PG_FUNCTION_INFO_V1(clv_summary_final);
Datum
clv_summary_final(PG_FUNCTION_ARGS)
{
	ClvDays    *s = get_state(PG_GETARG_DATUM(0));
	ClvSummary	sum;
	TupleDesc	tupdesc;
	Datum		values[5];
	bool		nulls[5] = {false};

	if (s->n == 0)
		PG_RETURN_NULL();
	clv_days_summary(s, &sum);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "clv_summary_final must return a composite type");
	values[0] = Int32GetDatum((int32) sum.x);
	values[1] = Float8GetDatum(sum.t_x);
	values[2] = Float8GetDatum(sum.t_cal);
	values[3] = Float8GetDatum(sum.m_x);
	nulls[3] = sum.x == 0;
	values[4] = TimestampTzGetDatum(sum.first_ts);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/* ---------------------------------------------------------------------
 * rfm_kmeans.clv_summary_state: text and binary forms
 *
 * Text: "1 <rows> <first_ts> <as_of> <unit_usecs> <days>" then a
 * "<day> <sum> <comp>" triple per purchase day, in day order; doubles
 * with 17 significant digits. Binary: the same fields in network order.
 * --------------------------------------------------------------------- */

/* A state read from outside: rebuilt day by day, then checked whole. */
static ClvDays *
checked_input(ClvDays *s, int errcode_)
{
	const char *problem = clv_days_check(s, VARSIZE(s));

	if (problem)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid clv_summary_state: %s", problem)));
	return s;
}

/*
 * clv_summary_state_in(cstring): input function of clv_summary_state, STRICT;
 * returns the state read back from its text form. Rebuilds it day by day
 * (days in increasing order, no more than the text can hold) and checks it
 * whole; malformed or inconsistent text is
 * ERRCODE_INVALID_TEXT_REPRESENTATION (22P02).
 */
PG_FUNCTION_INFO_V1(clv_summary_state_in);
Datum
clv_summary_state_in(PG_FUNCTION_ARGS)
{
	ClvTextReader r = {PG_GETARG_CSTRING(0), "clv_summary_state"};
	ClvDays    *s;
	int64		n,
				i;

	if (clv_text_int(&r, "version", 0, 255) != CLV_DAYS_VERSION)
		clv_text_error(&r, "unknown version");
	s = new_state(0);
	s->rows = clv_text_int(&r, "rows", 0, PG_INT64_MAX);
	s->first_ts = clv_text_int(&r, "first_ts", PG_INT64_MIN, PG_INT64_MAX);
	s->as_of = clv_text_int(&r, "as_of", PG_INT64_MIN, PG_INT64_MAX);
	s->unit_usecs = clv_text_int(&r, "time unit", 0, PG_INT64_MAX);
	n = clv_text_int(&r, "day count", 0, CLV_DAYS_MAX);
	/* a day takes 6 characters at least (" 0 0 0"): allocate no more than the text holds */
	if ((size_t) n > strlen(r.p) / 6)
		clv_text_error(&r, "more days than the text holds");
	if (n > 0)
	{
		ClvDays    *big = new_state((uint32) n);

		memcpy((char *) big + VARHDRSZ, (char *) s + VARHDRSZ, sizeof(ClvDays) - VARHDRSZ);
		big->capacity = (uint32) n;
		s = big;
	}
	for (i = 0; i < n; i++)
	{
		int32		day = (int32) clv_text_int(&r, "day", PG_INT32_MIN, PG_INT32_MAX);
		double		sum = clv_text_double(&r, "spend"),
					comp = clv_text_double(&r, "spend compensation");

		if (s->n > 0 && clv_days_list(s)[s->n - 1].day >= day)
			clv_text_error(&r, "days out of order");
		(void) clv_days_add(s, day, sum, comp, NULL);
	}
	clv_text_end(&r);
	PG_RETURN_POINTER(checked_input(s, ERRCODE_INVALID_TEXT_REPRESENTATION));
}

/*
 * clv_summary_state_out(state): output function of clv_summary_state, STRICT;
 * returns the text form. The state is checked first: a damaged one is
 * ERRCODE_DATA_CORRUPTED (XX001).
 */
PG_FUNCTION_INFO_V1(clv_summary_state_out);
Datum
clv_summary_state_out(PG_FUNCTION_ARGS)
{
	ClvDays    *s = get_state(PG_GETARG_DATUM(0));
	StringInfoData out;
	uint32		i;

	initStringInfo(&out);
	appendStringInfo(&out, "%d " INT64_FORMAT " " INT64_FORMAT " " INT64_FORMAT " " INT64_FORMAT " %u",
					 CLV_DAYS_VERSION, s->rows, s->first_ts, s->as_of, s->unit_usecs, s->n);
	for (i = 0; i < s->n; i++)
		appendStringInfo(&out, " %d %.17g %.17g", clv_days_list(s)[i].day,
						 clv_days_list(s)[i].sum, clv_days_list(s)[i].comp);
	PG_RETURN_CSTRING(out.data);
}

/*
 * clv_summary_state_send(state): send function of clv_summary_state, STRICT;
 * returns the binary form (bytea), the text form's fields in network order.
 * The state is checked first: a damaged one is ERRCODE_DATA_CORRUPTED.
 */
PG_FUNCTION_INFO_V1(clv_summary_state_send);
Datum
clv_summary_state_send(PG_FUNCTION_ARGS)
{
	ClvDays    *s = get_state(PG_GETARG_DATUM(0));
	StringInfoData buf;
	uint32		i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CLV_DAYS_VERSION);
	pq_sendint64(&buf, s->rows);
	pq_sendint64(&buf, s->first_ts);
	pq_sendint64(&buf, s->as_of);
	pq_sendint64(&buf, s->unit_usecs);
	pq_sendint32(&buf, s->n);
	for (i = 0; i < s->n; i++)
	{
		pq_sendint32(&buf, clv_days_list(s)[i].day);
		pq_sendfloat8(&buf, clv_days_list(s)[i].sum);
		pq_sendfloat8(&buf, clv_days_list(s)[i].comp);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
binary_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary clv_summary_state: %s", what)));
}

/*
 * clv_summary_state_recv(internal): receive function of clv_summary_state,
 * STRICT; returns the state read back from the binary form, rebuilt and
 * checked whole like text input. A malformed message (unknown version, a day
 * count past CLV_DAYS_MAX or the message, days out of order, trailing bytes,
 * an inconsistent state) is ERRCODE_INVALID_BINARY_REPRESENTATION (22P03);
 * one that ends early, ERRCODE_PROTOCOL_VIOLATION (08P01).
 */
PG_FUNCTION_INFO_V1(clv_summary_state_recv);
Datum
clv_summary_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	in = (StringInfo) PG_GETARG_POINTER(0);
	ClvDays    *s;
	int64		rows,
				first_ts,
				as_of,
				unit;
	uint32		n,
				i;

	if (pq_getmsgbyte(in) != CLV_DAYS_VERSION)
		binary_error("unknown version");
	rows = pq_getmsgint64(in);
	first_ts = pq_getmsgint64(in);
	as_of = pq_getmsgint64(in);
	unit = pq_getmsgint64(in);
	n = (uint32) pq_getmsgint(in, 4);
	/* each day takes 20 bytes of the message: never allocate past what it holds */
	if (n > CLV_DAYS_MAX || (int64) n * 20 > in->len - in->cursor)
		binary_error("day count out of range");
	s = new_state(n);
	s->rows = rows;
	s->first_ts = first_ts;
	s->as_of = as_of;
	s->unit_usecs = unit;
	for (i = 0; i < n; i++)
	{
		int32		day = pq_getmsgint(in, 4);
		double		sum = pq_getmsgfloat8(in),
					comp = pq_getmsgfloat8(in);

		if (s->n > 0 && clv_days_list(s)[s->n - 1].day >= day)
			binary_error("days out of order");
		(void) clv_days_add(s, day, sum, comp, NULL);
	}
	if (in->cursor != in->len)
		binary_error("trailing bytes");
	PG_RETURN_POINTER(checked_input(s, ERRCODE_INVALID_BINARY_REPRESENTATION));
}

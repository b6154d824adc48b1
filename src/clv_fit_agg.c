/*
 * clv_fit_agg.c
 *	  The fit aggregates bgnbd_fit(x, t_x, t_cal) and gamma_gamma_fit(x,
 *	  m_x), and their state type rfm_kmeans.clv_fit_state (text and binary
 *	  I/O): the distinct customers with their row counts (clv_points.h),
 *	  combinable across parallel workers and nodes; the final function
 *	  fits the model by maximum likelihood (clv_fit.h).
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "clv_common.h"
#include "clv_state_text.h"
#include "core/clv_fit.h"
#include "core/clv_points.h"
#include "core_hooks.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/builtins.h"

#define MAX_ITER 100

static ClvPoints *
new_points(ClvPointsKind kind, uint32 capacity)
{
	Size		bytes = clv_points_bytes(capacity);
	ClvPoints  *s = palloc(bytes);

	SET_VARSIZE(s, bytes);
	clv_points_init(s, kind, capacity);
	return s;
}

static ClvPoints *
get_points(Datum d, int errcode_)
{
	ClvPoints  *s = (ClvPoints *) PG_DETOAST_DATUM(d);
	const char *problem = clv_points_check(s, VARSIZE(s));

	if (problem)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid clv_fit_state: %s", problem)));
	return s;
}

/* s with room for extra more points: s itself or a larger copy. */
static ClvPoints *
make_room(ClvPoints *s, uint32 extra)
{
	uint32		capacity;
	ClvPoints  *bigger;

	if ((uint64) s->n + extra <= s->capacity / 2)
		return s;
	capacity = clv_points_grow_capacity(s, extra);
	if (capacity == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct customers in one CLV fit"),
				 errdetail("The fit's state holds %u distinct customer summaries; it may take at most %zu bytes.",
						   s->n, (Size) CLV_POINTS_MAX_BYTES)));
	bigger = new_points((ClvPointsKind) s->kind, capacity);
	clv_points_copy(bigger, s);
	return bigger;
}

static ClvPoints *
add_point(ClvPoints *s, int32 x, double u, double v, int64 count)
{
	s = make_room(s, 1);
	if (!clv_points_add(s, x, u, v, count))
		elog(ERROR, "clv_fit_state did not grow enough for a customer");
	return s;
}

/* The state to update: the input inside an aggregate, a copy outside one. */
static ClvPoints *
state_for_update(FunctionCallInfo fcinfo, ClvPointsKind kind)
{
	ClvPoints  *s;

	if (PG_ARGISNULL(0))
		return new_points(kind, 0);
	if (!AggCheckCallContext(fcinfo, NULL))
	{
		ClvPoints  *in = get_points(PG_GETARG_DATUM(0), ERRCODE_DATA_CORRUPTED);

		s = new_points((ClvPointsKind) in->kind, in->capacity);
		memcpy(s, in, clv_points_bytes(in->capacity));
	}
	else
		s = (ClvPoints *) PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	if (s->kind != kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("clv_fit_state was built by another fit aggregate")));
	return s;
}

static int32
whole_x(const char *fname, double x)
{
	if (!(x <= PG_INT32_MAX))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s() argument x is out of range: %g", fname, x)));
	return (int32) x;
}

/*
 * bgnbd_fit_trans(state, x, t_x, t_cal): transition function of bgnbd_fit();
 * returns the state with the customer (x, t_x, t_cal) counted. Not strict: a
 * row with a NULL argument is skipped. Checks: x a whole number >= 0, t_x
 * finite, >= 0 and 0 when x = 0, t_cal finite and >= t_x
 * (ERRCODE_INVALID_PARAMETER_VALUE); x over 2^31 - 1
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE); a state of gamma_gamma_fit()
 * (ERRCODE_DATATYPE_MISMATCH); too many distinct customers
 * (ERRCODE_PROGRAM_LIMIT_EXCEEDED). AggCheckCallContext: outside an aggregate
 * the input state is checked (ERRCODE_DATA_CORRUPTED) and copied.
 */
PG_FUNCTION_INFO_V1(bgnbd_fit_trans);
Datum
bgnbd_fit_trans(PG_FUNCTION_ARGS)
{
	ClvPoints  *s = state_for_update(fcinfo, CLV_POINTS_BGNBD);
	double		x,
				t_x,
				t_cal;

	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		PG_RETURN_POINTER(s);
	x = PG_GETARG_FLOAT8(1);
	t_x = PG_GETARG_FLOAT8(2);
	t_cal = PG_GETARG_FLOAT8(3);
	clv_check_customer("bgnbd_fit", x, t_x, t_cal);
	PG_RETURN_POINTER(add_point(s, whole_x("bgnbd_fit", x), t_x, t_cal, 1));
}

/*
 * gamma_gamma_fit_trans(state, x, m_x): transition function of
 * gamma_gamma_fit(); returns the state with the customer (x, m_x) counted.
 * Not strict: customers with x > 0 only, a row with a NULL x, or x = 0, is
 * skipped. Checks: x a whole number >= 0, m_x finite and > 0 when x > 0
 * (ERRCODE_INVALID_PARAMETER_VALUE); a NULL m_x when x > 0
 * (ERRCODE_NULL_VALUE_NOT_ALLOWED); x over 2^31 - 1
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE); a state of bgnbd_fit()
 * (ERRCODE_DATATYPE_MISMATCH); too many distinct customers
 * (ERRCODE_PROGRAM_LIMIT_EXCEEDED). AggCheckCallContext as bgnbd_fit_trans.
 */
PG_FUNCTION_INFO_V1(gamma_gamma_fit_trans);
Datum
gamma_gamma_fit_trans(PG_FUNCTION_ARGS)
{
	ClvPoints  *s = state_for_update(fcinfo, CLV_POINTS_GAMMA_GAMMA);
	double		x,
				m_x;

	if (PG_ARGISNULL(1))
		PG_RETURN_POINTER(s);
	x = PG_GETARG_FLOAT8(1);
	if (!(x >= 0) || x != floor(x) || !isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("gamma_gamma_fit() argument x must be a whole number >= 0, got %g", x)));
	if (x == 0)
		PG_RETURN_POINTER(s);
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("gamma_gamma_fit() argument m_x must not be null when x > 0")));
	m_x = PG_GETARG_FLOAT8(2);
	if (!(m_x > 0) || !isfinite(m_x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("gamma_gamma_fit() argument m_x must be finite and > 0 when x > 0, got %g", m_x),
				 errhint("The Gamma-Gamma model is for positive spend: leave out customers whose repeat purchases were all free (WHERE m_x > 0).")));
	PG_RETURN_POINTER(add_point(s, whole_x("gamma_gamma_fit", x), m_x, 0, 1));
}

/*
 * clv_fit_combine(a, b): combine function of bgnbd_fit() and
 * gamma_gamma_fit(), STRICT; returns a copy of a with b's customers added
 * (neither input changes). Checks: a damaged state (ERRCODE_DATA_CORRUPTED);
 * states of different fits (ERRCODE_DATATYPE_MISMATCH); the row count
 * overflowing (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE); too many distinct
 * customers (ERRCODE_PROGRAM_LIMIT_EXCEEDED).
 */
PG_FUNCTION_INFO_V1(clv_fit_combine);
Datum
clv_fit_combine(PG_FUNCTION_ARGS)
{
	ClvPoints  *a = get_points(PG_GETARG_DATUM(0), ERRCODE_DATA_CORRUPTED);
	ClvPoints  *b = get_points(PG_GETARG_DATUM(1), ERRCODE_DATA_CORRUPTED);
	ClvPoints  *out;
	const ClvPoint *slots = clv_points_slots(b);
	uint32		i;

	if (a->kind != b->kind)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("cannot combine clv_fit_state values of different fits")));
	if (b->rows > PG_INT64_MAX - a->rows)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("clv_fit_state row count out of range")));
	out = new_points((ClvPointsKind) a->kind, a->capacity);
	memcpy(out, a, clv_points_bytes(a->capacity));
	out = make_room(out, b->n);
	for (i = 0; i < b->capacity; i++)
		if (slots[i].count != 0)
			(void) clv_points_add(out, slots[i].x, slots[i].u, slots[i].v, slots[i].count);
	PG_RETURN_POINTER(out);
}

/* Interrupts and threads for the fit's passes. */
static ClvFitResult
run_fit(ClvPoints *s, bool bgnbd, const char *fname)
{
	ClvPoint   *points;
	void	   *workspace;
	KmParallel	par = core_parallel();
	ClvFitInput in;
	ClvFitResult res;

	if (s == NULL || s->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s() has no customer to fit", fname),
				 errdetail(bgnbd ? "Every row had a NULL argument, or there were no rows." :
						   "Every row had x = 0 or a NULL x, or there were no rows.")));
	points = palloc_extended(sizeof(ClvPoint) * s->n, MCXT_ALLOC_HUGE);
	clv_points_sorted(s, points);
	workspace = palloc_extended(clv_fit_workspace_bytes(points, s->n), MCXT_ALLOC_HUGE);
	in.points = points;
	in.n = s->n;
	in.par = &par;
	in.max_iter = MAX_ITER;
	if (bgnbd)
		bgnbd_fit(&in, workspace, &res);
	else
		gamma_gamma_fit(&in, workspace, &res);
	pfree(workspace);
	pfree(points);
	return res;
}

/*
 * How the fit ended: converged, or finite parameters at the best
 * likelihood reached with a NOTICE saying why not; an ERROR only when the
 * likelihood could not be evaluated at all.
 */
static bool
report_fit(const char *fname, const ClvFitResult *res, const char *const *names, int dim)
{
	StringInfoData params;
	int			i;

	initStringInfo(&params);
	for (i = 0; i < dim; i++)
		appendStringInfo(&params, "%s%s = %.10g", i ? ", " : "", names[i], res->params[i]);
	appendStringInfo(&params, ", log-likelihood %.10g", res->log_likelihood);
	switch (res->status)
	{
		case CLV_MLE_CONVERGED:
			return true;
		case CLV_MLE_AT_BOUND:
			ereport(NOTICE,
					(errmsg("%s() found no interior maximum: the likelihood still rises as %s goes to %s",
							fname, names[res->bound_index],
							res->params[res->bound_index] > 1 ? "infinity" : "0"),
					 errdetail("The fit stopped at the bound 1e%s10 of %s: %s.",
							   res->params[res->bound_index] > 1 ? "+" : "-",
							   names[res->bound_index], params.data),
					 strcmp(fname, "bgnbd_fit") == 0 &&
					 (strcmp(names[res->bound_index], "a") == 0 || strcmp(names[res->bound_index], "b") == 0) ?
					 errhint("The data fit the NBD limit of BG/NBD (a -> 0, b -> infinity): customers barely drop out.") : 0));
			return false;
		case CLV_MLE_MAX_ITER:
		case CLV_MLE_STALLED:
			ereport(NOTICE,
					(errmsg("%s() did not converge in %d iterations", fname, res->iterations),
					 errdetail("It stopped at the best likelihood found: %s.", params.data)));
			return false;
		case CLV_MLE_NOT_FINITE:
			break;
	}
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("%s() could not evaluate the likelihood", fname),
			 errdetail("Last parameters: %s.", params.data)));
	return false;
}

static Datum
result_row(FunctionCallInfo fcinfo, const ClvFitResult *res, int dim, bool converged)
{
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {false};
	int			i;

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "a fit's final function must return a composite type");
	for (i = 0; i < dim; i++)
		values[i] = Float8GetDatum(res->params[i]);
	values[dim] = Float8GetDatum(res->log_likelihood);
	values[dim + 1] = Int64GetDatum(res->customers);
	values[dim + 2] = Int32GetDatum(res->iterations);
	values[dim + 3] = BoolGetDatum(converged);
	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * bgnbd_fit_final(state): final function of bgnbd_fit(); returns the
 * maximum-likelihood bgnbd_params (r, alpha, a, b, log_likelihood,
 * n_customers, iterations, converged). Not strict: no customer to fit (a NULL
 * or empty state) is ERRCODE_DATA_EXCEPTION, as is a likelihood that cannot
 * be evaluated; a fit stopped at a bound or by the iteration limit gives a
 * NOTICE and converged = false. Also checks: a damaged state
 * (ERRCODE_DATA_CORRUPTED); a state of gamma_gamma_fit()
 * (ERRCODE_DATATYPE_MISMATCH).
 */
PG_FUNCTION_INFO_V1(bgnbd_fit_final);
Datum
bgnbd_fit_final(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"r", "alpha", "a", "b"};
	ClvPoints  *s = PG_ARGISNULL(0) ? NULL : get_points(PG_GETARG_DATUM(0), ERRCODE_DATA_CORRUPTED);
	ClvFitResult res;

	if (s != NULL && s->kind != CLV_POINTS_BGNBD)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("clv_fit_state was built by another fit aggregate")));
	res = run_fit(s, true, "bgnbd_fit");
	return result_row(fcinfo, &res, 4, report_fit("bgnbd_fit", &res, names, 4));
}

/*
 * gamma_gamma_fit_final(state): final function of gamma_gamma_fit(); returns
 * the maximum-likelihood gamma_gamma_params (p, q, v, log_likelihood,
 * n_customers, iterations, converged). Not strict: no customer with x > 0 (a
 * NULL or empty state) is ERRCODE_DATA_EXCEPTION, as is a likelihood that
 * cannot be evaluated; a fit stopped at a bound or by the iteration limit
 * gives a NOTICE and converged = false. Also checks: a damaged state
 * (ERRCODE_DATA_CORRUPTED); a state of bgnbd_fit()
 * (ERRCODE_DATATYPE_MISMATCH).
 */
PG_FUNCTION_INFO_V1(gamma_gamma_fit_final);
Datum
gamma_gamma_fit_final(PG_FUNCTION_ARGS)
{
	static const char *const names[] = {"p", "q", "v"};
	ClvPoints  *s = PG_ARGISNULL(0) ? NULL : get_points(PG_GETARG_DATUM(0), ERRCODE_DATA_CORRUPTED);
	ClvFitResult res;

	if (s != NULL && s->kind != CLV_POINTS_GAMMA_GAMMA)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("clv_fit_state was built by another fit aggregate")));
	res = run_fit(s, false, "gamma_gamma_fit");
	return result_row(fcinfo, &res, 3, report_fit("gamma_gamma_fit", &res, names, 3));
}

/* ---------------------------------------------------------------------
 * rfm_kmeans.clv_fit_state: text and binary forms
 *
 * Text: "1 <kind> <points>" then "<x> <u> <v> <count>" per distinct
 * customer in canonical order (x, u, v); doubles with 17 significant
 * digits. Binary: the same fields in network order. Input rebuilds the
 * table point by point; a repeated point is an error.
 * --------------------------------------------------------------------- */

/* Add a point read from outside: a repeat means the input was forged. */
static ClvPoints *
add_read_point(ClvPoints *s, int32 x, double u, double v, int64 count, int errcode_)
{
	uint32		before = s->n;

	if (count <= 0 || s->rows > PG_INT64_MAX - count)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid clv_fit_state: row count out of range")));
	s = add_point(s, x, u, v, count);
	if (s->n == before)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid clv_fit_state: repeated customer summary")));
	return s;
}

static Datum
checked(ClvPoints *s, int errcode_)
{
	const char *problem = clv_points_check(s, VARSIZE(s));

	if (problem)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid clv_fit_state: %s", problem)));
	PG_RETURN_POINTER(s);
}

/*
 * clv_fit_state_in(cstring): input function of clv_fit_state, STRICT; returns
 * the state read back from its text form, point by point (a repeated point
 * means forged input), then checked whole. Malformed or inconsistent text is
 * ERRCODE_INVALID_TEXT_REPRESENTATION (22P02); more points than a state may
 * hold, ERRCODE_PROGRAM_LIMIT_EXCEEDED.
 */
PG_FUNCTION_INFO_V1(clv_fit_state_in);
Datum
clv_fit_state_in(PG_FUNCTION_ARGS)
{
	ClvTextReader r = {PG_GETARG_CSTRING(0), "clv_fit_state"};
	ClvPoints  *s;
	int64		kind,
				n,
				i;

	if (clv_text_int(&r, "version", 0, 255) != CLV_POINTS_VERSION)
		clv_text_error(&r, "unknown version");
	kind = clv_text_int(&r, "kind", CLV_POINTS_BGNBD, CLV_POINTS_GAMMA_GAMMA);
	n = clv_text_int(&r, "point count", 0, PG_INT32_MAX);
	s = new_points((ClvPointsKind) kind, 0);
	for (i = 0; i < n; i++)
	{
		int32		x = (int32) clv_text_int(&r, "x", 0, PG_INT32_MAX);
		double		u = clv_text_double(&r, "u"),
					v = clv_text_double(&r, "v");
		int64		count = clv_text_int(&r, "count", 1, PG_INT64_MAX);

		s = add_read_point(s, x, u, v, count, ERRCODE_INVALID_TEXT_REPRESENTATION);
	}
	clv_text_end(&r);
	return checked(s, ERRCODE_INVALID_TEXT_REPRESENTATION);
}

/* The points in canonical order, for output. */
static ClvPoint *
sorted_points(const ClvPoints *s)
{
	ClvPoint   *points = palloc_extended(sizeof(ClvPoint) * Max(s->n, 1), MCXT_ALLOC_HUGE);

	clv_points_sorted(s, points);
	return points;
}

/*
 * clv_fit_state_out(state): output function of clv_fit_state, STRICT; returns
 * the text form, points in canonical order (x, u, v). The state is checked
 * first: a damaged one is ERRCODE_DATA_CORRUPTED (XX001).
 */
PG_FUNCTION_INFO_V1(clv_fit_state_out);
Datum
clv_fit_state_out(PG_FUNCTION_ARGS)
{
	ClvPoints  *s = get_points(PG_GETARG_DATUM(0), ERRCODE_DATA_CORRUPTED);
	ClvPoint   *points = sorted_points(s);
	StringInfoData out;
	uint32		i;

	initStringInfo(&out);
	appendStringInfo(&out, "%d %d %u", CLV_POINTS_VERSION, s->kind, s->n);
	for (i = 0; i < s->n; i++)
		appendStringInfo(&out, " %d %.17g %.17g " INT64_FORMAT, points[i].x, points[i].u,
						 points[i].v, points[i].count);
	PG_RETURN_CSTRING(out.data);
}

/*
 * clv_fit_state_send(state): send function of clv_fit_state, STRICT; returns
 * the binary form (bytea), the text form's fields in network order. The state
 * is checked first: a damaged one is ERRCODE_DATA_CORRUPTED.
 */
PG_FUNCTION_INFO_V1(clv_fit_state_send);
Datum
clv_fit_state_send(PG_FUNCTION_ARGS)
{
	ClvPoints  *s = get_points(PG_GETARG_DATUM(0), ERRCODE_DATA_CORRUPTED);
	ClvPoint   *points = sorted_points(s);
	StringInfoData buf;
	uint32		i;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, CLV_POINTS_VERSION);
	pq_sendbyte(&buf, s->kind);
	pq_sendint32(&buf, s->n);
	for (i = 0; i < s->n; i++)
	{
		pq_sendint32(&buf, points[i].x);
		pq_sendfloat8(&buf, points[i].u);
		pq_sendfloat8(&buf, points[i].v);
		pq_sendint64(&buf, points[i].count);
	}
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
binary_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary clv_fit_state: %s", what)));
}

/*
 * clv_fit_state_recv(internal): receive function of clv_fit_state, STRICT;
 * returns the state read back from the binary form point by point and checked
 * whole like text input. A malformed message (unknown version or kind, a
 * point count past the message, a negative x, a non-finite value, a count
 * <= 0, a repeated point, trailing bytes) is
 * ERRCODE_INVALID_BINARY_REPRESENTATION (22P03); one that ends early,
 * ERRCODE_PROTOCOL_VIOLATION (08P01).
 */
PG_FUNCTION_INFO_V1(clv_fit_state_recv);
Datum
clv_fit_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	in = (StringInfo) PG_GETARG_POINTER(0);
	ClvPoints  *s;
	int			kind;
	uint32		n,
				i;

	if (pq_getmsgbyte(in) != CLV_POINTS_VERSION)
		binary_error("unknown version");
	kind = pq_getmsgbyte(in);
	if (kind != CLV_POINTS_BGNBD && kind != CLV_POINTS_GAMMA_GAMMA)
		binary_error("unknown kind");
	n = (uint32) pq_getmsgint(in, 4);
	/* each point takes 28 bytes of the message */
	if ((int64) n * 28 > in->len - in->cursor)
		binary_error("point count out of range");
	s = new_points((ClvPointsKind) kind, 0);
	for (i = 0; i < n; i++)
	{
		int32		x = pq_getmsgint(in, 4);
		double		u = pq_getmsgfloat8(in),
					v = pq_getmsgfloat8(in);
		int64		count = pq_getmsgint64(in);

		if (x < 0 || !isfinite(u) || !isfinite(v))
			binary_error("a point out of range");
		s = add_read_point(s, x, u, v, count, ERRCODE_INVALID_BINARY_REPRESENTATION);
	}
	if (in->cursor != in->len)
		binary_error("trailing bytes");
	return checked(s, ERRCODE_INVALID_BINARY_REPRESENTATION);
}

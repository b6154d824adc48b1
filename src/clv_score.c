/*
 * clv_score.c
 *	  Scoring customers with fitted CLV parameters: bgnbd_expected(),
 *	  bgnbd_p_alive(), gamma_gamma_spend() and clv().
 *
 * The parameter composites are taken apart once per query while they stay
 * the same (clv_common.h), so scoring a table with constant parameters
 * costs the arithmetic of the model per row.
 */
#include "compat.h"

#include <math.h>

#include "clv_common.h"
#include "clv_value_cache.h"
#include "core/clv_days.h"
#include "fmgr.h"
#include "utils/timestamp.h"

/* The most months clv() sums (the horizons of one series pass). */
#define CLV_MAX_MONTHS 1200

static void
check_finite_result(const char *fname, double v)
{
	if (!isfinite(v))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s() result is out of range for type double precision", fname)));
}

/*
 * bgnbd_expected(params, t, x, t_x, t_cal), STRICT: returns the purchases
 * BG/NBD expects of the customer (x, t_x, t_cal) in the next t time units.
 * Checks: the params fields r, alpha, a, b each finite and > 0
 * (ERRCODE_INVALID_PARAMETER_VALUE; a NULL field
 * ERRCODE_NULL_VALUE_NOT_ALLOWED, one not float8 ERRCODE_DATATYPE_MISMATCH);
 * t finite and >= 0, and the customer as bgnbd_fit() checks it
 * (ERRCODE_INVALID_PARAMETER_VALUE); a result that is not finite
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(clv_bgnbd_expected);
Datum
clv_bgnbd_expected(PG_FUNCTION_ARGS)
{
	BgnbdParams p;
	double		t = PG_GETARG_FLOAT8(1),
				x = PG_GETARG_FLOAT8(2),
				t_x = PG_GETARG_FLOAT8(3),
				t_cal = PG_GETARG_FLOAT8(4),
				e;

	clv_get_bgnbd(fcinfo, 0, 0, &p);
	if (!(t >= 0) || !isfinite(t))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bgnbd_expected() argument t must be finite and >= 0, got %g", t)));
	clv_check_customer("bgnbd_expected", x, t_x, t_cal);
	e = bgnbd_expected(&p, t, x, t_x, t_cal);
	check_finite_result("bgnbd_expected", e);
	PG_RETURN_FLOAT8(e);
}

/*
 * bgnbd_p_alive(params, x, t_x, t_cal), STRICT: returns the probability that
 * the customer (x, t_x, t_cal) is still alive at t_cal. Checks: the params
 * fields as bgnbd_expected() does, and the customer as bgnbd_fit() does
 * (ERRCODE_INVALID_PARAMETER_VALUE); unlike bgnbd_expected(), the result is
 * not checked for finiteness.
 */
PG_FUNCTION_INFO_V1(clv_bgnbd_p_alive);
Datum
clv_bgnbd_p_alive(PG_FUNCTION_ARGS)
{
	BgnbdParams p;
	double		x = PG_GETARG_FLOAT8(1),
				t_x = PG_GETARG_FLOAT8(2),
				t_cal = PG_GETARG_FLOAT8(3);

	clv_get_bgnbd(fcinfo, 0, 0, &p);
	clv_check_customer("bgnbd_p_alive", x, t_x, t_cal);
	PG_RETURN_FLOAT8(bgnbd_p_alive(&p, x, t_x, t_cal));
}

/* The expected spend per purchase, with its argument checks. */
static double
spend(const char *fname, const GammaGammaParams *g, double x, bool m_null, double m_x)
{
	double		s;

	if (!(x >= 0) || x != floor(x) || !isfinite(x))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s() argument x must be a whole number >= 0, got %g", fname, x)));
	if (x > 0 && m_null)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s() argument m_x must not be null when x > 0", fname)));
	if (x > 0 && (!(m_x > 0) || !isfinite(m_x)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s() argument m_x must be finite and > 0 when x > 0, got %g", fname, m_x)));
	s = gamma_gamma_spend(g, x, x > 0 ? m_x : 0);
	if (isnan(s))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s(): the expected spend is not finite for q = %g", fname, g->q),
				 errdetail("With p x + q <= 1 (here p = %g, x = %g) the model's mean spend is infinite.",
						   g->p, x)));
	check_finite_result(fname, s);
	return s;
}

/*
 * gamma_gamma_spend(params, x, m_x): returns the expected spend per purchase
 * of the customer (x, m_x), the population mean p v / (q - 1) when x = 0. Not
 * strict, since m_x is NULL for x = 0; NULL params or x give NULL. Checks:
 * the params fields p, q, v as bgnbd_expected() checks its own; x a whole
 * number >= 0, m_x finite and > 0 when x > 0, an infinite mean spend
 * (p x + q <= 1) (ERRCODE_INVALID_PARAMETER_VALUE); a NULL m_x when x > 0
 * (ERRCODE_NULL_VALUE_NOT_ALLOWED); a result that is not finite
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(clv_gamma_gamma_spend);
Datum
clv_gamma_gamma_spend(PG_FUNCTION_ARGS)
{
	GammaGammaParams g;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		PG_RETURN_NULL();
	clv_get_gamma_gamma(fcinfo, 0, 0, &g);
	PG_RETURN_FLOAT8(spend("gamma_gamma_spend", &g, PG_GETARG_FLOAT8(1), PG_ARGISNULL(2),
						   PG_ARGISNULL(2) ? 0 : PG_GETARG_FLOAT8(2)));
}

/*
 * clv(bg, gg, x, t_x, t_cal, m_x, months, monthly_discount, time_unit):
 * returns the sum over months i = 1..months of spend * (E(i months) -
 * E(i-1 months)) / (1 + monthly_discount)^i, a month being 30 days and E the
 * expected purchases of bgnbd_expected(). Not strict (m_x is NULL for x = 0);
 * any other NULL argument gives NULL. Checks: bg, gg and the customer as
 * bgnbd_expected() and gamma_gamma_spend() check them; time_unit not
 * positive, months outside 0..1200, monthly_discount not finite and > -1
 * (ERRCODE_INVALID_PARAMETER_VALUE); a result that is not finite
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(clv_value);
Datum
clv_value(PG_FUNCTION_ARGS)
{
	BgnbdParams bg;
	GammaGammaParams gg;
	double		x,
				t_x,
				t_cal,
				m,
				discount,
				unit_days,
				horizons[CLV_MAX_MONTHS],
				numerator[CLV_MAX_MONTHS],
				value,
				numerators,
				purchases,
				previous = 0,
				factor = 1;
	ClvValueContext ctx;
	int32		months;
	int			i;

	for (i = 0; i < PG_NARGS(); i++)
		if (i != 5 && PG_ARGISNULL(i))
			PG_RETURN_NULL();
	clv_get_bgnbd(fcinfo, 0, 0, &bg);
	clv_get_gamma_gamma(fcinfo, 1, 1, &gg);
	x = PG_GETARG_FLOAT8(2);
	t_x = PG_GETARG_FLOAT8(3);
	t_cal = PG_GETARG_FLOAT8(4);
	months = PG_GETARG_INT32(6);
	discount = PG_GETARG_FLOAT8(7);
	unit_days = (double) clv_interval_usecs("clv", "time_unit", PG_GETARG_INTERVAL_P(8)) /
		(double) CLV_USECS_PER_DAY;
	clv_check_customer("clv", x, t_x, t_cal);
	if (months < 0 || months > CLV_MAX_MONTHS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv() argument months must be between 0 and %d, got %d", CLV_MAX_MONTHS, months)));
	if (!(discount > -1) || !isfinite(discount))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("clv() argument monthly_discount must be finite and > -1, got %g", discount)));
	m = spend("clv", &gg, x, PG_ARGISNULL(5), PG_ARGISNULL(5) ? 0 : PG_GETARG_FLOAT8(5));
	memset(&ctx, 0, sizeof(ctx));
	ctx.bg = bg;
	ctx.months = months;
	ctx.discount = discount;
	ctx.unit_days = unit_days;
	if (!clv_value_cache_find(clv_function_cache(fcinfo), fcinfo->flinfo->fn_mcxt, &ctx,
							  x, t_cal, &numerators))
	{
		/* the discounted numerators N(t) of the expectation, month by month */
		for (i = 0; i < months; i++)
			horizons[i] = 30.0 * (i + 1) / unit_days;
		/* the months in blocks of 12 share one series pass */
		for (i = 0; i < months; i += 12)
			bgnbd_numerator_many(&bg, horizons + i, Min(12, months - i), x, t_cal, numerator + i);
		numerators = 0;
		for (i = 0; i < months; i++)
		{
			factor /= 1 + discount;
			numerators += (numerator[i] - previous) * factor;
			previous = numerator[i];
		}
		check_finite_result("clv", numerators);
		clv_value_cache_store(clv_function_cache(fcinfo), fcinfo->flinfo->fn_mcxt,
							  x, t_cal, numerators);
	}
	/* E[Y(t)] = N(t) P(alive): P(alive) factors out of the sum */
	purchases = numerators * bgnbd_p_alive(&bg, x, t_x, t_cal);
	value = m * purchases;
	check_finite_result("clv", value);
	PG_RETURN_FLOAT8(value);
}

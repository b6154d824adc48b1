/*
 * bgnbd_expected.c
 *	  Expected BG/NBD purchases in a future period (FHL 2005, eq. 10):
 *
 *	    E[Y(t) | x, t_x, T] = N(t) / D,
 *	    D = 1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x),
 *	    N(t) = (a+b+x-1)/(a-1) [1 - u^(r+x) 2F1(r+x, b+x; a+b+x-1; z)],
 *	    u = (alpha+T)/(alpha+T+t), z = t/(alpha+T+t) = 1 - u.
 *
 * 2F1 there can be astronomically large (x in the thousands) while u^(r+x)
 * is tiny, and (a+b+x-1)/(a-1) is singular at a = 1. So it is never
 * evaluated as written. Euler's transformation gives
 * u^(r+x) 2F1(r+x, b+x; c; z) = u^(a-1) 2F1(c', a-1; c; z) with
 * c = a+b+x-1 and c' = a+b-1-r, and since (a-1)_n = (a-1) (a)_(n-1),
 *
 *	    N(t) = c (1 - u^(a-1))/(a-1) - u^(a-1) sum_{n>=1} k_n z^n,
 *	    k_1 = c', k_(n+1) = k_n (c'+n)(a+n-1) / ((c+n)(n+1)),
 *
 * whose terms have no pole (c + n > 0 for n >= 1) and which is regular at
 * a = 1 ((1 - u^(a-1))/(a-1) is -ln u (e^y - 1)/y, y = (a-1) ln u). Its
 * terms shrink like n^(a-r-x-2) z^n: fast unless z is near 1 (a horizon
 * much longer than alpha + T) with few purchases. There, or where the two
 * parts of N cancel (b in the thousands), N is computed as what it is,
 *
 *	    N(t) = E[ (1 - (1 + p t/(alpha+T))^-(r+x)) / p ],  p ~ Beta(a, b+x),
 *
 * a bounded integrand, by double-exponential (tanh-sinh) quadrature: with
 * p = 1/(1 + e^-2v), v = (pi/2) sinh s, the Beta density times dp/ds is
 * exp(a ln p + (b+x) ln(1-p) - ln B(a, b+x)) pi cosh s, which vanishes
 * double-exponentially at both ends whatever a and b.
 */
#include "bgnbd.h"

#include <math.h>

#include "special_functions.h"

#define SERIES_MAX_TERMS 4000
/* the series is used when its parts cancel by less than this factor */
#define SERIES_MAX_CANCELLATION 1e4
#define QUAD_MAX_LEVEL 8
#define QUAD_TOL 1e-13
#define PI 3.14159265358979323846

/*
 * N(t) by the series, for n horizons whose z (increasing) and ln u are
 * given; false if it does not converge within SERIES_MAX_TERMS or cancels
 * too much at some horizon.
 */
static bool
numerator_series(const BgnbdParams *p, double x, const double *z, const double *log_u,
				 int n, double *out)
{
	double		c = p->a + p->b + x - 1,
				cp = p->a + p->b - 1 - p->r,
				k = cp,
				zmax = z[n - 1];
	double		sum[16],
				zpow[16];
	int			i,
				m,
				lo = 0;			/* horizons below lo have converged */

	if (n > 16)
		return false;
	for (i = 0; i < n; i++)
	{
		sum[i] = 0;
		zpow[i] = 1;
	}
	for (m = 1; m <= SERIES_MAX_TERMS; m++)
	{
		double		step = (cp + m) * (p->a + m - 1) / ((c + m) * (m + 1)),
					term_max,
					q;

		for (i = lo; i < n; i++)
		{
			zpow[i] *= z[i];
			sum[i] += k * zpow[i];
		}
		/*
		 * The largest horizon's term bounds the others'. Later terms shrink
		 * at least geometrically by q: the step ratio tends to z, from above
		 * or from below.
		 */
		term_max = fabs(k * zpow[n - 1]);
		q = fmax(fabs(step) * zmax, zmax);
		if (term_max == 0 || (q < 1 && term_max * q / (1 - q) <= 1e-16 * fabs(sum[n - 1])))
			break;
		/* shorter horizons (smaller z) converge first: stop adding to them */
		while (lo < n - 1)
		{
			double		t = fabs(k * zpow[lo]),
						ql = fmax(fabs(step) * z[lo], z[lo]);

			if (!(t == 0 || (ql < 1 && t * ql / (1 - ql) <= 1e-16 * fabs(sum[lo]))))
				break;
			lo++;
		}
		k *= step;
	}
	if (m > SERIES_MAX_TERMS)
		return false;
	for (i = 0; i < n; i++)
	{
		double		y = (p->a - 1) * log_u[i];
		double		part1 = c * -log_u[i] * clv_expm1_ratio(y);
		double		part2 = exp(y) * sum[i];
		double		v = part1 - part2;

		if (!(v > 0) || fabs(part1) > SERIES_MAX_CANCELLATION * v || !isfinite(v))
			return false;
		out[i] = v;
	}
	return true;
}

/* ln p and ln(1 - p) at the node s of the tanh-sinh rule */
static void
node(double s, double *log_p, double *log_q, double *log_w)
{
	double		v2 = PI * sinh(s);	/* 2v */

	*log_p = -clv_log1pexp(-v2);
	*log_q = -clv_log1pexp(v2);
	*log_w = log(PI * cosh(s));
}

/*
 * The integrand (1 - (1 + p s)^-k) / p at ln p, as s h(p s) with
 * h(y) = (1 - (1 + y)^-k) / y: for k y tiny its series k (1 - (k+1) y / 2),
 * whose next term is below 1e-17 relative there (p itself may underflow).
 */
static double
g_of(double log_p, double log_s, double k)
{
	double		s = exp(log_s),
				y = exp(log_p + log_s);

	if (y * (k + 1) < 1e-8)
		return s * k * (1 - 0.5 * (k + 1) * y);
	return s * (-expm1(-k * log1p(y)) / y);
}

/* N(t) = E[g(p)], p ~ Beta(a, b + x), by tanh-sinh quadrature */
static double
numerator_quadrature(const BgnbdParams *p, double x, double t, double t_cal)
{
	double		a = p->a,
				bb = p->b + x,
				k = p->r + x,
				log_s = log(t) - log(p->alpha + t_cal),
				log_beta = lgamma(a) + lgamma(bb) - lgamma(a + bb),
				h = 0.5,
				total = 0,
				prev = 0,
				s_max;
	int			level,
				j;

	/*
	 * Where the weight is below 1e-30 of its largest: the left tail decays
	 * like p^a, so s_max grows as a shrinks; the right one like (1-p)^b.
	 */
	s_max = asinh(fmax(70.0 / (PI * fmin(a, bb)), 1.0)) + 1.0;
	for (level = 0; level <= QUAD_MAX_LEVEL; level++)
	{
		double		sum = 0;
		int			steps = (int) ceil(s_max / h);

		/* level 0 takes every node; later levels only the new odd ones */
		for (j = -steps; j <= steps; j++)
		{
			double		s = j * h,
						log_p,
						log_q,
						log_w;

			if (level > 0 && (j % 2) == 0)
				continue;
			node(s, &log_p, &log_q, &log_w);
			sum += exp(a * log_p + bb * log_q - log_beta + log_w) * g_of(log_p, log_s, k);
		}
		total = (level == 0 ? sum : total + sum);
		if (level > 0 && fabs(total * h - prev) <= QUAD_TOL * fabs(total * h))
			return total * h;
		prev = total * h;
		h /= 2;
	}
	return prev;
}

void
bgnbd_numerator_many(const BgnbdParams *p, const double *t, int n,
					 double x, double t_cal, double *out)
{
	double		z[16] = {0},
				log_u[16] = {0};
	int			i,
				first = 0;

	/* horizons of 0 expect nothing */
	while (first < n && t[first] <= 0)
		out[first++] = 0;
	if (first == n)
		return;
	if (n - first <= 16)
	{
		for (i = first; i < n; i++)
		{
			z[i - first] = t[i] / (p->alpha + t_cal + t[i]);
			log_u[i - first] = -log1p(t[i] / (p->alpha + t_cal));
		}
		if (numerator_series(p, x, z, log_u, n - first, out + first))
			return;
	}
	/* one horizon at a time, by series or by quadrature */
	for (i = first; i < n; i++)
	{
		double		zi = t[i] / (p->alpha + t_cal + t[i]),
					lu = -log1p(t[i] / (p->alpha + t_cal));

		if (!numerator_series(p, x, &zi, &lu, 1, out + i))
			out[i] = numerator_quadrature(p, x, t[i], t_cal);
	}
}

void
bgnbd_expected_many(const BgnbdParams *p, const double *t, int n,
					double x, double t_x, double t_cal, double *out)
{
	/* N / D = N P(alive) */
	double		alive = bgnbd_p_alive(p, x, t_x, t_cal);
	int			i;

	bgnbd_numerator_many(p, t, n, x, t_cal, out);
	for (i = 0; i < n; i++)
		out[i] *= alive;
}

double
bgnbd_expected(const BgnbdParams *p, double t, double x, double t_x, double t_cal)
{
	double		out;

	bgnbd_expected_many(p, &t, 1, x, t_x, t_cal, &out);
	return out;
}

double
bgnbd_expected_quadrature(const BgnbdParams *p, double t, double x, double t_x, double t_cal)
{
	if (t <= 0)
		return 0;
	return numerator_quadrature(p, x, t, t_cal) * bgnbd_p_alive(p, x, t_x, t_cal);
}

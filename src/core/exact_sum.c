/*
 * exact_sum.c
 *	  Correctly rounded summation: see exact_sum.h.
 *
 * The partials are non-overlapping and sorted by increasing magnitude; their
 * exact sum is the exact sum of every value added so far. Finite doubles
 * need at most about 40 partials; past KM_EXACT_SUM_PARTIALS (not reachable
 * with finite input) the two smallest are merged, losing exactness only.
 */
#include "exact_sum.h"

#include <math.h>
#include <stdint.h>

void
km_exact_sum_init(KmExactSum *s)
{
	s->n = 0;
	s->overflow = 0;
}

void
km_exact_sum_add(KmExactSum *s, double x)
{
	int			i,
				j = 0;

	for (i = 0; i < s->n; i++)
	{
		double		y = s->p[i];
		double		hi,
					lo;

		if (fabs(x) < fabs(y))
		{
			double		t = x;

			x = y;
			y = t;
		}
		hi = x + y;
		lo = y - (hi - x);
		if (lo != 0)
			s->p[j++] = lo;
		x = hi;
	}
	if (!isfinite(x))
		s->overflow = 1;
	if (j == KM_EXACT_SUM_PARTIALS)
	{
		s->p[0] += s->p[1];
		for (i = 1; i < j - 1; i++)
			s->p[i] = s->p[i + 1];
		j--;
	}
	s->p[j++] = x;
	s->n = j;
}

double
km_exact_sum_result(const KmExactSum *s)
{
	double		hi = 0,
				lo = 0;
	int			n = s->n;

	if (s->overflow)
		return s->n > 0 ? s->p[s->n - 1] : 0;
	if (n > 0)
	{
		hi = s->p[--n];
		/* add from the largest down while the result is exact */
		while (n > 0)
		{
			double		x = hi,
						y = s->p[--n];

			hi = x + y;
			lo = y - (hi - x);
			if (lo != 0)
				break;
		}
		/* round-half-even correction, as in Python's fsum */
		if (n > 0 && ((lo < 0 && s->p[n - 1] < 0) || (lo > 0 && s->p[n - 1] > 0)))
		{
			double		y = lo * 2;
			double		x = hi + y;

			if (y == x - hi)
				hi = x;
		}
	}
	return hi;
}

#if defined(__SIZEOF_INT128__)

/*
 * Fixed-point summation: every value is scaled by a power of two so that
 * the largest is below 2^90, truncated to an integer and added in 128 bits.
 * Integer addition is associative, so the result depends on the multiset
 * of values only, never on their order; a value loses only the bits below
 * 2^-90 of the largest one. Much faster than the partials above.
 */
typedef __int128 Fixed;

/*
 * trunc(v) as a 128-bit integer, for |v| < 2^91, through two 64-bit
 * conversions (one instruction each) rather than the slow library call a
 * direct cast compiles to. v - hi * 2^45 is exact.
 */
static inline Fixed
to_fixed(double v)
{
	int64_t		hi = (int64_t) (v * 0x1p-45);
	int64_t		lo = (int64_t) (v - (double) hi * 0x1p45);

	return (Fixed) hi * ((Fixed) 1 << 45) + lo;
}

static double
scale_exponent(double maxabs, double *s1, double *s2)
{
	int			e,
				shift,
				half;

	(void) frexp(maxabs, &e);	/* maxabs < 2^e */
	shift = 90 - e;
	half = shift / 2;
	*s1 = ldexp(1.0, half);		/* two factors: each stays in range */
	*s2 = ldexp(1.0, shift - half);
	return (double) -shift;
}

static double
fixed_result(Fixed sum, double back)
{
	return ldexp((double) sum, (int) back);
}

double
km_exact_sum(const double *x, size_t n, size_t stride)
{
	double		maxabs = 0,
				s1,
				s2,
				back;
	Fixed		sum = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		a = fabs(x[i * stride]);

		maxabs = a > maxabs ? a : maxabs;
	}
	if (maxabs == 0 || !isfinite(maxabs))
		return maxabs == 0 ? 0 : NAN;
	back = scale_exponent(maxabs, &s1, &s2);
	for (i = 0; i < n; i++)
		sum += to_fixed(x[i * stride] * s1 * s2);
	return fixed_result(sum, back);
}

double
km_exact_sum_sqdev(const double *x, size_t n, size_t stride, double center)
{
	double		maxsq = 0,
				s1,
				s2,
				back;
	Fixed		sum = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double		t = x[i * stride] - center;

		maxsq = t * t > maxsq ? t * t : maxsq;
	}
	if (maxsq == 0 || !isfinite(maxsq))
		return maxsq == 0 ? 0 : NAN;
	back = scale_exponent(maxsq, &s1, &s2);
	for (i = 0; i < n; i++)
	{
		double		t = x[i * stride] - center;

		sum += to_fixed(t * t * s1 * s2);
	}
	return fixed_result(sum, back);
}

/*
 * The order-independent sums of every column of an n x d row-major array,
 * of the values themselves (center NULL) or of their squared deviations
 * from center[j]: two passes over the rows for all columns at once.
 */
void
km_exact_column_sums(const double *x, size_t n, int d, const double *center,
					 double *out)
{
	double		s1[KM_EXACT_SUM_MAX_COLUMNS],
				s2[KM_EXACT_SUM_MAX_COLUMNS],
				back[KM_EXACT_SUM_MAX_COLUMNS],
				maxv[KM_EXACT_SUM_MAX_COLUMNS];
	Fixed		sum[KM_EXACT_SUM_MAX_COLUMNS];
	size_t		i;
	int			j;

	for (j = 0; j < d; j++)
	{
		maxv[j] = 0;
		sum[j] = 0;
	}
	/* two loops per case, without branches inside, so they vectorize */
	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
		{
			double		t = x[i * d + j] - (center ? center[j] : 0);
			double		a = center ? t * t : fabs(t);

			maxv[j] = a > maxv[j] ? a : maxv[j];
		}
	for (j = 0; j < d; j++)
	{
		back[j] = maxv[j] > 0 ? scale_exponent(maxv[j], &s1[j], &s2[j]) : 0;
		if (maxv[j] == 0)
			s1[j] = s2[j] = 0;	/* a column of zeros adds zeros */
	}
	if (center == NULL)
		for (i = 0; i < n; i++)
			for (j = 0; j < d; j++)
				sum[j] += to_fixed(x[i * d + j] * s1[j] * s2[j]);
	else
		for (i = 0; i < n; i++)
			for (j = 0; j < d; j++)
			{
				double		t = x[i * d + j] - center[j];

				sum[j] += to_fixed(t * t * s1[j] * s2[j]);
			}
	for (j = 0; j < d; j++)
		out[j] = maxv[j] > 0 ? fixed_result(sum[j], back[j]) : 0;
}

#else							/* no 128-bit integers: the partials */

void
km_exact_column_sums(const double *x, size_t n, int d, const double *center,
					 double *out)
{
	int			j;

	for (j = 0; j < d; j++)
		out[j] = center ? km_exact_sum_sqdev(x + j, n, d, center[j]) : km_exact_sum(x + j, n, d);
}


double
km_exact_sum(const double *x, size_t n, size_t stride)
{
	KmExactSum	s;
	size_t		i;

	km_exact_sum_init(&s);
	for (i = 0; i < n; i++)
		km_exact_sum_add(&s, x[i * stride]);
	return km_exact_sum_result(&s);
}

double
km_exact_sum_sqdev(const double *x, size_t n, size_t stride, double center)
{
	KmExactSum	s;
	size_t		i;

	km_exact_sum_init(&s);
	for (i = 0; i < n; i++)
	{
		double		t = x[i * stride] - center;

		km_exact_sum_add(&s, t * t);
	}
	return km_exact_sum_result(&s);
}

#endif

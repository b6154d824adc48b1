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

/*
 * 2^-e as two factors, each within the range of a double: 2^-e alone
 * overflows for a subnormal maximum (e < -1022). Multiplying by them in
 * turn is exact wherever the product is a normal number.
 */
static void
unit_factors(int e, double *u1, double *u2)
{
	*u1 = ldexp(1.0, -e / 2);
	*u2 = ldexp(1.0, -e - (-e / 2));
}

void
km_moment_scale(double maxdev, KmMomentScale *ms)
{
	int			e;
	double		top;

	ms->e = ms->back1 = ms->back2 = 0;
	ms->unit1 = ms->unit2 = 1;
	ms->sc1 = ms->sc2 = 0;		/* a column without spread adds zeros */
	if (!(maxdev > 0))
		return;
	(void) frexp(maxdev, &ms->e);	/* maxdev < 2^e */
	unit_factors(ms->e, &ms->unit1, &ms->unit2);
	top = maxdev * ms->unit1 * ms->unit2;	/* in [1/2, 1) */
	(void) frexp(top, &e);
	ms->back1 = e - 52;
	ms->sc1 = ldexp(1.0, -ms->back1);
	(void) frexp(top * top, &e);
	ms->back2 = e - 52;
	ms->sc2 = ldexp(1.0, -ms->back2);
}

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

#define CHUNK 64				/* columns summed per pass */

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

/* Scale factors (two, each in range) bringing maxabs below 2^90. */
static int
scale_exponent(double maxabs, double *s1, double *s2)
{
	int			e,
				shift,
				half;

	(void) frexp(maxabs, &e);	/* maxabs < 2^e */
	shift = 90 - e;
	half = shift / 2;
	*s1 = ldexp(1.0, half);
	*s2 = ldexp(1.0, shift - half);
	return -shift;
}

/*
 * Columns c0 .. c0 + m - 1 (m <= CHUNK): two passes over the rows. With a
 * center, each deviation is first scaled by 2^-e (its column's largest
 * is below 2^e), exactly, so that its square cannot overflow; powers of
 * two commute with rounding, so the result is the same bits as without.
 */
static void
column_chunk(const double *x, size_t n, int m, size_t stride, const double *center,
			 double *out)
{
	double		s1[CHUNK],
				s2[CHUNK],
				maxv[CHUNK],
				unit[CHUNK],
				unit2[CHUNK];
	int			back[CHUNK],
				e[CHUNK];
	Fixed		sum[CHUNK];
	size_t		i;
	int			j;

	for (j = 0; j < m; j++)
	{
		maxv[j] = 0;
		sum[j] = 0;
	}
	for (i = 0; i < n; i++)
		for (j = 0; j < m; j++)
		{
			double		a = fabs(x[i * stride + j] - (center ? center[j] : 0));

			maxv[j] = a > maxv[j] ? a : maxv[j];
		}
	for (j = 0; j < m; j++)
		if (!isfinite(maxv[j]))
		{
			/* a deviation overflows: its squares' sum is +Infinity */
			for (j = 0; j < m; j++)
				if (isfinite(maxv[j]))
					column_chunk(x + j, n, 1, stride, center + j, out + j);
				else
					out[j] = INFINITY;
			return;
		}
	for (j = 0; j < m; j++)
	{
		double		top;

		e[j] = 0;
		unit[j] = unit2[j] = 1;
		if (center != NULL && maxv[j] > 0)
		{
			(void) frexp(maxv[j], &e[j]);
			unit_factors(e[j], &unit[j], &unit2[j]);
		}
		top = center ? (maxv[j] * unit[j] * unit2[j]) * (maxv[j] * unit[j] * unit2[j]) : maxv[j];
		back[j] = top > 0 ? scale_exponent(top, &s1[j], &s2[j]) : 0;
		if (top == 0)
			s1[j] = s2[j] = 0;	/* a column of zeros adds zeros */
	}
	/* one loop per case, without branches inside, so they vectorize */
	if (center == NULL)
		for (i = 0; i < n; i++)
			for (j = 0; j < m; j++)
				sum[j] += to_fixed(x[i * stride + j] * s1[j] * s2[j]);
	else
		for (i = 0; i < n; i++)
			for (j = 0; j < m; j++)
			{
				double		t = (x[i * stride + j] - center[j]) * unit[j] * unit2[j];

				sum[j] += to_fixed(t * t * s1[j] * s2[j]);
			}
	for (j = 0; j < m; j++)
		out[j] = maxv[j] > 0 ? ldexp((double) sum[j], back[j] + 2 * e[j]) : 0;
}

void
km_exact_column_sums(const double *x, size_t n, int m, size_t stride,
					 const double *center, double *out)
{
	int			c0;

	for (c0 = 0; c0 < m; c0 += CHUNK)
		column_chunk(x + c0, n, m - c0 < CHUNK ? m - c0 : CHUNK, stride,
					 center ? center + c0 : NULL, out + c0);
}

/*
 * Columns c0 .. c0 + m - 1 (m <= CHUNK) of km_exact_moment_sums, in one
 * pass. Each deviation is first scaled by 2^-e (maxdev < 2^e), exactly, so
 * that it and its square lie below 1 whatever the magnitude of the data
 * (a square of 1e200 would overflow). Then a scale brings the largest
 * (and the largest square) just below 2^52, so each value becomes an int64
 * in one conversion and blocks of MOMENT_BLOCK values add up in 64 bits
 * before going into the 128-bit totals: a value keeps its bits down to
 * 2^-52 of the largest deviation, which is far more than a scaler needs,
 * and several times faster than to_fixed(). Scaling by powers of two
 * commutes with rounding, so the sums are the same bits as those of the
 * unscaled deviations would be, times 2^-e (2^-2e).
 */
#define MOMENT_BLOCK 2048		/* 2^11 values below 2^52 stay below 2^63 */

/* Blocks of MOMENT_BLOCK rows in one item of the parallel loop. */
#define MOMENT_ITEM_BLOCKS 16
#define MOMENT_THREADS 8		/* at most, for this pass */

typedef struct MomentPass
{
	const double *x;
	size_t		n;
	int			m;
	size_t		stride;
	const double *center;
	double		unit[CHUNK],
				unit2[CHUNK];	/* 2^-e in two factors: deviations to below 1 */
	double		sc1[CHUNK],
				sc2[CHUNK];		/* scales of those, and of their squares */
	Fixed	   *sum1,
			   *sum2;			/* per worker: CHUNK totals each */
} MomentPass;

/*
 * One item: its blocks' 64-bit sums go into the worker's 128-bit totals.
 * Integer addition: which worker adds which item does not matter.
 */
static void
moment_item(void *arg, int worker, size_t item)
{
	MomentPass *pass = arg;
	Fixed	   *sum1 = pass->sum1 + (size_t) worker * CHUNK;
	Fixed	   *sum2 = pass->sum2 + (size_t) worker * CHUNK;
	size_t		first = item * MOMENT_ITEM_BLOCKS * MOMENT_BLOCK;
	size_t		last = first + MOMENT_ITEM_BLOCKS * MOMENT_BLOCK;
	size_t		start,
				i;
	int			j,
				m = pass->m;

	if (last > pass->n)
		last = pass->n;
	for (start = first; start < last; start += MOMENT_BLOCK)
	{
		size_t		end = start + MOMENT_BLOCK < last ? start + MOMENT_BLOCK : last;
		int64_t		b1[CHUNK],
					b2[CHUNK];

		for (j = 0; j < m; j++)
			b1[j] = b2[j] = 0;
		for (i = start; i < end; i++)
			for (j = 0; j < m; j++)
			{
				double		t = (pass->x[i * pass->stride + j] - pass->center[j]) *
					pass->unit[j] * pass->unit2[j];

				b1[j] += (int64_t) (t * pass->sc1[j]);
				b2[j] += (int64_t) (t * t * pass->sc2[j]);
			}
		for (j = 0; j < m; j++)
		{
			sum1[j] += b1[j];
			sum2[j] += b2[j];
		}
	}
}

static void
moment_chunk(const double *x, size_t n, int m, size_t stride, const double *center,
			 const double *maxdev, double *s1, double *s2, int *exps, const KmParallel *par)
{
	KmParallel	few;
	int			threads;
	MomentPass	pass;
	Fixed		sum1[MOMENT_THREADS * CHUNK],
				sum2[MOMENT_THREADS * CHUNK];
	int			back1[CHUNK],
				back2[CHUNK];
	int			j,
				t;

	/* the totals live on the stack: a few threads are plenty for this pass */
	par = km_parallel_capped(par, MOMENT_THREADS, &few);
	threads = km_parallel_threads(par);
	pass.x = x;
	pass.n = n;
	pass.m = m;
	pass.stride = stride;
	pass.center = center;
	pass.sum1 = sum1;
	pass.sum2 = sum2;
	for (j = 0; j < m; j++)
	{
		KmMomentScale ms;

		for (t = 0; t < threads; t++)
			sum1[t * CHUNK + j] = sum2[t * CHUNK + j] = 0;
		km_moment_scale(maxdev[j], &ms);
		exps[j] = ms.e;
		pass.unit[j] = ms.unit1;
		pass.unit2[j] = ms.unit2;
		pass.sc1[j] = ms.sc1;
		pass.sc2[j] = ms.sc2;
		back1[j] = ms.back1;
		back2[j] = ms.back2;
	}
	km_parallel_for(par, (n + MOMENT_ITEM_BLOCKS * MOMENT_BLOCK - 1) /
					(MOMENT_ITEM_BLOCKS * MOMENT_BLOCK), moment_item, &pass);
	for (j = 0; j < m; j++)
	{
		for (t = 1; t < threads; t++)
		{
			sum1[j] += sum1[t * CHUNK + j];
			sum2[j] += sum2[t * CHUNK + j];
		}
		s1[j] = maxdev[j] > 0 ? ldexp((double) sum1[j], back1[j]) : 0;
		s2[j] = maxdev[j] > 0 ? ldexp((double) sum2[j], back2[j]) : 0;
	}
}

void
km_exact_moment_sums(const double *x, size_t n, int m, size_t stride,
					 const double *center, const double *maxdev, double *s1, double *s2,
					 int *exps, const KmParallel *par)
{
	int			c0;

	for (c0 = 0; c0 < m; c0 += CHUNK)
		moment_chunk(x + c0, n, m - c0 < CHUNK ? m - c0 : CHUNK, stride, center + c0,
					 maxdev + c0, s1 + c0, s2 + c0, exps + c0, par);
}

#else							/* no 128-bit integers: the partials */

void
km_exact_column_sums(const double *x, size_t n, int m, size_t stride,
					 const double *center, double *out)
{
	int			j;

	for (j = 0; j < m; j++)
	{
		KmExactSum	s;
		size_t		i;

		km_exact_sum_init(&s);
		for (i = 0; i < n; i++)
		{
			double		t = x[i * stride + j] - (center ? center[j] : 0);

			km_exact_sum_add(&s, center ? t * t : t);
		}
		out[j] = km_exact_sum_result(&s);
	}
}

void
km_exact_moment_sums(const double *x, size_t n, int m, size_t stride,
					 const double *center, const double *maxdev, double *s1, double *s2,
					 int *exps, const KmParallel *par)
{
	int			j;

	(void) par;					/* the partials run in one thread */
	for (j = 0; j < m; j++)
	{
		KmExactSum	a,
					b;
		double		unit = 1,
					unit2 = 1;
		size_t		i;

		exps[j] = 0;
		if (maxdev[j] > 0)
		{
			(void) frexp(maxdev[j], &exps[j]);
			unit_factors(exps[j], &unit, &unit2);
		}
		km_exact_sum_init(&a);
		km_exact_sum_init(&b);
		for (i = 0; i < n; i++)
		{
			double		t = (x[i * stride + j] - center[j]) * unit * unit2;

			km_exact_sum_add(&a, t);
			km_exact_sum_add(&b, t * t);
		}
		s1[j] = km_exact_sum_result(&a);
		s2[j] = km_exact_sum_result(&b);
	}
}

#endif

double
km_exact_sum(const double *x, size_t n, size_t stride)
{
	double		out;

	km_exact_column_sums(x, n, 1, stride, NULL, &out);
	return out;
}

double
km_exact_sum_sqdev(const double *x, size_t n, size_t stride, double center)
{
	double		out;

	km_exact_column_sums(x, n, 1, stride, &center, &out);
	return out;
}

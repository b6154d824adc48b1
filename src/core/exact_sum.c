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

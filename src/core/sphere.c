/*
 * sphere.c
 *	  Rows on the unit sphere: see sphere.h.
 */
#include "sphere.h"

#include <math.h>

/* The largest absolute value of the d-vector v; NaN when v holds a NaN. */
static double
max_abs(const double *v, int d)
{
	double		m = 0;
	int			j;

	for (j = 0; j < d; j++)
	{
		double		a = fabs(v[j]);

		if (isnan(a))
			return a;
		if (a > m)
			m = a;
	}
	return m;
}

/*
 * The Euclidean length of v / m, m its largest absolute value (> 0): every
 * term is at most 1 and the largest is 1, so the sum of squares lies in
 * [1, d] and can neither overflow nor underflow.
 */
static double
scaled_norm(const double *v, int d, double m)
{
	double		s = 0;
	int			j;

	for (j = 0; j < d; j++)
	{
		double		t = v[j] / m;

		s += t * t;
	}
	return sqrt(s);
}

size_t
km_normalize_rows(double *x, size_t n, int d)
{
	size_t		first_zero = KM_NO_ZERO_ROW;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		double	   *v = x + i * d;
		double		m = max_abs(v, d),
					r;
		int			j;

		if (m == 0)
		{
			/* no direction: left as it is, the first one reported */
			if (first_zero == KM_NO_ZERO_ROW)
				first_zero = i;
			continue;
		}
		/* m infinite or NaN: r is NaN, and so is every value */
		r = scaled_norm(v, d, m);
		for (j = 0; j < d; j++)
			v[j] = v[j] / m / r;
	}
	return first_zero;
}

size_t
km_first_zero_row(const double *x, size_t n, int d)
{
	size_t		i;

	for (i = 0; i < n; i++)
		if (max_abs(x + i * d, d) == 0)
			return i;
	return KM_NO_ZERO_ROW;
}

double
km_cosine_distance(const double *a, const double *b, int d)
{
	double		ma = max_abs(a, d),
				mb = max_abs(b, d),
				ra,
				rb,
				s = 0;
	int			j;

	if (!(ma > 0 && ma < INFINITY && mb > 0 && mb < INFINITY))
		return NAN;
	ra = scaled_norm(a, d, ma);
	rb = scaled_norm(b, d, mb);

	/*
	 * Half the squared distance of the two unit vectors rather than 1 - cos:
	 * for nearly parallel vectors the cosine rounds to 1 and the difference
	 * to 0, while the unit vectors' difference keeps its relative accuracy.
	 */
	for (j = 0; j < d; j++)
	{
		double		t = a[j] / ma / ra - b[j] / mb / rb;

		s += t * t;
	}
	s *= 0.5;
	/* |u - v|^2 <= (|u| + |v|)^2, 4 up to rounding */
	return s > 2 ? 2 : s;
}

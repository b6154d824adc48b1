/*
 * kmeans_distance.c
 *	  Distances between points and the nearest of several centroids (see
 *	  kmeans.h): plain squared distances, and where the squares overflow,
 *	  the same comparisons on coordinates scaled by a common power of two.
 */
#include "kmeans.h"

#include "kmeans_run.h"

#include <math.h>

double
km_dist2(const double *a, const double *b, int d)
{
	return dist2(a, b, d);
}

/*
 * The largest exponent E with 2^(E-1) <= |v| over the point p and k
 * centroids: scaling every coordinate by 2^-E (exact) brings them below 1,
 * so differences stay below 2 and no square can overflow.
 */
static int
common_exponent(const double *p, const double *centroids, int k, int d)
{
	double		top = 0;
	size_t		i;
	int			e = 0;

	for (i = 0; i < (size_t) d; i++)
		top = fabs(p[i]) > top ? fabs(p[i]) : top;
	for (i = 0; i < (size_t) k * d; i++)
		top = fabs(centroids[i]) > top ? fabs(centroids[i]) : top;
	if (top > 0)
		(void) frexp(top, &e);
	return e;
}

/* dist2 of a and b scaled by 2^-e each (the squared distance times 2^-2e). */
static double
dist2_scaled(const double *a, const double *b, int d, int e)
{
	double		s = 0;
	int			j;

	for (j = 0; j < d; j++)
	{
		double		t = ldexp(a[j], -e) - ldexp(b[j], -e);

		s += t * t;
	}
	return s;
}

/*
 * km_nearest when every squared distance overflowed: the same search on
 * coordinates scaled by a common power of two, which ranks the centroids
 * as the exact distances do. *dist2 gets the unscaled value (+Infinity
 * when it is past DBL_MAX), *dist the distance.
 */
static int
nearest_scaled(const double *p, const double *centroids, int k, int d, double *dist2,
			   double *dist)
{
	int			e = common_exponent(p, centroids, k, d);
	int			best = 0;
	double		best_d = dist2_scaled(p, centroids, d, e);
	int			c;

	for (c = 1; c < k; c++)
	{
		double		t = dist2_scaled(p, centroids + (size_t) c * d, d, e);

		if (t < best_d)
		{
			best_d = t;
			best = c;
		}
	}
	*dist2 = ldexp(best_d, 2 * e);
	*dist = ldexp(sqrt(best_d), e);
	return best;
}

int
km_nearest(const double *p, const double *centroids, int k, int d, double *out_dist2)
{
	int			best = 0;
	double		best_d = dist2(p, centroids, d);
	int			c;

	for (c = 1; c < k; c++)
	{
		double		t = dist2(p, centroids + (size_t) c * d, d);

		if (t < best_d)
		{
			best_d = t;
			best = c;
		}
	}
	if (!(best_d < INFINITY))
	{
		/* own variables: best_d's address must not escape the loop above */
		double		scaled_d2,
					dist;

		best = nearest_scaled(p, centroids, k, d, &scaled_d2, &dist);
		best_d = scaled_d2;
	}
	if (out_dist2)
		*out_dist2 = best_d;
	return best;
}

double
km_distance(const double *a, const double *b, int d)
{
	double		t = dist2(a, b, d);
	double		dist;

	if (t < INFINITY)
		return sqrt(t);
	(void) nearest_scaled(a, b, 1, d, &t, &dist);
	return dist;
}

/*
 * value_range.c
 *	  Whether k-means arithmetic on scaled data stays finite: see
 *	  value_range.h.
 */
#include "value_range.h"

#include <float.h>
#include <math.h>

/* What any sum of the run may reach: DBL_MAX with room for rounding. */
#define SAFE_TOTAL (DBL_MAX / 16)

/*
 * How far a computed centroid may stray outside the box, relative to the
 * box's largest magnitude: a mean is a sum of n values divided by n, and
 * the blocked sums of the passes round by well under 2^-30 of it. Near
 * 1e226, even a point's distance to a centroid of the same value, one
 * rounding step away, squares past DBL_MAX: the fuzzer found that, and
 * this margin is what the box check adds for it.
 */
#define ROUNDING_SLACK 0x1p-30

void
km_scaled_box(const double *lo, const double *hi, const double *offset,
			  const double *factor, int d, double *box_lo, double *box_hi)
{
	int			j;

	for (j = 0; j < d; j++)
	{
		box_lo[j] = (lo[j] - offset[j]) / factor[j];
		box_hi[j] = (hi[j] - offset[j]) / factor[j];
	}
}

void
km_box_include(double *box_lo, double *box_hi, int d, const double *points, size_t count)
{
	size_t		i;
	int			j;

	for (i = 0; i < count; i++)
		for (j = 0; j < d; j++)
		{
			double		v = points[i * d + j];

			box_lo[j] = v < box_lo[j] ? v : box_lo[j];
			box_hi[j] = v > box_hi[j] ? v : box_hi[j];
		}
}

int
km_box_unsafe_feature(const double *box_lo, const double *box_hi, int d, size_t n)
{
	double		limit = SAFE_TOTAL / (double) (n > 0 ? n : 1);
	double		width2 = 0;
	int			widest = 0,
				j;

	double		widest_w = -1;

	for (j = 0; j < d; j++)
	{
		double		w = box_hi[j] - box_lo[j];
		double		top = fmax(fabs(box_lo[j]), fabs(box_hi[j]));

		/* NaN (an infinite factor over an infinite range) fails too */
		if (!isfinite(box_lo[j]) || !isfinite(box_hi[j]) || !(w >= 0) || !isfinite(w))
			return j;
		if (top > limit)
			return j;			/* a cluster's sum could overflow */
		w += top * ROUNDING_SLACK;	/* where a centroid may round to */
		if (w > widest_w)
		{
			widest = j;
			widest_w = w;
		}
		width2 += w * w;		/* +Infinity when a square overflows */
	}
	return width2 <= limit ? -1 : widest;
}

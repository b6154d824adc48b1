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

	for (j = 0; j < d; j++)
	{
		double		w = box_hi[j] - box_lo[j];

		/* NaN (an infinite factor over an infinite range) fails too */
		if (!isfinite(box_lo[j]) || !isfinite(box_hi[j]) || !(w >= 0) || !isfinite(w))
			return j;
		if (fabs(box_lo[j]) > limit || fabs(box_hi[j]) > limit)
			return j;			/* a cluster's sum could overflow */
		if (w > box_hi[widest] - box_lo[widest])
			widest = j;
		width2 += w * w;		/* +Infinity when a square overflows */
	}
	return width2 <= limit ? -1 : widest;
}

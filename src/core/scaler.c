/*
 * scaler.c
 *	  Feature scaling: see scaler.h.
 */
#include "scaler.h"

#include <math.h>

void
km_scaler_fit(KmScale kind, const double *x, size_t n, int d,
			  double *offset, double *factor)
{
	int			j;

	for (j = 0; j < d; j++)
	{
		double		off = 0,
					fac = 1;
		size_t		i;

		if (kind == KM_SCALE_ZSCORE && n > 0)
		{
			double		mean = 0,
						m2 = 0;

			/* Welford: stable in one pass */
			for (i = 0; i < n; i++)
			{
				double		v = x[i * d + j];
				double		delta = v - mean;

				mean += delta / (double) (i + 1);
				m2 += delta * (v - mean);
			}
			off = mean;
			fac = sqrt(m2 / (double) n);
		}
		else if (kind == KM_SCALE_MINMAX && n > 0)
		{
			double		lo = x[j],
						hi = x[j];

			for (i = 1; i < n; i++)
			{
				double		v = x[i * d + j];

				lo = v < lo ? v : lo;
				hi = v > hi ? v : hi;
			}
			off = lo;
			fac = hi - lo;
		}
		if (!(fac > 0) || !isfinite(fac))
			fac = 1;
		offset[j] = off;
		factor[j] = fac;
	}
}

void
km_scaler_apply(const double *offset, const double *factor, int d,
				double *x, size_t n)
{
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			x[i * d + j] = (x[i * d + j] - offset[j]) / factor[j];
}

void
km_scaler_unapply(const double *offset, const double *factor, int d,
				  double *x, size_t n)
{
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			x[i * d + j] = x[i * d + j] * factor[j] + offset[j];
}

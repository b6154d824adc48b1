/*
 * scaler.c
 *	  Feature scaling: see scaler.h.
 */
#include "scaler.h"

#include <math.h>

#include "exact_sum.h"

double
km_scaler_fit_variance(KmScale kind, const double *x, size_t n, int d,
					   double *offset, double *factor)
{
	double		total = 0;
	int			j;

	/*
	 * Order-independent sums, so the scaler (and every draw keyed on scaled
	 * values) does not depend on the row order. offset holds the means and
	 * factor the variances until each column is finished below.
	 */
	if (n > 0)
	{
		km_exact_column_sums(x, n, d, d, NULL, offset);
		for (j = 0; j < d; j++)
			offset[j] /= (double) n;
		km_exact_column_sums(x, n, d, d, offset, factor);
		for (j = 0; j < d; j++)
			factor[j] /= (double) n;
	}
	for (j = 0; j < d; j++)
	{
		double		m = n > 0 ? offset[j] : 0,
					v = n > 0 ? factor[j] : 0,
					off = 0,
					fac = 1;
		size_t		i;

		if (kind == KM_SCALE_ZSCORE)
		{
			off = m;
			fac = sqrt(v);
		}
		else if (kind == KM_SCALE_MINMAX && n > 0)
		{
			double		lo = x[j],
						hi = x[j];

			for (i = 1; i < n; i++)
			{
				double		t = x[i * d + j];

				lo = t < lo ? t : lo;
				hi = t > hi ? t : hi;
			}
			off = lo;
			fac = hi - lo;
		}
		if (!(fac > 0) || !isfinite(fac))
			fac = 1;
		offset[j] = off;
		factor[j] = fac;
		total += v / (fac * fac);
	}
	return d > 0 ? total / d : 0;
}

void
km_scaler_fit(KmScale kind, const double *x, size_t n, int d,
			  double *offset, double *factor)
{
	(void) km_scaler_fit_variance(kind, x, n, d, offset, factor);
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

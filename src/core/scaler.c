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
	double		mean[KM_EXACT_SUM_MAX_COLUMNS],
				var[KM_EXACT_SUM_MAX_COLUMNS];
	int			j;

	/*
	 * Order-independent sums, so the scaler (and every draw keyed on scaled
	 * values) does not depend on the row order; all columns per pass.
	 */
	if (n > 0 && d <= KM_EXACT_SUM_MAX_COLUMNS)
	{
		km_exact_column_sums(x, n, d, NULL, mean);
		for (j = 0; j < d; j++)
			mean[j] /= (double) n;
		km_exact_column_sums(x, n, d, mean, var);
		for (j = 0; j < d; j++)
			var[j] /= (double) n;
	}
	for (j = 0; j < d; j++)
	{
		double		m = 0,
					v = 0,
					off = 0,
					fac = 1;
		size_t		i;

		if (n > 0 && d <= KM_EXACT_SUM_MAX_COLUMNS)
		{
			m = mean[j];
			v = var[j];
		}
		else if (n > 0)
		{
			m = km_exact_sum(x + j, n, d) / (double) n;
			v = km_exact_sum_sqdev(x + j, n, d, m) / (double) n;
		}
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

/*
 * scaler.c
 *	  Feature scaling: see scaler.h.
 */
#include "scaler.h"

#include <math.h>

#include "exact_sum.h"
#include "simd.h"

void
km_scaler_center(double lo, double hi, double *center, double *maxdev)
{
	double		c = lo == hi ? lo : lo / 2 + hi / 2;	/* no overflow */

	*center = c;
	*maxdev = hi - c > c - lo ? hi - c : c - lo;
}

double
km_scaler_column(KmScale kind, size_t n, double lo, double hi, double center,
				 double s1, double s2, int e, double *offset, double *factor)
{
	double		shift = s1 / (double) n;	/* units of 2^e */
	double		mean = center + ldexp(shift, e);
	double		var = s2 / (double) n - shift * shift;	/* units of 2^2e */
	double		off = 0,
				fac = 1,
				fac_units;

	if (!(var > 0))
		var = 0;
	if (kind == KM_SCALE_ZSCORE)
	{
		off = mean;
		fac = ldexp(sqrt(var), e);	/* at most maxdev */
	}
	else if (kind == KM_SCALE_MINMAX)
	{
		off = lo;
		fac = hi - lo;			/* +Infinity past DBL_MAX: the range check refuses it */
	}
	if (!(fac > 0))
		fac = 1;
	*offset = off;
	*factor = fac;
	/* the scaled variance var 2^2e / fac^2, without forming 2^2e */
	fac_units = ldexp(fac, -e);
	return var > 0 ? var / (fac_units * fac_units) : 0;
}

double
km_scaler_fit_variance(KmScale kind, const double *x, size_t n, int d,
					   const double *col_min, const double *col_max,
					   double *offset, double *factor, const KmParallel *par)
{
	double		total = 0;
	double	   *lo = offset,		/* offset and factor hold the ranges, */
			   *hi = factor;		/* then the centers and spreads, first */
	int			j;
	size_t		i;

	if (n == 0)
	{
		for (j = 0; j < d; j++)
		{
			offset[j] = 0;
			factor[j] = 1;
		}
		return 0;
	}
	for (j = 0; j < d; j++)
	{
		lo[j] = col_min ? col_min[j] : x[j];
		hi[j] = col_max ? col_max[j] : x[j];
	}
	if (col_min == NULL || col_max == NULL)
		for (i = 1; i < n; i++)
			for (j = 0; j < d; j++)
			{
				double		t = x[i * d + j];

				lo[j] = t < lo[j] ? t : lo[j];
				hi[j] = t > hi[j] ? t : hi[j];
			}

	/*
	 * Mean and variance from order-independent sums of the deviations from
	 * the middle of the range, in one pass: the scaler (and every draw keyed
	 * on scaled values) does not depend on the row order, and centring on
	 * the mid-range keeps the variance free of cancellation unless one value
	 * lies very far out. The sums come in units of 2^e (maxdev < 2^e), so
	 * nothing is squared in original units: values near DBL_MAX get a
	 * finite spread. Powers of two commute with rounding, so these are the
	 * same bits as the plain formulas wherever those do not overflow.
	 */
	{
		double		center[64],
					maxdev[64],
					s1[64],
					s2[64];
		int			exps[64];
		int			j0;

		for (j0 = 0; j0 < d; j0 += 64)
		{
			int			m = d - j0 < 64 ? d - j0 : 64;

			for (j = 0; j < m; j++)
				km_scaler_center(lo[j0 + j], hi[j0 + j], &center[j], &maxdev[j]);
			km_exact_moment_sums(x + j0, n, m, (size_t) d, center, maxdev, s1, s2, exps, par);
			for (j = 0; j < m; j++)
				total += km_scaler_column(kind, n, lo[j0 + j], hi[j0 + j], center[j], s1[j], s2[j],
										  exps[j], &offset[j0 + j], &factor[j0 + j]);
		}
	}
	return d > 0 ? total / d : 0;
}

void
km_scaler_fit(KmScale kind, const double *x, size_t n, int d,
			  double *offset, double *factor)
{
	(void) km_scaler_fit_variance(kind, x, n, d, NULL, NULL, offset, factor, NULL);
}

static void
apply_scalar(const double *offset, const double *factor, int d, double *x, size_t from,
			 size_t to)
{
	size_t		i;
	int			j;

	for (i = from; i < to; i++)
		for (j = 0; j < d; j++)
			x[i * d + j] = (x[i * d + j] - offset[j]) / factor[j];
}

#ifdef KM_X86_SIMD

/*
 * Rows [0, rows) with rows a multiple of 4: the array seen as 4 d-row
 * groups of d vectors, each vector against the offsets and factors of its
 * positions (the same pattern in every group). Division, not a reciprocal:
 * the same values as the scalar loop, and as predict() computes.
 */
__attribute__((target("avx2")))
static void
apply_avx2(const double *offset, const double *factor, int d, double *x, size_t rows)
{
	km_v4d			off[64],
				fac[64];
	size_t		v,
				i;
	int			t;

	for (t = 0; t < d; t++)		/* d vectors cover 4 rows */
	{
		int			l;

		for (l = 0; l < 4; l++)
		{
			off[t][l] = offset[(t * 4 + l) % d];
			fac[t][l] = factor[(t * 4 + l) % d];
		}
	}
	for (i = 0; i < rows; i += 4)
		for (v = 0; v < (size_t) d; v++)
		{
			km_v4d			val;
			double	   *p = x + i * d + v * 4;

			__builtin_memcpy(&val, p, sizeof(val));
			val = (val - off[v]) / fac[v];
			__builtin_memcpy(p, &val, sizeof(val));
		}
}
#endif

#define APPLY_ITEM_ROWS 16384	/* a multiple of 4: whole vectors per item */

typedef struct ApplyPass
{
	const double *offset;
	const double *factor;
	int			d;
	double	   *x;
	size_t		n;
} ApplyPass;

static void
apply_item(void *arg, int worker, size_t item)
{
	ApplyPass  *pass = arg;
	size_t		from = item * APPLY_ITEM_ROWS;
	size_t		to = from + APPLY_ITEM_ROWS < pass->n ? from + APPLY_ITEM_ROWS : pass->n;
	size_t		done = from;

	(void) worker;
#ifdef KM_X86_SIMD
	if (pass->d <= 64 && km_cpu_has_avx2())
	{
		done = from + (to - from) / 4 * 4;
		apply_avx2(pass->offset, pass->factor, pass->d, pass->x + from * pass->d, done - from);
	}
#endif
	apply_scalar(pass->offset, pass->factor, pass->d, pass->x, done, to);
}

void
km_scaler_apply(const double *offset, const double *factor, int d,
				double *x, size_t n, const KmParallel *par)
{
	ApplyPass	pass = {offset, factor, d, x, n};

	km_parallel_for(par, (n + APPLY_ITEM_ROWS - 1) / APPLY_ITEM_ROWS, apply_item, &pass);
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

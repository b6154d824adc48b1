/*
 * scaler.h
 *	  Feature scaling stored inside a model: scaled = (x - offset) / factor.
 *	  Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_SCALER_H
#define RFM_SCALER_H

#include <stddef.h>

#include "parallel_for.h"

typedef enum KmScale
{
	KM_SCALE_NONE = 0,			/* offset 0, factor 1 */
	KM_SCALE_ZSCORE = 1,		/* mean, population standard deviation */
	KM_SCALE_MINMAX = 2			/* minimum, maximum - minimum: to 0..1 */
} KmScale;

/*
 * Fit offset[d] and factor[d] on the n x d rows of x. A feature with no
 * spread (zero standard deviation or range) gets factor 1: it is only
 * shifted, to 0, and so never divides by zero nor affects distances.
 */
void		km_scaler_fit(KmScale kind, const double *x, size_t n, int d,
						  double *offset, double *factor);

/*
 * The same, also returning the mean over features of the variance of the
 * scaled data (the unit of k-means' tol), from the same sums. col_min and
 * col_max, when the caller already has them (the loader does), spare a
 * pass over the rows; NULL to compute them.
 */
double		km_scaler_fit_variance(KmScale kind, const double *x, size_t n, int d,
								   const double *col_min, const double *col_max,
								   double *offset, double *factor, const KmParallel *par);

/*
 * The steps of km_scaler_fit_variance for one column, for whoever computes
 * its sums elsewhere (aggregate mode, in SQL; see km_moment_scale): the
 * center (middle of the range) and the largest deviation from it; then,
 * from the range, the center and the moment sums s1, s2 about it in units
 * of 2^e and 2^2e (exact_sum.h), the column's offset and factor. Returns
 * the variance of the scaled column.
 */
void		km_scaler_center(double lo, double hi, double *center, double *maxdev);
double		km_scaler_column(KmScale kind, size_t n, double lo, double hi, double center,
							 double s1, double s2, int e, double *offset, double *factor);

/*
 * Scale n rows in place (on par's threads; NULL: the caller's only), or
 * turn scaled rows back into original units.
 */
void		km_scaler_apply(const double *offset, const double *factor, int d,
							double *x, size_t n, const KmParallel *par);
void		km_scaler_unapply(const double *offset, const double *factor, int d,
							  double *x, size_t n);

#endif							/* RFM_SCALER_H */

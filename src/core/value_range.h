/*
 * value_range.h
 *	  Whether k-means arithmetic on scaled data stays finite. Plain C99, no
 *	  PostgreSQL headers.
 *
 * Every quantity a training or an evaluation adds up is bounded by the
 * box that holds the scaled rows (and any given centroids): a squared
 * distance between two points of the box is at most S2 = sum over
 * features of the box's width squared (widened by the rounding of a
 * computed mean, 2^-30 of the box's magnitude); an inertia, a k-means++ potential,
 * a metric's sum of squares at most n S2; a cluster's sum of feature j at
 * most n max(|lo_j|, |hi_j|). Centroids are means of rows, so they stay
 * in the box. When those bounds are below DBL_MAX / 16, no sum, square or
 * distance of the run can overflow; checking them once, before the run,
 * is what lets every pass stay free of per-row overflow tests.
 */
#ifndef RFM_VALUE_RANGE_H
#define RFM_VALUE_RANGE_H

#include <stddef.h>

/*
 * The box of the scaled data, per feature: (lo - offset) / factor and
 * (hi - offset) / factor, from the column ranges in original units (a
 * scaled value that overflows makes its side infinite).
 */
void		km_scaled_box(const double *lo, const double *hi, const double *offset,
						  const double *factor, int d, double *box_lo, double *box_hi);

/* Widen the box to hold count more d-points (starting or model centroids). */
void		km_box_include(double *box_lo, double *box_hi, int d, const double *points,
						   size_t count);

/*
 * -1 when n rows in the box keep every sum finite (see above); otherwise
 * the feature to blame: the first with a non-finite side, else the one
 * whose magnitude or width breaks the bound (the largest).
 */
int			km_box_unsafe_feature(const double *box_lo, const double *box_hi, int d,
								  size_t n);

#endif							/* RFM_VALUE_RANGE_H */

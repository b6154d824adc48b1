/*
 * sphere.h
 *	  Rows on the unit sphere, for spherical (cosine-distance) k-means:
 *	  scaling rows to unit Euclidean length and the cosine distance of two
 *	  vectors, both without overflow or underflow for any finite values.
 *	  Plain C99, no PostgreSQL headers.
 *
 * For unit vectors x and c, |x - c|^2 = 2 - 2 x.c = 2 (1 - cos): the
 * nearest centroid by Euclidean distance is the most similar by cosine,
 * and the cosine distance is half the squared Euclidean one.
 */
#ifndef RFM_SPHERE_H
#define RFM_SPHERE_H

#include <stddef.h>

/* What km_normalize_rows and km_first_zero_row return when no row is zero. */
#define KM_NO_ZERO_ROW ((size_t) -1)

/*
 * Scale each of the n rows of the row-major n x d array x to unit
 * Euclidean length, in place. Rows are divided by their largest absolute
 * value first, so huge (1e300) and tiny (1e-300, subnormal) values neither
 * overflow nor underflow. Returns the index of the first all-zero row
 * (every value 0 or -0), or KM_NO_ZERO_ROW when there is none; either way
 * every row is processed: the zero rows are left as they are (zero) and
 * all the others are scaled. Values must be finite: a row holding an
 * infinity or a NaN comes out as all NaN.
 */
size_t		km_normalize_rows(double *x, size_t n, int d);

/* The index of the first all-zero row of x (n x d), or KM_NO_ZERO_ROW. */
size_t		km_first_zero_row(const double *x, size_t n, int d);

/*
 * The cosine distance 1 - a.b / (|a| |b|) of two d-vectors, in [0, 2].
 * Computed as |a/|a| - b/|b||^2 / 2, each vector first divided by its
 * largest absolute value: no overflow or underflow for finite values, and
 * accurate for nearly parallel vectors too (where 1 - cos would cancel to
 * 0). NaN when either vector is all zeros (it has no direction) or holds
 * a non-finite value.
 */
double		km_cosine_distance(const double *a, const double *b, int d);

#endif							/* RFM_SPHERE_H */

/*
 * cosine.h
 *	  distance => 'cosine': spherical k-means. Rows are scaled by the
 *	  model's scaler, then to unit length (core/sphere.h); centroids stay on
 *	  the unit sphere. A row's distance is its cosine distance 1 - cos to
 *	  the centroid, which is |x - c|^2 / 2 for the unit vectors: so the
 *	  nearest centroid is the Euclidean nearest of the unit vectors, and
 *	  inertia is the sum of the rows' cosine distances.
 */
#ifndef RFM_COSINE_H
#define RFM_COSINE_H

#include "postgres.h"

/*
 * Scale the n x d rows of x to unit length; ERROR 22000 when one is all
 * zeros (it has no direction), naming what the rows are.
 */
void		unit_rows(double *x, size_t n, int d, const char *what);

/*
 * Centroids back on the unit sphere after an update (next, k x d): a mean
 * that is exactly zero keeps the centroid it replaces (prev).
 */
void		unit_centroids(double *next, const double *prev, int k, int d);

#endif							/* RFM_COSINE_H */

/*
 * kmeans_step.h
 *	  One Lloyd step as a combinable aggregate state: the centroids the step
 *	  assigns to, and per cluster the count and compensated sums of the rows
 *	  assigned, plus the inertia; optionally the scaler that brings rows
 *	  given in original units into the centroids' space. One flat, pointer-free buffer (the glue
 *	  layer wraps it in a varlena), so partial states can be shipped between
 *	  parallel workers or nodes. Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_KMEANS_STEP_H
#define RFM_KMEANS_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KM_STEP_VERSION 1		/* rows come scaled */
#define KM_STEP_VERSION_SCALED 2	/* the state scales rows itself */
#define KM_STEP_MAX_K 10000
#define KM_STEP_MAX_D 1000

typedef struct KmStepState
{
	int32_t		vl_len_;		/* reserved for the container's length word */
	uint8_t		version;		/* KM_STEP_VERSION or KM_STEP_VERSION_SCALED */
	uint8_t		reserved[3];
	int32_t		k;
	int32_t		d;
	int64_t		rows;
	double		inertia;		/* compensated: inertia + inertia_comp */
	double		inertia_comp;
	/*
	 * double centroids[k*d]; int64_t counts[k]; double sums[k*d];
	 * double comps[k*d]; and with KM_STEP_VERSION_SCALED the scaler,
	 * double offsets[d]; double factors[d]; and the compensated sum of
	 * the rows' distances to their centroid, double dist_sum[2].
	 */
} KmStepState;

/* Bytes of a state for k clusters of d features; 0 if out of range. */
size_t		km_step_bytes(int k, int d, int version);

/*
 * A new state over k x d centroids (scaled space). With scaler (2 x d:
 * offsets, then factors), rows are given in original units and scaled as
 * (x - offset) / factor by km_step_add, the arithmetic train() uses; NULL:
 * rows come scaled.
 */
void		km_step_init(KmStepState *s, int k, int d, const double *centroids,
						 const double *scaler);

double	   *km_step_centroids(const KmStepState *s);
int64_t    *km_step_counts(const KmStepState *s);
double	   *km_step_sums(const KmStepState *s);
double	   *km_step_comps(const KmStepState *s);
/* The scaler's 2 x d values (offsets, then factors), or NULL. */
double	   *km_step_scaler(const KmStepState *s);
/* The compensated sum of the distances (2 values), or NULL (version 1). */
double	   *km_step_distance_sum(const KmStepState *s);
/* Values after the sums' compensations: the scaler and the distance sum. */
size_t		km_step_tail_values(const KmStepState *s);

/*
 * Assign one row (d finite values) to its nearest centroid (lowest index
 * on ties). False when a total overflowed: nothing is added when every
 * squared distance does; otherwise the state is left with a non-finite
 * total, for the caller to report.
 */
bool		km_step_add(KmStepState *s, const double *row);

/* Whether the inertia and every sum are finite (after a merge, say). */
bool		km_step_finite(const KmStepState *s);

/* Merge src into dst; false if their k, d, centroids or scalers differ. */
bool		km_step_merge(KmStepState *dst, const KmStepState *src);

/* New centroids: cluster means; an empty cluster keeps its centroid. */
void		km_step_means(const KmStepState *s, double *out);

double		km_step_inertia(const KmStepState *s);

/* Mean distance of a row to its centroid (version 2; NaN otherwise or without rows). */
double		km_step_mean_distance(const KmStepState *s);

#endif							/* RFM_KMEANS_STEP_H */

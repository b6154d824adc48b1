/*
 * kmeans_step.h
 *	  One Lloyd step as a combinable aggregate state: the centroids the step
 *	  assigns to, and per cluster the count and compensated sums of the rows
 *	  assigned, plus the inertia. One flat, pointer-free buffer (the glue
 *	  layer wraps it in a varlena), so partial states can be shipped between
 *	  parallel workers or nodes. Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_KMEANS_STEP_H
#define RFM_KMEANS_STEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KM_STEP_VERSION 1
#define KM_STEP_MAX_K 10000
#define KM_STEP_MAX_D 1000

typedef struct KmStepState
{
	int32_t		vl_len_;		/* reserved for the container's length word */
	uint8_t		version;
	uint8_t		reserved[3];
	int32_t		k;
	int32_t		d;
	int64_t		rows;
	double		inertia;		/* compensated: inertia + inertia_comp */
	double		inertia_comp;
	/* double centroids[k*d]; int64_t counts[k]; double sums[k*d]; double comps[k*d]; */
} KmStepState;

/* Bytes of a state for k clusters of d features; 0 if out of range. */
size_t		km_step_bytes(int k, int d);

void		km_step_init(KmStepState *s, int k, int d, const double *centroids);

double	   *km_step_centroids(const KmStepState *s);
int64_t    *km_step_counts(const KmStepState *s);
double	   *km_step_sums(const KmStepState *s);
double	   *km_step_comps(const KmStepState *s);

/*
 * Assign one row (d finite values) to its nearest centroid. False, with
 * nothing added, when the inertia or the cluster's sums would overflow.
 */
bool		km_step_add(KmStepState *s, const double *row);

/* Whether the inertia and every sum are finite (after a merge, say). */
bool		km_step_finite(const KmStepState *s);

/* Merge src into dst; false if their k, d or centroids differ. */
bool		km_step_merge(KmStepState *dst, const KmStepState *src);

/* New centroids: cluster means; an empty cluster keeps its centroid. */
void		km_step_means(const KmStepState *s, double *out);

double		km_step_inertia(const KmStepState *s);

#endif							/* RFM_KMEANS_STEP_H */

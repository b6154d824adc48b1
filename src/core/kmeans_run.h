/*
 * kmeans_run.h
 *	  Private to the k-means core, not part of its API (that is kmeans.h):
 *	  the state of one fit (Run), shared by the files that make up km_fit
 *	  -- kmeans.c (the fit loop and its memory), kmeans_init.c (the initial
 *	  centers), kmeans_assign.c (the assignment and update passes) and
 *	  kmeans_distance.c (distances) -- with the sizes of their passes, the
 *	  small inline helpers they all use and the passes each provides to the
 *	  others. Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_KMEANS_RUN_H
#define RFM_KMEANS_RUN_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kmeans.h"
#include "parallel_for.h"

/* Most k-means++ candidates drawn per round (2 + ln k, capped). */
#define MAX_TRIALS 16
#define DRAW_BLOCK 256			/* rows whose draws are made at once */

/*
 * The initialization passes run as parallel loops over items of ITEM_ROWS
 * rows. Each item finds its own best point (or potential sum); the items'
 * results are then combined in item order, so the choice does not depend
 * on the number of threads.
 */
#define ITEM_ROWS (DRAW_BLOCK * 64)

/*
 * Rows per block of an assignment pass, the items of its parallel loop
 * (kmeans_assign.c: the blocks' sums are added in block order).
 */
#define SUM_BLOCK 4096

/* Block sums held at once: a pass runs in waves of at most this much. */
#define WAVE_BYTES (4 << 20)

/*
 * One fit: the data, the centers and every buffer of the passes. km_fit
 * allocates it and runs the passes on it, one run after another.
 */
typedef struct Run
{
	const double *x;
	size_t		n;
	int			d;
	int			k;
	bool		spherical;		/* centers kept at unit length (KmConfig) */
	double	   *centers;		/* k x d */
	double	   *sums;			/* k x d, cluster sums of the last assignment */
	/*
	 * Per thread: the lanes of the block it works on, lane_stride values
	 * apart, so that no two threads ever write into the same cache line.
	 */
	double	   *lane_sums;		/* threads x (KM_LANES x k x d, padded) */
	int64_t    *lane_counts;	/* threads x (KM_LANES x k, padded) */
	size_t		lane_stride;
	size_t	   *moved_by;		/* threads, labels changed in a pass */
	/* per block of the current wave: its sums, added in block order */
	double	   *block_sums;		/* wave x k x d */
	int64_t    *block_counts;	/* wave x k */
	double	   *block_dists;	/* wave x 2 x KM_LANES: d^2, d of the final pass */
	size_t		wave;			/* blocks per wave */
	int			threads;
	KmParallel	par;			/* the passes' threads and interrupt checks */
	int64_t    *counts;			/* k */
	double	   *shift;			/* k, distance each center moved */
	double	   *half_sep;		/* k, half distance to the nearest other center */
	int32_t    *labels;			/* n */
	double	   *upper;			/* n, Hamerly: >= distance to own center */
	double	   *lower;			/* n, Hamerly: <= distance to any other */
	float	   *closest;		/* n, during init only: k-means++ min d^2, random keys */
	size_t	   *item_cand;		/* during init: per item and trial, its best point */
	double	   *item_key;		/* and that point's key (or the item's potential) */
} Run;

/*
 * Squared distance, inlined into every loop of the k-means files (the
 * exported km_dist2 would be called through the PLT from inside a shared
 * library).
 */
static inline double
dist2(const double *a, const double *b, int d)
{
	double		s = 0;
	int			j;

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC unroll 4
#endif
	for (j = 0; j < d; j++)
	{
		double		t = a[j] - b[j];

		s += t * t;
	}
	return s;
}

/*
 * Bounds are compared with this relative margin, so that a point is skipped
 * only when its centroid is closer than every other by more than rounding
 * could account for: pruned and plain Lloyd then assign identically.
 */
#define BOUND_MARGIN 1e-9

/*
 * Distances below this are not trusted in the bounds (memory mode's and
 * the one-pass fit's): their squares (and sums of squares) may be subnormal
 * or underflow to 0 and lose their relative precision, so that the full
 * search's comparisons of squares no longer follow the distances. A lower
 * bound from such a square is dropped (0), an upper bound or a move taken
 * as this much; a square that overflowed gives no bound either (a lower
 * bound of 0, an upper bound of +Inf). A point is skipped only when the
 * bound on the other centers is above this, so that their squares are
 * normal numbers, compared to the rounding only.
 */
#define BOUND_TINY 1e-140

/*
 * An upper bound on a distance whose computed square is s: +Inf when s
 * overflowed (or is NaN), BOUND_TINY when s is too small to be trusted
 * (the distance is below it then), else sqrt(s) with the margin.
 */
static inline double
upper_bound_of(double s)
{
	if (!(s < INFINITY))
		return INFINITY;
	if (s < BOUND_TINY * BOUND_TINY)
		return BOUND_TINY;
	return sqrt(s) * (1 + BOUND_MARGIN);
}

/*
 * A lower bound on a distance whose computed square is s: 0 when s is too
 * small to be trusted or overflowed (or is NaN), else sqrt(s) with the
 * margin.
 */
static inline double
lower_bound_of(double s)
{
	if (s >= BOUND_TINY * BOUND_TINY && s < INFINITY)
		return sqrt(s) * (1 - BOUND_MARGIN);
	return 0;
}

/*
 * The nearest of the k centers to p (lowest index on ties) and the
 * squared distances to it and to the next nearest (+Inf when k is 1):
 * what Hamerly's bounds start from. -1 when every distance is +Inf
 * (squares that overflowed).
 */
static inline int
nearest_two(const double *p, const double *centers, int k, int d, double *d1, double *d2)
{
	int			best = -1,
				c;
	double		b1 = INFINITY,
				b2 = INFINITY;

	/*
	 * without branches (conditional moves): which center is nearest is
	 * data, and mispredicted branches cost more than the distances
	 */
	for (c = 0; c < k; c++)
	{
		double		t = dist2(p, centers + (size_t) c * d, d);
		bool		nearer = t < b1;

		b2 = nearer ? b1 : (t < b2 ? t : b2);
		b1 = nearer ? t : b1;
		best = nearer ? c : best;
	}
	*d1 = b1;
	*d2 = b2;
	return best;
}

/* Lexicographic order of two points: the tie-break of every random choice. */
static inline int
point_cmp(const double *a, const double *b, int d)
{
	int			j;

	for (j = 0; j < d; j++)
	{
		if (a[j] < b[j])
			return -1;
		if (a[j] > b[j])
			return 1;
	}
	return 0;
}

/* The initial centers of run "run" into r->centers (kmeans_init.c). */
void		km_init_plusplus(Run *r, uint64_t seed, int run);
void		km_init_random(Run *r, uint64_t seed, int run);

/* The passes of a Lloyd iteration (kmeans_assign.c). */
size_t		km_assign_points(Run *r, bool prune, bool first, double *inertia,
							 double *mean_distance);
int			km_reseed_empty(Run *r, bool prune);
double		km_update_centers(Run *r, bool prune);
double		km_inertia_of(const Run *r, double *mean_distance);

#endif							/* RFM_KMEANS_RUN_H */

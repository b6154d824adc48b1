/*
 * kmeans.h
 *	  K-means on a dense row-major n x d array of doubles: initialization
 *	  (greedy k-means++, random, explicit), Lloyd iterations with Hamerly's
 *	  bound-based pruning, scikit-learn's convergence rule, deterministic
 *	  re-seeding of empty clusters. Plain C99, no PostgreSQL headers.
 *
 * Determinism: every random choice is keyed by a hash of the point's
 * values and the seed, never by its position, so the same multiset of
 * points gives the same model whatever the row order. Cluster sums are
 * added in blocks of rows, so row order changes them by rounding at most.
 *
 * With KmConfig.spherical, spherical k-means (cosine distance) on rows the
 * caller has scaled to unit length: the same passes, with every centroid
 * kept on the unit sphere.
 */
#ifndef RFM_KMEANS_CORE_H
#define RFM_KMEANS_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parallel_for.h"

/*
 * Hamerly's bounds cost 16 bytes a row and a bound update per row and
 * iteration; below this many clusters a full search over the centroids is
 * cheaper, so callers prune from here on. Results are identical either way.
 */
#define KM_PRUNE_MIN_K 8

/* Rows between two calls of check_interrupts. */
#define KM_INTERRUPT_ROWS 65536

typedef enum KmInit
{
	KM_INIT_PLUSPLUS = 0,		/* greedy k-means++ */
	KM_INIT_RANDOM = 1,			/* k points drawn uniformly */
	KM_INIT_EXPLICIT = 2		/* caller's centroids */
} KmInit;

/* Memory for the run; alloc returns NULL on failure (or does not return). */
typedef struct KmAlloc
{
	void	   *(*alloc) (void *ctx, size_t bytes);
	void		(*release) (void *ctx, void *p);
	void	   *ctx;
} KmAlloc;

typedef struct KmConfig
{
	int			k;
	KmInit		init;
	const double *init_centroids;	/* k x d, KM_INIT_EXPLICIT only */
	int			n_init;			/* runs; the lowest inertia wins */
	/*
	 * km_fit_weighted only (km_fit ignores it): with more than one (and
	 * n_init 1), that many seedings (k-means++ or random, drawn as that many
	 * runs' would be), and Lloyd's iterations from the one whose centers
	 * have the lowest inertia only, as scikit-learn's MiniBatchKMeans picks
	 * its start: the fit ends where that seeding's full run would have.
	 * 0 or 1: n_init full runs.
	 */
	int			seedings;
	int			max_iter;
	double		tol;			/* relative to the mean feature variance */
	double		mean_variance;	/* that variance if known (>= 0), else -1 */
	uint64_t	seed;
	bool		prune;			/* Hamerly bounds (same result, faster) */
	/*
	 * Spherical k-means (cosine distance); false: plain k-means. The caller
	 * promises that every row is a unit vector (km_normalize_rows in
	 * sphere.h; not checked). Each centroid is then rescaled to unit length
	 * after every update (the mean of its cluster's rows), before the shift
	 * and the pruning bounds are computed from it, and explicit initial
	 * centroids are rescaled too (an all-zero one: KM_BAD_ARGUMENT);
	 * k-means++ and random init pick rows, unit already. As |x - c|^2 =
	 * 2 - 2 x.c for unit x and c, the Euclidean assignment then assigns by
	 * cosine similarity. A cluster whose mean is exactly the zero vector
	 * (say two opposite rows) keeps its previous centroid. The inertia and
	 * mean_distance stay Euclidean on the sphere: the cosine distance of a
	 * row is |x - c|^2 / 2, so the summed cosine distance is inertia / 2.
	 * tol and mean_variance keep their meaning (the rows' variance).
	 */
	bool		spherical;
	/* called once per iteration; may longjmp (PostgreSQL interrupts) */
	void		(*on_iteration) (void *arg, int run, int iter, double inertia,
								 size_t moved, double shift);
	void	   *arg;			/* on_iteration's */
	/*
	 * The passes' threads and interrupt checks (parallel_for.h): at most
	 * KM_INTERRUPT_ROWS rows between two checks. The result does not
	 * depend on the number of threads.
	 */
	KmParallel	parallel;
} KmConfig;

typedef struct KmResult
{
	double	   *centroids;		/* k x d, caller's buffer */
	int32_t    *labels;			/* n, caller's buffer, or NULL if not wanted */
	int64_t    *sizes;			/* k, caller's buffer */
	double		inertia;		/* sum of squared distances to own centroid */
	double		mean_distance;	/* mean distance to own centroid */
	int			iterations;		/* of the best run */
	bool		converged;
	int			best_run;		/* 0-based; with seedings, the seeding kept */
	int			reseeded;		/* empty clusters re-seeded, best run */
} KmResult;

typedef enum KmStatus
{
	KM_OK = 0,
	KM_NO_MEMORY,
	KM_BAD_ARGUMENT,
	KM_OVERFLOW					/* a result is not finite (see value_range.h) */
} KmStatus;

/*
 * Fit k-means to the n x d rows of x. The result is the run with the
 * lowest inertia (the first run when none is lower); KM_OVERFLOW when its
 * inertia or a centroid is not finite, which cannot happen for rows that
 * km_box_unsafe_feature() accepts. Rows at exactly equal distance from
 * several centroids go to the lowest cluster index.
 */
KmStatus	km_fit(const double *x, size_t n, int d, const KmConfig *cfg,
				   const KmAlloc *mem, KmResult *res);

/*
 * The most memory km_fit allocates for n rows with cfg, beside x and the
 * caller's result arrays; SIZE_MAX when that does not fit a size_t.
 */
size_t		km_fit_bytes(size_t n, int d, const KmConfig *cfg);

/* Squared Euclidean distance of two d-vectors. */
double		km_dist2(const double *a, const double *b, int d);

/*
 * Index of the closest of k centroids (lowest index on ties), and d^2.
 * When every squared distance overflows, the centroids are ranked on
 * coordinates scaled by a common power of two, so the index is still the
 * nearest; *dist2 is then +Infinity or the value it rounds to.
 */
int			km_nearest(const double *p, const double *centroids, int k, int d,
					   double *dist2);

/* Euclidean distance of two d-vectors, without overflow in its squares. */
double		km_distance(const double *a, const double *b, int d);

/* Mean over features of the population variance (scikit-learn's tol unit). */
double		km_mean_variance(const double *x, size_t n, int d);

/* Number of distinct points, counted up to limit (stops early). */
size_t		km_distinct_points(const double *x, size_t n, int d, size_t limit,
							   const KmAlloc *mem);

/* A uniform double in (0, 1] from a point's values and a salt. */
double		km_point_uniform(const double *p, int d, uint64_t seed, uint64_t salt);

#endif							/* RFM_KMEANS_CORE_H */

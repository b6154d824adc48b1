/*
 * kmeans.c
 *	  K-means (see kmeans.h): km_fit, its runs from the initial centers
 *	  (kmeans_init.c) through Lloyd iterations (kmeans_assign.c) to the best
 *	  run's result, and the memory they take (km_fit_bytes); also the
 *	  helpers on the data that a fit starts from (the tolerance's unit, the
 *	  count of distinct points).
 */
#include "kmeans.h"

#include "assign_kernel.h"
#include "checked_size.h"
#include "exact_sum.h"
#include "kmeans_run.h"
#include "parallel_for.h"
#include "sphere.h"

#include <math.h>
#include <string.h>

/*
 * One run from the initial centers in r->centers. on_iteration gets, for
 * each iteration, the inertia of the assignment it made (to the centers it
 * started from), the rows that changed cluster and the centers' shift.
 */
static void
lloyd(Run *r, const KmConfig *cfg, int run, double tol_abs,
	  int *iterations, bool *converged, int *reseeded)
{
	int			it;

	*converged = false;
	*reseeded = 0;
	for (it = 1; it <= cfg->max_iter; it++)
	{
		double		shift2 = 0;
		double		inertia = 0;
		size_t		moved = km_assign_points(r, cfg->prune, it == 1, NULL, NULL);

		if (cfg->on_iteration)
			inertia = km_inertia_of(r, NULL);
		if (it > 1 && moved == 0)
		{
			/* labels stable: the centers cannot move any more */
			if (cfg->on_iteration)
				cfg->on_iteration(cfg->arg, run, it, inertia, moved, 0);
			*converged = true;
			*iterations = it;
			return;
		}
		*reseeded += km_reseed_empty(r, cfg->prune);
		shift2 = km_update_centers(r, cfg->prune);
		if (cfg->on_iteration)
			cfg->on_iteration(cfg->arg, run, it, inertia, moved, shift2);
		if (shift2 <= tol_abs)
		{
			*converged = true;
			*iterations = it;
			return;
		}
	}
	*iterations = cfg->max_iter;
}

static void *
take(const KmAlloc *mem, size_t count, size_t size, bool *failed)
{
	void	   *p;

	if (*failed)
		return NULL;
	if (count != 0 && size > SIZE_MAX / count)
	{
		*failed = true;
		return NULL;
	}
	p = mem->alloc(mem->ctx, count * size > 0 ? count * size : 1);
	if (p == NULL)
		*failed = true;
	return p;
}

static void
give_back(const KmAlloc *mem, Run *r)
{
	void	   *bufs[] = {r->centers, r->sums, r->lane_sums, r->lane_counts, r->moved_by,
		r->block_sums, r->block_counts, r->block_dists, r->counts, r->shift, r->half_sep,
	r->labels, r->upper, r->lower, r->closest, r->item_cand, r->item_key};
	size_t		i;

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		if (bufs[i] != NULL)
			mem->release(mem->ctx, bufs[i]);
}

/* Blocks of SUM_BLOCK rows whose sums a pass holds at once. */
static size_t
wave_blocks(size_t n, int k, int d, int threads)
{
	size_t		blocks = (n + SUM_BLOCK - 1) / SUM_BLOCK;
	size_t		block_bytes = ((size_t) k * d + 2 * KM_LANES) * sizeof(double) +
		(size_t) k * sizeof(int64_t);
	size_t		wave = WAVE_BYTES / block_bytes;

	if (wave < (size_t) threads * 4)
		wave = (size_t) threads * 4;
	return wave > blocks ? blocks : wave;
}

/* Values between two threads' lanes: whole cache lines, and one more. */
static size_t
lane_stride(int k, int d)
{
	return ((size_t) KM_LANES * k * d + 7) / 8 * 8 + 8;
}

/*
 * What km_fit allocates, at most, beside x and the caller's result: the
 * buffers of every pass, then the larger of the initialization's (one
 * float a row, and per item its candidates) and the iterations' (the
 * labels, 4 bytes a row, and with pruning the bounds, 16 more).
 */
size_t
km_fit_bytes(size_t n, int d, const KmConfig *cfg)
{
	int			threads = km_parallel_threads(&cfg->parallel);
	size_t		kd = km_size_mul((size_t) cfg->k, (size_t) d);
	size_t		wave = wave_blocks(n, cfg->k, d, threads);
	size_t		items = (n + ITEM_ROWS - 1) / ITEM_ROWS;
	size_t		fixed = 0,
				init = 0,
				iter;

	fixed = km_size_add(fixed, km_size_mul3(2, kd, sizeof(double)));	/* centers, sums */
	fixed = km_size_add(fixed, km_size_mul3((size_t) threads, lane_stride(cfg->k, d),
											sizeof(double) + sizeof(int64_t)));
	fixed = km_size_add(fixed, km_size_mul((size_t) threads, sizeof(size_t)));
	fixed = km_size_add(fixed, km_size_mul3(wave, kd, sizeof(double)));
	fixed = km_size_add(fixed, km_size_mul3(wave, (size_t) cfg->k, sizeof(int64_t)));
	fixed = km_size_add(fixed, km_size_mul3(wave, 2 * KM_LANES, sizeof(double)));
	fixed = km_size_add(fixed, km_size_mul3(3, (size_t) cfg->k, sizeof(double)));
	if (cfg->init != KM_INIT_EXPLICIT)
		init = km_size_add(km_size_mul(n, sizeof(float)),
						   km_size_mul3(items, MAX_TRIALS, sizeof(size_t) + sizeof(double)));
	iter = km_size_mul(n, sizeof(int32_t) + (cfg->prune ? 2 * sizeof(double) : 0));
	return km_size_add(fixed, init > iter ? init : iter);
}

/*
 * Memory: besides the data, the labels (4 bytes a row) and, with pruning,
 * the bounds (16 bytes a row) during iterations, and during initialization
 * only one float a row: the peak stays near n x d x 8 bytes plus 4 a row
 * (km_fit_bytes says exactly how much).
 */
KmStatus
km_fit(const double *x, size_t n, int d, const KmConfig *cfg,
	   const KmAlloc *mem, KmResult *res)
{
	Run			r;
	bool		failed = false;
	size_t		kd;
	double		tol_abs;
	int			run,
				n_runs;
	size_t		i;

	if (x == NULL || n == 0 || d <= 0 || cfg->k < 1 || (size_t) cfg->k > n ||
		cfg->max_iter < 1 || cfg->n_init < 1 || !(cfg->tol >= 0) ||
		(cfg->init == KM_INIT_EXPLICIT && cfg->init_centroids == NULL))
		return KM_BAD_ARGUMENT;
	/* a zero initial centroid has no direction to rescale to */
	if (cfg->spherical && cfg->init == KM_INIT_EXPLICIT &&
		km_first_zero_row(cfg->init_centroids, cfg->k, d) != KM_NO_ZERO_ROW)
		return KM_BAD_ARGUMENT;

	memset(&r, 0, sizeof(r));
	r.x = x;
	r.n = n;
	r.d = d;
	r.k = cfg->k;
	r.spherical = cfg->spherical;
	r.par = cfg->parallel;
	r.threads = km_parallel_threads(&r.par);
	kd = (size_t) cfg->k * d;
	r.wave = wave_blocks(n, cfg->k, d, r.threads);
	r.lane_stride = lane_stride(cfg->k, d);
	r.centers = take(mem, kd, sizeof(double), &failed);
	r.sums = take(mem, kd, sizeof(double), &failed);
	r.lane_sums = take(mem, (size_t) r.threads * r.lane_stride, sizeof(double), &failed);
	r.lane_counts = take(mem, (size_t) r.threads * r.lane_stride, sizeof(int64_t), &failed);
	r.moved_by = take(mem, r.threads, sizeof(size_t), &failed);
	r.block_sums = take(mem, r.wave * kd, sizeof(double), &failed);
	r.block_counts = take(mem, r.wave * cfg->k, sizeof(int64_t), &failed);
	r.block_dists = take(mem, r.wave * 2 * KM_LANES, sizeof(double), &failed);
	r.counts = take(mem, cfg->k, sizeof(int64_t), &failed);
	r.shift = take(mem, cfg->k, sizeof(double), &failed);
	r.half_sep = take(mem, cfg->k, sizeof(double), &failed);
	if (failed)
	{
		give_back(mem, &r);
		return KM_NO_MEMORY;
	}

	tol_abs = cfg->tol * (cfg->mean_variance >= 0 ? cfg->mean_variance :
						  km_mean_variance(x, n, d));
	n_runs = cfg->init == KM_INIT_EXPLICIT ? 1 : cfg->n_init;
	for (run = 0; run < n_runs && !failed; run++)
	{
		int			iterations,
					reseeded;
		bool		converged;
		double		inertia,
					mean_distance;
		int			c;
		size_t		i;

		if (cfg->init == KM_INIT_EXPLICIT)
		{
			memcpy(r.centers, cfg->init_centroids, sizeof(double) * kd);
			if (cfg->spherical)
				(void) km_normalize_rows(r.centers, cfg->k, d);	/* none is zero */
		}
		else
		{
			size_t		items = (n + ITEM_ROWS - 1) / ITEM_ROWS;

			r.closest = take(mem, n, sizeof(float), &failed);
			r.item_cand = take(mem, items * MAX_TRIALS, sizeof(size_t), &failed);
			r.item_key = take(mem, items * MAX_TRIALS, sizeof(double), &failed);
			if (failed)
				break;
			if (cfg->init == KM_INIT_RANDOM)
				km_init_random(&r, cfg->seed, run);
			else
				km_init_plusplus(&r, cfg->seed, run);
			mem->release(mem->ctx, r.closest);
			mem->release(mem->ctx, r.item_cand);
			mem->release(mem->ctx, r.item_key);
			r.closest = NULL;
			r.item_cand = NULL;
			r.item_key = NULL;
		}
		if (r.labels == NULL)
		{
			r.labels = take(mem, n, sizeof(int32_t), &failed);
			if (cfg->prune)
			{
				r.upper = take(mem, n, sizeof(double), &failed);
				r.lower = take(mem, n, sizeof(double), &failed);
			}
			if (failed)
				break;
		}

		lloyd(&r, cfg, run, tol_abs, &iterations, &converged, &reseeded);
		/* final labels, inertia and mean distance for the final centers */
		km_assign_points(&r, false, true, &inertia, &mean_distance);
		/* the first run always, then any with a lower (finite) inertia */
		if (run == 0 || inertia < res->inertia || !(res->inertia < INFINITY))
		{
			res->inertia = inertia;
			res->mean_distance = mean_distance;
			res->iterations = iterations;
			res->converged = converged;
			res->best_run = run;
			res->reseeded = reseeded;
			memcpy(res->centroids, r.centers, sizeof(double) * kd);
			if (res->labels != NULL)
				memcpy(res->labels, r.labels, sizeof(int32_t) * n);
			for (c = 0; c < cfg->k; c++)
				res->sizes[c] = 0;
			for (i = 0; i < n; i++)
				res->sizes[r.labels[i]]++;
		}
		if (n_runs > 1 && run + 1 < n_runs)
		{
			/* the next init runs without labels or bounds held */
			mem->release(mem->ctx, r.labels);
			r.labels = NULL;
			if (r.upper)
				mem->release(mem->ctx, r.upper);
			if (r.lower)
				mem->release(mem->ctx, r.lower);
			r.upper = r.lower = NULL;
		}
	}
	give_back(mem, &r);
	if (failed)
		return KM_NO_MEMORY;
	/* only reachable when the caller skipped km_box_unsafe_feature() */
	if (!(res->inertia < INFINITY) || !(res->mean_distance < INFINITY))
		return KM_OVERFLOW;
	for (i = 0; i < kd; i++)
		if (!isfinite(res->centroids[i]))
			return KM_OVERFLOW;
	return KM_OK;
}

double
km_mean_variance(const double *x, size_t n, int d)
{
	double		total = 0;
	int			j;

	if (n == 0)
		return 0;
	/* exact sums: the tolerance must not depend on the row order either */
	for (j = 0; j < d; j++)
	{
		double		mean = km_exact_sum(x + j, n, d) / (double) n;

		total += km_exact_sum_sqdev(x + j, n, d, mean) / (double) n;
	}
	return total / d;
}

/*
 * Count distinct points, stopping at limit: k at most a few hundred, so a
 * quadratic scan over the distinct ones found so far is cheap.
 */
size_t
km_distinct_points(const double *x, size_t n, int d, size_t limit,
				   const KmAlloc *mem)
{
	size_t	   *found = mem->alloc(mem->ctx, sizeof(size_t) * (limit > 0 ? limit : 1));
	size_t		count = 0;
	size_t		i,
				j;

	if (found == NULL)
		return 0;
	for (i = 0; i < n && count < limit; i++)
	{
		for (j = 0; j < count; j++)
			if (point_cmp(x + i * d, x + found[j] * d, d) == 0)
				break;
		if (j == count)
			found[count++] = i;
	}
	mem->release(mem->ctx, found);
	return count;
}

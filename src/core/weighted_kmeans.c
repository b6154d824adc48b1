/*
 * weighted_kmeans.c
 *	  K-means on weighted points: see weighted_kmeans.h.
 */
#include "weighted_kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checked_size.h"
#include "sphere.h"

#define MAX_TRIALS 16

/* A point's key in random init's race, with its index for the ties. */
typedef struct Ranked
{
	double		key;
	size_t		index;
} Ranked;

typedef struct Fit
{
	const double *x;
	const int64_t *w;
	size_t		n;
	int			d;
	int			k;
	bool		spherical;		/* centers kept at unit length (KmConfig) */
	const KmParallel *par;
	double	   *centers;		/* k x d, the run's */
	double	   *sums;			/* k x d */
	int64_t    *weight;			/* k: each cluster's total weight */
	int32_t    *labels;			/* n */
	double	   *closest;		/* n: squared distance to the nearest center */
	Ranked	   *ranked;		/* n: random init's keys */
} Fit;


static void
maybe_interrupt(const Fit *f, size_t i)
{
	if (i % KM_INTERRUPT_ROWS == 0 && f->par->check_interrupts != NULL)
		f->par->check_interrupts(f->par->arg);
}

/* The salt of a draw: run, center and trial (distinct for distinct draws). */
static uint64_t
draw_salt(int run, int center, int trial)
{
	return UINT64_C(0x77ca1e5) ^ ((uint64_t) run << 40) ^ ((uint64_t) center << 8) ^
		(uint64_t) trial;
}

/*
 * Point i's key in an exponential race with rate `rate` (weight times
 * whatever else the draw is proportional to): the smallest key of all
 * points wins with probability proportional to its rate. +Inf when the
 * rate is not positive (the point cannot win).
 */
static double
race_key(const Fit *f, size_t i, uint64_t seed, uint64_t salt, double rate)
{
	if (!(rate > 0))
		return INFINITY;
	return -log(km_point_uniform(f->x + i * f->d, f->d, seed, salt)) / rate;
}

static void
set_center(Fit *f, int c, size_t i)
{
	memcpy(f->centers + (size_t) c * f->d, f->x + i * f->d, sizeof(double) * f->d);
}

/* The point farthest from its center (lowest index on ties), or n. */
static size_t
farthest(const Fit *f)
{
	size_t		i,
				best = f->n;

	for (i = 0; i < f->n; i++)
		if (f->closest[i] > 0 && (best == f->n || f->closest[i] > f->closest[best]))
			best = i;
	return best;
}

/*
 * The winner of a race with rates w_i closest[i] (closest == NULL: w_i):
 * the point with the smallest key, lowest index on ties; the farthest
 * point when no rate is positive (squares that underflowed).
 */
static size_t
race(const Fit *f, uint64_t seed, uint64_t salt, bool by_distance)
{
	size_t		i,
				best = f->n;
	double		best_key = INFINITY;

	for (i = 0; i < f->n; i++)
	{
		double		rate = (double) f->w[i] * (by_distance ? f->closest[i] : 1.0),
					key = race_key(f, i, seed, salt, rate);

		maybe_interrupt(f, i);
		if (key < best_key)
		{
			best_key = key;
			best = i;
		}
	}
	return best == f->n ? farthest(f) : best;
}

/* Weighted potential if point cand were added as a center. */
static double
potential_with(const Fit *f, size_t cand)
{
	double		pot = 0;
	size_t		i;

	for (i = 0; i < f->n; i++)
	{
		double		d2 = km_dist2(f->x + i * f->d, f->x + cand * f->d, f->d);

		maybe_interrupt(f, i);
		pot += (double) f->w[i] * (d2 < f->closest[i] ? d2 : f->closest[i]);
	}
	return pot;
}

static void
update_closest(Fit *f, size_t center)
{
	size_t		i;

	for (i = 0; i < f->n; i++)
	{
		double		d2 = km_dist2(f->x + i * f->d, f->x + center * f->d, f->d);

		if (d2 < f->closest[i])
			f->closest[i] = d2;
	}
}

/* Greedy k-means++ with 2 + ln k trials a center, as scikit-learn's. */
static void
init_plusplus(Fit *f, uint64_t seed, int run)
{
	int			trials = 2 + (int) log(f->k),
				c,
				t;
	size_t		i,
				first = race(f, seed, draw_salt(run, 0, 0), false);

	if (trials > MAX_TRIALS)
		trials = MAX_TRIALS;
	set_center(f, 0, first);
	for (i = 0; i < f->n; i++)
		f->closest[i] = km_dist2(f->x + i * f->d, f->x + first * f->d, f->d);
	for (c = 1; c < f->k; c++)
	{
		size_t		best = f->n;
		double		best_pot = INFINITY;

		for (t = 0; t < trials; t++)
		{
			size_t		cand = race(f, seed, draw_salt(run, c, t), true);
			double		pot;

			if (cand == f->n)
				continue;
			pot = potential_with(f, cand);
			if (best == f->n || pot < best_pot)
			{
				best = cand;
				best_pot = pot;
			}
		}
		if (best == f->n)
			best = (size_t) c;	/* no point is off the centers (k > distinct) */
		set_center(f, c, best);
		update_closest(f, best);
	}
}

static int
ranked_cmp(const void *a, const void *b)
{
	const Ranked *x = a,
			   *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* k points drawn without replacement with probability by weight. */
static void
init_random(Fit *f, uint64_t seed, int run)
{
	size_t		i;
	int			c;

	for (i = 0; i < f->n; i++)
	{
		f->ranked[i].key = race_key(f, i, seed, draw_salt(run, 0, 0), (double) f->w[i]);
		f->ranked[i].index = i;
	}
	qsort(f->ranked, f->n, sizeof(Ranked), ranked_cmp);
	for (c = 0; c < f->k; c++)
		set_center(f, c, f->ranked[c].index);
}

/* Label every point; returns how many labels changed, sums the inertia. */
static size_t
assign(Fit *f, bool first, double *inertia, double *distance)
{
	size_t		i,
				moved = 0;

	*inertia = 0;
	*distance = 0;
	for (i = 0; i < f->n; i++)
	{
		double		d2;
		int			c = km_nearest(f->x + i * f->d, f->centers, f->k, f->d, &d2);

		maybe_interrupt(f, i);
		if (first || c != f->labels[i])
			moved++;
		f->labels[i] = c;
		f->closest[i] = d2;
		*inertia += (double) f->w[i] * d2;
		*distance += (double) f->w[i] * sqrt(d2);
	}
	return moved;
}

/* New centers from the labels; returns their squared shift. */
static double
update(Fit *f, double *old, int *reseeded)
{
	size_t		i,
				kd = (size_t) f->k * f->d;
	double		shift = 0;
	int			c,
				j;

	memcpy(old, f->centers, sizeof(double) * kd);
	memset(f->sums, 0, sizeof(double) * kd);
	memset(f->weight, 0, sizeof(int64_t) * f->k);
	for (i = 0; i < f->n; i++)
	{
		int			l = f->labels[i];

		for (j = 0; j < f->d; j++)
			f->sums[(size_t) l * f->d + j] += (double) f->w[i] * f->x[i * f->d + j];
		f->weight[l] += f->w[i];
	}
	for (c = 0; c < f->k; c++)
	{
		if (f->weight[c] > 0 && f->spherical)
		{
			double	   *sum = f->sums + (size_t) c * f->d;

			/*
			 * The sum has the mean's direction: at unit length, it is the
			 * new center; a zero mean has none, and the center stays.
			 */
			if (km_normalize_rows(sum, 1, f->d) == KM_NO_ZERO_ROW)
				memcpy(f->centers + (size_t) c * f->d, sum, sizeof(double) * f->d);
		}
		else if (f->weight[c] > 0)
		{
			for (j = 0; j < f->d; j++)
				f->centers[(size_t) c * f->d + j] = f->sums[(size_t) c * f->d + j] / (double) f->weight[c];
		}
		else
		{
			/* empty: the point farthest from its center, not taken again */
			size_t		p = farthest(f);

			if (p < f->n)
			{
				set_center(f, c, p);
				f->closest[p] = 0;
				(*reseeded)++;
			}
		}
		shift += km_dist2(old + (size_t) c * f->d, f->centers + (size_t) c * f->d, f->d);
	}
	return shift;
}

size_t
km_fit_weighted_bytes(size_t n, int d, int k)
{
	size_t		kd = km_size_mul((size_t) k, (size_t) d);

	return km_size_add(km_size_mul(kd, 4 * sizeof(double)),
					   km_size_add(km_size_mul((size_t) k, sizeof(int64_t)),
								   km_size_mul(n, sizeof(int32_t) + sizeof(double) +
											   sizeof(Ranked))));
}

static void *
take(const KmAlloc *mem, size_t count, size_t size, bool *failed)
{
	void	   *p;

	if (*failed)
		return NULL;
	p = mem->alloc(mem->ctx, km_size_mul(count, size) ? km_size_mul(count, size) : 1);
	if (p == NULL)
		*failed = true;
	return p;
}

KmStatus
km_fit_weighted(const double *x, const int64_t *w, size_t n, int d,
				const KmConfig *cfg, const KmAlloc *mem, KmResult *res)
{
	Fit			f;
	bool		failed = false;
	size_t		kd,
				i;
	double	   *old,
			   *best;
	double		tol_abs,
				total = 0;
	int			run,
				n_runs,
				c;
	KmStatus	status = KM_OK;

	if (x == NULL || w == NULL || n == 0 || d <= 0 || cfg->k < 1 || (size_t) cfg->k > n ||
		cfg->max_iter < 1 || cfg->n_init < 1 || !(cfg->tol >= 0) ||
		(cfg->init == KM_INIT_EXPLICIT && cfg->init_centroids == NULL))
		return KM_BAD_ARGUMENT;
	for (i = 0; i < n; i++)
	{
		if (w[i] <= 0)
			return KM_BAD_ARGUMENT;
		total += (double) w[i];
	}
	/* a zero initial centroid has no direction to rescale to */
	if (cfg->spherical && cfg->init == KM_INIT_EXPLICIT &&
		km_first_zero_row(cfg->init_centroids, cfg->k, d) != KM_NO_ZERO_ROW)
		return KM_BAD_ARGUMENT;

	memset(&f, 0, sizeof(f));
	f.x = x;
	f.w = w;
	f.n = n;
	f.d = d;
	f.k = cfg->k;
	f.spherical = cfg->spherical;
	f.par = &cfg->parallel;
	kd = (size_t) cfg->k * d;
	f.centers = take(mem, kd, sizeof(double), &failed);
	f.sums = take(mem, kd, sizeof(double), &failed);
	old = take(mem, kd, sizeof(double), &failed);
	best = take(mem, kd, sizeof(double), &failed);
	f.weight = take(mem, cfg->k, sizeof(int64_t), &failed);
	f.labels = take(mem, n, sizeof(int32_t), &failed);
	f.closest = take(mem, n, sizeof(double), &failed);
	f.ranked = take(mem, n, sizeof(Ranked), &failed);
	if (failed)
		status = KM_NO_MEMORY;

	tol_abs = cfg->tol * (cfg->mean_variance >= 0 ? cfg->mean_variance : km_mean_variance(x, n, d));
	n_runs = cfg->init == KM_INIT_EXPLICIT ? 1 : cfg->n_init;
	for (run = 0; run < n_runs && status == KM_OK; run++)
	{
		double		inertia,
					distance;
		int			iter,
					reseeded = 0;
		bool		converged = false;

		if (cfg->init == KM_INIT_EXPLICIT)
		{
			memcpy(f.centers, cfg->init_centroids, sizeof(double) * kd);
			if (cfg->spherical)
				(void) km_normalize_rows(f.centers, cfg->k, d);	/* none is zero */
		}
		else if (cfg->init == KM_INIT_RANDOM)
			init_random(&f, cfg->seed, run);
		else
			init_plusplus(&f, cfg->seed, run);
		assign(&f, true, &inertia, &distance);
		for (iter = 1; iter <= cfg->max_iter; iter++)
		{
			double		shift = update(&f, old, &reseeded);
			size_t		moved = assign(&f, false, &inertia, &distance);

			if (cfg->on_iteration != NULL)
				cfg->on_iteration(cfg->arg, run, iter, inertia, moved, shift);
			if (moved == 0 || shift <= tol_abs)
			{
				converged = true;
				break;
			}
		}
		if (run == 0 || inertia < res->inertia)
		{
			memcpy(best, f.centers, sizeof(double) * kd);
			res->inertia = inertia;
			res->mean_distance = distance / total;
			res->iterations = iter > cfg->max_iter ? cfg->max_iter : iter;
			res->converged = converged;
			res->best_run = run;
			res->reseeded = reseeded;
			memcpy(res->centroids, best, sizeof(double) * kd);
			for (c = 0; c < cfg->k; c++)
				res->sizes[c] = 0;
			for (i = 0; i < n; i++)
			{
				res->sizes[f.labels[i]] += w[i];
				if (res->labels != NULL)
					res->labels[i] = f.labels[i];
			}
		}
	}
	if (status == KM_OK && !isfinite(res->inertia))
		status = KM_OVERFLOW;
	for (i = 0; i < kd && status == KM_OK; i++)
		if (!isfinite(res->centroids[i]))
			status = KM_OVERFLOW;

	{
		void	   *all[] = {f.centers, f.sums, old, best, f.weight, f.labels,
		f.closest, f.ranked};

		for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			if (all[i] != NULL)
				mem->release(mem->ctx, all[i]);
	}
	return status;
}

/*
 * kmeans.c
 *	  K-means: see kmeans.h.
 */
#include "kmeans.h"

#include "assign_kernel.h"
#include "checked_size.h"
#include "exact_sum.h"
#include "ksum.h"
#include "mix64.h"
#include "parallel_for.h"
#include "point_draw.h"

#include <float.h>
#include <math.h>
#include <string.h>

/*
 * Bounds are compared with this relative margin, so that a point is skipped
 * only when its centroid is closer than every other by more than rounding
 * could account for: pruned and plain Lloyd then assign identically.
 */
#define BOUND_MARGIN 1e-9

typedef struct Run
{
	const double *x;
	size_t		n;
	int			d;
	int			k;
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

/* Let the caller react to a cancel every KM_INTERRUPT_ROWS rows. */
static inline void
maybe_interrupt(const Run *r, size_t i)
{
	if ((i & (KM_INTERRUPT_ROWS - 1)) == 0 && r->par.check_interrupts)
		r->par.check_interrupts(r->par.arg);
}

/*
 * Squared distance, inlined into every loop of this file (the exported
 * km_dist2 would be called through the PLT from inside a shared library).
 */
static inline double
dist2(const double *a, const double *b, int d)
{
	double		s = 0;
	int			j;

	for (j = 0; j < d; j++)
	{
		double		t = a[j] - b[j];

		s += t * t;
	}
	return s;
}

double
km_dist2(const double *a, const double *b, int d)
{
	return dist2(a, b, d);
}

/*
 * The largest exponent E with 2^(E-1) <= |v| over the point p and k
 * centroids: scaling every coordinate by 2^-E (exact) brings them below 1,
 * so differences stay below 2 and no square can overflow.
 */
static int
common_exponent(const double *p, const double *centroids, int k, int d)
{
	double		top = 0;
	size_t		i;
	int			e = 0;

	for (i = 0; i < (size_t) d; i++)
		top = fabs(p[i]) > top ? fabs(p[i]) : top;
	for (i = 0; i < (size_t) k * d; i++)
		top = fabs(centroids[i]) > top ? fabs(centroids[i]) : top;
	if (top > 0)
		(void) frexp(top, &e);
	return e;
}

/* dist2 of a and b scaled by 2^-e each (the squared distance times 2^-2e). */
static double
dist2_scaled(const double *a, const double *b, int d, int e)
{
	double		s = 0;
	int			j;

	for (j = 0; j < d; j++)
	{
		double		t = ldexp(a[j], -e) - ldexp(b[j], -e);

		s += t * t;
	}
	return s;
}

/*
 * km_nearest when every squared distance overflowed: the same search on
 * coordinates scaled by a common power of two, which ranks the centroids
 * as the exact distances do. *dist2 gets the unscaled value (+Infinity
 * when it is past DBL_MAX), *dist the distance.
 */
static int
nearest_scaled(const double *p, const double *centroids, int k, int d, double *dist2,
			   double *dist)
{
	int			e = common_exponent(p, centroids, k, d);
	int			best = 0;
	double		best_d = dist2_scaled(p, centroids, d, e);
	int			c;

	for (c = 1; c < k; c++)
	{
		double		t = dist2_scaled(p, centroids + (size_t) c * d, d, e);

		if (t < best_d)
		{
			best_d = t;
			best = c;
		}
	}
	*dist2 = ldexp(best_d, 2 * e);
	*dist = ldexp(sqrt(best_d), e);
	return best;
}

int
km_nearest(const double *p, const double *centroids, int k, int d, double *out_dist2)
{
	int			best = 0;
	double		best_d = dist2(p, centroids, d);
	int			c;

	for (c = 1; c < k; c++)
	{
		double		t = dist2(p, centroids + (size_t) c * d, d);

		if (t < best_d)
		{
			best_d = t;
			best = c;
		}
	}
	if (!(best_d < INFINITY))
	{
		/* own variables: best_d's address must not escape the loop above */
		double		scaled_d2,
					dist;

		best = nearest_scaled(p, centroids, k, d, &scaled_d2, &dist);
		best_d = scaled_d2;
	}
	if (out_dist2)
		*out_dist2 = best_d;
	return best;
}

double
km_distance(const double *a, const double *b, int d)
{
	double		t = dist2(a, b, d);
	double		dist;

	if (t < INFINITY)
		return sqrt(t);
	(void) nearest_scaled(a, b, 1, d, &t, &dist);
	return dist;
}

double
km_point_uniform(const double *p, int d, uint64_t seed, uint64_t salt)
{
	return uniform_from(draw_start(seed, salt), p, d);
}

/* Lexicographic order of two points: the tie-break of every random choice. */
static int
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

/* ---------------------------------------------------------------------
 * Initialization
 * --------------------------------------------------------------------- */

static void
set_center(Run *r, int c, size_t point)
{
	memcpy(r->centers + (size_t) c * r->d, r->x + point * r->d, sizeof(double) * r->d);
}

/*
 * Greedy k-means++ (Arthur & Vassilvitskii, with the 2 + ln k local trials
 * of the common greedy variant): each new center is the best, by resulting
 * potential, of several candidates drawn with probability ~ D^2.
 *
 * A candidate is drawn by an exponential race: the point with the smallest
 * key -ln(u) / w, u the point's uniform draw for the trial's salt and w its
 * squared distance to the closest center so far (ties by value). All the
 * trials of a round are drawn in one pass, which also brings closest[] up
 * to date with the center chosen last; their potentials take one more pass.
 */
#define MAX_TRIALS 16
#define DRAW_BLOCK 256			/* rows whose draws are made at once */

/*
 * The initialization passes run as parallel loops over items of ITEM_ROWS
 * rows. Each item finds its own best point (or potential sum); the items'
 * results are then combined in item order, so the choice does not depend
 * on the number of threads.
 */
#define ITEM_ROWS (DRAW_BLOCK * 64)

typedef struct InitPass
{
	Run		   *r;
	const double *center;		/* draw: the center chosen last */
	bool		init;			/* draw: closest[] is set, not lowered */
	const uint64_t *starts;		/* draw_start() of each trial */
	const size_t *cand;			/* potentials: the candidates */
	int			trials;
} InitPass;

/* Whether the key of point i beats the best so far (ties by value). */
static inline bool
key_wins(const Run *r, double key, size_t i, double best_key, size_t best)
{
	return key < best_key ||
		(key == best_key && best < r->n &&
		 point_cmp(r->x + i * r->d, r->x + best * r->d, r->d) < 0);
}

/*
 * One item of the draw: first closest[i] = min(closest[i], d^2(x_i,
 * center)) (closest[i] = d^2 when init), then for each trial t the point
 * of the item with the smallest key, into item_cand and item_key.
 */
static void
draw_item(void *arg, int worker, size_t item)
{
	InitPass   *pass = arg;
	Run		   *r = pass->r;
	size_t	   *cand = r->item_cand + item * MAX_TRIALS;
	double	   *best_key = r->item_key + item * MAX_TRIALS;
	double		bound[MAX_TRIALS];	/* best_key, raised by a margin */
	double		u[MAX_TRIALS][DRAW_BLOCK];
	size_t		first = item * ITEM_ROWS;
	size_t		last = first + ITEM_ROWS < r->n ? first + ITEM_ROWS : r->n;
	size_t		start;
	int			t;

	for (t = 0; t < pass->trials; t++)
	{
		cand[t] = r->n;
		best_key[t] = bound[t] = INFINITY;
	}
	for (start = first; start < last; start += DRAW_BLOCK)
	{
		size_t		end = start + DRAW_BLOCK < last ? start + DRAW_BLOCK : last;
		size_t		i;

		for (i = start; i < end; i++)
		{
			double		t2 = dist2(r->x + i * r->d, pass->center, r->d);

			if (pass->init || t2 < (double) r->closest[i])
				r->closest[i] = (float) t2;
		}
		for (t = 0; t < pass->trials; t++)
			km_uniform_batch(pass->starts[t], r->x + start * r->d, end - start, r->d, u[t]);
		for (i = start; i < end; i++)
		{
			double		w = (double) r->closest[i];

			if (w <= 0)
				continue;		/* a center already: never drawn */
			for (t = 0; t < pass->trials; t++)
			{
				double		ui = u[t][i - start];
				double		key;

				/*
				 * -ln(u) >= 1 - u: when even that bound loses clearly, by a
				 * margin (1e-9) far above the rounding of either side, the
				 * key can neither win nor tie, and the logarithm is not
				 * needed.
				 */
				if (1.0 - ui > bound[t] * w)
					continue;
				key = -log(ui) / w;
				if (key_wins(r, key, i, best_key[t], cand[t]))
				{
					cand[t] = i;
					best_key[t] = key;
					bound[t] = key * (1 + 1e-9);
				}
			}
		}
	}
	(void) worker;
}

/*
 * One pass: closest[] brought up to date with center c_new, and for each
 * trial t the point with the smallest key -ln(u) / closest.
 * cand[t] = n when no point has closest > 0.
 */
static void
draw_candidates(Run *r, int c_new, bool init, const uint64_t *starts, int trials,
				size_t *cand)
{
	InitPass	pass;
	double		best_key[MAX_TRIALS];
	size_t		items = (r->n + ITEM_ROWS - 1) / ITEM_ROWS;
	size_t		item;
	int			t;

	pass.r = r;
	pass.center = r->centers + (size_t) c_new * r->d;
	pass.init = init;
	pass.starts = starts;
	pass.trials = trials;
	km_parallel_for(&r->par, items, draw_item, &pass);
	for (t = 0; t < trials; t++)
	{
		cand[t] = r->n;
		best_key[t] = INFINITY;
	}
	for (item = 0; item < items; item++)
		for (t = 0; t < trials; t++)
		{
			size_t		i = r->item_cand[item * MAX_TRIALS + t];
			double		key = r->item_key[item * MAX_TRIALS + t];

			if (i < r->n && key_wins(r, key, i, best_key[t], cand[t]))
			{
				cand[t] = i;
				best_key[t] = key;
			}
		}
}

/* One item of the potentials: compensated sums of its rows. */
static void
potential_item(void *arg, int worker, size_t item)
{
	InitPass   *pass = arg;
	const Run  *r = pass->r;
	double		s[MAX_TRIALS],
				comp[MAX_TRIALS];
	size_t		first = item * ITEM_ROWS;
	size_t		last = first + ITEM_ROWS < r->n ? first + ITEM_ROWS : r->n;
	size_t		i;
	int			t;

	for (t = 0; t < pass->trials; t++)
		s[t] = comp[t] = 0;
	for (i = first; i < last; i++)
	{
		const double *p = r->x + i * r->d;
		double		w = (double) r->closest[i];

		for (t = 0; t < pass->trials; t++)
		{
			double		t2 = dist2(p, r->x + pass->cand[t] * r->d, r->d);

			ksum_add(&s[t], &comp[t], t2 < w ? t2 : w);
		}
	}
	for (t = 0; t < pass->trials; t++)
		r->item_key[item * MAX_TRIALS + t] = s[t] + comp[t];
	(void) worker;
}

/*
 * Potentials if each candidate were added as a center: compensated sums
 * per item, added up in item order.
 */
static void
potentials_with(Run *r, const size_t *cand, int trials, double *pot)
{
	InitPass	pass;
	double		s[MAX_TRIALS],
				comp[MAX_TRIALS];
	size_t		items = (r->n + ITEM_ROWS - 1) / ITEM_ROWS;
	size_t		item;
	int			t;

	pass.r = r;
	pass.cand = cand;
	pass.trials = trials;
	km_parallel_for(&r->par, items, potential_item, &pass);
	for (t = 0; t < trials; t++)
		s[t] = comp[t] = 0;
	for (item = 0; item < items; item++)
		for (t = 0; t < trials; t++)
			ksum_add(&s[t], &comp[t], r->item_key[item * MAX_TRIALS + t]);
	for (t = 0; t < trials; t++)
		pot[t] = s[t] + comp[t];
}

/* One item of draw_uniform: its point with the smallest draw. */
static void
uniform_item(void *arg, int worker, size_t item)
{
	InitPass   *pass = arg;
	const Run  *r = pass->r;
	double		u[DRAW_BLOCK];
	size_t		best = r->n;
	double		best_u = INFINITY;
	size_t		first = item * ITEM_ROWS;
	size_t		last = first + ITEM_ROWS < r->n ? first + ITEM_ROWS : r->n;
	size_t		from;

	for (from = first; from < last; from += DRAW_BLOCK)
	{
		size_t		end = from + DRAW_BLOCK < last ? from + DRAW_BLOCK : last;
		size_t		i;

		km_uniform_batch(pass->starts[0], r->x + from * r->d, end - from, r->d, u);
		for (i = from; i < end; i++)
			if (key_wins(r, u[i - from], i, best_u, best))
			{
				best = i;
				best_u = u[i - from];
			}
	}
	r->item_cand[item * MAX_TRIALS] = best;
	r->item_key[item * MAX_TRIALS] = best_u;
	(void) worker;
}

/*
 * The point with the smallest uniform draw for start (ties by value): the
 * first center, and the one repeated when there are fewer distinct points
 * than k.
 */
static size_t
draw_uniform(Run *r, uint64_t start)
{
	InitPass	pass;
	size_t		items = (r->n + ITEM_ROWS - 1) / ITEM_ROWS;
	size_t		best = r->n;
	double		best_u = INFINITY;
	size_t		item;

	pass.r = r;
	pass.starts = &start;
	km_parallel_for(&r->par, items, uniform_item, &pass);
	for (item = 0; item < items; item++)
	{
		size_t		i = r->item_cand[item * MAX_TRIALS];
		double		u = r->item_key[item * MAX_TRIALS];

		if (i < r->n && key_wins(r, u, i, best_u, best))
		{
			best = i;
			best_u = u;
		}
	}
	return best;
}

static void
init_plusplus(Run *r, uint64_t seed, int run)
{
	int			trials = 2 + (int) log((double) r->k);
	size_t		first = draw_uniform(r, draw_start(seed, (uint64_t) run << 32));
	int			c;

	if (trials > MAX_TRIALS)
		trials = MAX_TRIALS;
	set_center(r, 0, first);
	for (c = 1; c < r->k; c++)
	{
		uint64_t	starts[MAX_TRIALS];
		size_t		cand[MAX_TRIALS];
		double		pot[MAX_TRIALS];
		size_t		best = r->n;
		double		best_pot = INFINITY;
		int			t,
					drawn;

		for (t = 0; t < trials; t++)
			starts[t] = draw_start(seed, ((uint64_t) run << 32) | ((uint64_t) c << 8) | (uint64_t) t);
		draw_candidates(r, c - 1, c == 1, starts, trials, cand);
		/* a trial that finds no point: every point is already a center */
		for (drawn = 0; drawn < trials && cand[drawn] < r->n; drawn++)
			;
		potentials_with(r, cand, drawn, pot);
		for (t = 0; t < drawn; t++)
			if (pot[t] < best_pot)
			{
				best_pot = pot[t];
				best = cand[t];
			}
		if (best == r->n)
		{
			/* fewer distinct points than k: repeat one; it ends up empty */
			best = draw_uniform(r, draw_start(seed, ((uint64_t) run << 32) | ((uint64_t) c << 8)));
		}
		set_center(r, c, best);
	}
}

/* k points with the smallest uniform keys (ties by value). */
static void
init_random(Run *r, uint64_t seed, int run)
{
	float	   *keys = r->closest;
	uint64_t	start = draw_start(seed, ((uint64_t) run << 32) | 0xFFFF);
	size_t		i;
	int			c;

	for (i = 0; i < r->n; i += DRAW_BLOCK)
	{
		double		u[DRAW_BLOCK];
		size_t		m = r->n - i < DRAW_BLOCK ? r->n - i : DRAW_BLOCK;
		size_t		j;

		maybe_interrupt(r, i);
		km_uniform_batch(start, r->x + i * r->d, m, r->d, u);
		for (j = 0; j < m; j++)
			keys[i + j] = (float) u[j];
	}
	/* k rounds of selection: k is small */
	for (c = 0; c < r->k; c++)
	{
		size_t		best = r->n;

		for (i = 0; i < r->n; i++)
		{
			if (keys[i] > 1.0f)
				continue;		/* taken */
			if (best == r->n || keys[i] < keys[best] ||
				(keys[i] == keys[best] &&
				 point_cmp(r->x + i * r->d, r->x + best * r->d, r->d) < 0))
				best = i;
		}
		set_center(r, c, best);
		keys[best] = 2.0f;		/* taken: keys are in (0, 1] */
	}
}

/* ---------------------------------------------------------------------
 * Lloyd iterations
 * --------------------------------------------------------------------- */

/* Best and second-best centers of point i (for Hamerly's bounds). */
static int
full_search(const Run *r, size_t i, double *d1, double *d2)
{
	const double *p = r->x + i * r->d;
	int			best = -1;
	double		b1 = INFINITY,
				b2 = INFINITY;
	int			c;

	for (c = 0; c < r->k; c++)
	{
		double		t = dist2(p, r->centers + (size_t) c * r->d, r->d);

		if (t < b1)
		{
			b2 = b1;
			b1 = t;
			best = c;
		}
		else if (t < b2)
			b2 = t;
	}
	*d1 = b1;
	*d2 = b2;
	return best;
}

static void
compute_half_separation(Run *r)
{
	int			a,
				b;

	for (a = 0; a < r->k; a++)
	{
		double		m = INFINITY;

		for (b = 0; b < r->k; b++)
		{
			if (b != a)
			{
				double		t = sqrt(dist2(r->centers + (size_t) a * r->d,
											  r->centers + (size_t) b * r->d, r->d));

				if (t < m)
					m = t;
			}
		}
		r->half_sep[a] = 0.5 * m;
	}
}

/*
 * Assign every point to its nearest center and accumulate the clusters'
 * counts and sums in the same pass; returns how many labels changed. With
 * prune, Hamerly's bounds skip the distance computations of points whose
 * center is certainly still the nearest; the labels are the same as
 * without.
 *
 * The rows are cut into blocks of SUM_BLOCK, the items of a parallel loop.
 * Within a block, row i is added into lane i % KM_LANES (see
 * assign_kernel.h) and the lanes are added up into the block's sums; the
 * blocks' sums are then added to the totals in block order (pairwise-like,
 * so the rounding error does not grow with n). That order does not depend
 * on which thread did which block, nor on pruning: any number of threads,
 * with or without pruning, gives the same sums.
 */
#define SUM_BLOCK 4096

/* Block sums held at once: a pass runs in waves of at most this much. */
#define WAVE_BYTES (4 << 20)

typedef struct Pass
{
	Run		   *r;
	bool		prune;
	bool		first;
	bool		with_distance;	/* also each block's distances (final pass) */
	size_t		wave_start;		/* first block of the current wave */
} Pass;

/* Hamerly's test for row i: its new label, and its bounds updated. */
static int32_t
pruned_label(Run *r, size_t i, bool first)
{
	const double *p = r->x + i * r->d;
	int32_t		old = r->labels[i];
	double		m;
	double		d1,
				d2;
	int32_t		best;

	if (!first)
	{
		m = r->half_sep[old] > r->lower[i] ? r->half_sep[old] : r->lower[i];
		m *= 1 - BOUND_MARGIN;
		if (r->upper[i] * (1 + BOUND_MARGIN) < m)
			return old;
		r->upper[i] = sqrt(dist2(p, r->centers + (size_t) old * r->d, r->d));
		if (r->upper[i] * (1 + BOUND_MARGIN) < m)
			return old;
	}
	best = full_search(r, i, &d1, &d2);
	r->upper[i] = sqrt(d1);
	r->lower[i] = sqrt(d2);
	return best;
}

/* One block of a pass, by thread "worker": labels, and the block's sums. */
static void
assign_block(void *arg, int worker, size_t item)
{
	Pass	   *pass = arg;
	Run		   *r = pass->r;
	int			d = r->d,
				k = r->k;
	size_t		kd = (size_t) k * d;
	size_t		block = pass->wave_start + item;
	size_t		start = block * SUM_BLOCK;
	size_t		end = start + SUM_BLOCK < r->n ? start + SUM_BLOCK : r->n;
	double	   *lane_sums = r->lane_sums + (size_t) worker * r->lane_stride;
	int64_t    *lane_counts = r->lane_counts + (size_t) worker * r->lane_stride;
	double	   *sums = r->block_sums + item * kd;
	int64_t    *counts = r->block_counts + item * k;
	double	   *dist2s = r->block_dists + item * 2 * KM_LANES;
	size_t		moved = 0;
	size_t		i,
				j;
	int			c,
				l;

	memset(lane_sums, 0, sizeof(double) * KM_LANES * kd);
	memset(lane_counts, 0, sizeof(int64_t) * KM_LANES * k);
	memset(dist2s, 0, sizeof(double) * 2 * KM_LANES);
	if (!pass->prune)
		moved = km_assign_rows(r->x + start * d, end - start, d, r->centers, k,
							   r->labels + start, pass->first, lane_sums, lane_counts,
							   pass->with_distance ? dist2s : NULL,
							   pass->with_distance ? dist2s + KM_LANES : NULL);
	else
		for (i = start; i < end; i++)
		{
			const double *p = r->x + i * d;
			int32_t		best = pruned_label(r, i, pass->first);
			double	   *acc = lane_sums + ((i % KM_LANES) * k + best) * d;

			moved += pass->first || best != r->labels[i];
			r->labels[i] = best;
			for (j = 0; j < (size_t) d; j++)
				acc[j] += p[j];
			lane_counts[(i % KM_LANES) * k + best]++;
		}
	for (j = 0; j < kd; j++)
	{
		double		s = lane_sums[j];

		for (l = 1; l < KM_LANES; l++)
			s += lane_sums[l * kd + j];
		sums[j] = s;
	}
	for (c = 0; c < k; c++)
	{
		int64_t		n = 0;

		for (l = 0; l < KM_LANES; l++)
			n += lane_counts[(size_t) l * k + c];
		counts[c] = n;
	}
	r->moved_by[worker] += moved;
}

/*
 * With inertia, also the inertia of the new assignment and the mean
 * distance of a row to its center (no pruning then): the final pass.
 */
static size_t
assign_points(Run *r, bool prune, bool first, double *inertia, double *mean_distance)
{
	Pass		pass;
	size_t		moved = 0;
	double		s2 = 0,
				c2 = 0,
				s1 = 0,
				c1 = 0;
	size_t		kd = (size_t) r->k * r->d;
	size_t		blocks = (r->n + SUM_BLOCK - 1) / SUM_BLOCK;
	int			t;

	memset(r->sums, 0, sizeof(double) * kd);
	memset(r->counts, 0, sizeof(int64_t) * r->k);
	memset(r->moved_by, 0, sizeof(size_t) * r->threads);
	if (prune && !first)
		compute_half_separation(r);
	pass.r = r;
	pass.prune = prune;
	pass.first = first;
	pass.with_distance = inertia != NULL;
	for (pass.wave_start = 0; pass.wave_start < blocks; pass.wave_start += r->wave)
	{
		size_t		items = blocks - pass.wave_start < r->wave ? blocks - pass.wave_start : r->wave;
		size_t		item,
					j;
		int			c,
					l;

		km_parallel_for(&r->par, items, assign_block, &pass);
		for (item = 0; item < items; item++)
		{
			const double *dists = r->block_dists + item * 2 * KM_LANES;

			for (j = 0; j < kd; j++)
				r->sums[j] += r->block_sums[item * kd + j];
			for (c = 0; c < r->k; c++)
				r->counts[c] += r->block_counts[item * r->k + c];
			if (inertia)
				for (l = 0; l < KM_LANES; l++)
				{
					ksum_add(&s2, &c2, dists[l]);
					ksum_add(&s1, &c1, dists[KM_LANES + l]);
				}
		}
	}
	for (t = 0; t < r->threads; t++)
		moved += r->moved_by[t];
	if (inertia)
	{
		*inertia = s2 + c2;
		*mean_distance = (s1 + c1) / (double) r->n;
	}
	return moved;
}

/*
 * Give every empty cluster the point farthest from its own center (ties by
 * value), taking it out of its cluster, as scikit-learn does. A point at
 * distance 0 is never taken: with fewer distinct points than k, some
 * clusters stay empty. Returns the number of clusters re-seeded.
 */
static int
reseed_empty(Run *r, bool prune)
{
	int			reseeded = 0;
	int			c;

	for (c = 0; c < r->k; c++)
	{
		size_t		far = r->n;
		double		far_d = 0;
		size_t		i;
		int			j;
		int32_t		from;

		if (r->counts[c] != 0)
			continue;
		for (i = 0; i < r->n; i++)
		{
			int32_t		own = r->labels[i];
			double		t;

			if (r->counts[own] <= 1)
				continue;		/* would empty another cluster */
			t = dist2(r->x + i * r->d, r->centers + (size_t) own * r->d, r->d);
			if (t > far_d ||
				(t == far_d && far < r->n && t > 0 &&
				 point_cmp(r->x + i * r->d, r->x + far * r->d, r->d) > 0))
			{
				far = i;
				far_d = t;
			}
		}
		if (far == r->n)
			continue;
		from = r->labels[far];
		for (j = 0; j < r->d; j++)
		{
			size_t		fj = (size_t) from * r->d + j;
			size_t		cj = (size_t) c * r->d + j;

			r->sums[fj] -= r->x[far * r->d + j];
			r->sums[cj] = r->x[far * r->d + j];
		}
		r->counts[from]--;
		r->counts[c] = 1;
		r->labels[far] = c;
		if (prune)
		{
			r->upper[far] = INFINITY;	/* force a full search next time */
			r->lower[far] = 0;
		}
		reseeded++;
	}
	return reseeded;
}

/* Move centers to their clusters' means; returns the total squared shift. */
static double
update_centers(Run *r, bool prune)
{
	double		total = 0,
				max1 = 0,
				max2 = 0;
	int			arg1 = -1;
	int			c,
				j;
	size_t		i;

	for (c = 0; c < r->k; c++)
	{
		double		s2 = 0;

		if (r->counts[c] == 0)
		{
			r->shift[c] = 0;
			continue;			/* an empty cluster keeps its center */
		}
		for (j = 0; j < r->d; j++)
		{
			size_t		cj = (size_t) c * r->d + j;
			double		mean = r->sums[cj] / (double) r->counts[c];
			double		t = mean - r->centers[cj];

			s2 += t * t;
			r->centers[cj] = mean;
		}
		r->shift[c] = sqrt(s2);
		total += s2;
		if (r->shift[c] > max1)
		{
			max2 = max1;
			max1 = r->shift[c];
			arg1 = c;
		}
		else if (r->shift[c] > max2)
			max2 = r->shift[c];
	}
	if (prune)
	{
		for (i = 0; i < r->n; i++)
		{
			int32_t		a = r->labels[i];

			r->upper[i] += r->shift[a];
			r->lower[i] -= (a == arg1 ? max2 : max1);
			if (r->lower[i] < 0)
				r->lower[i] = 0;
		}
	}
	return total;
}

static double
inertia_of(const Run *r, double *mean_distance)
{
	double		s = 0,
				comp = 0,
				ds = 0,
				dcomp = 0;
	size_t		i;

	for (i = 0; i < r->n; i++)
	{
		double		t = dist2(r->x + i * r->d, r->centers + (size_t) r->labels[i] * r->d, r->d);

		ksum_add(&s, &comp, t);
		if (mean_distance)
			ksum_add(&ds, &dcomp, sqrt(t));
	}
	if (mean_distance)
		*mean_distance = (ds + dcomp) / (double) r->n;
	return s + comp;
}

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
		size_t		moved = assign_points(r, cfg->prune, it == 1, NULL, NULL);

		if (cfg->on_iteration)
			inertia = inertia_of(r, NULL);
		if (it > 1 && moved == 0)
		{
			/* labels stable: the centers cannot move any more */
			if (cfg->on_iteration)
				cfg->on_iteration(cfg->arg, run, it, inertia, moved, 0);
			*converged = true;
			*iterations = it;
			return;
		}
		*reseeded += reseed_empty(r, cfg->prune);
		shift2 = update_centers(r, cfg->prune);
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

/* ---------------------------------------------------------------------
 * Driver
 * --------------------------------------------------------------------- */

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

	memset(&r, 0, sizeof(r));
	r.x = x;
	r.n = n;
	r.d = d;
	r.k = cfg->k;
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
			memcpy(r.centers, cfg->init_centroids, sizeof(double) * kd);
		else
		{
			size_t		items = (n + ITEM_ROWS - 1) / ITEM_ROWS;

			r.closest = take(mem, n, sizeof(float), &failed);
			r.item_cand = take(mem, items * MAX_TRIALS, sizeof(size_t), &failed);
			r.item_key = take(mem, items * MAX_TRIALS, sizeof(double), &failed);
			if (failed)
				break;
			if (cfg->init == KM_INIT_RANDOM)
				init_random(&r, cfg->seed, run);
			else
				init_plusplus(&r, cfg->seed, run);
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
		assign_points(&r, false, true, &inertia, &mean_distance);
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

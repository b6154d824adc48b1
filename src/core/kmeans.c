/*
 * kmeans.c
 *	  K-means: see kmeans.h.
 */
#include "kmeans.h"

#include "assign_kernel.h"
#include "exact_sum.h"
#include "ksum.h"
#include "mix64.h"
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
	double	   *lane_sums;		/* KM_LANES x k x d, sums of the current block */
	int64_t    *lane_counts;	/* KM_LANES x k */
	int64_t    *counts;			/* k */
	double	   *shift;			/* k, distance each center moved */
	double	   *half_sep;		/* k, half distance to the nearest other center */
	int32_t    *labels;			/* n */
	double	   *upper;			/* n, Hamerly: >= distance to own center */
	double	   *lower;			/* n, Hamerly: <= distance to any other */
	float	   *closest;		/* n, during init only: k-means++ min d^2, random keys */
	const KmConfig *cfg;		/* for check_interrupts */
} Run;

/* Let the caller react to a cancel every KM_INTERRUPT_ROWS rows. */
static inline void
maybe_interrupt(const Run *r, size_t i)
{
	if ((i & (KM_INTERRUPT_ROWS - 1)) == 0 && r->cfg->check_interrupts)
		r->cfg->check_interrupts(r->cfg->arg);
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
	if (out_dist2)
		*out_dist2 = best_d;
	return best;
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
 * One pass: first closest[i] = min(closest[i], d^2(x_i, center c_new))
 * (closest[i] = d^2 when init), then for each trial t the point with the
 * smallest key. cand[t] = n when no point has w > 0.
 */
static void
draw_candidates(Run *r, int c_new, bool init, const uint64_t *starts, int trials,
				size_t *cand)
{
	double		best_key[MAX_TRIALS],
				bound[MAX_TRIALS];	/* best_key, raised by a margin */
	double		u[MAX_TRIALS][DRAW_BLOCK];
	const double *center = r->centers + (size_t) c_new * r->d;
	size_t		start;
	int			t;

	for (t = 0; t < trials; t++)
	{
		cand[t] = r->n;
		best_key[t] = bound[t] = INFINITY;
	}
	for (start = 0; start < r->n; start += DRAW_BLOCK)
	{
		size_t		end = start + DRAW_BLOCK < r->n ? start + DRAW_BLOCK : r->n;
		size_t		i;

		maybe_interrupt(r, start);
		for (i = start; i < end; i++)
		{
			double		t2 = dist2(r->x + i * r->d, center, r->d);

			if (init || t2 < (double) r->closest[i])
				r->closest[i] = (float) t2;
		}
		for (t = 0; t < trials; t++)
			km_uniform_batch(starts[t], r->x + start * r->d, end - start, r->d, u[t]);
		for (i = start; i < end; i++)
		{
			const double *p = r->x + i * r->d;
			double		w = (double) r->closest[i];

			if (w <= 0)
				continue;		/* a center already: never drawn */
			for (t = 0; t < trials; t++)
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
				if (key < best_key[t] ||
					(key == best_key[t] && cand[t] < r->n &&
					 point_cmp(p, r->x + cand[t] * r->d, r->d) < 0))
				{
					cand[t] = i;
					best_key[t] = key;
					bound[t] = key * (1 + 1e-9);
				}
			}
		}
	}
}

/* Potentials if each candidate were added as a center (compensated sums). */
static void
potentials_with(const Run *r, const size_t *cand, int trials, double *pot)
{
	double		s[MAX_TRIALS],
				comp[MAX_TRIALS];
	size_t		i;
	int			t;

	for (t = 0; t < trials; t++)
		s[t] = comp[t] = 0;
	for (i = 0; i < r->n; i++)
	{
		const double *p = r->x + i * r->d;
		double		w = (double) r->closest[i];

		maybe_interrupt(r, i);
		for (t = 0; t < trials; t++)
		{
			double		t2 = dist2(p, r->x + cand[t] * r->d, r->d);

			ksum_add(&s[t], &comp[t], t2 < w ? t2 : w);
		}
	}
	for (t = 0; t < trials; t++)
		pot[t] = s[t] + comp[t];
}

/*
 * The point with the smallest uniform draw for start (ties by value): the
 * first center, and the one repeated when there are fewer distinct points
 * than k. Draws are made a block at a time.
 */
static size_t
draw_uniform(const Run *r, uint64_t start)
{
	double		u[DRAW_BLOCK];
	size_t		best = r->n;
	double		best_u = INFINITY;
	size_t		from;

	for (from = 0; from < r->n; from += DRAW_BLOCK)
	{
		size_t		end = from + DRAW_BLOCK < r->n ? from + DRAW_BLOCK : r->n;
		size_t		i;

		maybe_interrupt(r, from);
		km_uniform_batch(start, r->x + from * r->d, end - from, r->d, u);
		for (i = from; i < end; i++)
			if (u[i - from] < best_u ||
				(u[i - from] == best_u && best < r->n &&
				 point_cmp(r->x + i * r->d, r->x + best * r->d, r->d) < 0))
			{
				best = i;
				best_u = u[i - from];
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
 * without. Row i is added into lane i % KM_LANES (see assign_kernel.h) and
 * the lanes are added to the totals every SUM_BLOCK rows (pairwise-like,
 * so the rounding error does not grow with n), the same way with and
 * without pruning, so both give the same sums too.
 */
#define SUM_BLOCK 4096

static void
flush_lanes(Run *r)
{
	size_t		kd = (size_t) r->k * r->d;
	size_t		j;
	int			c,
				l;

	for (j = 0; j < kd; j++)
	{
		double		s = r->lane_sums[j];

		for (l = 1; l < KM_LANES; l++)
			s += r->lane_sums[l * kd + j];
		r->sums[j] += s;
	}
	for (c = 0; c < r->k; c++)
		for (l = 0; l < KM_LANES; l++)
			r->counts[c] += r->lane_counts[(size_t) l * r->k + c];
	memset(r->lane_sums, 0, sizeof(double) * KM_LANES * kd);
	memset(r->lane_counts, 0, sizeof(int64_t) * KM_LANES * r->k);
}

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

/*
 * With inertia, also the inertia of the new assignment and the mean
 * distance of a row to its center (no pruning then): the final pass.
 */
static size_t
assign_points(Run *r, bool prune, bool first, double *inertia, double *mean_distance)
{
	size_t		moved = 0;
	double		lane_dist2[KM_LANES] = {0},
				lane_dist[KM_LANES] = {0};
	double		s2 = 0,
				c2 = 0,
				s1 = 0,
				c1 = 0;
	size_t		kd = (size_t) r->k * r->d;
	size_t		start;
	int			d = r->d;

	memset(r->sums, 0, sizeof(double) * kd);
	memset(r->counts, 0, sizeof(int64_t) * r->k);
	memset(r->lane_sums, 0, sizeof(double) * KM_LANES * kd);
	memset(r->lane_counts, 0, sizeof(int64_t) * KM_LANES * r->k);
	if (prune && !first)
		compute_half_separation(r);
	for (start = 0; start < r->n; start += SUM_BLOCK)
	{
		size_t		end = start + SUM_BLOCK < r->n ? start + SUM_BLOCK : r->n;
		size_t		i;

		maybe_interrupt(r, start);
		if (!prune)
			moved += km_assign_rows(r->x + start * d, end - start, d, r->centers, r->k,
									r->labels + start, first, r->lane_sums, r->lane_counts,
									inertia ? lane_dist2 : NULL, inertia ? lane_dist : NULL);
		else
			for (i = start; i < end; i++)
			{
				const double *p = r->x + i * d;
				int32_t		best = pruned_label(r, i, first);
				double	   *acc = r->lane_sums + ((i % KM_LANES) * r->k + best) * d;
				int			j;

				moved += first || best != r->labels[i];
				r->labels[i] = best;
				for (j = 0; j < d; j++)
					acc[j] += p[j];
				r->lane_counts[(i % KM_LANES) * r->k + best]++;
			}
		flush_lanes(r);
		if (inertia)
		{
			int			l;

			for (l = 0; l < KM_LANES; l++)
			{
				ksum_add(&s2, &c2, lane_dist2[l]);
				ksum_add(&s1, &c1, lane_dist[l]);
				lane_dist2[l] = lane_dist[l] = 0;
			}
		}
	}
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
	void	   *bufs[] = {r->centers, r->sums, r->lane_sums, r->lane_counts, r->counts, r->shift,
	r->half_sep, r->labels, r->upper, r->lower, r->closest};
	size_t		i;

	for (i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++)
		if (bufs[i] != NULL)
			mem->release(mem->ctx, bufs[i]);
}

/*
 * Memory: besides the data, the labels (4 bytes a row) and, with pruning,
 * the bounds (16 bytes a row) during iterations, and during initialization
 * only one float a row: the peak stays near n x d x 8 bytes plus 4 a row.
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

	if (x == NULL || n == 0 || d <= 0 || cfg->k < 1 || (size_t) cfg->k > n ||
		cfg->max_iter < 1 || cfg->n_init < 1 || !(cfg->tol >= 0) ||
		(cfg->init == KM_INIT_EXPLICIT && cfg->init_centroids == NULL))
		return KM_BAD_ARGUMENT;

	memset(&r, 0, sizeof(r));
	r.x = x;
	r.n = n;
	r.d = d;
	r.k = cfg->k;
	r.cfg = cfg;
	kd = (size_t) cfg->k * d;
	r.centers = take(mem, kd, sizeof(double), &failed);
	r.sums = take(mem, kd, sizeof(double), &failed);
	r.lane_sums = take(mem, KM_LANES * kd, sizeof(double), &failed);
	r.lane_counts = take(mem, (size_t) KM_LANES * cfg->k, sizeof(int64_t), &failed);
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
	res->inertia = INFINITY;
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
			r.closest = take(mem, n, sizeof(float), &failed);
			if (failed)
				break;
			if (cfg->init == KM_INIT_RANDOM)
				init_random(&r, cfg->seed, run);
			else
				init_plusplus(&r, cfg->seed, run);
			mem->release(mem->ctx, r.closest);
			r.closest = NULL;
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
		if (inertia < res->inertia)
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
	return failed ? KM_NO_MEMORY : KM_OK;
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

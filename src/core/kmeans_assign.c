/*
 * kmeans_assign.c
 *	  The passes of a Lloyd iteration: every point to its nearest center
 *	  (with Hamerly's bounds when pruning) while the clusters' counts and
 *	  sums are added up, empty clusters re-seeded, centers moved to their
 *	  clusters' means, and the inertia of an assignment. Any number of
 *	  threads, with or without pruning, gives the same labels and sums.
 */
#include "kmeans.h"

#include "assign_kernel.h"
#include "kmeans_run.h"
#include "ksum.h"
#include "parallel_for.h"
#include "sphere.h"

#include <math.h>
#include <string.h>

/*
 * Best and second-best centers of point i (for Hamerly's bounds). When
 * every square overflowed, center 0, as the plain search
 * (km_assign_rows) picks then.
 */
static int
full_search(const Run *r, size_t i, double *d1, double *d2)
{
	int			best = nearest_two(r->x + i * r->d, r->centers, r->k, r->d, d1, d2);

	return best < 0 ? 0 : best;
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
				double		t = lower_bound_of(dist2(r->centers + (size_t) a * r->d,
													r->centers + (size_t) b * r->d, r->d));

				if (t < m)
					m = t;
			}
		}
		/* +Inf with one center: there is no other */
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
		/*
		 * m: a lower bound on the distance to every other center. Only one
		 * above BOUND_TINY is used, so that the squares the full search
		 * would compare are normal numbers (or overflow, beyond the own
		 * center's); then an own center nearer by more than the margins
		 * also has the smaller square.
		 */
		m = r->half_sep[old] > r->lower[i] ? r->half_sep[old] : r->lower[i];
		m *= 1 - BOUND_MARGIN;
		if (m > BOUND_TINY)
		{
			if (r->upper[i] * (1 + BOUND_MARGIN) < m)
				return old;
			r->upper[i] = upper_bound_of(dist2(p, r->centers + (size_t) old * r->d, r->d));
			if (r->upper[i] * (1 + BOUND_MARGIN) < m)
				return old;
		}
	}
	best = full_search(r, i, &d1, &d2);
	r->upper[i] = upper_bound_of(d1);
	/* with one center there is no other: no bound needed */
	r->lower[i] = r->k == 1 ? INFINITY : lower_bound_of(d2);
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
size_t
km_assign_points(Run *r, bool prune, bool first, double *inertia, double *mean_distance)
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
int
km_reseed_empty(Run *r, bool prune)
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

/*
 * Move centers to their clusters' means (spherical: the means' directions,
 * at unit length); returns the total squared shift.
 */
double
km_update_centers(Run *r, bool prune)
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
		bool		moved = false;

		if (r->counts[c] == 0)
		{
			r->shift[c] = 0;
			continue;			/* an empty cluster keeps its center */
		}
		if (r->spherical &&
			km_normalize_rows(r->sums + (size_t) c * r->d, 1, r->d) != KM_NO_ZERO_ROW)
		{
			r->shift[c] = 0;
			continue;			/* a zero mean has no direction: keeps its center */
		}
		for (j = 0; j < r->d; j++)
		{
			size_t		cj = (size_t) c * r->d + j;

			/*
			 * Spherical: the sum, which has the mean's direction, was scaled
			 * to unit length in place just above (the sums are spent: the
			 * next pass recomputes them), and is the new center.
			 */
			double		mean = r->spherical ? r->sums[cj] :
				r->sums[cj] / (double) r->counts[c];
			double		t = mean - r->centers[cj];

			moved |= t != 0;
			s2 += t * t;
			r->centers[cj] = mean;
		}
		/*
		 * for the bounds, an upper bound on the move: a move whose square
		 * is too small to be trusted (or underflowed to 0) counts as
		 * BOUND_TINY, a square that overflowed as +Inf
		 */
		r->shift[c] = !moved ? 0 : upper_bound_of(s2);
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

double
km_inertia_of(const Run *r, double *mean_distance)
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

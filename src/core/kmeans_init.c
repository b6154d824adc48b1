/*
 * kmeans_init.c
 *	  The initial centers of a k-means run: greedy k-means++ or k points
 *	  drawn uniformly (explicit centers are copied by km_fit). Every draw is
 *	  keyed by the point's values (point_draw.h), never by its position, and
 *	  ties go to the lower point by value, so the same points give the same
 *	  centers in any row order and on any number of threads.
 */
#include "kmeans.h"

#include "kmeans_run.h"
#include "ksum.h"
#include "parallel_for.h"
#include "point_draw.h"

#include <math.h>
#include <string.h>

/* Let the caller react to a cancel every KM_INTERRUPT_ROWS rows. */
static inline void
maybe_interrupt(const Run *r, size_t i)
{
	if ((i & (KM_INTERRUPT_ROWS - 1)) == 0 && r->par.check_interrupts)
		r->par.check_interrupts(r->par.arg);
}

double
km_point_uniform(const double *p, int d, uint64_t seed, uint64_t salt)
{
	return uniform_from(draw_start(seed, salt), p, d);
}

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

void
km_init_plusplus(Run *r, uint64_t seed, int run)
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
void
km_init_random(Run *r, uint64_t seed, int run)
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

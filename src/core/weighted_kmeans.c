/*
 * weighted_kmeans.c
 *	  K-means on weighted points: see weighted_kmeans.h.
 */
#include "weighted_kmeans.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "checked_size.h"
#include "kmeans_run.h"
#include "mix64.h"
#include "parallel_for.h"
#include "point_draw.h"
#include "small_d.h"
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
	const double *wd;			/* n: the weights as doubles (exact below 2^53) */
	size_t		n;
	int			d;
	int			k;
	bool		spherical;		/* centers kept at unit length (KmConfig) */
	/*
	 * chunks: threads for the chunks of a pass (NULL: this thread alone).
	 * checks: whose check_interrupts this thread calls between chunks
	 * (NULL: none). poll: on a helper thread, whose interrupt_pending
	 * stops the run (aborted set: its result is thrown away).
	 */
	const KmParallel *chunks_par;
	const KmParallel *checks;
	const KmParallel *poll;
	bool		aborted;
	int			last_run;		/* the run whose last pass it holds, or -1 */
	const uint64_t *hashes;		/* n: each point's hash, the source of its draws */
	double	   *centers;		/* k x d, the run's */
	double	   *sums;			/* k x d */
	int64_t    *weight;			/* k: each cluster's total weight */
	int32_t    *labels;			/* n */
	double	   *closest;		/* n: squared distance to the nearest center */
	Ranked	   *ranked;		/* n: random init's keys */
	struct ChunkResult *chunks;	/* chunk_count(n): each pass's per-chunk results */
	double	   *old;			/* k x d: update()'s previous centers */
	double	   *lower;			/* n: a lower bound on the distance to every other center */
	double	   *moves;			/* k: how far each center moved in the last update (record_moves) */
	double	   *others_moved;	/* k: the most any other center moved in the last update */
} Fit;

/*
 * Every pass over the points runs in chunks of CHUNK_POINTS; each chunk
 * writes its own result, and the results are combined in chunk order, so
 * sums and choices are the same however the chunks and the runs are
 * shared among threads.
 */
#define CHUNK_POINTS 2048

/*
 * Runs (n_init) go to threads of their own; a single run shares its
 * passes' chunks among threads only from this many points on, below which
 * starting the threads for every pass costs more than it saves.
 */
#define PARALLEL_CHUNKS_MIN_POINTS 262144

typedef struct ChunkResult
{
	double		sum;			/* inertia or distance */
	size_t		moved;			/* assign: labels changed */
	double		key[MAX_TRIALS];	/* races: each trial's smallest key */
	size_t		best[MAX_TRIALS];	/* its point (n: none) */
	double		potential[MAX_TRIALS];	/* each candidate's potential */
} ChunkResult;

static size_t
chunk_count(size_t n)
{
	return (n + CHUNK_POINTS - 1) / CHUNK_POINTS;
}


/*
 * Random draws depend on the points' values, never on their order: each
 * point has a hash of its values (computed once a fit), mixed with the
 * key of each draw (seed, run, center, trial) into a uniform in (0, 1].
 */
static uint64_t
point_hash(const double *x, int d)
{
	return point_mix(UINT64_C(0x510e527fade682d1), x, d);
}

/* The key of a draw: distinct for distinct (seed, run, center, trial). */
static uint64_t
draw_key(uint64_t seed, int run, int center, int trial)
{
	return mix64(mix64(seed ^ UINT64_C(0x77ca1e5)) ^
				 (((uint64_t) run << 40) ^ ((uint64_t) center << 8) ^ (uint64_t) trial));
}

static double
draw_uniform(const Fit *f, size_t i, uint64_t key)
{
	return unit_from_hash(mix64(f->hashes[i] ^ key));
}

/*
 * Point i's key in an exponential race with rate `rate` (weight times
 * whatever else the draw is proportional to): the smallest key of all
 * points wins with probability proportional to its rate. +Inf when the
 * rate is not positive (the point cannot win).
 */
static double
race_key(const Fit *f, size_t i, uint64_t key, double rate)
{
	if (!(rate > 0))
		return INFINITY;
	return -log(draw_uniform(f, i, key)) / rate;
}

/*
 * Whether point i's key in the race could be below `best`: -log(u) >= 1 - u,
 * so a key whose lower bound (1 - u) / rate is not below best (with a
 * margin for the rounding of log) cannot win, and most points of a race
 * skip the logarithm. The winner is the one race_key alone would pick.
 */
static inline bool
race_may_win(const Fit *f, size_t i, uint64_t draw, double rate, double best, double *key)
{
	double		u = draw_uniform(f, i, draw);

	/* (1 - u) / rate >= best, with a margin over the roundings, without dividing */
	if ((1 - u) * (1 - 1e-9) >= best * rate)
		return false;
	*key = -log(u) / rate;
	return *key < best;
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

typedef enum PassKind
{
	PASS_RACES,					/* closest[] with one more center, then the trials' races */
	PASS_POTENTIALS,			/* the weighted potential with each candidate added */
	PASS_ASSIGN,				/* labels, closest[], inertia, moved */
	PASS_DISTANCE,				/* weighted sum of sqrt(closest[]) */
	PASS_RANDOM_KEYS			/* random init's keys into ranked[] */
} PassKind;

/* No point (PASS_RACES: no center to add to closest[]). */
#define NO_POINT ((size_t) -1)

typedef struct Pass
{
	Fit		   *f;
	PassKind	kind;
	bool		first;			/* PASS_ASSIGN: every label counts as moved */
	bool		by_distance;	/* PASS_RACES: rates w_i closest[i], else w_i */
	size_t		point;			/* PASS_RACES: the center added last, or NO_POINT */
	int			trials;			/* PASS_RACES, PASS_POTENTIALS */
	uint64_t	draws[MAX_TRIALS];	/* PASS_RACES, PASS_RANDOM_KEYS: draw keys */
	size_t		candidates[MAX_TRIALS];	/* PASS_POTENTIALS */
} Pass;

/* A pass of this kind over f's points, its other fields zero. */
static Pass
pass_of(Fit *f, PassKind kind)
{
	Pass		p;

	memset(&p, 0, sizeof(p));
	p.f = f;
	p.kind = kind;
	return p;
}

/* Each pass over the points [lo, hi) of one chunk, into r. */
static FOR_EACH_D void
races_d(const Pass *p, ChunkResult *r, size_t lo, size_t hi, int d)
{
	Fit		   *f = p->f;
	const double *center = p->point == NO_POINT ? NULL : f->x + p->point * d;
	size_t		i,
				best[MAX_TRIALS];
	double		best_key[MAX_TRIALS];	/* in registers, not through r */
	int			t;

	for (t = 0; t < p->trials; t++)
	{
		best_key[t] = INFINITY;
		best[t] = f->n;
	}
	for (i = lo; i < hi; i++)
	{
		double		rate,
					key;

		if (center != NULL)
		{
			double		d2 = dist2(f->x + i * d, center, d);

			if (d2 < f->closest[i])
				f->closest[i] = d2;
		}
		rate = f->wd[i] * (p->by_distance ? f->closest[i] : 1.0);
		if (!(rate > 0))
			continue;
		for (t = 0; t < p->trials; t++)
			if (race_may_win(f, i, p->draws[t], rate, best_key[t], &key))
			{
				best_key[t] = key;
				best[t] = i;
			}
	}
	for (t = 0; t < p->trials; t++)
	{
		r->key[t] = best_key[t];
		r->best[t] = best[t];
	}
}

static FOR_EACH_D void
potentials_d(const Pass *p, ChunkResult *r, size_t lo, size_t hi, int d)
{
	const Fit  *f = p->f;
	size_t		i;
	double		potential[MAX_TRIALS];	/* in registers, not through r */
	int			t;

	for (t = 0; t < p->trials; t++)
		potential[t] = 0;
	for (i = lo; i < hi; i++)
	{
		const double *x = f->x + i * d;
		double		w = f->wd[i],
					closest = f->closest[i];

		for (t = 0; t < p->trials; t++)
		{
			double		d2 = dist2(x, f->x + p->candidates[t] * d, d);

			potential[t] += w * (d2 < closest ? d2 : closest);
		}
	}
	for (t = 0; t < p->trials; t++)
		r->potential[t] = potential[t];
}

static FOR_EACH_D void
assign_d(const Pass *p, ChunkResult *r, size_t lo, size_t hi, int d)
{
	const Fit  *f = p->f;
	double		sum = 0;
	size_t		i;

	for (i = lo; i < hi; i++)
	{
		const double *x = f->x + i * d;
		double		d2,
					second;
		int			c;

		if (!p->first)
		{
			/*
			 * the point's own center is still the nearest if it is nearer
			 * than the bound on every other one (moved down by the most
			 * another center moved), with a margin over the roundings: then
			 * only that distance is needed
			 */
			int			own = f->labels[i];
			double		bound = f->lower[i] - f->others_moved[own];

			d2 = dist2(x, f->centers + (size_t) own * d, d);
			f->lower[i] = bound;
			if (bound > BOUND_TINY && d2 < bound * bound * (1 - BOUND_MARGIN))
			{
				f->closest[i] = d2;
				sum += f->wd[i] * d2;
				continue;
			}
		}
		c = nearest_two(x, f->centers, f->k, d, &d2, &second);
		if (c < 0)
		{
			/* every square overflowed: km_nearest judges on scaled values */
			c = km_nearest(x, f->centers, f->k, d, &d2);
			second = 0;
		}
		if (p->first || c != f->labels[i])
			r->moved++;
		f->labels[i] = c;
		f->closest[i] = d2;
		/*
		 * a lower bound on the distance to every other center: none with
		 * one center; 0 (search again next time) where the square is not
		 * trusted, tiny or overflowed
		 */
		f->lower[i] = f->k == 1 ? INFINITY : lower_bound_of(second);
		sum += f->wd[i] * d2;
	}
	r->sum = sum;
}

static void
chunk_races(const Pass *p, ChunkResult *r, size_t lo, size_t hi)
{
	WITH_D(races_d, p->f->d, p, r, lo, hi);
}

static void
chunk_potentials(const Pass *p, ChunkResult *r, size_t lo, size_t hi)
{
	WITH_D(potentials_d, p->f->d, p, r, lo, hi);
}

static void
chunk_assign(const Pass *p, ChunkResult *r, size_t lo, size_t hi)
{
	WITH_D(assign_d, p->f->d, p, r, lo, hi);
}

static void
chunk_distance(const Pass *p, ChunkResult *r, size_t lo, size_t hi)
{
	const Fit  *f = p->f;
	double		sum = 0;
	size_t		i;

	for (i = lo; i < hi; i++)
		sum += f->wd[i] * sqrt(f->closest[i]);
	r->sum = sum;
}

static void
chunk_random_keys(const Pass *p, size_t lo, size_t hi)
{
	const Fit  *f = p->f;
	size_t		i;

	for (i = lo; i < hi; i++)
	{
		f->ranked[i].key = race_key(f, i, p->draws[0], f->wd[i]);
		f->ranked[i].index = i;
	}
}

/* km_parallel_for's task: one chunk of a pass. */
static void
pass_chunk(void *arg, int worker, size_t item)
{
	const Pass *p = arg;
	const Fit  *f = p->f;
	ChunkResult *r = &f->chunks[item];
	size_t		lo = item * CHUNK_POINTS,
				hi = lo + CHUNK_POINTS < f->n ? lo + CHUNK_POINTS : f->n;

	(void) worker;
	r->moved = 0;
	r->sum = 0;
	switch (p->kind)
	{
		case PASS_RACES:
			chunk_races(p, r, lo, hi);
			break;
		case PASS_POTENTIALS:
			chunk_potentials(p, r, lo, hi);
			break;
		case PASS_ASSIGN:
			chunk_assign(p, r, lo, hi);
			break;
		case PASS_DISTANCE:
			chunk_distance(p, r, lo, hi);
			break;
		case PASS_RANDOM_KEYS:
			chunk_random_keys(p, lo, hi);
			break;
	}
}

/*
 * Run a pass over every chunk; the chunks' sums added in chunk order.
 * Nothing (0) once the run is aborted.
 */
static double
run_pass(Fit *f, const Pass *p)
{
	size_t		c,
				chunks = chunk_count(f->n);
	double		sum = 0;

	if (f->aborted)
		return 0;
	if (f->chunks_par != NULL)
		km_parallel_for(f->chunks_par, chunks, pass_chunk, (void *) p);
	else
		for (c = 0; c < chunks; c++)
		{
			if (f->checks != NULL && f->checks->check_interrupts != NULL)
				f->checks->check_interrupts(f->checks->arg);
			if (f->poll != NULL && f->poll->interrupt_pending != NULL &&
				f->poll->interrupt_pending(f->poll->arg))
			{
				f->aborted = true;
				return 0;
			}
			pass_chunk((void *) p, 0, c);
		}
	for (c = 0; c < chunks; c++)
		sum += f->chunks[c].sum;
	return sum;
}

/*
 * Fold center `point` (or NO_POINT) into closest[], then run `trials`
 * races with rates w_i closest[i] (by_distance) or w_i, draws of keys
 * draws[]: each winner into winners[], the point with the smallest key,
 * lowest index on ties; the farthest point when no rate is positive
 * (squares that underflowed), n when none is off the centers.
 */
static void
races(Fit *f, size_t point, bool by_distance, int trials, const uint64_t *draws,
	  size_t *winners)
{
	Pass		p = pass_of(f, PASS_RACES);
	size_t		c;
	int			t;

	p.by_distance = by_distance;
	p.point = point;
	p.trials = trials;
	memcpy(p.draws, draws, sizeof(uint64_t) * trials);
	run_pass(f, &p);
	for (t = 0; t < trials; t++)
	{
		double		best_key = INFINITY;

		winners[t] = f->n;
		if (f->aborted)
		{
			winners[t] = 0;		/* any valid point: the run is thrown away */
			continue;
		}
		/* in chunk order, strictly smaller: the lowest index among equal keys */
		for (c = 0; c < chunk_count(f->n); c++)
			if (f->chunks[c].best[t] < f->n && f->chunks[c].key[t] < best_key)
			{
				best_key = f->chunks[c].key[t];
				winners[t] = f->chunks[c].best[t];
			}
		if (winners[t] == f->n)
			winners[t] = farthest(f);
	}
}

/* Weighted potential with each candidate added as a center, in one pass. */
static void
potentials(Fit *f, int trials, const size_t *candidates, double *out)
{
	Pass		p = pass_of(f, PASS_POTENTIALS);
	size_t		c;
	int			t;

	p.trials = trials;
	memcpy(p.candidates, candidates, sizeof(size_t) * trials);
	run_pass(f, &p);
	for (t = 0; t < trials; t++)
	{
		out[t] = 0;
		for (c = 0; c < chunk_count(f->n) && !f->aborted; c++)
			out[t] += f->chunks[c].potential[t];
	}
}

/*
 * Greedy k-means++ with 2 + ln k trials a center, as scikit-learn's: a
 * round's trials are drawn in one pass (which also folds the center chosen
 * last into closest[]), their potentials computed in one more.
 */
static void
init_plusplus(Fit *f, uint64_t seed, int run)
{
	int			trials = 2 + (int) log(f->k),
				c,
				t,
				valid;
	uint64_t	draws[MAX_TRIALS];
	size_t		winners[MAX_TRIALS],
				candidates[MAX_TRIALS],
				i,
				chosen;
	double		pot[MAX_TRIALS];

	if (trials > MAX_TRIALS)
		trials = MAX_TRIALS;
	draws[0] = draw_key(seed, run, 0, 0);
	races(f, NO_POINT, false, 1, draws, winners);
	chosen = winners[0];
	set_center(f, 0, chosen);
	for (i = 0; i < f->n; i++)
		f->closest[i] = INFINITY;
	for (c = 1; c < f->k; c++)
	{
		size_t		best = f->n;
		double		best_pot = INFINITY;

		for (t = 0; t < trials; t++)
			draws[t] = draw_key(seed, run, c, t);
		races(f, chosen, true, trials, draws, winners);
		valid = 0;
		for (t = 0; t < trials; t++)
			if (winners[t] < f->n)
				candidates[valid++] = winners[t];
		if (valid > 0)
			potentials(f, valid, candidates, pot);
		/* the lowest potential, the first trial among equals */
		for (t = 0; t < valid; t++)
			if (best == f->n || pot[t] < best_pot)
			{
				best = candidates[t];
				best_pot = pot[t];
			}
		if (best == f->n)
			best = (size_t) c;	/* no point is off the centers (k > distinct) */
		set_center(f, c, best);
		chosen = best;
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
	Pass		p = pass_of(f, PASS_RANDOM_KEYS);
	int			c;

	p.draws[0] = draw_key(seed, run, 0, 0);
	run_pass(f, &p);
	if (f->aborted)
		return;					/* ranked[] was not written; the run is thrown away */
	qsort(f->ranked, f->n, sizeof(Ranked), ranked_cmp);
	for (c = 0; c < f->k; c++)
		set_center(f, c, f->ranked[c].index);
}

/* Label every point; returns how many labels changed, sums the inertia. */
static size_t
assign(Fit *f, bool first, double *inertia)
{
	Pass		p = pass_of(f, PASS_ASSIGN);
	size_t		c,
				moved = 0;

	p.first = first;
	*inertia = run_pass(f, &p);
	if (f->aborted)
		return 0;
	for (c = 0; c < chunk_count(f->n); c++)
		moved += f->chunks[c].moved;
	return moved;
}

/*
 * The weighted sum of the distances to the centers of the last assign():
 * once per run, not per iteration (a square root per point).
 */
static double
distance_sum(Fit *f)
{
	Pass		p = pass_of(f, PASS_DISTANCE);

	return run_pass(f, &p);
}

/*
 * For assign()'s bounds, from update()'s old and new centers and each
 * one's squared move in f->moves: each center's distance moved, bounded
 * above (0 only when it did not move; BOUND_TINY when the square is too
 * small to trust; +Inf when it overflowed), then for each center the most
 * any other one moved: the largest move, or the second largest for the
 * center that made it.
 */
static void
record_moves(Fit *f)
{
	int			c,
				top = -1;
	double		first = 0,
				second = 0;

	for (c = 0; c < f->k; c++)
	{
		double	   *moved = &f->moves[c];
		bool		still = *moved == 0 &&
			memcmp(f->old + (size_t) c * f->d, f->centers + (size_t) c * f->d,
				   sizeof(double) * f->d) == 0;

		if (!still)
			*moved = upper_bound_of(*moved);
		if (*moved > first)
		{
			second = first;
			first = *moved;
			top = c;
		}
		else if (*moved > second)
			second = *moved;
	}
	for (c = 0; c < f->k; c++)
		f->others_moved[c] = c == top ? second : first;
}

/* Each cluster's weighted sum of points and total weight, in point order. */
static FOR_EACH_D void
cluster_sums_d(Fit *f, int d)
{
	size_t		i;
	int			j;

	for (i = 0; i < f->n; i++)
	{
		int			l = f->labels[i];

		for (j = 0; j < d; j++)
			f->sums[(size_t) l * d + j] += f->wd[i] * f->x[i * d + j];
		f->weight[l] += f->w[i];
	}
}

/* New centers from the labels; returns their squared shift. */
static double
update(Fit *f, int *reseeded)
{
	double	   *old = f->old;
	size_t		kd = (size_t) f->k * f->d;
	double		shift = 0;
	int			c,
				j;

	memcpy(old, f->centers, sizeof(double) * kd);
	memset(f->sums, 0, sizeof(double) * kd);
	memset(f->weight, 0, sizeof(int64_t) * f->k);
	WITH_D(cluster_sums_d, f->d, f);
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
		f->moves[c] = km_dist2(old + (size_t) c * f->d, f->centers + (size_t) c * f->d, f->d);
		shift += f->moves[c];
	}
	record_moves(f);
	return shift;
}

/* One run's outcome. */
typedef struct RunResult
{
	double		inertia;
	int			iterations;
	int			reseeded;
	bool		converged;
	bool		aborted;		/* stopped by an interrupt on a helper: run again */
} RunResult;

/* What one thread's Fit holds beside the shared points and the runs' results. */
static size_t
workspace_bytes(size_t n, int d, int k)
{
	size_t		kd = km_size_mul((size_t) k, (size_t) d);

	return km_size_add(km_size_add(km_size_mul(kd, 3 * sizeof(double)),
								   km_size_mul((size_t) k, sizeof(int64_t) + 2 * sizeof(double))),
					   km_size_add(km_size_mul(n, sizeof(int32_t) + 2 * sizeof(double) + sizeof(Ranked)),
								   km_size_mul(chunk_count(n), sizeof(ChunkResult))));
}

/* Threads the runs go to: one each, at most one per thread allowed. */
static int
run_workers(const KmConfig *cfg, int n_runs)
{
	int			threads = km_parallel_threads(&cfg->parallel);

	/* the progress callback reports from the calling thread only */
	if (cfg->on_iteration != NULL || n_runs < 2)
		return 1;
	return threads < n_runs ? threads : n_runs;
}

/* Several seedings, Lloyd's iterations from the best only (KmConfig). */
static bool
best_seeding_only(const KmConfig *cfg)
{
	return cfg->init != KM_INIT_EXPLICIT && cfg->seedings > 1;
}

/* The runs of the first phase: full runs, or seedings. */
static int
fit_runs(const KmConfig *cfg)
{
	if (cfg->init == KM_INIT_EXPLICIT)
		return 1;
	return best_seeding_only(cfg) ? cfg->seedings : cfg->n_init;
}

size_t
km_fit_weighted_bytes(size_t n, int d, const KmConfig *cfg)
{
	int			n_runs = fit_runs(cfg),
				workers = run_workers(cfg, n_runs);
	size_t		kd = km_size_mul((size_t) cfg->k, (size_t) d);

	return km_size_add(km_size_add(km_size_mul((size_t) workers,
											   km_size_add(sizeof(Fit), workspace_bytes(n, d, cfg->k))),
								   km_size_mul(n, (cfg->init == KM_INIT_EXPLICIT ? 0 : sizeof(uint64_t)) + sizeof(double))),
					   km_size_mul((size_t) n_runs, km_size_add(km_size_mul(kd, sizeof(double)),
																sizeof(RunResult))));
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

static void
give_back(const KmAlloc *mem, void *p)
{
	if (p != NULL)
		mem->release(mem->ctx, p);
}

/* What every run shares. */
typedef struct Runs
{
	const KmConfig *cfg;
	Fit		   *workspaces;		/* one per thread */
	double	   *centers;		/* n_runs x k x d: each run's final centers */
	RunResult  *results;		/* n_runs */
	uint64_t   *hashes;			/* n: point_hash of each point */
	double	   *wd;				/* n: the weights as doubles */
	double		tol_abs;
	bool		seedings_only;	/* the first phase draws KmConfig.seedings, no Lloyd */
} Runs;

/* Lloyd's iterations from f->centers to convergence, as run number `run`. */
static void
lloyd(const Runs *all, Fit *f, int run)
{
	const KmConfig *cfg = all->cfg;
	size_t		kd = (size_t) f->k * f->d;
	RunResult  *out = &all->results[run];
	double		inertia;
	int			iter;

	assign(f, true, &inertia);
	if (cfg->on_iteration != NULL && !f->aborted)
		cfg->on_iteration(cfg->arg, run, 0, inertia, f->n, 0);
	for (iter = 1; iter <= cfg->max_iter && !f->aborted; iter++)
	{
		double		shift = update(f, &out->reseeded);
		size_t		moved = assign(f, false, &inertia);

		if (cfg->on_iteration != NULL && !f->aborted)
			cfg->on_iteration(cfg->arg, run, iter, inertia, moved, shift);
		if (moved == 0 || shift <= all->tol_abs)
		{
			out->converged = true;
			break;
		}
	}
	out->inertia = inertia;
	out->iterations = iter > cfg->max_iter ? cfg->max_iter : iter;
	out->aborted = f->aborted;
	f->last_run = f->aborted ? -1 : run;
	memcpy(all->centers + (size_t) run * kd, f->centers, sizeof(double) * kd);
}

/*
 * Run number `run` in workspace f: its start (seeding or explicit), then
 * Lloyd to convergence; in the seedings phase, the seeding and the inertia
 * of its centers only.
 */
static void
fit_one_run(const Runs *all, Fit *f, int run)
{
	const KmConfig *cfg = all->cfg;
	size_t		kd = (size_t) f->k * f->d;
	RunResult  *out = &all->results[run];

	f->aborted = false;
	memset(out, 0, sizeof(*out));
	if (cfg->init == KM_INIT_EXPLICIT)
	{
		memcpy(f->centers, cfg->init_centroids, sizeof(double) * kd);
		if (cfg->spherical)
			(void) km_normalize_rows(f->centers, cfg->k, f->d);	/* none is zero */
	}
	else if (cfg->init == KM_INIT_RANDOM)
		init_random(f, cfg->seed, run);
	else
		init_plusplus(f, cfg->seed, run);
	if (!all->seedings_only)
	{
		lloyd(all, f, run);
		return;
	}
	assign(f, true, &out->inertia);
	out->aborted = f->aborted;
	f->last_run = -1;			/* its labels are not a finished run's */
	memcpy(all->centers + (size_t) run * kd, f->centers, sizeof(double) * kd);
}

/* The run (or seeding) of lowest inertia, the first among equals. */
static int
lowest_inertia(const Runs *all, int n_runs)
{
	int			best = 0,
				run;

	for (run = 1; run < n_runs; run++)
		if (all->results[run].inertia < all->results[best].inertia)
			best = run;
	return best;
}

/* km_parallel_for's task: a run on a helper (or the caller) thread. */
static void
run_task(void *arg, int worker, size_t item)
{
	const Runs *all = arg;

	fit_one_run(all, &all->workspaces[worker], (int) item);
}

KmStatus
km_fit_weighted(const double *x, const int64_t *w, size_t n, int d,
				const KmConfig *cfg, const KmAlloc *mem, KmResult *res)
{
	Runs		all;
	Fit		   *f;
	bool		failed = false;
	size_t		kd,
				i;
	double		total = 0,
				inertia;
	int			n_runs = fit_runs(cfg),
				workers,
				run,
				best,
				t,
				c;
	KmStatus	status = KM_OK;

	if (x == NULL || w == NULL || n == 0 || d <= 0 || cfg->k < 1 || (size_t) cfg->k > n ||
		cfg->max_iter < 1 || cfg->n_init < 1 || !(cfg->tol >= 0) ||
		cfg->seedings < 0 || (cfg->seedings > 1 && cfg->n_init > 1) ||
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

	kd = (size_t) cfg->k * d;
	workers = run_workers(cfg, n_runs);
	memset(&all, 0, sizeof(all));
	all.cfg = cfg;
	all.seedings_only = best_seeding_only(cfg);
	all.tol_abs = cfg->tol * (cfg->mean_variance >= 0 ? cfg->mean_variance : km_mean_variance(x, n, d));
	all.workspaces = take(mem, (size_t) workers, sizeof(Fit), &failed);
	all.centers = take(mem, (size_t) n_runs, kd * sizeof(double), &failed);
	all.results = take(mem, (size_t) n_runs, sizeof(RunResult), &failed);
	all.wd = take(mem, n, sizeof(double), &failed);
	for (i = 0; i < n && all.wd != NULL; i++)
		all.wd[i] = (double) w[i];
	/* the draws' source: none with explicit centroids */
	if (cfg->init != KM_INIT_EXPLICIT)
	{
		all.hashes = take(mem, n, sizeof(uint64_t), &failed);
		for (i = 0; i < n && all.hashes != NULL; i++)
			all.hashes[i] = point_hash(x + i * d, d);
	}
	if (all.workspaces != NULL)
		memset(all.workspaces, 0, sizeof(Fit) * (size_t) workers);
	for (t = 0; t < workers && !failed; t++)
	{
		f = &all.workspaces[t];
		f->x = x;
		f->w = w;
		f->wd = all.wd;
		f->n = n;
		f->d = d;
		f->k = cfg->k;
		f->spherical = cfg->spherical;
		f->hashes = all.hashes;
		f->last_run = -1;
		f->centers = take(mem, kd, sizeof(double), &failed);
		f->sums = take(mem, kd, sizeof(double), &failed);
		f->old = take(mem, kd, sizeof(double), &failed);
		f->weight = take(mem, cfg->k, sizeof(int64_t), &failed);
		f->labels = take(mem, n, sizeof(int32_t), &failed);
		f->closest = take(mem, n, sizeof(double), &failed);
		f->ranked = take(mem, n, sizeof(Ranked), &failed);
		f->chunks = take(mem, chunk_count(n), sizeof(ChunkResult), &failed);
		f->lower = take(mem, n, sizeof(double), &failed);
		f->others_moved = take(mem, cfg->k, sizeof(double), &failed);
		f->moves = take(mem, cfg->k, sizeof(double), &failed);
		if (workers > 1)
			f->poll = &cfg->parallel;	/* helpers: stop on an interrupt, never longjmp */
		else
		{
			f->checks = &cfg->parallel;
			if (km_parallel_threads(&cfg->parallel) > 1 && n >= PARALLEL_CHUNKS_MIN_POINTS)
				f->chunks_par = &cfg->parallel;
		}
	}
	if (failed)
		status = KM_NO_MEMORY;

	if (status == KM_OK && workers > 1)
	{
		km_parallel_for(&cfg->parallel, (size_t) n_runs, run_task, &all);
		/* back on this thread alone: every workspace checks, none polls */
		for (t = 0; t < workers; t++)
		{
			all.workspaces[t].poll = NULL;
			all.workspaces[t].checks = &cfg->parallel;
		}
		if (n >= PARALLEL_CHUNKS_MIN_POINTS)
			all.workspaces[0].chunks_par = &cfg->parallel;
		/* runs an interrupt stopped: cancel now, or, held off, run them here */
		for (run = 0; run < n_runs; run++)
			if (all.results[run].aborted)
				fit_one_run(&all, &all.workspaces[0], run);
	}
	else if (status == KM_OK)
		for (run = 0; run < n_runs; run++)
			fit_one_run(&all, &all.workspaces[0], run);

	if (status == KM_OK)
	{
		best = lowest_inertia(&all, n_runs);
		if (all.seedings_only)
		{
			/* Lloyd from the best seeding, on this thread (its passes shared) */
			f = &all.workspaces[0];
			f->aborted = false;
			memcpy(f->centers, all.centers + (size_t) best * kd, sizeof(double) * kd);
			memset(&all.results[best], 0, sizeof(RunResult));
			all.seedings_only = false;
			lloyd(&all, f, best);
		}
		/*
		 * its labels and distances: where a workspace still holds its last
		 * pass, as they are; else again from its centers (the same labels)
		 */
		f = NULL;
		for (t = 0; t < workers && f == NULL; t++)
			if (all.workspaces[t].last_run == best)
				f = &all.workspaces[t];
		if (f == NULL)
		{
			f = &all.workspaces[0];
			memcpy(f->centers, all.centers + (size_t) best * kd, sizeof(double) * kd);
			assign(f, true, &inertia);
		}
		res->inertia = all.results[best].inertia;
		res->mean_distance = distance_sum(f) / total;
		res->iterations = all.results[best].iterations;
		res->converged = all.results[best].converged;
		res->best_run = best;
		res->reseeded = all.results[best].reseeded;
		memcpy(res->centroids, f->centers, sizeof(double) * kd);
		for (c = 0; c < cfg->k; c++)
			res->sizes[c] = 0;
		for (i = 0; i < n; i++)
		{
			res->sizes[f->labels[i]] += w[i];
			if (res->labels != NULL)
				res->labels[i] = f->labels[i];
		}
		if (!isfinite(res->inertia))
			status = KM_OVERFLOW;
		for (i = 0; i < kd && status == KM_OK; i++)
			if (!isfinite(res->centroids[i]))
				status = KM_OVERFLOW;
	}

	for (t = 0; all.workspaces != NULL && t < workers; t++)
	{
		f = &all.workspaces[t];
		give_back(mem, f->centers);
		give_back(mem, f->sums);
		give_back(mem, f->old);
		give_back(mem, f->weight);
		give_back(mem, f->labels);
		give_back(mem, f->closest);
		give_back(mem, f->ranked);
		give_back(mem, f->chunks);
		give_back(mem, f->lower);
		give_back(mem, f->others_moved);
		give_back(mem, f->moves);
	}
	give_back(mem, all.workspaces);
	give_back(mem, all.centers);
	give_back(mem, all.results);
	give_back(mem, all.hashes);
	give_back(mem, all.wd);
	return status;
}

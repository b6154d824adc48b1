/*
 * test_kmeans.c
 *	  Unit tests of the k-means core against direct computations: pruned
 *	  and plain Lloyd assign identically, results do not depend on row
 *	  order, known answers on separated blobs, k = 1, empty clusters,
 *	  fewer distinct points than k.
 */
#include <stdlib.h>
#include <string.h>

#include <stdbool.h>

#include "core/kmeans.h"
#include "tap.h"
#include "test_alloc.h"
#include "test_random.h"



/* n points in blobs around `centers` (nb x d), spread sd */
static double *
blobs(size_t n, int d, const double *centers, int nb, double sd)
{
	double	   *x = malloc(sizeof(double) * n * d);
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
			x[i * d + j] = centers[(i % nb) * d + j] + sd * gauss();
	return x;
}

typedef struct Fit
{
	double	   *centroids;
	int32_t    *labels;
	int64_t    *sizes;
	KmResult	res;
	KmStatus	status;
} Fit;

static Fit
fit(const double *x, size_t n, int d, KmConfig cfg)
{
	Fit			f;

	f.centroids = calloc((size_t) cfg.k * d, sizeof(double));
	f.labels = calloc(n, sizeof(int32_t));
	f.sizes = calloc(cfg.k, sizeof(int64_t));
	f.res.centroids = f.centroids;
	f.res.labels = f.labels;
	f.res.sizes = f.sizes;
	f.status = km_fit(x, n, d, &cfg, &MEM, &f.res);
	return f;
}

static void
fit_free(Fit *f)
{
	free(f->centroids);
	free(f->labels);
	free(f->sizes);
}

static KmConfig
config(int k)
{
	KmConfig	c;

	memset(&c, 0, sizeof(c));
	c.k = k;
	c.init = KM_INIT_PLUSPLUS;
	c.n_init = 1;
	c.max_iter = 300;
	c.tol = 1e-4;
	c.seed = 42;
	c.prune = true;
	c.mean_variance = -1;
	return c;
}

/* Recompute inertia and sizes from labels and centroids, and check that
 * every label is the nearest centroid. */
static void
check_consistent(const double *x, size_t n, int d, int k, const Fit *f, const char *what)
{
	double		inertia = 0;
	size_t		i,
				wrong = 0;
	int64_t    *sizes = calloc(k, sizeof(int64_t));
	int			c,
				size_ok = 1;

	for (i = 0; i < n; i++)
	{
		double		d2;
		int			near = km_nearest(x + i * d, f->centroids, k, d, &d2);

		if (near != f->labels[i])
			wrong++;
		inertia += km_dist2(x + i * d, f->centroids + (size_t) f->labels[i] * d, d);
		sizes[f->labels[i]]++;
	}
	for (c = 0; c < k; c++)
		if (sizes[c] != f->sizes[c])
			size_ok = 0;
	is_int(wrong, 0, "%s: every label is the nearest centroid", what);
	is_close(f->res.inertia, inertia, 1e-9, "%s: inertia equals the direct sum", what);
	ok(size_ok, "%s: sizes equal the label counts", what);
	free(sizes);
}

static void
test_pruned_equals_plain(void)
{
	double		centers[] = {0, 0, 0, 3, 3, 0, 0, 3, 3, 6, 6, 6, 1, 5, 2};
	size_t		n = 20000;
	double	   *x = blobs(n, 3, centers, 5, 1.2);
	double	   *grid = malloc(sizeof(double) * 3000 * 2);
	double		init[5 * 3];
	size_t		i;
	int			trial;

	/* integer grid points: many exact ties between centers */
	for (i = 0; i < 3000; i++)
	{
		grid[2 * i] = (double) (i % 7);
		grid[2 * i + 1] = (double) ((i / 7) % 5);
	}
	for (trial = 0; trial < 3; trial++)
	{
		KmConfig	c = config(5);
		Fit			a,
					b;
		size_t		diff = 0;

		for (i = 0; i < 15; i++)
			init[i] = x[(trial * 97 + i * 13) % (n * 3)];
		c.init = KM_INIT_EXPLICIT;
		c.init_centroids = init;
		c.tol = 0;
		c.max_iter = 50 + trial * 100;
		c.prune = true;
		a = fit(x, n, 3, c);
		c.prune = false;
		b = fit(x, n, 3, c);
		for (i = 0; i < n; i++)
			diff += a.labels[i] != b.labels[i];
		is_int(diff, 0, "blobs, init %d: Hamerly and plain Lloyd give the same %zu labels", trial, n);
		ok(memcmp(a.centroids, b.centroids, sizeof(double) * 15) == 0 &&
		   a.res.iterations == b.res.iterations,
		   "blobs, init %d: identical centroids and iteration counts (%d)", trial, a.res.iterations);
		fit_free(&a);
		fit_free(&b);
	}
	{
		KmConfig	c = config(4);
		double		ginit[] = {0, 0, 6, 4, 3, 2, 3, 2.5};
		Fit			a,
					b;
		size_t		diff = 0;

		c.init = KM_INIT_EXPLICIT;
		c.init_centroids = ginit;
		c.tol = 0;
		c.prune = true;
		a = fit(grid, 3000, 2, c);
		c.prune = false;
		b = fit(grid, 3000, 2, c);
		for (i = 0; i < 3000; i++)
			diff += a.labels[i] != b.labels[i];
		is_int(diff, 0, "grid with ties: Hamerly and plain Lloyd give the same labels");
		fit_free(&a);
		fit_free(&b);
	}
	free(x);
	free(grid);
}

static void
test_row_order(void)
{
	double		centers[] = {0, 0, 0, 4, 4, 0, 0, 4, 4, 8, 8, 8, 2, 6, 3};
	size_t		n = 5000;
	double	   *x = blobs(n, 3, centers, 5, 1.5);
	double	   *y = malloc(sizeof(double) * n * 3);
	size_t	   *perm = malloc(sizeof(size_t) * n);
	size_t		i;
	int			init;

	for (i = 0; i < n; i++)
		perm[i] = i;
	for (i = n - 1; i > 0; i--)
	{
		size_t		j = (size_t) (urand() * (i + 1));
		size_t		t = perm[i];

		perm[i] = perm[j];
		perm[j] = t;
	}
	for (i = 0; i < n; i++)
		memcpy(y + i * 3, x + perm[i] * 3, sizeof(double) * 3);

	for (init = 0; init < 2; init++)
	{
		KmConfig	c = config(5);
		Fit			a,
					b;
		double		maxdiff = 0;
		int			sizes_equal = 1,
					j;

		c.init = init == 0 ? KM_INIT_PLUSPLUS : KM_INIT_RANDOM;
		c.n_init = 3;
		a = fit(x, n, 3, c);
		b = fit(y, n, 3, c);
		for (j = 0; j < 15; j++)
			maxdiff = fmax(maxdiff, fabs(a.centroids[j] - b.centroids[j]));
		for (j = 0; j < 5; j++)
			sizes_equal &= a.sizes[j] == b.sizes[j];
		ok(maxdiff <= 1e-9, "%s: shuffled rows give the same centroids (max diff %g)",
		   init == 0 ? "k-means++" : "random", maxdiff);
		ok(sizes_equal, "%s: shuffled rows give the same cluster sizes",
		   init == 0 ? "k-means++" : "random");
		check_consistent(x, n, 3, 5, &a, init == 0 ? "k-means++" : "random");
		fit_free(&a);
		fit_free(&b);
	}
	free(x);
	free(y);
	free(perm);
}

static void
test_known_answers(void)
{
	/* two tight blobs far apart: the centroids are the blob means */
	double		centers[] = {-100, 0, 100, 0};
	size_t		n = 2000;
	double	   *x = blobs(n, 2, centers, 2, 1.0);
	double		mean[4] = {0};
	KmConfig	c = config(2);
	Fit			f;
	size_t		i;
	int			left;

	for (i = 0; i < n; i++)
	{
		mean[(i % 2) * 2] += x[i * 2] / (n / 2);
		mean[(i % 2) * 2 + 1] += x[i * 2 + 1] / (n / 2);
	}
	f = fit(x, n, 2, c);
	left = f.centroids[0] < 0 ? 0 : 1;
	is_close(f.centroids[left * 2], mean[0], 1e-9, "blob 1 x mean");
	is_close(f.centroids[left * 2 + 1], mean[1], 1e-9, "blob 1 y mean");
	is_close(f.centroids[(1 - left) * 2], mean[2], 1e-9, "blob 2 x mean");
	ok(f.res.converged, "converged in %d iterations", f.res.iterations);
	is_int(f.sizes[0], 1000, "1,000 points per blob");
	fit_free(&f);

	/* k = 1: the centroid is the mean, inertia is n * d * mean variance */
	c = config(1);
	f = fit(x, n, 2, c);
	{
		double		mx = 0,
					my = 0;

		for (i = 0; i < n; i++)
		{
			mx += x[i * 2] / n;
			my += x[i * 2 + 1] / n;
		}
		is_close(f.centroids[0], mx, 1e-9, "k = 1: centroid is the mean (x)");
		is_close(f.centroids[1], my, 1e-9, "k = 1: centroid is the mean (y)");
		is_close(f.res.inertia, n * 2 * km_mean_variance(x, n, 2), 1e-9,
				 "k = 1: inertia is n * d * mean variance");
	}
	fit_free(&f);
	free(x);
}

static void
test_empty_and_duplicates(void)
{
	double		x[] = {0, 0, 1, 0, 0, 1, 10, 10, 11, 10, 10, 11};
	double		far_init[] = {0, 0, 10, 10, 500, 500};
	double		dup[] = {1, 1, 1, 1, 2, 2, 2, 2, 1, 1};
	KmConfig	c = config(3);
	Fit			f;

	/* a center far from every point starts empty and is re-seeded */
	c.init = KM_INIT_EXPLICIT;
	c.init_centroids = far_init;
	f = fit(x, 6, 2, c);
	ok(f.res.reseeded >= 1, "an empty cluster was re-seeded (%d)", f.res.reseeded);
	ok(f.sizes[0] > 0 && f.sizes[1] > 0 && f.sizes[2] > 0, "no cluster is left empty");
	check_consistent(x, 6, 2, 3, &f, "re-seeded");
	fit_free(&f);

	/* two distinct points, k = 3: one cluster stays empty, no crash */
	c = config(3);
	is_int(km_distinct_points(dup, 5, 2, 10, &MEM), 2, "two distinct points");
	f = fit(dup, 5, 2, c);
	is_int(f.status, KM_OK, "k above the distinct points still fits");
	is_int((f.sizes[0] == 0) + (f.sizes[1] == 0) + (f.sizes[2] == 0), 1, "exactly one empty cluster");
	is_close(f.res.inertia, 0, 0, "inertia 0");
	fit_free(&f);

	/* bad arguments */
	c = config(7);
	f = fit(dup, 5, 2, c);
	is_int(f.status, KM_BAD_ARGUMENT, "k > n is rejected");
	fit_free(&f);
	c = config(0);
	f = fit(dup, 5, 2, c);
	is_int(f.status, KM_BAD_ARGUMENT, "k = 0 is rejected");
	fit_free(&f);
}

static void
test_uniform(void)
{
	double		p[3] = {1, 2, 3},
				q[3] = {-0.0, 2, 3},
				z[3] = {0.0, 2, 3};
	double		u = km_point_uniform(p, 3, 42, 0);

	ok(u > 0 && u <= 1, "point uniform in (0, 1]");
	ok(u == km_point_uniform(p, 3, 42, 0), "same point, same draw");
	ok(u != km_point_uniform(p, 3, 43, 0), "another seed, another draw");
	ok(km_point_uniform(q, 3, 42, 0) == km_point_uniform(z, 3, 42, 0), "-0.0 and 0.0 draw alike");
}

static int	polls,
			checks;

/* "pending" on every 7th poll: the loops must stop, check, and go on */
static bool
pending_sometimes(void *arg)
{
	(void) arg;
	return ++polls % 7 == 0;
}

static void
count_check(void *arg)
{
	(void) arg;
	checks++;
}

/*
 * Any number of threads gives bit for bit the model of one: k-means++ and
 * explicit init, plain and pruned (k >= KM_PRUNE_MIN_K), with interrupts
 * coming in the middle of the passes.
 */
static void
test_threads(void)
{
	double		centers[] = {0, 0, 0, 6, 1, 0, 0, 7, 2, -5, -5, 3, 9, 9, 9};
	size_t		n = 70001;		/* not a multiple of any block */
	double	   *x = blobs(n, 3, centers, 5, 1.5);
	int			ks[] = {5, 9};
	int			t,
				i;

	for (i = 0; i < 2; i++)
	{
		KmConfig	c = config(ks[i]);
		Fit			one;

		c.prune = ks[i] >= KM_PRUNE_MIN_K;
		c.n_init = 2;
		c.max_iter = 25;
		c.tol = 0;
		one = fit(x, n, 3, c);
		for (t = 2; t <= 4; t++)
		{
			Fit			many;

			c.parallel.threads = t;
			c.parallel.interrupt_pending = pending_sometimes;
			c.parallel.check_interrupts = count_check;
			polls = checks = 0;
			many = fit(x, n, 3, c);
			ok(many.status == KM_OK &&
			   memcmp(one.centroids, many.centroids, sizeof(double) * ks[i] * 3) == 0 &&
			   memcmp(one.labels, many.labels, sizeof(int32_t) * n) == 0 &&
			   memcmp(one.sizes, many.sizes, sizeof(int64_t) * ks[i]) == 0 &&
			   one.res.inertia == many.res.inertia &&
			   one.res.mean_distance == many.res.mean_distance &&
			   one.res.iterations == many.res.iterations,
			   "k = %d on %d threads: the same model bit for bit", ks[i], t);
			ok(polls > 0, "k = %d on %d threads: interrupts polled (%d times, checked %d)",
			   ks[i], t, polls, checks);
			fit_free(&many);
		}
		fit_free(&one);
	}
	free(x);
}

/*
 * Lloyd with a full search for every row, following km_fit's rules to the
 * bit: each row into lane i % 4 of its block of 4,096 rows, the lanes added
 * up in order and the blocks' sums in block order; stop when no label moved
 * (from the second iteration) or the squared shift is within tol_abs; an
 * empty cluster takes the row farthest from its own center (one whose
 * cluster keeps a row; ties to the larger row, never a row at distance 0);
 * the final labels from the final centers. What the bounds must not change.
 */
#define REF_BLOCK 4096
#define REF_LANES 4

static double
ref_dist2(const double *a, const double *b, int d)
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

/* lowest index among the smallest squares; 0 when none is below +Inf */
static int32_t
ref_nearest(const double *p, const double *centers, int k, int d)
{
	int32_t		best = 0;
	double		b1 = INFINITY;
	int			c;

	for (c = 0; c < k; c++)
	{
		double		t = ref_dist2(p, centers + (size_t) c * d, d);

		if (t < b1)
		{
			b1 = t;
			best = c;
		}
	}
	return best;
}

static int
ref_point_cmp(const double *a, const double *b, int d)
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

static int
lloyd_reference(const double *x, size_t n, int d, int k, int max_iter, double tol_abs,
				double *centers, int32_t *labels)
{
	size_t		kd = (size_t) k * d;
	double	   *sums = malloc(sizeof(double) * kd),
			   *lanes = malloc(sizeof(double) * REF_LANES * kd);
	int64_t    *counts = malloc(sizeof(int64_t) * k);
	int			it,
				iterations = max_iter;
	size_t		i,
				j;
	int			c,
				l;

	for (it = 1; it <= max_iter; it++)
	{
		size_t		moved = 0,
					start;
		double		total = 0;

		memset(sums, 0, sizeof(double) * kd);
		memset(counts, 0, sizeof(int64_t) * k);
		for (start = 0; start < n; start += REF_BLOCK)
		{
			size_t		end = start + REF_BLOCK < n ? start + REF_BLOCK : n;

			memset(lanes, 0, sizeof(double) * REF_LANES * kd);
			for (i = start; i < end; i++)
			{
				int32_t		best = ref_nearest(x + i * d, centers, k, d);

				moved += it == 1 || best != labels[i];
				labels[i] = best;
				for (j = 0; j < (size_t) d; j++)
					lanes[(i % REF_LANES) * kd + (size_t) best * d + j] += x[i * d + j];
				counts[best]++;
			}
			for (j = 0; j < kd; j++)
			{
				double		s = lanes[j];

				for (l = 1; l < REF_LANES; l++)
					s += lanes[l * kd + j];
				sums[j] += s;
			}
		}
		if (it > 1 && moved == 0)
		{
			iterations = it;
			break;
		}
		for (c = 0; c < k; c++)
		{
			size_t		far = n;
			double		far_d = 0;
			int32_t		from;

			if (counts[c] != 0)
				continue;
			for (i = 0; i < n; i++)
			{
				int32_t		own = labels[i];
				double		t;

				if (counts[own] <= 1)
					continue;
				t = ref_dist2(x + i * d, centers + (size_t) own * d, d);
				if (t > far_d ||
					(t == far_d && far < n && t > 0 &&
					 ref_point_cmp(x + i * d, x + far * d, d) > 0))
				{
					far = i;
					far_d = t;
				}
			}
			if (far == n)
				continue;
			from = labels[far];
			for (j = 0; j < (size_t) d; j++)
			{
				sums[(size_t) from * d + j] -= x[far * d + j];
				sums[(size_t) c * d + j] = x[far * d + j];
			}
			counts[from]--;
			counts[c] = 1;
			labels[far] = c;
		}
		for (c = 0; c < k; c++)
		{
			double		s2 = 0;

			if (counts[c] == 0)
				continue;
			for (j = 0; j < (size_t) d; j++)
			{
				double		mean = sums[(size_t) c * d + j] / (double) counts[c],
							t = mean - centers[(size_t) c * d + j];

				s2 += t * t;
				centers[(size_t) c * d + j] = mean;
			}
			total += s2;
		}
		if (total <= tol_abs)
		{
			iterations = it;
			break;
		}
	}
	for (i = 0; i < n; i++)
		labels[i] = ref_nearest(x + i * d, centers, k, d);
	free(sums);
	free(lanes);
	free(counts);
	return iterations;
}

/* Each iteration's report (on_iteration): pruned and plain must agree. */
#define TRACE_MAX 64

typedef struct Trace
{
	int			count;
	size_t		moved[TRACE_MAX];
	double		inertia[TRACE_MAX];
	double		shift[TRACE_MAX];
} Trace;

static void
record_iteration(void *arg, int run, int iter, double inertia, size_t moved, double shift)
{
	Trace	   *t = arg;

	(void) run;
	(void) iter;
	if (t->count < TRACE_MAX)
	{
		t->moved[t->count] = moved;
		t->inertia[t->count] = inertia;
		t->shift[t->count] = shift;
	}
	t->count++;
}

static bool
traces_equal(const Trace *a, const Trace *b)
{
	int			i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count && i < TRACE_MAX; i++)
		if (a->moved[i] != b->moved[i] ||
			memcmp(&a->inertia[i], &b->inertia[i], sizeof(double)) != 0 ||
			memcmp(&a->shift[i], &b->shift[i], sizeof(double)) != 0)
			return false;
	return true;
}

/*
 * Hamerly's bounds against a full search on problems built to strain them:
 * coordinates near 1e-160 and 1e-152 (squares subnormal or underflowing to
 * 0), near 1e150 and 1e153 (squares near and past overflow), tiny clusters
 * far from others, integer lattices full of ties, duplicate rows, starting
 * centers far off (clusters empty and re-seeded), k up to 30, 1 to 3
 * threads. Pruned km_fit must give the naive full-search Lloyd's centroids,
 * labels and iterations bit for bit, and the same report every iteration
 * (rows moved, inertia, shift) as plain km_fit.
 */
static void
test_bounds_strained(void)
{
	int			problem,
				pruned_differ = 0,
				plain_differ = 0,
				traces_differ = 0,
				first_bad = -1;

	for (problem = 0; problem < 400; problem++)
	{
		size_t		n = 1 + (size_t) (urand() * (problem % 20 == 0 ? 5000 : 300)),
					i;
		int			d = 1 + (int) (urand() * 3),
					k = 1 + (int) (urand() * (n < 30 ? (double) n : 30)),
					shape = problem % 8,
					c,
					j,
					want_iterations;
		double		scale = shape == 2 ? 1e150 : shape == 3 ? 1e-160 :
			shape == 4 ? 1e-152 : shape == 5 ? 1e153 : shape == 6 ? 1e-158 : 1;
		double	   *x = malloc(sizeof(double) * n * d),
				   *start = malloc(sizeof(double) * k * d),
				   *want = malloc(sizeof(double) * k * d);
		int32_t    *want_labels = malloc(sizeof(int32_t) * n);
		KmConfig	cfg = config(k);
		Trace		pruned_trace,
					plain_trace;
		Fit			pruned,
					plain;
		bool		pruned_ok,
					plain_ok;

		for (i = 0; i < n; i++)
		{
			if (i > 0 && urand() < 0.2)
			{
				memcpy(x + i * d, x + (size_t) (urand() * (double) i) * d, sizeof(double) * d);
				continue;
			}
			for (j = 0; j < d; j++)
			{
				if (shape == 1)
					x[i * d + j] = (double) (int) (urand() * 4);
				else if (shape == 7)
					/* tiny clusters around 0 and 1, one normal one at 3 */
					x[i * d + j] = (double) (i % 3) + (i % 3 == 2 ? urand() : urand() * 1e-158);
				else
					x[i * d + j] = ((double) (i % 4) * 3 + urand()) * scale;
			}
		}
		for (c = 0; c < k; c++)
			for (j = 0; j < d; j++)
				start[c * d + j] = c % 3 == 2 ? (50 + urand()) * (shape == 7 ? 1 : scale) :
					x[(size_t) (urand() * (double) n) * d + j];
		cfg.init = KM_INIT_EXPLICIT;
		cfg.init_centroids = start;
		cfg.max_iter = 1 + (int) (urand() * 40);
		cfg.tol = problem % 2 ? 0 : 1e-4;
		cfg.mean_variance = problem % 2 ? 1 : scale * scale;
		cfg.parallel.threads = 1 + problem % 3;
		cfg.on_iteration = record_iteration;

		memcpy(want, start, sizeof(double) * k * d);
		want_iterations = lloyd_reference(x, n, d, k, cfg.max_iter, cfg.tol * cfg.mean_variance,
										  want, want_labels);
		memset(&pruned_trace, 0, sizeof(pruned_trace));
		memset(&plain_trace, 0, sizeof(plain_trace));
		cfg.prune = true;
		cfg.arg = &pruned_trace;
		pruned = fit(x, n, d, cfg);
		cfg.prune = false;
		cfg.arg = &plain_trace;
		plain = fit(x, n, d, cfg);
		/* squares past 1e308 may overflow the inertia: still the same result */
		pruned_ok = (pruned.status == KM_OK || pruned.status == KM_OVERFLOW) &&
			memcmp(pruned.centroids, want, sizeof(double) * k * d) == 0 &&
			memcmp(pruned.labels, want_labels, sizeof(int32_t) * n) == 0 &&
			pruned.res.iterations == want_iterations;
		plain_ok = (plain.status == KM_OK || plain.status == KM_OVERFLOW) &&
			memcmp(plain.centroids, want, sizeof(double) * k * d) == 0 &&
			memcmp(plain.labels, want_labels, sizeof(int32_t) * n) == 0 &&
			plain.res.iterations == want_iterations;
		pruned_differ += !pruned_ok;
		plain_differ += !plain_ok;
		traces_differ += !traces_equal(&pruned_trace, &plain_trace);
		if ((!pruned_ok || !plain_ok || !traces_equal(&pruned_trace, &plain_trace)) &&
			first_bad < 0)
		{
			first_bad = problem;
			diag("problem %d (shape %d, n %zu, d %d, k %d, max_iter %d, tol %g): "
				 "pruned %s, plain %s, %d and %d iterations (want %d)",
				 problem, shape, n, d, k, cfg.max_iter, cfg.tol,
				 pruned_ok ? "ok" : "differs", plain_ok ? "ok" : "differs",
				 pruned.res.iterations, plain.res.iterations, want_iterations);
		}
		fit_free(&pruned);
		fit_free(&plain);
		free(x);
		free(start);
		free(want);
		free(want_labels);
	}
	ok(pruned_differ == 0,
	   "400 strained problems (squares subnormal, underflowing, overflowing; ties, duplicates, far starts): pruned Lloyd gives the full search's centroids, labels and iterations bit for bit (%d differ)",
	   pruned_differ);
	ok(plain_differ == 0,
	   "the same 400 problems: plain Lloyd gives the full search's result bit for bit (%d differ)",
	   plain_differ);
	ok(traces_differ == 0,
	   "the same 400 problems: pruned and plain report the same rows moved, inertia and shift every iteration (%d differ)",
	   traces_differ);
}

int
main(void)
{
	test_pruned_equals_plain();
	test_row_order();
	test_known_answers();
	test_empty_and_duplicates();
	test_uniform();
	test_threads();
	test_bounds_strained();
	return tap_done();
}

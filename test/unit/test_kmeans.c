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

int
main(void)
{
	test_pruned_equals_plain();
	test_row_order();
	test_known_answers();
	test_empty_and_duplicates();
	test_uniform();
	test_threads();
	return tap_done();
}

/*
 * test_spherical_kmeans.c
 *	  Spherical (cosine-distance) k-means, KmConfig.spherical, checked
 *	  against a naive spherical Lloyd written here (rows to unit length,
 *	  each row to the centroid of largest dot product, lowest index on
 *	  ties, each centroid the cluster's mean at unit length), on rows along
 *	  rays of very different lengths, where Euclidean k-means groups by
 *	  length and spherical by direction; with and without pruning, on
 *	  several threads, in any row order; km_fit_weighted against km_fit on
 *	  repeated rows; the zero-mean rule and the zero initial centroid.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/kmeans.h"
#include "core/sphere.h"
#include "core/weighted_kmeans.h"
#include "tap.h"
#include "test_alloc.h"
#define TEST_RNG_SEED UINT64_C(0x5DEECE66D)
#include "test_random.h"


/*
 * n rows along nd rays of random directions in d dimensions, row i on ray
 * i % nd with a little noise, its length spread evenly on a log scale over
 * three orders of magnitude (0.05 to 50).
 */
static double *
rays(size_t n, int d, int nd)
{
	double	   *dirs = malloc(sizeof(double) * nd * d),
			   *x = malloc(sizeof(double) * n * d);
	size_t		i;
	int			j;

	for (i = 0; i < (size_t) nd * d; i++)
		dirs[i] = gauss();
	for (i = 0; i < n; i++)
	{
		double		len = 0.05 * exp(urand() * log(1000.0));

		for (j = 0; j < d; j++)
			x[i * d + j] = len * (dirs[(i % nd) * d + j] + 0.25 * gauss());
	}
	free(dirs);
	return x;
}

static double *
unit_copy(const double *x, size_t n, int d)
{
	double	   *u = malloc(sizeof(double) * n * d);

	memcpy(u, x, sizeof(double) * n * d);
	if (km_normalize_rows(u, n, d) != KM_NO_ZERO_ROW)
		abort();
	return u;
}

/*
 * The naive spherical Lloyd from start (k x d, any length) on the rows of
 * raw (any length), until no label changes; returns the assignment passes.
 * A cluster whose sum is zero, or that is empty, keeps its centroid.
 */
static int
naive_spherical(const double *raw, size_t n, int d, int k, const double *start,
				double *centers, int32_t *labels)
{
	double	   *u = malloc(sizeof(double) * n * d),
			   *sum = malloc(sizeof(double) * k * d);
	size_t		i;
	int			pass,
				c,
				j;

	for (i = 0; i < n; i++)
	{
		double		len = 0;

		for (j = 0; j < d; j++)
			len += raw[i * d + j] * raw[i * d + j];
		for (j = 0; j < d; j++)
			u[i * d + j] = raw[i * d + j] / sqrt(len);
	}
	for (c = 0; c < k; c++)
	{
		double		len = 0;

		for (j = 0; j < d; j++)
			len += start[c * d + j] * start[c * d + j];
		for (j = 0; j < d; j++)
			centers[c * d + j] = start[c * d + j] / sqrt(len);
	}
	for (pass = 0; pass < 1000; pass++)
	{
		size_t		changed = 0;

		for (i = 0; i < n; i++)
		{
			int			best = 0;
			double		best_dot = -INFINITY;

			for (c = 0; c < k; c++)
			{
				double		dot = 0;

				for (j = 0; j < d; j++)
					dot += u[i * d + j] * centers[c * d + j];
				if (dot > best_dot)
				{
					best_dot = dot;
					best = c;
				}
			}
			changed += pass == 0 || labels[i] != best;
			labels[i] = best;
		}
		if (changed == 0)
			break;
		memset(sum, 0, sizeof(double) * k * d);
		for (i = 0; i < n; i++)
			for (j = 0; j < d; j++)
				sum[labels[i] * d + j] += u[i * d + j];
		for (c = 0; c < k; c++)
		{
			double		len = 0;

			for (j = 0; j < d; j++)
				len += sum[c * d + j] * sum[c * d + j];
			if (len > 0)
				for (j = 0; j < d; j++)
					centers[c * d + j] = sum[c * d + j] / sqrt(len);
		}
	}
	free(u);
	free(sum);
	return pass + 1;
}

typedef struct Fit
{
	double	   *centroids;
	int32_t    *labels;
	int64_t    *sizes;
	KmResult	res;
	KmStatus	status;
} Fit;

/* km_fit, or km_fit_weighted when w is not NULL */
static Fit
fit(const double *x, const int64_t *w, size_t n, int d, KmConfig cfg)
{
	Fit			f;

	f.centroids = calloc((size_t) cfg.k * d, sizeof(double));
	f.labels = calloc(n, sizeof(int32_t));
	f.sizes = calloc(cfg.k, sizeof(int64_t));
	memset(&f.res, 0, sizeof(f.res));
	f.res.centroids = f.centroids;
	f.res.labels = f.labels;
	f.res.sizes = f.sizes;
	if (w != NULL)
		f.status = km_fit_weighted(x, w, n, d, &cfg, &MEM, &f.res);
	else
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
config(int k, KmInit init, const double *start)
{
	KmConfig	c;

	memset(&c, 0, sizeof(c));
	c.k = k;
	c.init = init;
	c.init_centroids = start;
	c.n_init = 1;
	c.max_iter = 300;
	c.tol = 0;
	c.seed = 42;
	c.mean_variance = -1;
	c.spherical = true;
	return c;
}

/* The largest |norm - 1| of the centroids of non-empty clusters. */
static double
worst_unit_error(const Fit *f, int k, int d)
{
	double		worst = 0;
	int			c,
				j;

	for (c = 0; c < k; c++)
	{
		double		s = 0;

		if (f->sizes[c] == 0)
			continue;
		for (j = 0; j < d; j++)
			s += f->centroids[c * d + j] * f->centroids[c * d + j];
		worst = fmax(worst, fabs(sqrt(s) - 1));
	}
	return worst;
}

static double
max_diff(const double *a, const double *b, size_t m)
{
	double		worst = 0;
	size_t		i;

	for (i = 0; i < m; i++)
		worst = fmax(worst, fabs(a[i] - b[i]));
	return worst;
}

/*
 * Rows not in the majority spherical cluster of their Euclidean cluster:
 * 0 when the two partitions are the same up to the clusters' names.
 */
static size_t
mixed_rows(const int32_t *a, const int32_t *b, size_t n, int k)
{
	size_t	   *table = calloc((size_t) k * k, sizeof(size_t));
	size_t		mixed = 0,
				i;
	int			c,
				e;

	for (i = 0; i < n; i++)
		table[a[i] * k + b[i]]++;
	for (c = 0; c < k; c++)
	{
		size_t		total = 0,
					top = 0;

		for (e = 0; e < k; e++)
		{
			total += table[c * k + e];
			if (table[c * k + e] > top)
				top = table[c * k + e];
		}
		mixed += total - top;
	}
	free(table);
	return mixed;
}

/*
 * km_fit with spherical = true against the naive spherical Lloyd, from the
 * same explicit centroids (raw rows, so not of unit length): k = 4 without
 * pruning and k = 10 (>= KM_PRUNE_MIN_K) with and without, on 1 and 3
 * threads: the same labels, the same centroids to rounding, at unit
 * length; the inertia the Euclidean one on the sphere. And Euclidean
 * k-means on the same rows groups them otherwise.
 */
static void
test_against_naive(void)
{
	int			ks[] = {4, 10},
				ds[] = {3, 4};
	size_t		ns[] = {3000, 6000};
	int			t;

	for (t = 0; t < 2; t++)
	{
		int			k = ks[t],
					d = ds[t];
		size_t		n = ns[t];
		double	   *raw = rays(n, d, k),
				   *x = unit_copy(raw, n, d),
				   *start = malloc(sizeof(double) * k * d),
				   *naive_c = malloc(sizeof(double) * k * d);
		int32_t    *naive_l = malloc(sizeof(int32_t) * n);
		int			passes,
					c,
					prune,
					threads;
		Fit			plain = {0};

		/* raw rows from along the data, not one per ray */
		for (c = 0; c < k; c++)
			memcpy(start + c * d, raw + (size_t) (c * 37 + 11) * d, sizeof(double) * d);
		passes = naive_spherical(raw, n, d, k, start, naive_c, naive_l);

		for (prune = 0; prune < 2; prune++)
			for (threads = 1; threads <= 3; threads += 2)
			{
				KmConfig	cfg = config(k, KM_INIT_EXPLICIT, start);
				Fit			f;
				size_t		diff = 0,
							i;
				double		inertia = 0,
							cosine = 0;

				cfg.prune = prune;
				cfg.parallel.threads = threads;
				f = fit(x, NULL, n, d, cfg);
				for (i = 0; i < n; i++)
				{
					const double *cen = f.centroids + (size_t) f.labels[i] * d;
					double		dot = 0;
					int			j;

					diff += f.labels[i] != naive_l[i];
					inertia += km_dist2(x + i * d, cen, d);
					for (j = 0; j < d; j++)
						dot += x[i * d + j] * cen[j];
					cosine += 1 - dot;
				}
				ok(f.status == KM_OK && f.res.converged && f.res.reseeded == 0,
				   "k = %d, prune %d, %d threads: converged in %d iterations (naive: %d passes)",
				   k, prune, threads, f.res.iterations, passes);
				is_int(diff, 0, "k = %d, prune %d, %d threads: the naive spherical Lloyd's labels",
					   k, prune, threads);
				ok(max_diff(f.centroids, naive_c, (size_t) k * d) <= 1e-12,
				   "k = %d, prune %d, %d threads: its centroids (max diff %.3g)", k, prune, threads,
				   max_diff(f.centroids, naive_c, (size_t) k * d));
				ok(worst_unit_error(&f, k, d) <= 1e-15,
				   "k = %d, prune %d, %d threads: centroids of unit length", k, prune, threads);
				ok(fabs(f.res.inertia - inertia) <= 1e-9 * inertia &&
				   fabs(f.res.inertia - 2 * cosine) <= 1e-9 * inertia,
				   "k = %d, prune %d, %d threads: inertia %.6f = sum |x - c|^2 = 2 sum (1 - cos)",
				   k, prune, threads, f.res.inertia);
				if (prune == 0 && threads == 1)
					plain = f;
				else
				{
					ok(memcmp(f.centroids, plain.centroids, sizeof(double) * k * d) == 0 &&
					   memcmp(f.labels, plain.labels, sizeof(int32_t) * n) == 0 &&
					   f.res.inertia == plain.res.inertia &&
					   f.res.iterations == plain.res.iterations,
					   "k = %d, prune %d, %d threads: the plain one-thread model bit for bit",
					   k, prune, threads);
					fit_free(&f);
				}
			}

		/* Euclidean k-means on the raw rows, from the same centroids */
		{
			KmConfig	cfg = config(k, KM_INIT_EXPLICIT, start);
			Fit			e;
			size_t		mixed;

			cfg.spherical = false;
			e = fit(raw, NULL, n, d, cfg);
			mixed = mixed_rows(e.labels, plain.labels, n, k);
			ok(e.status == KM_OK && mixed > n / 5,
			   "k = %d: Euclidean k-means groups otherwise (%zu of %zu rows off the spherical partition)",
			   k, mixed, n);
			fit_free(&e);
		}
		fit_free(&plain);
		free(raw);
		free(x);
		free(start);
		free(naive_c);
		free(naive_l);
	}
}

/*
 * k-means++ and random init pick rows: any number of threads gives the
 * model of one bit for bit, plain (k = 5) and pruned (k = 9); n is not a
 * multiple of any block size.
 */
static void
test_threads(void)
{
	size_t		n = 20001;
	int			d = 3;
	double	   *raw = rays(n, d, 6),
			   *x = unit_copy(raw, n, d);
	int			ks[] = {5, 9};
	int			i,
				init,
				t;

	for (i = 0; i < 2; i++)
		for (init = 0; init < 2; init++)
		{
			KmConfig	cfg = config(ks[i], init == 0 ? KM_INIT_PLUSPLUS : KM_INIT_RANDOM, NULL);
			Fit			one;

			cfg.prune = ks[i] >= KM_PRUNE_MIN_K;
			cfg.n_init = 2;
			cfg.max_iter = 40;
			one = fit(x, NULL, n, d, cfg);
			ok(one.status == KM_OK && worst_unit_error(&one, ks[i], d) <= 1e-15,
			   "k = %d, %s: fits, centroids of unit length", ks[i], init == 0 ? "k-means++" : "random");
			for (t = 2; t <= 4; t++)
			{
				Fit			many;

				cfg.parallel.threads = t;
				many = fit(x, NULL, n, d, cfg);
				ok(many.status == KM_OK &&
				   memcmp(one.centroids, many.centroids, sizeof(double) * ks[i] * d) == 0 &&
				   memcmp(one.labels, many.labels, sizeof(int32_t) * n) == 0 &&
				   memcmp(one.sizes, many.sizes, sizeof(int64_t) * ks[i]) == 0 &&
				   one.res.inertia == many.res.inertia &&
				   one.res.mean_distance == many.res.mean_distance &&
				   one.res.iterations == many.res.iterations,
				   "k = %d, %s, %d threads: the same model bit for bit", ks[i],
				   init == 0 ? "k-means++" : "random", t);
				fit_free(&many);
			}
			fit_free(&one);
		}
	free(raw);
	free(x);
}

/*
 * Shuffled rows: the same centroids and sizes. Bit for bit only up to the
 * rounding of the cluster sums, which km_fit adds in blocks of rows (see
 * kmeans.h), as for plain k-means.
 */
static void
test_row_order(void)
{
	size_t		n = 5000;
	int			d = 3,
				k = 5;
	double	   *raw = rays(n, d, 5),
			   *x = unit_copy(raw, n, d),
			   *y = malloc(sizeof(double) * n * d);
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
		memcpy(y + i * d, x + perm[i] * d, sizeof(double) * d);
	for (init = 0; init < 2; init++)
		for (int prune = 0; prune < 2; prune++)
		{
			KmConfig	cfg = config(k, init == 0 ? KM_INIT_PLUSPLUS : KM_INIT_RANDOM, NULL);
			Fit			a,
						b;
			size_t		moved = 0;
			const char *name = init == 0 ? "k-means++" : "random";

			cfg.n_init = 3;
			cfg.prune = prune;
			a = fit(x, NULL, n, d, cfg);
			b = fit(y, NULL, n, d, cfg);
			for (i = 0; i < n; i++)
				moved += a.labels[perm[i]] != b.labels[i];
			ok(a.status == KM_OK && b.status == KM_OK &&
			   max_diff(a.centroids, b.centroids, (size_t) k * d) <= 1e-12,
			   "%s, prune %d: shuffled rows give the same centroids (max diff %.3g%s)", name, prune,
			   max_diff(a.centroids, b.centroids, (size_t) k * d),
			   memcmp(a.centroids, b.centroids, sizeof(double) * k * d) == 0 ? ", bit for bit" : "");
			ok(memcmp(a.sizes, b.sizes, sizeof(int64_t) * k) == 0 && moved == 0 &&
			   a.res.best_run == b.res.best_run,
			   "%s, prune %d: the same sizes, labels (of the rows moved) and best run", name, prune);
			fit_free(&a);
			fit_free(&b);
		}
	free(raw);
	free(x);
	free(y);
	free(perm);
}

/*
 * km_fit_weighted spherical against km_fit spherical on the rows repeated
 * as many times as their weights, from the same (raw, not unit) centroids;
 * and against the naive spherical Lloyd on those rows.
 */
static void
test_weighted(void)
{
	enum
	{
		N = 300, D = 3, K = 4
	};
	double	   *raw = rays(N, D, K),
			   *x = unit_copy(raw, N, D),
			   *expanded;
	int64_t		w[N],
				total = 0,
				r;
	double		start[K * D],
				naive_c[K * D];
	int32_t    *naive_l;
	size_t		i,
				m = 0;
	int			c;
	KmConfig	cfg = config(K, KM_INIT_EXPLICIT, start);
	Fit			fw,
				fx;

	for (i = 0; i < N; i++)
	{
		w[i] = 1 + (int64_t) (urand() * 9);
		total += w[i];
	}
	expanded = malloc(sizeof(double) * total * D);
	naive_l = malloc(sizeof(int32_t) * total);
	for (i = 0; i < N; i++)
		for (r = 0; r < w[i]; r++)
			memcpy(expanded + (m++) * D, x + i * D, sizeof(double) * D);
	for (c = 0; c < K; c++)
		memcpy(start + c * D, raw + (c * 7 + 2) * D, sizeof(double) * D);

	fw = fit(x, w, N, D, cfg);
	fx = fit(expanded, NULL, m, D, cfg);
	ok(fw.status == KM_OK && fw.res.converged && fx.status == KM_OK && fx.res.converged,
	   "weighted and repeated rows: both converge (%d and %d iterations)",
	   fw.res.iterations, fx.res.iterations);
	ok(memcmp(fw.sizes, fx.sizes, sizeof(fw.sizes[0]) * K) == 0,
	   "weights act as repeated rows: the same cluster sizes");
	ok(max_diff(fw.centroids, fx.centroids, K * D) <= 1e-12,
	   "weights act as repeated rows: the same centroids (max diff %.3g)",
	   max_diff(fw.centroids, fx.centroids, K * D));
	is_close(fw.res.inertia, fx.res.inertia, 1e-12, "weights act as repeated rows: the same inertia");
	ok(worst_unit_error(&fw, K, D) <= 1e-15, "weighted: centroids of unit length");
	naive_spherical(expanded, m, D, K, start, naive_c, naive_l);
	ok(max_diff(fw.centroids, naive_c, K * D) <= 1e-12,
	   "weighted: the naive spherical Lloyd's centroids on the repeated rows (max diff %.3g)",
	   max_diff(fw.centroids, naive_c, K * D));
	fit_free(&fw);
	fit_free(&fx);
	free(raw);
	free(x);
	free(expanded);
	free(naive_l);
}

/*
 * A cluster whose rows sum to zero keeps its centroid. Rows e1, -e1 and
 * twice e3, centroids 5 e2 and 2 e3 (rescaled to e2, e3): e1 and -e1 are
 * at squared distance 2 from both, a tie, so both go to cluster 0, whose
 * mean is zero; cluster 1 gets the e3 rows.
 */
static void
test_zero_mean(void)
{
	double		x[] = {1, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0, 1};
	double		start[] = {0, 5, 0, 0, 0, 2};
	double		want[] = {0, 1, 0, 0, 0, 1};
	int64_t		w[] = {3, 3, 1, 2};
	int32_t		want_labels[] = {0, 0, 1, 1};
	int			variant;

	for (variant = 0; variant < 3; variant++)
	{
		KmConfig	cfg = config(2, KM_INIT_EXPLICIT, start);
		Fit			f;
		const char *name = variant == 0 ? "plain" : variant == 1 ? "pruned" : "weighted";

		cfg.prune = variant == 1;
		f = fit(x, variant == 2 ? w : NULL, 4, 3, cfg);
		ok(f.status == KM_OK && memcmp(f.centroids, want, sizeof(want)) == 0,
		   "%s: the zero-mean cluster keeps its centroid e2, the other is e3, exactly", name);
		ok(memcmp(f.labels, want_labels, sizeof(want_labels)) == 0 && f.res.converged,
		   "%s: e1 and -e1 tie, go to cluster 0; converged", name);
		is_close(f.res.inertia, variant == 2 ? 12 : 4, 0, "%s: inertia |e1 - e2|^2 + |-e1 - e2|^2%s",
				 name, variant == 2 ? ", times 3" : "");
		fit_free(&f);
	}
	{
		/* k = 1 on e1 and -e1: the drawn row stays the centroid */
		KmConfig	cfg = config(1, KM_INIT_PLUSPLUS, NULL);
		Fit			f = fit(x, NULL, 2, 3, cfg);

		ok(f.status == KM_OK && (memcmp(f.centroids, x, sizeof(double) * 3) == 0 ||
								 memcmp(f.centroids, x + 3, sizeof(double) * 3) == 0),
		   "k = 1 on opposite rows: the k-means++ row stays the centroid (%g, %g, %g)",
		   f.centroids[0], f.centroids[1], f.centroids[2]);
		fit_free(&f);
		cfg.spherical = false;
		f = fit(x, NULL, 2, 3, cfg);
		ok(f.status == KM_OK && f.centroids[0] == 0 && f.centroids[1] == 0 && f.centroids[2] == 0,
		   "k = 1 on opposite rows, spherical false: the mean, zero, as before");
		fit_free(&f);
	}
}

/* An all-zero explicit centroid: KM_BAD_ARGUMENT, only when spherical. */
static void
test_bad_argument(void)
{
	double		x[] = {1, 0, 0, 1, 0.6, 0.8};
	double		start[] = {1, 0, 0, -0.0};
	int64_t		w[] = {1, 2, 3};
	KmConfig	cfg = config(2, KM_INIT_EXPLICIT, start);
	Fit			f;

	f = fit(x, NULL, 3, 2, cfg);
	is_int(f.status, KM_BAD_ARGUMENT, "km_fit: a zero initial centroid is a bad argument");
	fit_free(&f);
	f = fit(x, w, 3, 2, cfg);
	is_int(f.status, KM_BAD_ARGUMENT, "km_fit_weighted: a zero initial centroid is a bad argument");
	fit_free(&f);
	cfg.spherical = false;
	f = fit(x, NULL, 3, 2, cfg);
	is_int(f.status, KM_OK, "km_fit, spherical false: a zero initial centroid is fine, as before");
	fit_free(&f);
	f = fit(x, w, 3, 2, cfg);
	is_int(f.status, KM_OK, "km_fit_weighted, spherical false: fine too");
	fit_free(&f);
}

int
main(void)
{
	test_against_naive();
	test_threads();
	test_row_order();
	test_weighted();
	test_zero_mean();
	test_bad_argument();
	return tap_done();
}

/*
 * test_weighted_kmeans.c
 *	  The one-pass mode's reduction: weighted k-means. Checked against
 *	  - km_fit on the rows the weights stand for (each point repeated w
 *	    times), from the same explicit centroids: the same centroids to
 *	    rounding, the same sizes and inertia;
 *	  - a naive weighted Lloyd written here;
 *	  - quality: with k-means++ on a sample of a blobs data set, the inertia
 *	    on the whole data within 1% of km_fit's on the whole data;
 *	  - seedings: Lloyd from the best of several seedings ends where the
 *	    full run from that seeding ends;
 *	  and its memory against km_fit_weighted_bytes, its bad arguments.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/kmeans.h"
#include "core/onepass_summary.h"
#include "core/weighted_kmeans.h"
#include "tap.h"
#include "test_alloc.h"

static uint64_t rng = 0x2545F4914F6CDD1DULL;

static double
uniform(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double) (rng >> 11) / 9007199254740992.0;
}

static double
gauss(void)
{
	double		u = uniform(),
				v = uniform();

	return sqrt(-2 * log(u + 1e-300)) * cos(6.283185307179586 * v);
}

typedef struct Counter
{
	size_t		now,
				peak;
} Counter;

static void *
count_alloc(void *ctx, size_t bytes)
{
	Counter    *c = ctx;
	size_t	   *p = malloc(bytes + sizeof(size_t) * 2);

	p[0] = bytes;
	c->now += bytes;
	if (c->now > c->peak)
		c->peak = c->now;
	return p + 2;
}

static void
count_release(void *ctx, void *ptr)
{
	Counter    *c = ctx;
	size_t	   *p = (size_t *) ptr - 2;

	c->now -= p[0];
	free(p);
}

static KmConfig
config(int k, KmInit init, const double *start)
{
	KmConfig	cfg;

	memset(&cfg, 0, sizeof(cfg));
	cfg.k = k;
	cfg.init = init;
	cfg.init_centroids = start;
	cfg.n_init = 1;
	cfg.max_iter = 300;
	cfg.tol = 0;
	cfg.mean_variance = -1;
	cfg.seed = 42;
	return cfg;
}

/* Plain weighted Lloyd from start until no label changes (or 300 passes). */
static double
naive_weighted(const double *x, const int64_t *w, size_t n, int d, int k, double *centers)
{
	int		   *label = calloc(n, sizeof(int));
	double	   *sum = malloc(sizeof(double) * k * d),
				inertia = 0;
	int64_t    *cnt = malloc(sizeof(int64_t) * k);
	int			pass,
				c,
				j;
	size_t		i;

	for (pass = 0; pass < 300; pass++)
	{
		int			changed = 0;

		inertia = 0;
		for (i = 0; i < n; i++)
		{
			int			best = 0;
			double		bd = INFINITY;

			for (c = 0; c < k; c++)
			{
				double		s = 0;

				for (j = 0; j < d; j++)
					s += (x[i * d + j] - centers[c * d + j]) * (x[i * d + j] - centers[c * d + j]);
				if (s < bd)
				{
					bd = s;
					best = c;
				}
			}
			changed += pass == 0 || label[i] != best;
			label[i] = best;
			inertia += (double) w[i] * bd;
		}
		if (!changed)
			break;
		memset(sum, 0, sizeof(double) * k * d);
		memset(cnt, 0, sizeof(int64_t) * k);
		for (i = 0; i < n; i++)
		{
			for (j = 0; j < d; j++)
				sum[label[i] * d + j] += (double) w[i] * x[i * d + j];
			cnt[label[i]] += w[i];
		}
		for (c = 0; c < k; c++)
			if (cnt[c] > 0)
				for (j = 0; j < d; j++)
					centers[c * d + j] = sum[c * d + j] / (double) cnt[c];
	}
	free(label);
	free(sum);
	free(cnt);
	return inertia;
}

static bool
close_to(double a, double b, double rel)
{
	return fabs(a - b) <= rel * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* Inertia of all n rows against the k centroids. */
static double
inertia_of(const double *x, size_t n, int d, const double *centers, int k)
{
	double		s = 0,
				d2;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		km_nearest(x + i * d, centers, k, d, &d2);
		s += d2;
	}
	return s;
}

/*
 * Weighted Lloyd with a full search for every point, following
 * km_fit_weighted's rules to the bit: inertia summed per chunk of 2,048
 * points, an empty cluster reseeded at the point farthest from its center
 * (lowest index, not taken again), stop when no label moved or the squared
 * shift is within tol_abs. What the distance bounds must not change.
 */
static int
lloyd_reference(const double *x, const int64_t *w, size_t n, int d, int k, int max_iter,
				double tol_abs, double *centers, int32_t *labels, double *inertia_out)
{
	double	   *closest = malloc(sizeof(double) * n),
			   *sum = malloc(sizeof(double) * k * d),
			   *old = malloc(sizeof(double) * k * d),
				inertia = 0;
	int64_t    *weight = malloc(sizeof(int64_t) * k);
	int			iter,
				c,
				j,
				pass;

	for (pass = 0, iter = 0; pass <= max_iter; pass++)
	{
		double		chunk = 0,
					shift = 0;
		size_t		i,
					moved = 0;

		if (pass > 0)
		{
			/* the update */
			iter = pass;
			memcpy(old, centers, sizeof(double) * k * d);
			memset(sum, 0, sizeof(double) * k * d);
			memset(weight, 0, sizeof(int64_t) * k);
			for (i = 0; i < n; i++)
			{
				for (j = 0; j < d; j++)
					sum[labels[i] * d + j] += (double) w[i] * x[i * d + j];
				weight[labels[i]] += w[i];
			}
			for (c = 0; c < k; c++)
			{
				if (weight[c] > 0)
					for (j = 0; j < d; j++)
						centers[c * d + j] = sum[c * d + j] / (double) weight[c];
				else
				{
					size_t		far = n;

					for (i = 0; i < n; i++)
						if (closest[i] > 0 && (far == n || closest[i] > closest[far]))
							far = i;
					if (far < n)
					{
						memcpy(centers + c * d, x + far * d, sizeof(double) * d);
						closest[far] = 0;
					}
				}
				for (j = 0; j < d; j++)
					shift += (old[c * d + j] - centers[c * d + j]) * (old[c * d + j] - centers[c * d + j]);
			}
		}
		inertia = 0;
		for (i = 0; i < n; i++)
		{
			int			l = km_nearest(x + i * d, centers, k, d, &closest[i]);

			moved += pass == 0 || l != labels[i];
			labels[i] = l;
			chunk += (double) w[i] * closest[i];
			if ((i + 1) % 2048 == 0 || i + 1 == n)
			{
				inertia += chunk;
				chunk = 0;
			}
		}
		if (pass > 0 && (moved == 0 || shift <= tol_abs))
			break;
	}
	*inertia_out = inertia;
	free(closest);
	free(sum);
	free(old);
	free(weight);
	return iter > max_iter ? max_iter : iter;
}

/*
 * 6. Lloyd's distance bounds: the same centroids, labels, inertia and
 * iterations as the full search, on problems built to strain them:
 * starting centers far off (clusters empty and reseeded), many ties on a
 * lattice, values near 1e150 (squares overflow) and near 1e-160 (squares
 * subnormal), duplicate points, k up to 30.
 */
static void
test_bounds_exact(void)
{
	int			problem,
				failures = 0;

	for (problem = 0; problem < 300; problem++)
	{
		size_t		n = 1 + (size_t) (uniform() * (problem % 10 == 0 ? 5000 : 300)),
					i;
		int			d = 1 + (int) (uniform() * 3),
					k = 1 + (int) (uniform() * (n < 30 ? (double) n : 30)),
					shape = problem % 4,
					c,
					j,
					iterations;
		double	   *x = malloc(sizeof(double) * n * d),
				   *start = malloc(sizeof(double) * k * d),
				   *got = malloc(sizeof(double) * k * d),
				   *want = malloc(sizeof(double) * k * d),
					scale = shape == 2 ? 1e150 : shape == 3 ? 1e-160 : 1,
					want_inertia;
		int64_t    *w = malloc(sizeof(int64_t) * n),
				   *sizes = malloc(sizeof(int64_t) * k);
		int32_t    *got_labels = malloc(sizeof(int32_t) * n),
				   *want_labels = malloc(sizeof(int32_t) * n);
		KmConfig	cfg;
		KmResult	r;
		KmStatus	status;

		for (i = 0; i < n; i++)
		{
			w[i] = 1 + (int64_t) (uniform() * (i % 3 == 0 ? 1000 : 3));
			if (i > 0 && uniform() < 0.2)
			{
				memcpy(x + i * d, x + (size_t) (uniform() * (double) i) * d, sizeof(double) * d);
				continue;
			}
			for (j = 0; j < d; j++)
				x[i * d + j] = shape == 1 ? (double) (int) (uniform() * 4) :
					((double) (i % 4) * 3 + uniform()) * scale;
		}
		for (c = 0; c < k; c++)
			for (j = 0; j < d; j++)
				start[c * d + j] = c % 3 == 2 ? (50 + uniform()) * scale :
					x[(size_t) (uniform() * (double) n) * d + j];
		cfg = config(k, KM_INIT_EXPLICIT, start);
		cfg.max_iter = 1 + (int) (uniform() * 40);
		cfg.tol = problem % 2 ? 0 : 1e-4;
		cfg.mean_variance = 1;
		cfg.parallel.threads = 1 + problem % 3;
		memset(&r, 0, sizeof(r));
		r.centroids = got;
		r.sizes = sizes;
		r.labels = got_labels;
		memcpy(want, start, sizeof(double) * k * d);
		iterations = lloyd_reference(x, w, n, d, k, cfg.max_iter, cfg.tol, want, want_labels,
									 &want_inertia);
		status = km_fit_weighted(x, w, n, d, &cfg, &MEM, &r);
		/* squares near 1e300 may overflow the inertia: still the same result */
		if (status != KM_OK && status != KM_OVERFLOW)
			failures++;
		else if (memcmp(got, want, sizeof(double) * k * d) != 0 ||
				 memcmp(got_labels, want_labels, sizeof(int32_t) * n) != 0 ||
				 memcmp(&r.inertia, &want_inertia, sizeof(double)) != 0 ||
				 r.iterations != iterations)
			failures++;
		free(x);
		free(start);
		free(got);
		free(want);
		free(w);
		free(sizes);
		free(got_labels);
		free(want_labels);
	}
	ok(failures == 0,
	   "300 problems (far starts, ties, squares near overflow and underflow): the bounds give the full search's result, bit for bit (%d differ)",
	   failures);
}

/* interrupt_pending for the threads test: true for the first polls only */
static int	pending_polls;

static bool
pending_at_first(void *arg)
{
	(void) arg;
	return __atomic_sub_fetch(&pending_polls, 1, __ATOMIC_SEQ_CST) >= 0;
}

/* check_interrupts that is held off: returns, as when the server holds interrupts */
static void
held_off(void *arg)
{
	(void) arg;
}

/* One fit of points x (weights w) with cfg on `threads` threads; centroids and inertia out. */
static bool
fit_on_threads(const double *x, const int64_t *w, size_t n, int d, KmConfig cfg, int threads,
			   double *centroids, double *inertia)
{
	int64_t		sizes[16];
	KmResult	r;

	memset(&r, 0, sizeof(r));
	r.centroids = centroids;
	r.sizes = sizes;
	cfg.parallel.threads = threads;
	if (km_fit_weighted(x, w, n, d, &cfg, &MEM, &r) != KM_OK)
		return false;
	*inertia = r.inertia;
	return true;
}

/*
 * 5. threads: the runs (n_init) on threads of their own, the chunks of one
 * run's passes on several threads for large inputs, and runs an interrupt
 * stopped on a helper done again by the caller: the same bits every time.
 */
static void
test_threads(void)
{
	const int	d = 3,
				k = 6;
	const size_t sizes[] = {5000, 300000};
	int			s;

	for (s = 0; s < 2; s++)
	{
		size_t		n = sizes[s],
					i;
		double	   *x = malloc(sizeof(double) * n * d);
		int64_t    *w = malloc(sizeof(int64_t) * n);
		double		c1[16 * 3],
					c2[16 * 3],
					c3[16 * 3],
					c4[16 * 3],
					i1,
					i2,
					i3,
					i4;
		KmConfig	cfg = config(k, KM_INIT_PLUSPLUS, NULL);
		bool		fitted;

		for (i = 0; i < n * d; i++)
			x[i] = gauss() + (double) ((i / d) % k) * 3;
		for (i = 0; i < n; i++)
			w[i] = 1 + (int64_t) (uniform() * 9);
		cfg.n_init = s == 0 ? 4 : 1;
		cfg.tol = 1e-6;
		cfg.mean_variance = -1;
		fitted = fit_on_threads(x, w, n, d, cfg, 1, c1, &i1) &&
			fit_on_threads(x, w, n, d, cfg, 2, c2, &i2) &&
			fit_on_threads(x, w, n, d, cfg, 3, c3, &i3);
		ok(fitted && memcmp(c1, c2, sizeof(double) * k * d) == 0 &&
		   memcmp(c1, c3, sizeof(double) * k * d) == 0 && i1 == i2 && i1 == i3,
		   "%zu points, %d runs: the same centroids and inertia on 1, 2 and 3 threads, bit for bit",
		   n, cfg.n_init);
		if (s == 0)
		{
			/* helpers see an interrupt, the caller's check returns: runs done again */
			pending_polls = 3;
			cfg.parallel.interrupt_pending = pending_at_first;
			cfg.parallel.check_interrupts = held_off;
			ok(fit_on_threads(x, w, n, d, cfg, 2, c4, &i4) &&
			   memcmp(c1, c4, sizeof(double) * k * d) == 0 && i1 == i4,
			   "runs stopped on a helper by an interrupt that is held off: run again, the same bits");
			/* random init stopped before its draws were written, every run */
			cfg.init = KM_INIT_RANDOM;
			cfg.parallel.interrupt_pending = NULL;
			fitted = fit_on_threads(x, w, n, d, cfg, 1, c1, &i1);
			pending_polls = 1000;
			cfg.parallel.interrupt_pending = pending_at_first;
			ok(fitted && fit_on_threads(x, w, n, d, cfg, 2, c4, &i4) &&
			   memcmp(c1, c4, sizeof(double) * k * d) == 0 && i1 == i4,
			   "random init on helpers that see an interrupt at once: run again by the caller, the same bits");
		}
		free(x);
		free(w);
	}
}

/* on_iteration for the seedings test: each run's last inertia and iteration */
typedef struct Trace
{
	double		start[8];		/* iteration 0: the seeding's */
	double		inertia[8];
	int			iterations[8];
} Trace;

static void
trace_iteration(void *arg, int run, int iter, double inertia, size_t moved, double shift)
{
	Trace	   *t = arg;

	(void) moved;
	(void) shift;
	if (run >= 0 && run < 8 && iter == 0)
		t->start[run] = inertia;
	else if (run >= 0 && run < 8)
	{
		t->inertia[run] = inertia;
		t->iterations[run] = iter;
	}
}

/*
 * 7. seedings: S seedings and Lloyd from the one of lowest inertia. Run b
 * of S full runs starts from the same seeding (its draws are keyed by b),
 * so the fit that kept seeding b ends where that run ends, bit for bit;
 * and b is the run whose start (iteration 0, on_iteration) has the lowest
 * inertia, the first among equals. The same bits on 1 to 3 threads and when helpers
 * are interrupted; within the memory bound; S > 1 with n_init > 1 is a
 * bad argument. (Quality: test 3.)
 */
static void
test_seedings(void)
{
	const int	d = 2,
				k = 9,
				seedings = 6;
	const size_t n = 6000;
	double	   *x = malloc(sizeof(double) * n * d),
				c1[9 * 2],
				c2[9 * 2],
				c3[9 * 2],
				cp[9 * 2],
				i1,
				i2,
				i3,
				ip;
	int64_t    *w = malloc(sizeof(int64_t) * n),
				sizes[9];
	size_t		i;
	int			best,
				lowest,
				run,
				lowest_ok = 0,
				trace_ok = 0,
				seed;
	KmConfig	cfg = config(k, KM_INIT_PLUSPLUS, NULL);
	KmResult	r;
	Trace		full,
				one;
	Counter		cnt = {0, 0};
	KmAlloc		counting = {count_alloc, count_release, &cnt};
	bool		fitted;

	/* a 3 x 3 grid of blobs, unevenly weighted */
	for (i = 0; i < n; i++)
	{
		x[i * d] = (double) (i % 3) * 6 + gauss();
		x[i * d + 1] = (double) ((i / 3) % 3) * 6 + gauss();
		w[i] = 1 + (int64_t) (uniform() * (i % 9 == 0 ? 50 : 4));
	}
	cfg.tol = 1e-6;
	for (seed = 0; seed < 8; seed++)
	{
		KmConfig	c = cfg;

		c.seed = (uint64_t) seed;
		c.seedings = seedings;
		memset(&r, 0, sizeof(r));
		r.centroids = c1;
		r.sizes = sizes;
		fitted = km_fit_weighted(x, w, n, d, &c, &MEM, &r) == KM_OK;
		best = r.best_run;
		i1 = r.inertia;
		/* the trace of the S full runs, and of the seedings fit */
		memset(&full, 0, sizeof(full));
		memset(&one, 0, sizeof(one));
		c.seedings = 0;
		c.n_init = seedings;
		c.on_iteration = trace_iteration;
		c.arg = &full;
		r.centroids = c2;
		fitted &= km_fit_weighted(x, w, n, d, &c, &MEM, &r) == KM_OK;
		c.seedings = seedings;
		c.n_init = 1;
		c.arg = &one;
		r.centroids = c3;
		fitted &= km_fit_weighted(x, w, n, d, &c, &MEM, &r) == KM_OK;
		if (fitted && full.inertia[best] == i1 && one.inertia[best] == i1 &&
			full.iterations[best] == one.iterations[best] && r.iterations == full.iterations[best] &&
			memcmp(c1, c3, sizeof(c1)) == 0)
			trace_ok++;
		/* the kept seeding: the lowest start of the full runs, the first among equals */
		lowest = 0;
		for (run = 1; run < seedings; run++)
			if (full.start[run] < full.start[lowest])
				lowest = run;
		if (fitted && best == lowest)
			lowest_ok++;
	}
	ok(trace_ok == 8, "%d seedings, 8 seeds: the fit ends where the full run of the kept seeding ends, bit for bit (%d of 8)",
	   seedings, trace_ok);
	ok(lowest_ok == 8, "the kept seeding is the one whose centers have the lowest inertia (%d of 8)", lowest_ok);

	cfg.seedings = seedings;
	fitted = fit_on_threads(x, w, n, d, cfg, 1, c1, &i1) &&
		fit_on_threads(x, w, n, d, cfg, 2, c2, &i2) &&
		fit_on_threads(x, w, n, d, cfg, 3, c3, &i3);
	ok(fitted && memcmp(c1, c2, sizeof(c1)) == 0 && memcmp(c1, c3, sizeof(c1)) == 0 &&
	   i1 == i2 && i1 == i3, "seedings on 1, 2 and 3 threads: the same centroids and inertia, bit for bit");
	pending_polls = 4;
	cfg.parallel.interrupt_pending = pending_at_first;
	cfg.parallel.check_interrupts = held_off;
	ok(fit_on_threads(x, w, n, d, cfg, 2, cp, &ip) && memcmp(c1, cp, sizeof(c1)) == 0 && i1 == ip,
	   "seedings stopped on a helper by an interrupt that is held off: drawn again, the same bits");
	cfg.parallel.interrupt_pending = NULL;
	cfg.parallel.check_interrupts = NULL;
	cfg.parallel.threads = 2;
	memset(&r, 0, sizeof(r));
	r.centroids = cp;
	r.sizes = sizes;
	ok(km_fit_weighted(x, w, n, d, &cfg, &counting, &r) == KM_OK &&
	   cnt.peak <= km_fit_weighted_bytes(n, d, &cfg) && cnt.now == 0,
	   "seedings' memory: peak %zu bytes within km_fit_weighted_bytes %zu, all released",
	   cnt.peak, km_fit_weighted_bytes(n, d, &cfg));
	cfg.n_init = 2;
	ok(km_fit_weighted(x, w, n, d, &cfg, &MEM, &r) == KM_BAD_ARGUMENT, "seedings with n_init 2: bad argument");
	cfg.n_init = 1;
	cfg.seedings = -1;
	ok(km_fit_weighted(x, w, n, d, &cfg, &MEM, &r) == KM_BAD_ARGUMENT, "negative seedings: bad argument");
	free(x);
	free(w);
}

int
main(void)
{
	enum
	{
		N = 400, D = 3, K = 4
	};
	double	   *x = malloc(sizeof(double) * N * D),
			   *expanded;
	int64_t    *w = malloc(sizeof(int64_t) * N),
				sizes[K],
				sizes2[K],
				total = 0;
	double		start[K * D],
				cw[K * D],
				cx[K * D],
				cn[K * D],
				naive_inertia;
	KmResult	rw,
				rx;
	KmConfig	cfg;
	size_t		i,
				m = 0;
	int			j,
				c;
	bool		same = true;

	for (i = 0; i < N; i++)
	{
		for (j = 0; j < D; j++)
			x[i * D + j] = (double) (i % K) * 5 + gauss();
		w[i] = 1 + (int64_t) (uniform() * 9);
		total += w[i];
	}
	for (c = 0; c < K; c++)
		for (j = 0; j < D; j++)
			start[c * D + j] = x[c * 7 * D + j];

	/* 1. weights against repetition, from the same centroids */
	expanded = malloc(sizeof(double) * total * D);
	for (i = 0; i < N; i++)
	{
		int64_t		r;

		for (r = 0; r < w[i]; r++)
			memcpy(expanded + (m++) * D, x + i * D, sizeof(double) * D);
	}
	cfg = config(K, KM_INIT_EXPLICIT, start);
	memset(&rw, 0, sizeof(rw));
	rw.centroids = cw;
	rw.sizes = sizes;
	ok(km_fit_weighted(x, w, N, D, &cfg, &MEM, &rw) == KM_OK && rw.converged, "weighted fit converged");
	memset(&rx, 0, sizeof(rx));
	rx.centroids = cx;
	rx.sizes = sizes2;
	ok(km_fit(expanded, m, D, &cfg, &MEM, &rx) == KM_OK, "km_fit on the repeated rows");
	for (c = 0; c < K; c++)
	{
		same &= sizes[c] == sizes2[c];
		for (j = 0; j < D; j++)
			same &= close_to(cw[c * D + j], cx[c * D + j], 1e-12);
	}
	ok(same && close_to(rw.inertia, rx.inertia, 1e-12),
	   "weights act as repeated rows: the same sizes, centroids and inertia (%.6f vs %.6f)",
	   rw.inertia, rx.inertia);

	/* 2. a naive weighted Lloyd */
	memcpy(cn, start, sizeof(start));
	naive_inertia = naive_weighted(x, w, N, D, K, cn);
	same = close_to(rw.inertia, naive_inertia, 1e-12);
	for (i = 0; i < K * D; i++)
		same &= close_to(cw[i], cn[i], 1e-12);
	ok(same, "as a naive weighted Lloyd: inertia %.6f vs %.6f", rw.inertia, naive_inertia);

	/* 3. quality: k-means++ on a weighted sample of 8-feature, 12-center blobs */
	{
		enum
		{
			BN = 60000, BD = 8, BK = 12, BUDGET = 4096
		};
		double	   *bx = malloc(sizeof(double) * BN * BD),
					centers[BK * BD],
					full_c[BK * BD],
					samp_c[BK * BD],
				   *sv = malloc(sizeof(double) * BUDGET * BD);
		int64_t		full_sizes[BK],
					samp_sizes[BK],
				   *sc = malloc(sizeof(int64_t) * BUDGET);
		KmSummary  *s = malloc(km_summary_bytes(BD, BUDGET));
		KmResult	rf,
					rs;
		KmConfig	bc = config(BK, KM_INIT_PLUSPLUS, NULL);
		double		full_inertia,
					samp_inertia;
		int			e;
		Counter		cnt = {0, 0};
		KmAlloc		counting = {count_alloc, count_release, &cnt};

		for (i = 0; i < BK * BD; i++)
			centers[i] = uniform() * 20 - 10;
		km_summary_init(s, BD, BUDGET);
		for (i = 0; i < BN; i++)
		{
			for (j = 0; j < BD; j++)
				bx[i * BD + j] = centers[(i % BK) * BD + j] + gauss();
			km_summary_add(s, bx + i * BD);
		}
		km_summary_canonicalize(s);
		e = km_summary_sample(s, sv, sc);
		memset(&rf, 0, sizeof(rf));
		rf.centroids = full_c;
		rf.sizes = full_sizes;
		memset(&rs, 0, sizeof(rs));
		rs.centroids = samp_c;
		rs.sizes = samp_sizes;
		bc.tol = 1e-4;
		ok(km_fit(bx, BN, BD, &bc, &MEM, &rf) == KM_OK &&
		   km_fit_weighted(sv, sc, (size_t) e, BD, &bc, &counting, &rs) == KM_OK,
		   "k-means++ on 60,000 rows and on a sample of %d", e);
		full_inertia = inertia_of(bx, BN, BD, full_c, BK);
		samp_inertia = inertia_of(bx, BN, BD, samp_c, BK);
		ok(samp_inertia <= 1.01 * full_inertia,
		   "the sample's centroids: inertia on every row %.1f, %.4fx the full fit's",
		   samp_inertia, samp_inertia / full_inertia);
		/* one-pass mode's default: Lloyd from the best of 4 seedings */
		{
			double		seeded_c[BK * BD];
			int64_t		seeded_sizes[BK];
			KmResult	rb = rs;

			rb.centroids = seeded_c;
			rb.sizes = seeded_sizes;
			bc.seedings = 4;
			ok(km_fit_weighted(sv, sc, (size_t) e, BD, &bc, &MEM, &rb) == KM_OK &&
			   inertia_of(bx, BN, BD, seeded_c, BK) <= 1.01 * full_inertia,
			   "from the best of 4 seedings: inertia on every row %.4fx the full fit's",
			   inertia_of(bx, BN, BD, seeded_c, BK) / full_inertia);
			bc.seedings = 0;
		}
		ok(cnt.peak <= km_fit_weighted_bytes((size_t) e, BD, &bc) && cnt.now == 0,
		   "memory: peak %zu bytes within km_fit_weighted_bytes %zu, all released",
		   cnt.peak, km_fit_weighted_bytes((size_t) e, BD, &bc));

		/* the same inputs, the same bits; random init too */
		{
			double		again[BK * BD];
			int64_t		again_sizes[BK];
			KmResult	ra = rs;

			ra.centroids = again;
			ra.sizes = again_sizes;
			km_fit_weighted(sv, sc, (size_t) e, BD, &bc, &MEM, &ra);
			ok(memcmp(again, samp_c, sizeof(again)) == 0, "the same inputs and seed: the same centroids, bit for bit");
			bc.init = KM_INIT_RANDOM;
			bc.n_init = 3;
			ok(km_fit_weighted(sv, sc, (size_t) e, BD, &bc, &MEM, &ra) == KM_OK &&
			   ra.sizes[0] + ra.sizes[BK - 1] > 0, "random init, 3 runs");
		}
		free(bx);
		free(sv);
		free(sc);
		free(s);
	}

	/* 4. bad arguments */
	cfg = config(K, KM_INIT_PLUSPLUS, NULL);
	w[3] = 0;
	ok(km_fit_weighted(x, w, N, D, &cfg, &MEM, &rw) == KM_BAD_ARGUMENT, "a weight of 0: bad argument");
	w[3] = 1;
	cfg.k = N + 1;
	ok(km_fit_weighted(x, w, N, D, &cfg, &MEM, &rw) == KM_BAD_ARGUMENT, "k above the points: bad argument");
	cfg.k = 2;
	ok(km_fit_weighted(x, w, 2, D, &cfg, &MEM, &rw) == KM_OK && rw.inertia == 0,
	   "k equal to the points: each its own center, inertia 0");

	test_threads();
	test_bounds_exact();
	test_seedings();

	free(x);
	free(w);
	free(expanded);
	return tap_done();
}

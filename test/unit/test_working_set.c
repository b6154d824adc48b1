/*
 * test_working_set.c
 *	  km_fit_bytes and km_metrics_bytes against the peak of what km_fit and
 *	  km_metrics really allocate (a counting allocator), for every kind of
 *	  initialization, with and without pruning, on 1 and 3 threads: the
 *	  memory limit counts exactly the memory the core will take.
 */
#include <stdlib.h>
#include <string.h>

#include "core/kmeans.h"
#include "core/metrics.h"
#include "tap.h"

typedef struct Counter
{
	size_t		now;
	size_t		peak;
} Counter;

/* each block carries its size in front of it */
static void *
count_alloc(void *ctx, size_t bytes)
{
	Counter    *c = ctx;
	size_t	   *p = malloc(bytes + sizeof(size_t) * 2);

	if (p == NULL)
		return NULL;
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

int
main(void)
{
	size_t		n = 50000,
				i;
	int			d = 3;
	double	   *x = malloc(sizeof(double) * n * d);
	int32_t    *labels = malloc(sizeof(int32_t) * n);
	uint64_t	rng = 99;

	for (i = 0; i < n * d; i++)
	{
		rng = rng * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
		x[i] = (double) (rng >> 40) / 1000.0 + (double) (i % 7);
	}
	for (int init = 0; init < 3; init++)
		for (int k = 3; k <= 12; k += 9)	/* 12: pruned */
			for (int threads = 1; threads <= 3; threads += 2)
				for (int n_init = 1; n_init <= 2; n_init++)
				{
					Counter		c = {0, 0};
					KmAlloc		mem = {count_alloc, count_release, &c};
					KmConfig	cfg;
					KmResult	res;
					double	   *cent = malloc(sizeof(double) * k * d);
					double	   *start = malloc(sizeof(double) * k * d);
					int64_t    *sizes = malloc(sizeof(int64_t) * k);
					size_t		want;

					memcpy(start, x, sizeof(double) * k * d);
					memset(&cfg, 0, sizeof(cfg));
					cfg.k = k;
					cfg.init = (KmInit) init;
					cfg.init_centroids = start;
					cfg.n_init = n_init;
					cfg.max_iter = 5;
					cfg.tol = 0;
					cfg.seed = 3;
					cfg.mean_variance = 1;
					cfg.prune = k >= KM_PRUNE_MIN_K;
					cfg.parallel.threads = threads;
					res.centroids = cent;
					res.labels = NULL;
					res.sizes = sizes;
					want = km_fit_bytes(n, d, &cfg);
					ok(km_fit(x, n, d, &cfg, &mem, &res) == KM_OK && c.now == 0 &&
					   c.peak <= want && c.peak + 64 >= want,
					   "init %d, k %d, %d threads, n_init %d: peak %zu bytes, km_fit_bytes %zu",
					   init, k, threads, n_init, c.peak, want);
					free(cent);
					free(start);
					free(sizes);
				}
	for (size_t m = 5000; m <= n; m += n - 5000)
	{
		Counter		c = {0, 0};
		KmAlloc		mem = {count_alloc, count_release, &c};
		KmMetrics	out;
		size_t		want = km_metrics_bytes(m, d, 4);

		for (i = 0; i < m; i++)
			labels[i] = (int32_t) (i % 4);
		ok(km_metrics(x, m, d, labels, 4, 1, &mem, &out) == KM_OK && c.now == 0 &&
		   c.peak <= want && c.peak + 64 >= want,
		   "km_metrics on %zu rows: peak %zu bytes, km_metrics_bytes %zu", m, c.peak, want);
	}
	ok(km_fit_bytes((size_t) -1 / 2, 1000, &(KmConfig) {.k = 10000, .prune = true}) == (size_t) -1,
	   "a size past size_t saturates instead of wrapping");
	free(x);
	free(labels);
	return tap_done();
}

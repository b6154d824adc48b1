/*
 * fuzz_kmeans.c
 *	  libFuzzer target for the k-means core: arbitrary points (with many
 *	  ties) and options. Oracles: pruned and plain Lloyd give the same
 *	  labels, every label is the nearest centroid, sizes count the labels,
 *	  and the order-independent sums do not depend on the order.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/exact_sum.h"
#include "core/kmeans.h"
#include "test_alloc.h"

#define MAX_ROWS 300

static void
fail(const char *what)
{
	fprintf(stderr, "oracle failed: %s\n", what);
	abort();
}

static KmResult
run(const double *x, size_t n, int d, KmConfig *cfg, bool prune, double *c, int32_t *l, int64_t *s)
{
	KmResult	r;

	cfg->prune = prune;
	r.centroids = c;
	r.labels = l;
	r.sizes = s;
	if (km_fit(x, n, d, cfg, &MEM, &r) != KM_OK)
		fail("km_fit refused valid arguments");
	return r;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	KmConfig	cfg;
	double		x[MAX_ROWS * 4],
				rev[MAX_ROWS * 4],
				init[8 * 4];
	double		c1[8 * 4],
				c2[8 * 4];
	int32_t		l1[MAX_ROWS],
				l2[MAX_ROWS];
	int64_t		s1[8],
				s2[8];
	size_t		n,
				i;
	int			d,
				j;

	if (size < 4)
		return 0;
	memset(&cfg, 0, sizeof(cfg));
	cfg.k = 1 + data[0] % 8;
	d = 1 + data[1] % 4;
	cfg.init = (KmInit) (data[2] % 3);
	cfg.n_init = 1 + data[3] % 3;
	cfg.max_iter = 1 + data[3] / 16;
	cfg.tol = (data[2] & 0x80) ? 0 : 1e-4;
	cfg.seed = data[0] * 131u + data[1];
	cfg.mean_variance = -1;
	data += 4;
	size -= 4;
	n = size / (2 * (size_t) d);
	if (n > MAX_ROWS)
		n = MAX_ROWS;
	if (n < (size_t) cfg.k)
		return 0;
	/* two bytes a value: a few distinct magnitudes, many exact ties */
	for (i = 0; i < n * (size_t) d; i++)
		x[i] = (double) ((int16_t) (data[2 * i] | data[2 * i + 1] << 8) % 64) * ((data[2 * i] & 1) ? 0.5 : 3.0);
	for (i = 0; i < (size_t) cfg.k * d; i++)
		init[i] = x[i % (n * d)] + 0.25;
	cfg.init_centroids = init;

	{
		KmResult	a = run(x, n, d, &cfg, true, c1, l1, s1);
		KmResult	b = run(x, n, d, &cfg, false, c2, l2, s2);
		int64_t		counts[8] = {0};

		if (memcmp(l1, l2, sizeof(int32_t) * n) != 0 || a.iterations != b.iterations)
			fail("pruned and plain Lloyd differ");
		for (i = 0; i < n; i++)
		{
			double		d2;

			if (km_nearest(x + i * d, c1, cfg.k, d, &d2) != l1[i])
				fail("a label is not the nearest centroid");
			counts[l1[i]]++;
		}
		for (j = 0; j < cfg.k; j++)
			if (counts[j] != s1[j])
				fail("sizes do not count the labels");
	}

	/* reversed rows: the same order-independent column sums */
	for (i = 0; i < n; i++)
		memcpy(rev + i * d, x + (n - 1 - i) * d, sizeof(double) * d);
	{
		double		f[4],
					r[4];

		km_exact_column_sums(x, n, d, d, NULL, f);
		km_exact_column_sums(rev, n, d, d, NULL, r);
		if (memcmp(f, r, sizeof(double) * d) != 0)
			fail("exact sums depend on the order");
	}
	return 0;
}

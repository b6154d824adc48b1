/*
 * fuzz_kmeans.c
 *	  libFuzzer target for the k-means core: arbitrary points (with many
 *	  ties) and options. Oracles: pruned and plain Lloyd give the same
 *	  labels, every label is the nearest centroid, sizes count the labels,
 *	  and the order-independent sums do not depend on the order.
 *
 *	  In its raw-value mode (a flag bit) every value is 8 bytes read as a
 *	  float8, so the dictionary kmeans.dict brings magnitudes near DBL_MAX,
 *	  squares past it and subnormals. Oracles there: the z-score scaler
 *	  gives finite offsets and positive finite factors; km_fit never leaves
 *	  its result unset (sizes add up, iterations in range) and fails with
 *	  KM_OVERFLOW only when km_box_unsafe_feature said the data could not
 *	  be summed; km_nearest's label is at the smallest distance.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "core/exact_sum.h"
#include "core/kmeans.h"
#include "core/scaler.h"
#include "core/value_range.h"
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

/* Raw values: km_fit on them, as they are and z-scored, never misbehaves. */
static void
raw_values(const double *x, size_t n, int d, KmConfig *cfg)
{
	double		lo[4],
				hi[4],
				off[4],
				fac[4],
				c[8 * 4],
				z[MAX_ROWS * 4];
	int32_t		l[MAX_ROWS];
	int64_t		sz[8];
	size_t		i;
	int			j,
				pass;

	for (j = 0; j < d; j++)
	{
		lo[j] = hi[j] = x[j];
		for (i = 1; i < n; i++)
		{
			lo[j] = x[i * d + j] < lo[j] ? x[i * d + j] : lo[j];
			hi[j] = x[i * d + j] > hi[j] ? x[i * d + j] : hi[j];
		}
	}
	km_scaler_fit(KM_SCALE_ZSCORE, x, n, d, off, fac);
	for (j = 0; j < d; j++)
		if (!isfinite(off[j]) || !isfinite(fac[j]) || !(fac[j] > 0))
			fail("the z-score scaler gave a non-finite offset or factor");
	memcpy(z, x, sizeof(double) * n * d);
	km_scaler_apply(off, fac, d, z, n, NULL);
	for (pass = 0; pass < 2; pass++)
	{
		const double *rows = pass == 0 ? x : z;
		double		blo[4],
					bhi[4];
		int			unsafe;
		KmResult	r;
		KmStatus	st;
		int64_t		total = 0;

		if (pass == 0)
			memcpy(blo, lo, sizeof(lo)), memcpy(bhi, hi, sizeof(hi));
		else
			km_scaled_box(lo, hi, off, fac, d, blo, bhi);
		if (cfg->init == KM_INIT_EXPLICIT)
			km_box_include(blo, bhi, d, cfg->init_centroids, (size_t) cfg->k);
		unsafe = km_box_unsafe_feature(blo, bhi, d, n);
		r.centroids = c;
		r.labels = l;
		r.sizes = sz;
		st = km_fit(rows, n, d, cfg, &MEM, &r);
		if (st != KM_OK && st != KM_OVERFLOW)
			fail("km_fit refused valid arguments");
		if (st == KM_OVERFLOW && unsafe < 0)
			fail("km_fit overflowed on data the box check accepted");
		for (j = 0; j < cfg->k; j++)
			total += sz[j];
		if (total != (int64_t) n || r.iterations < 1 || r.iterations > cfg->max_iter)
			fail("km_fit left its result unset");
		if (st == KM_OK)
			for (i = 0; i < n; i++)
			{
				double		d2,
							mine = km_distance(rows + i * d, c + (size_t) l[i] * d, d);
				int			near = km_nearest(rows + i * d, c, cfg->k, d, &d2);

				if (km_distance(rows + i * d, c + (size_t) near * d, d) < mine)
					fail("a label is farther than the nearest centroid");
			}
	}
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
	bool		raw;

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
	raw = (data[2] & 0x40) != 0;
	data += 4;
	size -= 4;
	if (raw)
	{
		/* raw mode: 8 bytes a value; non-finite ones become 0 */
		n = size / (8 * (size_t) d);
		if (n > MAX_ROWS)
			n = MAX_ROWS;
		if (n < (size_t) cfg.k)
			return 0;
		for (i = 0; i < n * (size_t) d; i++)
		{
			memcpy(&x[i], data + 8 * i, sizeof(double));
			if (!isfinite(x[i]))
				x[i] = 0;
		}
		for (i = 0; i < (size_t) cfg.k * d; i++)
			init[i] = x[i % (n * d)];
		cfg.init_centroids = init;
		raw_values(x, n, d, &cfg);
		return 0;
	}
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

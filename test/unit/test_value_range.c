/*
 * test_value_range.c
 *	  Values whose squares or variance overflow float8: the scaler's
 *	  spreads stay finite and equal hand-computed ones, the box check
 *	  refuses exactly what cannot be clustered, k-means never leaves a
 *	  result unset (its first run always counts) and reports an overflow
 *	  instead of storing garbage, and the nearest centroid of a far-out
 *	  point is still the nearest.
 */
#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "core/kmeans.h"
#include "core/metrics.h"
#include "core/scaler.h"
#include "core/value_range.h"
#include "tap.h"
#include "test_alloc.h"

/* Scale the rows, check the box; -1 when k-means may run on them. */
static int
scale_and_check(KmScale kind, double *x, size_t n, int d, double *off, double *fac)
{
	double		lo[4],
				hi[4],
				blo[4],
				bhi[4];
	size_t		i;
	int			j;

	for (j = 0; j < d; j++)
	{
		lo[j] = INFINITY;
		hi[j] = -INFINITY;
		for (i = 0; i < n; i++)
		{
			lo[j] = fmin(lo[j], x[i * d + j]);
			hi[j] = fmax(hi[j], x[i * d + j]);
		}
	}
	km_scaler_fit(kind, x, n, d, off, fac);
	km_scaled_box(lo, hi, off, fac, d, blo, bhi);
	return km_box_unsafe_feature(blo, bhi, d, n);
}

static KmConfig
config(int k)
{
	KmConfig	c;

	memset(&c, 0, sizeof(c));
	c.k = k;
	c.init = KM_INIT_PLUSPLUS;
	c.n_init = 3;
	c.max_iter = 300;
	c.tol = 1e-4;
	c.seed = 7;
	c.mean_variance = -1;
	return c;
}

static void
scaler_tests(void)
{
	/* the rows: 1e200, -1e200, 0, 3e199; by hand in units of 1e200:
	 * 1, -1, 0, 0.3: mean 0.075, variance 2.09 / 4 - 0.075^2 = 0.516875 */
	double		h[4] = {1e200, -1e200, 0, 3e199},
				x[4],
				off,
				fac;

	memcpy(x, h, sizeof(h));
	is_int(scale_and_check(KM_SCALE_ZSCORE, x, 4, 1, &off, &fac), -1,
		   "zscore: 1e200-sized values can be clustered once scaled");
	is_close(off / 1e200, 0.075, 1e-14, "zscore offset: the mean, 7.5e198");
	is_close(fac / 1e200, sqrt(0.516875), 1e-14, "zscore factor: the sd, computed without squaring 1e200");
	is_int(scale_and_check(KM_SCALE_MINMAX, x, 4, 1, &off, &fac), -1, "minmax: likewise");
	ok(off == -1e200 && fac == 2e200, "minmax offset -1e200, factor 2e200");
	is_int(scale_and_check(KM_SCALE_NONE, x, 4, 1, &off, &fac), 0,
		   "none: the squares overflow, feature 0 is refused");

	{
		/* near DBL_MAX, both signs: the range overflows, the sd does not */
		double		y[6] = {DBL_MAX, -DBL_MAX, 0, DBL_MAX / 2, -DBL_MAX / 2, 0};

		is_int(scale_and_check(KM_SCALE_ZSCORE, y, 6, 1, &off, &fac), -1,
			   "zscore on +-DBL_MAX (mean 0): finite spread, clusterable");
		ok(off == 0 && fac / DBL_MAX == sqrt(2.5 / 6), "offset 0, factor sqrt(2.5 / 6) DBL_MAX");
		is_int(scale_and_check(KM_SCALE_MINMAX, y, 6, 1, &off, &fac), 0,
			   "minmax on +-DBL_MAX: the range is past DBL_MAX, refused");
		y[4] = -DBL_MAX / 3;
		is_int(scale_and_check(KM_SCALE_ZSCORE, y, 6, 1, &off, &fac), 0,
			   "zscore with a mean off 0: -DBL_MAX - mean overflows, refused");
	}
	{
		/* a second feature of ordinary size is not blamed */
		double		z[8] = {1, 1e300, 2, -1e300, 3, 0, 4, 5},
					o2[2],
					f2[2];

		is_int(scale_and_check(KM_SCALE_NONE, z, 4, 2, o2, f2), 1,
			   "none, two features: the second, 1e300-sized one is blamed");
	}
	{
		/* subnormal values: 2^-e itself would overflow (the fuzzer's find) */
		double		t[3] = {5e-324, 1e-323, 2e-323};

		km_scaler_fit(KM_SCALE_ZSCORE, t, 3, 1, &off, &fac);
		ok(isfinite(off) && isfinite(fac) && fac > 0, "zscore of subnormal values: finite offset %g, factor %g", off, fac);
	}
	{
		/* variance of tiny values: no underflow to zero spread */
		double		t[4] = {1e-300, 2e-300, 3e-300, 4e-300};

		km_scaler_fit(KM_SCALE_ZSCORE, t, 4, 1, &off, &fac);
		is_close(fac / 1e-300, sqrt(1.25), 1e-14, "zscore of 1e-300-sized values: sd sqrt(1.25) e-300");
	}
}

static void
box_tests(void)
{
	double		lo[2] = {-1, 0},
				hi[2] = {1, 2},
				c[2] = {5, 1};

	is_int(km_box_unsafe_feature(lo, hi, 2, 1000), -1, "a small box is safe");
	km_box_include(lo, hi, 2, c, 1);
	ok(hi[0] == 5 && lo[1] == 0, "km_box_include widens the box to a centroid");
	{
		double		l[1] = {0},
					h[1] = {sqrt(DBL_MAX / 16) / 2 * (1 - 0x1p-20)};

		is_int(km_box_unsafe_feature(l, h, 1, 4), -1, "width^2 * n just below DBL_MAX / 16: safe");
		is_int(km_box_unsafe_feature(l, h, 1, 5), 0, "one row more: refused");
	}
	{
		/* no spread: only a centroid's rounding (2^-30 of 1e160) counts */
		double		l[1] = {1e160},
					h[1] = {1e160};

		is_int(km_box_unsafe_feature(l, h, 1, 10), -1, "1e160 without spread, 10 rows: fine");
		is_int(km_box_unsafe_feature(l, h, 1, 100000), -1, "100,000 rows: 8.7e306, still fine");
		is_int(km_box_unsafe_feature(l, h, 1, 1000000), 0, "a million rows: their rounding, squared and summed, would not be");
		l[0] = h[0] = 1e300;
		is_int(km_box_unsafe_feature(l, h, 1, 2), 0, "1e300 without spread: refused");
	}
	{
		/* no spread at 2.3e226: a centroid one rounding step away is 3e210
		 * from the rows, and that squares past DBL_MAX (the fuzzer's find) */
		double		l[1] = {-2.289989454992704e226},
					h[1] = {-2.289989454992704e226};

		is_int(km_box_unsafe_feature(l, h, 1, 3), 0, "2.3e226 without spread is refused: rounding noise squares past DBL_MAX");
		l[0] = h[0] = 1e150;
		is_int(km_box_unsafe_feature(l, h, 1, 3), -1, "1e150 without spread is fine");
	}
	{
		double		l[2] = {0, NAN},
					h[2] = {1, NAN};

		is_int(km_box_unsafe_feature(l, h, 2, 1), 1, "a NaN side (inf / inf) is refused");
	}
}

static void
fit_tests(void)
{
	double		h[4] = {1e200, -1e200, 0, 3e199};
	double		cent[2],
				init[2] = {-1e200, 1e200};
	int64_t		sizes[2] = {-1, -1};
	int32_t		labels[4];
	KmConfig	cfg = config(2);
	KmResult	res;
	KmStatus	st;

	res.centroids = cent;
	res.labels = labels;
	res.sizes = sizes;
	res.iterations = -12345;
	st = km_fit(h, 4, 1, &cfg, &MEM, &res);
	is_int(st, KM_OVERFLOW, "unscaled 1e200 rows: KM_OVERFLOW, not a model");
	ok(res.iterations >= 1 && res.iterations <= cfg.max_iter && sizes[0] + sizes[1] == 4,
	   "and the result is still set (first run kept): %d iterations, sizes add up to 4",
	   res.iterations);
	cfg.init = KM_INIT_EXPLICIT;
	cfg.init_centroids = init;
	st = km_fit(h, 4, 1, &cfg, &MEM, &res);
	is_int(st, KM_OVERFLOW, "the same from explicit centroids");
	ok(sizes[0] + sizes[1] == 4, "sizes still count the 4 rows");

	{
		double		x[4],
					off,
					fac;

		memcpy(x, h, sizeof(h));
		(void) scale_and_check(KM_SCALE_ZSCORE, x, 4, 1, &off, &fac);
		km_scaler_apply(&off, &fac, 1, x, 4, NULL);
		cfg = config(2);
		st = km_fit(x, 4, 1, &cfg, &MEM, &res);
		is_int(st, KM_OK, "z-scored, the same rows cluster");
		ok(isfinite(res.inertia) && sizes[0] + sizes[1] == 4 && res.iterations <= cfg.max_iter,
		   "finite inertia %g, sizes %lld + %lld = 4", res.inertia,
		   (long long) sizes[0], (long long) sizes[1]);
		/* z-scores 1.287, -1.495, -0.104, 0.313: -1e200 alone is the split of
		 * least inertia (1.019 against 1.44 and 1.79 for the others) */
		ok(sizes[labels[1]] == 1 && labels[0] == labels[2] && labels[2] == labels[3],
		   "-1e200 forms its own cluster");
		is_close(res.inertia, 1.0189, 1e-4, "inertia 1.019, as by hand");
	}
}

static void
nearest_tests(void)
{
	double		c[6] = {-1e300, 0, 5e299, 0, 1e308, 1e308};
	double		p[2] = {1e300, 0};
	double		d2;

	is_int(km_nearest(p, c, 3, 2, &d2), 1,
		   "every squared distance overflows: still the nearest centroid (5e299)");
	ok(d2 == INFINITY, "and its squared distance is +Infinity (2.5e599)");
	is_close(km_distance(p, c + 2, 2) / 5e299, 1, 1e-15, "km_distance: 5e299, no overflow");
	is_close(km_distance(p, c, 2) / 2e300, 1, 1e-15, "km_distance to -1e300: 2e300");
	{
		double		q[2] = {1, 1},
					e[4] = {1, 1, 1, 1};

		is_int(km_nearest(q, e, 2, 2, &d2), 0, "an exact tie goes to the lowest index");
	}
	{
		double		q[2] = {1e300, 1e300},
					e[4] = {-1e300, -1e300, -1e300, -1e300};

		is_int(km_nearest(q, e, 2, 2, &d2), 0, "a tie in the scaled search too");
	}
}

static void
metrics_tests(void)
{
	/* metrics of z-scored far-out data are the metrics of the same shape */
	double		a[6] = {1e250, 1.1e250, 3e250, 3.1e250, 5e250, 5.1e250},
				b[6] = {1, 1.1, 3, 3.1, 5, 5.1},
				offa,
				faca,
				offb,
				facb;
	int32_t		l[6] = {0, 0, 1, 1, 2, 2};
	KmMetrics	ma,
				mb;

	(void) scale_and_check(KM_SCALE_ZSCORE, a, 6, 1, &offa, &faca);
	(void) scale_and_check(KM_SCALE_ZSCORE, b, 6, 1, &offb, &facb);
	km_scaler_apply(&offa, &faca, 1, a, 6, NULL);
	km_scaler_apply(&offb, &facb, 1, b, 6, NULL);
	ok(km_metrics(a, 6, 1, l, 3, 0, &MEM, &ma) == KM_OK &&
	   km_metrics(b, 6, 1, l, 3, 0, &MEM, &mb) == KM_OK, "metrics of both");
	is_close(ma.silhouette, mb.silhouette, 1e-12, "silhouette of 1e250-sized data, z-scored");
	is_close(ma.davies_bouldin, mb.davies_bouldin, 1e-12, "Davies-Bouldin likewise");
	is_close(ma.calinski_harabasz, mb.calinski_harabasz, 1e-9, "Calinski-Harabasz likewise");
	ok(isfinite(ma.inertia), "finite inertia");
}

int
main(void)
{
	scaler_tests();
	box_tests();
	fit_tests();
	nearest_tests();
	metrics_tests();
	return tap_done();
}

/*
 * test_distance_quantiles.c
 *	  The quantiles of the rows' distances to their nearest centroid: by
 *	  hand (ties, a distance rounded up to a float, cosine distances), and
 *	  against a naive reference (every distance by a plain nearest-centroid
 *	  loop, rounded up, sorted) for 1,000 rows (the quickselect) and 600,000
 *	  (the radix selection), the same on 1 to 4 threads.
 */
#include "core/distance_quantiles.h"
#include "tap.h"
#include "test_alloc.h"
#define TEST_RNG_SEED UINT64_C(20261205)
#include "test_random.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int
float_cmp(const void *a, const void *b)
{
	float		x = *(const float *) a,
				y = *(const float *) b;

	return x < y ? -1 : x > y;
}

/* The m quantiles of the rows' distances, naively. */
static void
naive_quantiles(const double *x, size_t n, int d, const double *c, int k, int m, double *out)
{
	float	   *dist = malloc(sizeof(float) * n);
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
	{
		double		best = INFINITY;
		float		f;

		for (j = 0; j < k; j++)
		{
			double		s = 0;
			int			t;

			for (t = 0; t < d; t++)
				s += (x[i * d + t] - c[j * d + t]) * (x[i * d + t] - c[j * d + t]);
			if (s < best)
				best = s;
		}
		best = sqrt(best);
		f = (float) best;
		if ((double) f < best)
			f = nextafterf(f, INFINITY);
		dist[i] = f;
	}
	qsort(dist, n, sizeof(float), float_cmp);
	for (j = 0; j < m; j++)
	{
		/* rank max(1, ceil(j n / (m - 1))) */
		size_t		r = (size_t) (((unsigned long long) j * n + (unsigned long long) (m - 2)) / (unsigned long long) (m - 1));

		out[j] = dist[r == 0 ? 0 : r - 1];
	}
	free(dist);
}

int
main(void)
{
	/* by hand: 1-D rows 0, 1, 3, 10 and centroids 0, 10: distances 0, 1, 3, 0 */
	{
		double		x[4] = {0, 1, 3, 10},
					c[2] = {0, 10},
					out[3];

		ok(km_distance_quantiles(x, 4, 1, c, 2, false, 3, out, &MEM, NULL) == KM_OK &&
		   out[0] == 0 && out[1] == 0 && out[2] == 3,
		   "by hand: minimum 0, median 0 (rank 2 of 0, 0, 1, 3), maximum 3");
	}
	/* sqrt(2) is between two floats: the larger one is kept */
	{
		double		x[4] = {1, 1, 0, 0},
					c[2] = {0, 0},
					out[2];

		ok(km_distance_quantiles(x, 2, 2, c, 1, false, 2, out, &MEM, NULL) == KM_OK &&
		   out[1] >= sqrt(2.0) && (double) nextafterf((float) out[1], 0) < sqrt(2.0) && out[0] == 0,
		   "a distance of sqrt(2) is kept as the least float at or above it (%.9g)", out[1]);
	}
	/* cosine: unit rows, |x - c|^2 / 2 = 1 - cos */
	{
		double		x[6] = {1, 0, 0, 1, -1, 0},
					c[2] = {1, 0},
					out[2];

		ok(km_distance_quantiles(x, 3, 2, c, 1, true, 2, out, &MEM, NULL) == KM_OK &&
		   out[0] == 0 && out[1] == 2,
		   "cosine distances 0, 1, 2: minimum 0, maximum 2");
	}
	/* naive reference, below and above the radix selection's size */
	{
		static const size_t sizes[2] = {1000, 600000};
		int			s;

		for (s = 0; s < 2; s++)
		{
			size_t		n = sizes[s],
						i;
			int			d = 3,
						k = 5,
						m = 1001,
						threads;
			double	   *x = malloc(sizeof(double) * n * d);
			double		c[15];
			double	   *ref = malloc(sizeof(double) * m),
					   *got = malloc(sizeof(double) * m);
			bool		same = true;

			for (i = 0; i < n * d; i++)
				/* values on a grid of 1/16: ties among the distances */
				x[i] = floor(gauss() * 500) / 16.0;
			for (i = 0; i < 15; i++)
				c[i] = floor(urand() * 125) - 62;
			naive_quantiles(x, n, d, c, k, m, ref);
			for (threads = 1; threads <= 4; threads++)
			{
				KmParallel	par = {threads, NULL, NULL, NULL};

				if (km_distance_quantiles(x, n, d, c, k, false, m, got, &MEM, &par) != KM_OK ||
					memcmp(got, ref, sizeof(double) * m) != 0)
					same = false;
			}
			ok(same, "%zu rows, k = 5, 1,001 quantiles on 1 to 4 threads: as the naive reference", n);
			ok(km_distance_quantiles_bytes(n) >= n * sizeof(float),
			   "%zu rows: the memory counted includes 4 bytes a row", n);
			free(x);
			free(ref);
			free(got);
		}
	}
	return tap_done();
}

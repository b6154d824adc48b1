/*
 * test_assign_kernel.c
 *	  The vector and scalar assignment kernels agree bit for bit (labels,
 *	  moved count, lane sums and counts, distance sums) over many shapes, on data full of
 *	  ties; and the scalar kernel agrees with a naive nearest-center search.
 */
#include "core/assign_kernel.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static unsigned rng = 2463534242u;

static double
small_value(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 17;
	rng ^= rng << 5;
	return (double) (rng % 9) * 0.5 - 2;	/* few distinct values: many ties */
}

int
main(void)
{
	int			shapes = 0,
				agree = 0,
				naive_ok = 0;
	int			d,
				k;

	diag("vector kernel on this CPU for d = 3: %s", km_assign_vectorized(3) ? "yes" : "no");
	for (d = 1; d <= KM_KERNEL_MAX_D + 1; d++)
		for (k = 1; k <= 70; k += (k < 6 ? 1 : k < 12 ? 3 : 58))	/* 70: past ROW_SUMS_MAX_K */
		{
			size_t		n = 1000 + (size_t) (d * 7 + k) % 4;	/* not always a multiple of 4 */
			double	   *x = malloc(sizeof(double) * n * d);
			double	   *cent = malloc(sizeof(double) * k * d);
			int32_t    *lab_v = malloc(sizeof(int32_t) * n);
			int32_t    *lab_s = malloc(sizeof(int32_t) * n);
			size_t		ls = (size_t) KM_LANES * k * d,
						lc = (size_t) KM_LANES * k;
			double	   *sums_v = calloc(ls, sizeof(double));
			double	   *sums_s = calloc(ls, sizeof(double));
			int64_t    *cnt_v = calloc(lc, sizeof(int64_t));
			int64_t    *cnt_s = calloc(lc, sizeof(int64_t));
			size_t		i,
						moved_v,
						moved_s,
						naive_bad = 0;

			for (i = 0; i < n * (size_t) d; i++)
				x[i] = small_value();
			/* the kernels continue sums already there */
			for (i = 0; i < ls; i++)
				sums_v[i] = sums_s[i] = 0.125 * (double) (i % 7);
			for (i = 0; i < (size_t) k * d; i++)
				cent[i] = small_value();
			for (i = 0; i < n; i++)
				lab_v[i] = lab_s[i] = (int32_t) (i % k);
			double		d2_v[KM_LANES] = {0.5, 0, 0, 0},
						d1_v[KM_LANES] = {0, 0, 0.25, 0},
						d2_s[KM_LANES] = {0.5, 0, 0, 0},
						d1_s[KM_LANES] = {0, 0, 0.25, 0},
						want_d2[KM_LANES] = {0.5, 0, 0, 0},
						want_d1[KM_LANES] = {0, 0, 0.25, 0};

			moved_v = km_assign_rows(x, n, d, cent, k, lab_v, false, sums_v, cnt_v, d2_v, d1_v);
			moved_s = km_assign_rows_scalar(x, n, d, cent, k, lab_s, false, sums_s, cnt_s, d2_s, d1_s);
			shapes++;
			if (moved_v == moved_s && memcmp(lab_v, lab_s, sizeof(int32_t) * n) == 0 &&
				memcmp(sums_v, sums_s, sizeof(double) * ls) == 0 &&
				memcmp(cnt_v, cnt_s, sizeof(int64_t) * lc) == 0 &&
				memcmp(d2_v, d2_s, sizeof(d2_v)) == 0 && memcmp(d1_v, d1_s, sizeof(d1_v)) == 0)
				agree++;
			else
				diag("kernels differ at d = %d, k = %d", d, k);
			/* naive: the first center with the smallest squared distance */
			for (i = 0; i < n; i++)
			{
				int			c,
							best = 0,
							j;
				double		best_d = INFINITY;

				for (c = 0; c < k; c++)
				{
					double		t = 0;

					for (j = 0; j < d; j++)
						t += (x[i * d + j] - cent[c * d + j]) * (x[i * d + j] - cent[c * d + j]);
					if (t < best_d)
					{
						best_d = t;
						best = c;
					}
				}
				naive_bad += best != lab_s[i];
				want_d2[i % KM_LANES] += best_d;
				want_d1[i % KM_LANES] += sqrt(best_d);
			}
			naive_ok += naive_bad == 0 && memcmp(want_d2, d2_s, sizeof(want_d2)) == 0 &&
				memcmp(want_d1, d1_s, sizeof(want_d1)) == 0;
			free(x);
			free(cent);
			free(lab_v);
			free(lab_s);
			free(sums_v);
			free(sums_s);
			free(cnt_v);
			free(cnt_s);
		}
	is_int(agree, shapes, "vector and scalar kernels agree bit for bit on every shape (d 1..9, k 1..12 and 70)");
	is_int(naive_ok, shapes, "the scalar kernel labels every row with its naive nearest center, and its lanes add up the naive distances");

	/* lanes: row i lands in lane i %% 4; first counts every row as moved */
	{
		double		x[6] = {0, 1, 2, 3, 4, 5};
		double		cent[1] = {0};
		int32_t		lab[6] = {0};
		double		sums[KM_LANES] = {0};
		int64_t		cnt[KM_LANES] = {0};
		size_t		moved = km_assign_rows(x, 6, 1, cent, 1, lab, true, sums, cnt, NULL, NULL);

		ok(moved == 6, "first: every row counts as moved");
		ok(sums[0] == 0 + 4 && sums[1] == 1 + 5 && sums[2] == 2 && sums[3] == 3,
		   "row i is added into lane i %% 4");
		ok(cnt[0] == 2 && cnt[1] == 2 && cnt[2] == 1 && cnt[3] == 1, "lane counts");
	}
	return tap_done();
}

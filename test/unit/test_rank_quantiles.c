/*
 * test_rank_quantiles.c
 *	  Exact order statistics of many ranks against a full sort: random
 *	  values, many repeats, all equal, sorted and reversed input, one value,
 *	  fewer values than ranks (the quickselect of fewer than 2^19 values),
 *	  and the radix selection of more: 1,001 ranks of 1,000,003 values, and
 *	  of 600,000 with repeats, one value, signs and zeros of both signs,
 *	  subnormals and infinities, values sharing their top 16 or 24 bits,
 *	  and a range of 20 binary orders of magnitude.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/rank_quantiles.h"
#include "test_alloc.h"
#include "tap.h"

static uint64_t rng = 0x853c49e6748fea9bULL;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static int
float_cmp(const void *a, const void *b)
{
	float		x = *(const float *) a,
				y = *(const float *) b;

	return x < y ? -1 : x > y;
}

/* Whether km_rank_quantiles agrees with sorting, for m ranks of v. */
static bool
agrees(const float *v, size_t n, int m)
{
	float	   *a = malloc(sizeof(float) * n),
			   *s = malloc(sizeof(float) * n);
	double	   *out = malloc(sizeof(double) * m);
	bool		same = true;
	int			j;

	memcpy(a, v, sizeof(float) * n);
	memcpy(s, v, sizeof(float) * n);
	qsort(s, n, sizeof(float), float_cmp);
	if (km_rank_quantiles(a, n, m, out, &MEM, NULL) != KM_OK)
		same = false;
	for (j = 0; j < m; j++)
	{
		size_t		r = (size_t) (((uint64_t) j * n + (uint64_t) (m - 2)) / (uint64_t) (m - 1));

		if (km_quantile_rank(j, n, m) != (r == 0 ? 1 : r) || out[j] != s[r == 0 ? 0 : r - 1])
			same = false;
	}
	free(a);
	free(s);
	free(out);
	return same;
}

int
main(void)
{
	size_t		n = 1000003,
				i;
	float	   *v = malloc(sizeof(float) * n);
	int			trial,
				bad = 0;

	for (trial = 0; trial < 300; trial++)
	{
		size_t		len = 1 + next_rand() % 3000;
		int			m = 2 + (int) (next_rand() % 40),
					kind = trial % 5;

		for (i = 0; i < len; i++)
			v[i] = kind == 0 ? (float) (next_rand() % 1000000) / 7.0f :
				kind == 1 ? (float) (next_rand() % 5) :
				kind == 2 ? 3.5f :
				kind == 3 ? (float) i : (float) (len - i);
		bad += !agrees(v, len, m);
	}
	ok(bad == 0, "300 arrays (random, 5 distinct values, all equal, sorted, reversed) of 1 to 3,000 values, 2 to 41 ranks: as a sort (%d not)", bad);
	v[0] = 2.0f;
	ok(agrees(v, 1, 1001), "one value, 1,001 ranks");
	for (i = 0; i < 7; i++)
		v[i] = (float) (next_rand() % 100);
	ok(agrees(v, 7, 1001), "7 values, 1,001 ranks");
	for (i = 0; i < n; i++)
		v[i] = (float) (next_rand() % 100000000) / 3.0f;
	ok(agrees(v, n, 1001), "1,000,003 values, 1,001 ranks");
	ok(agrees(v, n, 2503), "and 2,503 ranks (done in slices)");
	for (trial = 0; trial < 7; trial++)
	{
		static const char *const kinds[] = {
			"5 distinct values", "one value", "signs, zeros of both signs, subnormals, infinities",
			"values sharing their top 16 bits", "values sharing their top 24 bits",
			"20 binary orders of magnitude", "sorted, 1,000 values 600 times each"};
		size_t		len = 600000;

		for (i = 0; i < len; i++)
		{
			uint64_t	r = next_rand();

			switch (trial)
			{
				case 0:
					v[i] = (float) (r % 5) - 2.0f;
					break;
				case 1:
					v[i] = 0.25f;
					break;
				case 2:
					v[i] = r % 7 == 0 ? 0.0f : r % 7 == 1 ? -0.0f :
						r % 7 == 2 ? 1e-41f * (float) (r >> 40 & 15) :
						r % 97 == 3 ? (r & 256 ? INFINITY : -INFINITY) :
						((float) (r >> 40) - 8388608.0f) / 1024.0f;
					break;
				case 3:
					/* [1, 1 + 2^-7): one 16-bit prefix, every low bit */
					v[i] = 1.0f + (float) (r >> 48 & 65535) * 0x1p-23f;
					break;
				case 4:
					/* [1, 1 + 2^-15): one 24-bit prefix */
					v[i] = 1.0f + (float) (r >> 56 & 255) * 0x1p-23f;
					break;
				case 5:
					v[i] = ldexpf(1.0f + (float) (r >> 41) * 0x1p-23f, (int) (r % 20) - 10);
					break;
				default:
					v[i] = (float) (i / 600);
					break;
			}
		}
		ok(agrees(v, len, 1001), "600,000 values (radix selection), %s: as a sort", kinds[trial]);
	}
	free(v);
	return tap_done();
}

/*
 * test_matching.c
 *	  Minimum-cost matching against brute force: every injective map of
 *	  the smaller side into the larger one, for 2,000 random cost matrices
 *	  of 1 to 7 rows and columns (square, wide and tall, with ties); the
 *	  matching is valid (each column at most once, min(n, m) pairs) and its
 *	  total equals the brute-force minimum. Then a 300 x 300 problem whose
 *	  answer is known (a shuffled diagonal of zeros in costs >= 1).
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/matching.h"
#include "tap.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* The cheapest injective map of the rows of an n x m matrix (n <= m) into its columns. */
static double
brute(const double *cost, int n, int m, int row, unsigned used, bool transposed)
{
	double		best = INFINITY;
	int			j;

	if (row == n)
		return 0;
	for (j = 0; j < m; j++)
		if (!(used & (1u << j)))
		{
			double		c = transposed ? cost[(size_t) j * n + row] : cost[(size_t) row * m + j];
			double		rest = brute(cost, n, m, row + 1, used | (1u << j), transposed);

			if (c + rest < best)
				best = c + rest;
		}
	return best;
}

int
main(void)
{
	int			trial,
				bad_valid = 0,
				bad_total = 0;
	void	   *work = malloc(km_matching_bytes(300, 300));

	for (trial = 0; trial < 2000; trial++)
	{
		int			n = 1 + (int) (next_rand() % 7),
					m = 1 + (int) (next_rand() % 7),
					i,
					match[7],
					pairs = 0;
		double		cost[49],
					got,
					want,
					sum = 0;
		unsigned	seen = 0;
		void	   *w = malloc(km_matching_bytes(n, m));

		for (i = 0; i < n * m; i++)
			cost[i] = (trial % 3 == 0) ? (double) (next_rand() % 4) : (double) (next_rand() % 100000) / 997.0;
		got = km_min_cost_matching(cost, n, m, match, w);
		for (i = 0; i < n; i++)
		{
			if (match[i] < 0)
				continue;
			if (match[i] >= m || (seen & (1u << match[i])))
				bad_valid++;
			seen |= 1u << match[i];
			sum += cost[i * m + match[i]];
			pairs++;
		}
		if (pairs != (n < m ? n : m) || fabs(sum - got) > 1e-9)
			bad_valid++;
		want = n <= m ? brute(cost, n, m, 0, 0, false) : brute(cost, m, n, 0, 0, true);
		if (fabs(got - want) > 1e-9 * (1 + want))
			bad_total++;
		free(w);
	}
	ok(bad_valid == 0, "2,000 random problems: every matching valid (%d not)", bad_valid);
	ok(bad_total == 0, "and of the brute-force minimum total (%d not)", bad_total);

	{
		enum
		{
			N = 300
		};
		double	   *cost = malloc(sizeof(double) * N * N);
		int			perm[N],
					match[N],
					i,
					wrong = 0;

		for (i = 0; i < N; i++)
			perm[i] = i;
		for (i = N - 1; i > 0; i--)
		{
			int			j = (int) (next_rand() % (uint64_t) (i + 1)),
						t = perm[i];

			perm[i] = perm[j];
			perm[j] = t;
		}
		for (i = 0; i < N * N; i++)
			cost[i] = 1 + (double) (next_rand() % 1000);
		for (i = 0; i < N; i++)
			cost[i * N + perm[i]] = 0;
		ok(km_min_cost_matching(cost, N, N, match, work) == 0, "300 x 300 with a hidden zero diagonal: total 0");
		for (i = 0; i < N; i++)
			wrong += match[i] != perm[i];
		ok(wrong == 0, "and it is that diagonal (%d rows off)", wrong);
		free(cost);
	}
	free(work);
	return tap_done();
}

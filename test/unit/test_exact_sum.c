/*
 * test_exact_sum.c
 *	  The exact sum is correctly rounded and independent of order.
 */
#include <stdlib.h>
#include <string.h>

#include "core/exact_sum.h"
#include "tap.h"

int
main(void)
{
	double		a[5] = {1e16, 1.0, -1e16, 1.0, 1e-30};
	double		b[5] = {1.0, 1e-30, 1e16, 1.0, -1e16};
	double		c[4] = {0.1, 0.2, 0.3, -0.6};
	size_t		n = 100000,
				i;
	double	   *x = malloc(sizeof(double) * n),
			   *y = malloc(sizeof(double) * n);
	unsigned long long r = 1;
	int			same = 1;

	is_close(km_exact_sum(a, 5, 1), 2.0, 0, "1e16 + 1 - 1e16 + 1 + 1e-30 = 2");
	ok(km_exact_sum(a, 5, 1) == km_exact_sum(b, 5, 1), "the order does not matter");
	/* 0.1 + 0.2 + 0.3 - 0.6 in exact rational arithmetic on the doubles (Python: Fraction) */
	ok(km_exact_sum(c, 4, 1) == 2.7755575615628914e-17, "exact binary result of 0.1+0.2+0.3-0.6 (%.17g)",
	   km_exact_sum(c, 4, 1));
	is_close(km_exact_sum(c, 2, 2), 0.4, 1e-16, "stride picks every other value");
	for (i = 0; i < n; i++)
	{
		r = r * 6364136223846793005ULL + 1442695040888963407ULL;
		x[i] = ((double) (r >> 11) / 9007199254740992.0 - 0.5) * pow(10, (double) (i % 17) - 8);
	}
	for (i = 0; i < n; i++)
		y[i] = x[(i * 7919) % n];	/* a permutation (7919 is prime, n not a multiple) */
	same = km_exact_sum(x, n, 1) == km_exact_sum(y, n, 1);
	ok(same, "100,000 values of 17 magnitudes: permuted sum is bit-identical");
	{
		/* the column version equals the one-column functions, bit for bit */
		double		cols[2],
					centers[2] = {0.25, -3};

		km_exact_column_sums(x, n / 2, 2, 2, NULL, cols);
		ok(cols[0] == km_exact_sum(x, n / 2, 2) && cols[1] == km_exact_sum(x + 1, n / 2, 2),
		   "column sums equal the strided sums");
		km_exact_column_sums(x, n / 2, 2, 2, centers, cols);
		ok(cols[0] == km_exact_sum_sqdev(x, n / 2, 2, 0.25) &&
		   cols[1] == km_exact_sum_sqdev(x + 1, n / 2, 2, -3),
		   "column squared deviations equal the strided ones");
	}
	free(x);
	free(y);
	/* moment sums: against the correctly rounded partials, and shuffled */
	{
		size_t		n = 50000,
					i;
		double	   *x = malloc(sizeof(double) * n * 2);
		double		center[2] = {500, -3},
					maxdev[2] = {0, 0},
					s1[2],
					s2[2],
					r1[2],
					r2[2];
		int			e1[2],
					e2[2];
		unsigned	seed = 7;
		int			j;

		for (i = 0; i < n; i++)
		{
			seed = seed * 1103515245u + 12345u;
			x[2 * i] = 1000.0 * (seed >> 8) / 16777216.0;	/* 0 .. 1000 */
			x[2 * i + 1] = -3 + ((seed >> 4) % 7) * 1e-9;	/* tiny spread */
		}
		for (i = 0; i < n; i++)
			for (j = 0; j < 2; j++)
			{
				double		t = x[2 * i + j] - center[j];

				maxdev[j] = fabs(t) > maxdev[j] ? fabs(t) : maxdev[j];
			}
		km_exact_moment_sums(x, n, 2, 2, center, maxdev, s1, s2, e1, NULL);
		for (j = 0; j < 2; j++)
		{
			KmExactSum	a,
						b;

			km_exact_sum_init(&a);
			km_exact_sum_init(&b);
			for (i = 0; i < n; i++)
			{
				double		t = x[2 * i + j] - center[j];

				km_exact_sum_add(&a, t);
				km_exact_sum_add(&b, t * t);
			}
			r1[j] = km_exact_sum_result(&a);
			r2[j] = km_exact_sum_result(&b);
			is_close(ldexp(s1[j], e1[j]), r1[j], 1e-12, "moment sum 1 of column %d equals the exact sum", j);
			is_close(ldexp(s2[j], 2 * e1[j]), r2[j], 1e-12, "moment sum 2 of column %d equals the exact sum", j);
		}
		/* reverse the rows: bit-identical sums */
		for (i = 0; i < n / 2; i++)
			for (j = 0; j < 2; j++)
			{
				double		t = x[2 * i + j];

				x[2 * i + j] = x[2 * (n - 1 - i) + j];
				x[2 * (n - 1 - i) + j] = t;
			}
		km_exact_moment_sums(x, n, 2, 2, center, maxdev, r1, r2, e2, NULL);
		ok(memcmp(s1, r1, sizeof(s1)) == 0 && memcmp(s2, r2, sizeof(s2)) == 0,
		   "moment sums do not depend on the row order (bit for bit)");
		{
			KmParallel	par = {3, NULL, NULL, NULL};

			km_exact_moment_sums(x, n, 2, 2, center, maxdev, r1, r2, e2, &par);
			ok(memcmp(s1, r1, sizeof(s1)) == 0 && memcmp(s2, r2, sizeof(s2)) == 0,
			   "moment sums on 3 threads: the same bit for bit");
		}
		maxdev[1] = 0;
		center[1] = -3;
		km_exact_moment_sums(x, n, 2, 2, center, maxdev, s1, s2, e1, NULL);
		ok(s1[1] == 0 && s2[1] == 0, "maxdev 0: the column adds zeros");
		free(x);
	}
	return tap_done();
}

/*
 * test_sphere.c
 *	  Rows on the unit sphere (sphere.h): km_normalize_rows gives unit rows
 *	  of the same direction, also for values near the ends of the double
 *	  range, and reports the first zero row, leaving zero rows zero;
 *	  km_cosine_distance against the naive 1 - a.b / (|a| |b|), on huge and
 *	  tiny values, for nearly parallel vectors and zero vectors.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/sphere.h"
#include "tap.h"

static uint64_t rng = 0x9E3779B97F4A7C15ULL;

static double
urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double) (rng >> 11) / 9007199254740992.0;
}

/* The Euclidean length, the plain way (moderate values only). */
static double
naive_norm(const double *v, int d)
{
	double		s = 0;
	int			j;

	for (j = 0; j < d; j++)
		s += v[j] * v[j];
	return sqrt(s);
}

static double
naive_cosine_distance(const double *a, const double *b, int d)
{
	double		dot = 0;
	int			j;

	for (j = 0; j < d; j++)
		dot += a[j] * b[j];
	return 1 - dot / (naive_norm(a, d) * naive_norm(b, d));
}

/* Whether row v equals want to within tol, value by value. */
static int
row_close(const double *v, const double *want, int d, double tol)
{
	int			j;

	for (j = 0; j < d; j++)
		if (!(fabs(v[j] - want[j]) <= tol))
			return 0;
	return 1;
}

static void
test_random_rows(void)
{
	enum
	{
		N = 1000, D = 5
	};
	double	   *x = malloc(sizeof(double) * N * D),
			   *orig = malloc(sizeof(double) * N * D);
	double		worst_norm = 0,
				worst_dir = 0;
	size_t		i;
	int			j;

	for (i = 0; i < N * D; i++)
		x[i] = (urand() - 0.5) * pow(10, (int) (urand() * 6) - 3);
	memcpy(orig, x, sizeof(double) * N * D);
	ok(km_normalize_rows(x, N, D) == KM_NO_ZERO_ROW, "random rows: no zero row reported");
	for (i = 0; i < N; i++)
	{
		double		len = naive_norm(orig + i * D, D);

		worst_norm = fmax(worst_norm, fabs(naive_norm(x + i * D, D) - 1));
		for (j = 0; j < D; j++)
			worst_dir = fmax(worst_dir, fabs(x[i * D + j] - orig[i * D + j] / len));
	}
	ok(worst_norm <= 4e-16 * D, "random rows: unit length (worst |norm - 1| %.3g)", worst_norm);
	ok(worst_dir <= 1e-15, "random rows: the naive x / |x| (worst difference %.3g)", worst_dir);
	free(x);
	free(orig);
}

static void
test_extreme_values(void)
{
	double		r = sqrt(0.5);
	/* each row with its expected unit vector */
	double		huge[] = {3e300, -4e300, 0},
				huge_want[] = {0.6, -0.8, 0},
				top[] = {1.7e308, 1.7e308, 1.7e308, 1.7e308},
				top_want[] = {0.5, 0.5, 0.5, 0.5},
				tiny[] = {1e-300, -1e-300},
				tiny_want[] = {r, -r},
				sub[] = {3 * 4.9406564584124654e-324, 4 * 4.9406564584124654e-324},
				sub_want[] = {0.6, 0.8},
				least[] = {0, -4.9406564584124654e-324, 0},
				mixed[] = {1e300, 1e-300};

	ok(km_normalize_rows(huge, 1, 3) == KM_NO_ZERO_ROW && row_close(huge, huge_want, 3, 2e-16),
	   "3e300, -4e300, 0: 0.6, -0.8, 0 (got %.17g, %.17g, %g)", huge[0], huge[1], huge[2]);
	ok(km_normalize_rows(top, 1, 4) == KM_NO_ZERO_ROW && row_close(top, top_want, 4, 2e-16),
	   "four times 1.7e308 (the squares' sum overflows): 0.5 each (got %.17g)", top[0]);
	ok(km_normalize_rows(tiny, 1, 2) == KM_NO_ZERO_ROW && row_close(tiny, tiny_want, 2, 2e-16),
	   "1e-300, -1e-300 (the squares underflow): +-sqrt(1/2) (got %.17g)", tiny[0]);
	ok(km_normalize_rows(sub, 1, 2) == KM_NO_ZERO_ROW && row_close(sub, sub_want, 2, 2e-16),
	   "subnormal 3 and 4 x 2^-1074: 0.6, 0.8 (got %.17g, %.17g)", sub[0], sub[1]);
	ok(km_normalize_rows(least, 1, 3) == KM_NO_ZERO_ROW && least[1] == -1 &&
	   least[0] == 0 && least[2] == 0, "the least subnormal alone: -1 exactly");
	ok(km_normalize_rows(mixed, 1, 2) == KM_NO_ZERO_ROW && mixed[0] == 1 && mixed[1] == 0,
	   "1e300, 1e-300: 1 and 0 (1e-600 underflows, as it must)");
}

static void
test_zero_rows(void)
{
	double		x[] = {1, 2, 2, 0, 0, 0, 0, -3, 4, -0.0, 0, -0.0, 0, 0, 5};
	double		want[] = {1.0 / 3, 2.0 / 3, 2.0 / 3, 0, 0, 0, 0, -0.6, 0.8, -0.0, 0, -0.0, 0, 0, 1};
	double		ones[] = {2, 0, 0, 0, 0, 7};

	is_int(km_first_zero_row(x, 5, 3), 1, "km_first_zero_row: the second row");
	is_int(km_normalize_rows(x, 5, 3), 1, "km_normalize_rows reports the first zero row (1)");
	ok(row_close(x, want, 15, 2e-16), "every other row scaled, the zero rows (-0.0 too) left zero");
	ok(signbit(x[9]) && signbit(x[11]) && !signbit(x[10]), "a zero row is left untouched, signs of zero too");
	ok(km_normalize_rows(ones, 2, 3) == KM_NO_ZERO_ROW && ones[0] == 1 && ones[5] == 1,
	   "no zero row: KM_NO_ZERO_ROW");
	ok(km_first_zero_row(ones, 2, 3) == KM_NO_ZERO_ROW, "km_first_zero_row: none");
	ok(km_first_zero_row(x + 3, 1, 3) == 0, "km_first_zero_row: a single zero row is row 0");
}

static void
test_cosine_distance(void)
{
	enum
	{
		TRIALS = 2000, D = 4
	};
	double		worst = 0,
				lo = INFINITY,
				hi = -INFINITY;
	int			t,
				j;

	for (t = 0; t < TRIALS; t++)
	{
		double		a[D],
					b[D],
					got,
					want;

		for (j = 0; j < D; j++)
		{
			a[j] = urand() * 2 - 1;
			/* some pairs nearly opposite, some nearly parallel */
			b[j] = (t % 3 == 0 ? -a[j] : t % 3 == 1 ? a[j] : 0) + (urand() - 0.5) * (t % 7 == 0 ? 1e-3 : 2);
		}
		got = km_cosine_distance(a, b, D);
		want = naive_cosine_distance(a, b, D);
		worst = fmax(worst, fabs(got - want));
		lo = fmin(lo, got);
		hi = fmax(hi, got);
	}
	ok(worst <= 1e-14, "random pairs: the naive 1 - a.b / (|a| |b|) to %.3g", worst);
	ok(lo >= 0 && hi <= 2 && lo < 0.01 && hi > 1.99, "random pairs: within [0, 2] (%.3g .. %.17g)", lo, hi);

	{
		double		a[] = {1, 2, -3},
					b[] = {-2, -4, 6},
					c[] = {3, 0, 1},
					e[] = {3, 1, 1},
					big_a[3],
					big_c[3],
					tiny_a[3],
					tiny_c[3],
					z[] = {0, -0.0, 0},
					want = naive_cosine_distance(a, e, 3);

		for (j = 0; j < 3; j++)
		{
			big_a[j] = a[j] * 1e300;
			big_c[j] = e[j] * 1e305;
			tiny_a[j] = a[j] * 1e-300;
			tiny_c[j] = e[j] * 4.9406564584124654e-324;	/* exact subnormals */
		}
		ok(km_cosine_distance(a, a, 3) == 0, "a vector and itself: 0 exactly");
		is_close(km_cosine_distance(a, b, 3), 2, 1e-15, "opposite vectors: 2");
		ok(km_cosine_distance(a, b, 3) <= 2, "opposite vectors: not above 2");
		is_close(km_cosine_distance(c, (double[]) {-1, 5, 3}, 3), 1, 1e-15, "orthogonal vectors: 1");
		is_close(km_cosine_distance(big_a, big_c, 3), want, 1e-15,
				 "1e300 and 1e305 scales (the naive formula overflows): %.17g", want);
		is_close(km_cosine_distance(tiny_a, tiny_c, 3), want, 1e-15,
				 "1e-300 and subnormal scales (the naive formula underflows)");
		is_close(km_cosine_distance(big_a, tiny_c, 3), want, 1e-15, "1e300 against subnormal");
		ok(isnan(naive_cosine_distance(big_a, big_c, 3)) || naive_cosine_distance(big_a, big_c, 3) != want,
		   "(the naive formula does fail there)");
		ok(isnan(km_cosine_distance(a, z, 3)) && isnan(km_cosine_distance(z, a, 3)) &&
		   isnan(km_cosine_distance(z, z, 3)), "a zero vector: NaN");
	}
	{
		/* angle 1e-8: 1 - cos = 5e-17, which the naive formula rounds to 0 */
		double		a[] = {1, 0},
					b[] = {cos(1e-8), sin(1e-8)};
		double		got = km_cosine_distance(a, b, 2);

		ok(fabs(got - 5e-17) <= 1e-22, "nearly parallel (angle 1e-8): %.6g, 1 - cos(angle) = 5e-17", got);
		diag("the naive formula gives %.3g there", naive_cosine_distance(a, b, 2));
	}
}

int
main(void)
{
	test_random_rows();
	test_extreme_values();
	test_zero_rows();
	test_cosine_distance();
	return tap_done();
}

/*
 * test_kmeans_step.c
 *	  The combinable Lloyd step: one state over all rows equals the merge
 *	  of states over any split, and equals one plain Lloyd step.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/kmeans.h"
#include "core/kmeans_step.h"
#include "tap.h"

/* km_step_add, for rows that cannot overflow */
static void
ok_silent_add(KmStepState *s, const double *row)
{
	(void) km_step_add(s, row);
}

static KmStepState *
new_state(int k, int d, const double *c)
{
	KmStepState *s = malloc(km_step_bytes(k, d, KM_STEP_VERSION));

	km_step_init(s, k, d, c, NULL);
	return s;
}

int
main(void)
{
	double		c[6] = {0, 0, 10, 10, -10, 5};
	size_t		n = 3001,
				i;
	double	   *x = malloc(sizeof(double) * n * 2);
	KmStepState *all = new_state(3, 2, c),
			   *a = new_state(3, 2, c),
			   *b = new_state(3, 2, c),
			   *empty = new_state(3, 2, c);
	double		means_all[6],
				means_split[6],
				direct[6] = {0};
	int64_t		count[3] = {0};
	double		inertia = 0;
	double		other[6] = {1, 0, 10, 10, -10, 5};
	KmStepState *mismatch = new_state(3, 2, other);

	for (i = 0; i < n; i++)
	{
		x[2 * i] = (double) ((i * 37) % 41) - 20;
		x[2 * i + 1] = (double) ((i * 11) % 23) - 5;
	}
	for (i = 0; i < n; i++)
	{
		double		d2;
		int			near = km_nearest(x + 2 * i, c, 3, 2, &d2);

		km_step_add(all, x + 2 * i);
		km_step_add(i % 3 == 0 ? a : b, x + 2 * i);
		direct[near * 2] += x[2 * i];
		direct[near * 2 + 1] += x[2 * i + 1];
		count[near]++;
		inertia += d2;
	}
	ok(km_step_merge(a, b), "states with the same centroids merge");
	ok(km_step_merge(a, empty), "merging an empty state works");
	km_step_means(all, means_all);
	km_step_means(a, means_split);
	is_int(all->rows, (long long) n, "every row counted");
	is_int(a->rows, (long long) n, "split states add up to every row");
	for (i = 0; i < 3; i++)
	{
		is_int(km_step_counts(all)[i], count[i], "cluster %zu count equals a direct count", i);
		is_close(means_all[2 * i], direct[2 * i] / count[i], 1e-12, "cluster %zu mean x equals the direct mean", i);
		is_close(means_split[2 * i], means_all[2 * i], 1e-12, "cluster %zu: split and whole agree (x)", i);
		is_close(means_split[2 * i + 1], means_all[2 * i + 1], 1e-12, "cluster %zu: split and whole agree (y)", i);
	}
	is_close(km_step_inertia(all), inertia, 1e-12, "inertia equals the direct sum");
	is_close(km_step_inertia(a), inertia, 1e-12, "merged inertia equals the direct sum");
	ok(!km_step_merge(a, mismatch), "states with other centroids are rejected");
	ok(km_step_bytes(0, 2, KM_STEP_VERSION) == 0 && km_step_bytes(2, 0, KM_STEP_VERSION) == 0 &&
	   km_step_bytes(KM_STEP_MAX_K + 1, 1, KM_STEP_VERSION) == 0 && km_step_bytes(2, 2, 3) == 0,
	   "out-of-range sizes and versions are refused");
	{
		/*
		 * A state that scales its rows equals one fed the rows scaled by
		 * (x - offset) / factor, bit for bit; it refuses to merge with an
		 * unscaled one or one of another scaler.
		 */
		double		scaler[4] = {3, -1, 2.5, 0.7},
					other_scaler[4] = {3, -1, 2.5, 0.8},
					row[2],
					m1[6],
					m2[6];
		KmStepState *sc = malloc(km_step_bytes(3, 2, KM_STEP_VERSION_SCALED)),
				   *sc2 = malloc(km_step_bytes(3, 2, KM_STEP_VERSION_SCALED)),
				   *plain = new_state(3, 2, c);

		km_step_init(sc, 3, 2, c, scaler);
		km_step_init(sc2, 3, 2, c, other_scaler);
		for (i = 0; i < n; i++)
		{
			ok_silent_add(sc, x + 2 * i);
			row[0] = (x[2 * i] - scaler[0]) / scaler[2];
			row[1] = (x[2 * i + 1] - scaler[1]) / scaler[3];
			km_step_add(plain, row);
		}
		km_step_means(sc, m1);
		km_step_means(plain, m2);
		ok(memcmp(m1, m2, sizeof(m1)) == 0 && km_step_inertia(sc) == km_step_inertia(plain) &&
		   memcmp(km_step_counts(sc), km_step_counts(plain), sizeof(int64_t) * 3) == 0,
		   "a scaling state equals one fed pre-scaled rows, bit for bit");
		ok(km_step_scaler(sc) != NULL && km_step_scaler(plain) == NULL, "only the scaling state has a scaler");
		ok(!km_step_merge(sc, plain) && !km_step_merge(sc, sc2), "no merge with another version or scaler");
		ok(isnan(km_step_mean_distance(plain)) && km_step_distance_sum(plain) == NULL,
		   "a version 1 state has no mean distance");
		{
			/* the mean distance: a direct sum of sqrt(d2), and over a split */
			KmStepState *h1 = malloc(km_step_bytes(3, 2, KM_STEP_VERSION_SCALED)),
					   *h2 = malloc(km_step_bytes(3, 2, KM_STEP_VERSION_SCALED)),
					   *none = malloc(km_step_bytes(3, 2, KM_STEP_VERSION_SCALED));
			double		dist = 0,
						d2;

			km_step_init(h1, 3, 2, c, scaler);
			km_step_init(h2, 3, 2, c, scaler);
			km_step_init(none, 3, 2, c, scaler);
			ok(isnan(km_step_mean_distance(none)), "no rows: no mean distance");
			for (i = 0; i < n; i++)
			{
				row[0] = (x[2 * i] - scaler[0]) / scaler[2];
				row[1] = (x[2 * i + 1] - scaler[1]) / scaler[3];
				(void) km_nearest(row, c, 3, 2, &d2);
				dist += sqrt(d2);
				ok_silent_add(i % 2 ? h1 : h2, x + 2 * i);
			}
			is_close(km_step_mean_distance(sc), dist / (double) n, 1e-13,
					 "mean distance equals a direct mean of the distances");
			ok(km_step_merge(h1, h2) && km_step_merge(h1, none), "split scaling states merge");
			is_close(km_step_mean_distance(h1), km_step_mean_distance(sc), 1e-15,
					 "and their mean distance equals the whole's");
			free(h1);
			free(h2);
			free(none);
		}
		free(sc);
		free(sc2);
		free(plain);
	}
	{
		double		far[6] = {1000, 1000, 0, 0, 2000, 2000};
		KmStepState *s = new_state(3, 2, far);
		double		m[6];

		km_step_add(s, x);
		km_step_means(s, m);
		ok(m[0] == 1000 && m[4] == 2000, "empty clusters keep their centroids");
		free(s);
	}
	{
		/* rows whose squared distance or sums overflow are refused, untouched */
		double		zero[2] = {0, 0},
					big[2] = {1e200, 0},
					huge[2] = {1.5e308, 0};
		KmStepState *s = new_state(1, 2, zero);

		ok(!km_step_add(s, big), "a squared distance of 1e400 is refused");
		ok(s->rows == 0 && km_step_inertia(s) == 0 && km_step_finite(s), "and nothing was added");
		ok(km_step_add(s, (double[2]) {1e150, 0}), "1e150: its square 1e300 is fine");
		ok(!km_step_add(s, huge), "a row whose square overflows is refused");
		ok(s->rows == 1, "and not added");
		{
			KmStepState *t = new_state(1, 2, zero);

			ok(km_step_add(t, (double[2]) {9e153, 0}) && km_step_add(t, (double[2]) {9e153, 0}) &&
			   km_step_merge(t, t) && !km_step_finite(t),
			   "a merge whose inertia overflows is seen by km_step_finite");
			free(t);
		}
		free(s);
	}
	free(x);
	free(all);
	free(a);
	free(b);
	free(empty);
	free(mismatch);
	return tap_done();
}

/*
 * test_centroid_ranks.c
 *	  Counts of training rows below each centroid, against a naive count and
 *	  against values worked out by hand, including ties and -0.0.
 */
#include "core/centroid_ranks.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static int	interrupts;

static void
count_interrupt(void *arg)
{
	(void) arg;
	interrupts++;
}

int
main(void)
{
	/* by hand: column 0 = 1, 2, 2, 3; column 1 = 5, 5, 5, 5 */
	double		x[8] = {1, 5, 2, 5, 2, 5, 3, 5};
	double		cent[6] = {2, 5, 2.5, 6, 0, -0.0};
	int64_t		below[6];
	int64_t		want[6] = {1, 0, 3, 4, 0, 0};
	int			i;

	km_centroid_ranks(x, 4, 2, cent, 3, below, NULL);
	for (i = 0; i < 6; i++)
		ok(below[i] == want[i], "hand-worked count %d: %lld", i, (long long) below[i]);

	/* naive reference on pseudo-random data with many ties */
	{
		size_t		n = 200000;
		int			d = 3,
					k = 4;
		double	   *y = malloc(sizeof(double) * n * d);
		double		c[12];
		int64_t		got[12];
		int64_t		ref[12] = {0};
		size_t		r;
		int			j;
		unsigned	s = 12345;
		KmParallel	serial = {1, NULL, count_interrupt, NULL};
		int			threads;

		for (r = 0; r < n * d; r++)
		{
			s = s * 1103515245u + 12345u;
			y[r] = (double) ((s >> 16) % 50);
		}
		for (j = 0; j < 12; j++)
			c[j] = y[(size_t) j * 997] + (j % 2 ? 0.5 : 0);
		for (r = 0; r < n; r++)
			for (j = 0; j < 12; j++)
				ref[j] += y[r * d + j % d] < c[j];
		interrupts = 0;
		km_centroid_ranks(y, n, d, c, k, got, &serial);
		for (j = 0; j < 12; j++)
			ok(got[j] == ref[j], "naive count %d: %lld", j, (long long) got[j]);
		ok(interrupts == 13, "one interrupt check per 16384 rows (%d calls)", interrupts);
		for (threads = 2; threads <= 5; threads++)
		{
			KmParallel	par = {threads, NULL, count_interrupt, NULL};

			km_centroid_ranks(y, n, d, c, k, got, &par);
			ok(memcmp(got, ref, sizeof(ref)) == 0, "the same counts on %d threads", threads);
		}
		free(y);
	}

	/* more centroid values (100 x 3) than per-thread counts hold: one thread */
	{
		size_t		n = 40000,
					r;
		int			d = 3,
					k = 100,
					j;
		double	   *y = malloc(sizeof(double) * n * d);
		double		c[300];
		int64_t		got[300],
					ref[300] = {0};
		KmParallel	par = {4, NULL, count_interrupt, NULL};

		for (r = 0; r < n * d; r++)
			y[r] = (double) ((r * 2654435761u) % 1000) / 10;
		for (j = 0; j < k * d; j++)
			c[j] = (double) (j * 37 % 1000) / 10 + 0.05;
		for (r = 0; r < n; r++)
			for (j = 0; j < k * d; j++)
				ref[j] += y[r * d + j % d] < c[j];
		interrupts = 0;
		km_centroid_ranks(y, n, d, c, k, got, &par);
		ok(memcmp(got, ref, sizeof(ref)) == 0, "300 centroid values: naive counts");
		ok(interrupts == 3, "one interrupt check per 16384 rows (%d calls)", interrupts);
		free(y);
	}
	return tap_done();
}

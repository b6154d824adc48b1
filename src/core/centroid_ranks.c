/*
 * centroid_ranks.c
 *	  Counting training rows below each centroid: see centroid_ranks.h.
 */
#include "centroid_ranks.h"

#include "kmeans.h"

#include <string.h>

void
km_centroid_ranks(const double *x, size_t n, int d, const double *centroids, int k,
				  int64_t *below, void (*check_interrupts) (void *arg), void *arg)
{
	size_t		kd = (size_t) k * d;
	size_t		i;

	memset(below, 0, sizeof(int64_t) * kd);
	for (i = 0; i < n; i++)
	{
		const double *p = x + i * d;
		int			c,
					j;

		if ((i & (KM_INTERRUPT_ROWS - 1)) == 0 && check_interrupts)
			check_interrupts(arg);
		for (c = 0; c < k; c++)
			for (j = 0; j < d; j++)
				below[(size_t) c * d + j] += p[j] < centroids[(size_t) c * d + j];
	}
}

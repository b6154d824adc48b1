/*
 * centroid_ranks.c
 *	  Counting training rows below each centroid: see centroid_ranks.h.
 *	  Four rows at a time with AVX2 where the CPU has it (the same counts).
 */
#include "centroid_ranks.h"

#include "kmeans.h"
#include "simd.h"

#include <string.h>

static void
ranks_scalar(const double *x, size_t from, size_t to, int d, const double *centroids,
			 int k, int64_t *below)
{
	size_t		i;

	for (i = from; i < to; i++)
	{
		const double *p = x + i * d;
		int			c,
					j;

		for (c = 0; c < k; c++)
			for (j = 0; j < d; j++)
				below[(size_t) c * d + j] += p[j] < centroids[(size_t) c * d + j];
	}
}

#ifdef KM_X86_SIMD
#define RANKS_MAX_D 8

/*
 * Rows [from, to) (to - from a multiple of 4): one vector counter per
 * centroid value, in lane order; a comparison is -1 where true, so the
 * counters count down.
 */
__attribute__((target("avx2")))
static void
ranks_avx2(const double *x, size_t from, size_t to, int d, const double *centroids,
		   int k, km_v4l *counters)
{
	size_t		i;

	for (i = from; i < to; i += 4)
	{
		const double *p = x + i * d;
		km_v4d			pj[RANKS_MAX_D];
		int			c,
					j;

		for (j = 0; j < d; j++)
			pj[j] = (km_v4d) {p[j], p[d + j], p[2 * d + j], p[3 * d + j]};
		for (c = 0; c < k; c++)
			for (j = 0; j < d; j++)
				counters[(size_t) c * d + j] += pj[j] < centroids[(size_t) c * d + j];
	}
}
#endif

void
km_centroid_ranks(const double *x, size_t n, int d, const double *centroids, int k,
				  int64_t *below, void (*check_interrupts) (void *arg), void *arg)
{
	size_t		kd = (size_t) k * d;
	size_t		start;

	memset(below, 0, sizeof(int64_t) * kd);
	for (start = 0; start < n; start += KM_INTERRUPT_ROWS)
	{
		size_t		end = start + KM_INTERRUPT_ROWS < n ? start + KM_INTERRUPT_ROWS : n;

		if (check_interrupts)
			check_interrupts(arg);
#ifdef KM_X86_SIMD
		if (d <= RANKS_MAX_D && kd <= 256 && km_cpu_has_avx2())
		{
			km_v4l			counters[256];
			size_t		vec_end = start + (end - start) / 4 * 4;
			size_t		c;

			memset(counters, 0, sizeof(km_v4l) * kd);
			ranks_avx2(x, start, vec_end, d, centroids, k, counters);
			for (c = 0; c < kd; c++)
				below[c] -= counters[c][0] + counters[c][1] + counters[c][2] + counters[c][3];
			ranks_scalar(x, vec_end, end, d, centroids, k, below);
			continue;
		}
#endif
		ranks_scalar(x, start, end, d, centroids, k, below);
	}
}

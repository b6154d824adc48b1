/*
 * centroid_ranks.c
 *	  Counting training rows below each centroid: see centroid_ranks.h.
 *	  Four rows at a time with AVX2 where the CPU has it (the same counts).
 */
#include "centroid_ranks.h"

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

/*
 * Counts per worker are kept for at most RANKS_MAX_KD centroid values and
 * RANKS_THREADS threads (on the stack); more values count in one thread,
 * straight into the result, with the scalar loop.
 */
#define RANKS_MAX_KD 256
#define RANKS_THREADS 8
#define RANKS_ITEM_ROWS 16384	/* a multiple of 4 */

typedef struct RanksPass
{
	const double *x;
	size_t		n;
	int			d;
	const double *centroids;
	int			k;
	int64_t    *below;			/* RANKS_MAX_KD per worker (or one thread's kd) */
} RanksPass;

static void
ranks_item(void *arg, int worker, size_t item)
{
	RanksPass  *pass = arg;
	size_t		kd = (size_t) pass->k * pass->d;
	int64_t    *below = pass->below + (size_t) worker * RANKS_MAX_KD;
	size_t		start = item * RANKS_ITEM_ROWS;
	size_t		end = start + RANKS_ITEM_ROWS < pass->n ? start + RANKS_ITEM_ROWS : pass->n;

#ifdef KM_X86_SIMD
	if (pass->d <= RANKS_MAX_D && kd <= RANKS_MAX_KD && km_cpu_has_avx2())
	{
		km_v4l			counters[RANKS_MAX_KD];
		size_t		vec_end = start + (end - start) / 4 * 4;
		size_t		c;

		memset(counters, 0, sizeof(km_v4l) * kd);
		ranks_avx2(pass->x, start, vec_end, pass->d, pass->centroids, pass->k, counters);
		for (c = 0; c < kd; c++)
			below[c] -= counters[c][0] + counters[c][1] + counters[c][2] + counters[c][3];
		ranks_scalar(pass->x, vec_end, end, pass->d, pass->centroids, pass->k, below);
		return;
	}
#endif
	ranks_scalar(pass->x, start, end, pass->d, pass->centroids, pass->k, below);
}

void
km_centroid_ranks(const double *x, size_t n, int d, const double *centroids, int k,
				  int64_t *below, const KmParallel *par)
{
	size_t		kd = (size_t) k * d;
	size_t		items = (n + RANKS_ITEM_ROWS - 1) / RANKS_ITEM_ROWS;
	int64_t		partial[RANKS_THREADS * RANKS_MAX_KD];
	RanksPass	pass = {x, n, d, centroids, k, partial};
	KmParallel	few;
	int			threads;
	size_t		c;
	int			t;

	memset(below, 0, sizeof(int64_t) * kd);
	if (kd > RANKS_MAX_KD)
	{
		pass.below = below;
		km_parallel_for(km_parallel_capped(par, 1, &few), items, ranks_item, &pass);
		return;
	}
	par = km_parallel_capped(par, RANKS_THREADS, &few);
	threads = km_parallel_threads(par);
	memset(partial, 0, sizeof(int64_t) * RANKS_MAX_KD * threads);
	km_parallel_for(par, items, ranks_item, &pass);
	for (t = 0; t < threads; t++)
		for (c = 0; c < kd; c++)
			below[c] += partial[(size_t) t * RANKS_MAX_KD + c];
}

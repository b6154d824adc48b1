/*
 * assign_kernel.c
 *	  Nearest-center assignment with accumulation: see assign_kernel.h.
 *
 * Both kernels compute a squared distance as ((0 + t0^2) + t1^2) + ...,
 * compare with a strict "<" from center 0 up, and add row i into lane
 * i % KM_LANES, so they agree bit for bit. The vector kernel must not be
 * compiled with FMA contraction differing from the scalar one: neither
 * target enables FMA.
 */
#include "assign_kernel.h"

#include "simd.h"

#include <math.h>

static inline int
nearest_scalar(const double *p, const double *centers, int k, int d, double *best_d2)
{
	int			best = 0;
	double		b1 = INFINITY;
	int			c,
				j;

	for (c = 0; c < k; c++)
	{
		const double *q = centers + (size_t) c * d;
		double		t = 0;
		int			closer;

		for (j = 0; j < d; j++)
		{
			double		diff = p[j] - q[j];

			t += diff * diff;
		}
		/* branch-free: which cluster wins is data, not predictable */
		closer = t < b1;
		best = closer ? c : best;
		b1 = closer ? t : b1;
	}
	*best_d2 = b1;
	return best;
}

static inline void
accumulate(const double *p, int d, int k, int label, size_t lane, double *lane_sums,
		   int64_t *lane_counts)
{
	double	   *acc = lane_sums + (lane * k + label) * d;
	int			j;

#pragma GCC unroll 8
	for (j = 0; j < d; j++)
		acc[j] += p[j];
	lane_counts[lane * k + label]++;
}

size_t
km_assign_rows_scalar(const double *x, size_t n, int d, const double *centers, int k,
					  int32_t *labels, bool first, double *lane_sums, int64_t *lane_counts,
					  double *lane_dist2, double *lane_dist)
{
	size_t		moved = 0;
	size_t		i;

	for (i = 0; i < n; i++)
	{
		const double *p = x + i * d;
		double		d2;
		int			best = nearest_scalar(p, centers, k, d, &d2);

		moved += first || best != labels[i];
		labels[i] = best;
		accumulate(p, d, k, best, i % KM_LANES, lane_sums, lane_counts);
		if (lane_dist2)
		{
			lane_dist2[i % KM_LANES] += d2;
			lane_dist[i % KM_LANES] += sqrt(d2);
		}
	}
	return moved;
}

#ifdef KM_X86_SIMD
#include <immintrin.h>

/*
 * The kernel for one d; always inlined into a switch on d (below), so the
 * loops over the features are unrolled for each d from 1 to
 * KM_KERNEL_MAX_D.
 */
/*
 * With d = 3 or 4 (and k <= ROW_SUMS_MAX_K), a row is added to its lane's
 * sums as one vector (its d values, padded with a zero) instead of value by
 * value: the same additions in the same order, in a third of the
 * instructions. The sums are held padded on the stack meanwhile.
 */
#define ROW_SUMS_MAX_K 64

__attribute__((target("avx2"), always_inline))
static inline km_v4d
load_row(const double *p, const int d)
{
	if (d == 4)
		return (km_v4d) _mm256_loadu_pd(p);
	/* d = 3: the fourth value is not read (a masked load never faults) */
	return (km_v4d) _mm256_maskload_pd(p, _mm256_setr_epi64x(-1, -1, -1, 0));
}

__attribute__((target("avx2"), always_inline))
static inline size_t
avx2_rows_for_d(const double *x, size_t n, const int d, const double *centers, int k,
				int32_t *labels, bool first, double *lane_sums, int64_t *lane_counts,
				double *lane_dist2, double *lane_dist)
{
	size_t		moved = 0;
	size_t		i;
	km_v4d			dist2_acc = {0, 0, 0, 0},
				dist_acc = {0, 0, 0, 0};
	const bool	row_sums = (d == 3 || d == 4) && k <= ROW_SUMS_MAX_K;
	km_v4d			sums[KM_LANES * ROW_SUMS_MAX_K];	/* [lane][cluster], padded */
	int			c,
				j,
				l;

	if (lane_dist2)
	{
		/* continue the lanes' sums, row after row, as the scalar kernel */
		__builtin_memcpy(&dist2_acc, lane_dist2, sizeof(dist2_acc));
		__builtin_memcpy(&dist_acc, lane_dist, sizeof(dist_acc));
	}
	if (row_sums)
		for (l = 0; l < KM_LANES; l++)
			for (c = 0; c < k; c++)
				for (j = 0; j < 4; j++)
					sums[l * k + c][j] = j < d ? lane_sums[((size_t) l * k + c) * d + j] : 0;

	for (i = 0; i + KM_LANES <= n; i += KM_LANES)
	{
		const double *p = x + i * d;
		km_v4d			pj[KM_KERNEL_MAX_D];
		km_v4d			best_d = {INFINITY, INFINITY, INFINITY, INFINITY};
		km_v4l			best = {0, 0, 0, 0};

#pragma GCC unroll 8
		for (j = 0; j < d; j++)
			pj[j] = (km_v4d) {p[j], p[d + j], p[2 * d + j], p[3 * d + j]};
		for (c = 0; c < k; c++)
		{
			const double *q = centers + (size_t) c * d;
			km_v4d			t = {0, 0, 0, 0};
			km_v4l			closer;
			km_v4l			cc = {c, c, c, c};

#pragma GCC unroll 8
			for (j = 0; j < d; j++)
			{
				km_v4d			diff = pj[j] - q[j];

				t += diff * diff;
			}
			if (c == 0)
			{
				best_d = t;
				continue;
			}
			closer = t < best_d;
			best_d = (km_v4d) (((km_v4l) t & closer) | ((km_v4l) best_d & ~closer));
			best = (cc & closer) | (best & ~closer);
		}
		if (lane_dist2)
		{
			dist2_acc += best_d;
			dist_acc += (km_v4d) _mm256_sqrt_pd((__m256d) best_d);
		}
		for (l = 0; l < KM_LANES; l++)
		{
			int			b = (int) best[l];

			moved += first || b != labels[i + l];
			labels[i + l] = b;
			if (row_sums)
			{
				sums[l * k + b] += load_row(p + (size_t) l * d, d);
				lane_counts[l * k + b]++;
			}
			else
				accumulate(p + (size_t) l * d, d, k, b, (size_t) l, lane_sums, lane_counts);
		}
	}
	if (row_sums)
		for (l = 0; l < KM_LANES; l++)
			for (c = 0; c < k; c++)
				for (j = 0; j < d; j++)
					lane_sums[((size_t) l * k + c) * d + j] = sums[l * k + c][j];
	if (lane_dist2)
	{
		__builtin_memcpy(lane_dist2, &dist2_acc, sizeof(dist2_acc));
		__builtin_memcpy(lane_dist, &dist_acc, sizeof(dist_acc));
	}
	/* the last rows of a pass, in their lanes */
	if (i < n)
		moved += km_assign_rows_scalar(x + i * d, n - i, d, centers, k, labels + i, first,
									   lane_sums, lane_counts, lane_dist2, lane_dist);
	return moved;
}

#define AVX2_CASE(D) \
	case D: \
		return avx2_rows_for_d(x, n, D, centers, k, labels, first, lane_sums, lane_counts, \
							   lane_dist2, lane_dist)

__attribute__((target("avx2")))
static size_t
assign_rows_avx2(const double *x, size_t n, int d, const double *centers, int k,
				 int32_t *labels, bool first, double *lane_sums, int64_t *lane_counts,
				 double *lane_dist2, double *lane_dist)
{
	switch (d)
	{
			AVX2_CASE(1);
			AVX2_CASE(2);
			AVX2_CASE(3);
			AVX2_CASE(4);
			AVX2_CASE(5);
			AVX2_CASE(6);
			AVX2_CASE(7);
			AVX2_CASE(8);
	}
	return km_assign_rows_scalar(x, n, d, centers, k, labels, first, lane_sums, lane_counts,
								 lane_dist2, lane_dist);
}
#endif

bool
km_assign_vectorized(int d)
{
#ifdef KM_X86_SIMD
	return d <= KM_KERNEL_MAX_D && km_cpu_has_avx2();
#else
	(void) d;
	return false;
#endif
}

size_t
km_assign_rows(const double *x, size_t n, int d, const double *centers, int k,
			   int32_t *labels, bool first, double *lane_sums, int64_t *lane_counts,
			   double *lane_dist2, double *lane_dist)
{
#ifdef KM_X86_SIMD
	if (km_assign_vectorized(d))
		return assign_rows_avx2(x, n, d, centers, k, labels, first, lane_sums, lane_counts,
								lane_dist2, lane_dist);
#endif
	return km_assign_rows_scalar(x, n, d, centers, k, labels, first, lane_sums, lane_counts,
								 lane_dist2, lane_dist);
}

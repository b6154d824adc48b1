/*
 * rank_quantiles.c
 *	  Exact order statistics of many ranks at once: see rank_quantiles.h.
 *
 * Quickselect with a three-way partition (runs of equal values, common
 * among distances of repeated rows, end up in the middle part at once),
 * the pivot the median of the first, middle and last value; the ranks
 * wanted are split between the parts, so each level of the recursion
 * passes over every value once: O(n log m) for m ranks.
 */
#include "rank_quantiles.h"

#include <stdint.h>

static float
median3(float a, float b, float c)
{
	if (a < b)
		return b < c ? b : (a < c ? c : a);
	return a < c ? a : (b < c ? c : b);
}

/*
 * Put the values of the 0-based positions ranks[a .. b) (ascending) of
 * v[lo .. hi) in place, each into out[index[...]].
 */
static void
select_ranks(float *v, size_t lo, size_t hi, const size_t *ranks, const int *index,
			 int a, int b, double *out, const KmParallel *par)
{
	while (a < b)
	{
		float		pivot = median3(v[lo], v[lo + (hi - lo) / 2], v[hi - 1]);
		size_t		lt = lo,
					i = lo,
					gt = hi;
		int			left,
					right;

		if (hi - lo > 65536 && par != NULL && par->check_interrupts != NULL)
			par->check_interrupts(par->arg);
		/* v[lo..lt) < pivot, v[lt..i) == pivot, v[gt..hi) > pivot */
		while (i < gt)
		{
			float		x = v[i];

			if (x < pivot)
			{
				v[i] = v[lt];
				v[lt++] = x;
				i++;
			}
			else if (x > pivot)
			{
				v[i] = v[--gt];
				v[gt] = x;
			}
			else
				i++;
		}
		/* ranks in the equal part are the pivot; split the others */
		left = a;
		while (left < b && ranks[left] < lt)
			left++;
		right = left;
		while (right < b && ranks[right] < gt)
			out[index[right++]] = pivot;
		/* recurse into the smaller side, loop on the other */
		if (left - a < b - right)
		{
			select_ranks(v, lo, lt, ranks, index, a, left, out, par);
			lo = gt;
			a = right;
		}
		else
		{
			select_ranks(v, gt, hi, ranks, index, right, b, out, par);
			hi = lt;
			b = left;
		}
	}
}

uint64_t
km_quantile_rank(int j, uint64_t n, int m)
{
	uint64_t	q = (uint64_t) (m - 1),
				r = (uint64_t) j * (n / q) + ((uint64_t) j * (n % q) + q - 1) / q;

	return r < 1 ? 1 : r;
}

void
km_rank_quantiles(float *v, size_t n, int m, double *out, const KmParallel *par)
{
	size_t		ranks[1001];
	int			index[1001],
				j,
				count = 0;

	/* at most 1001 ranks at a time; more are done in slices */
	for (j = 0; j < m; j++)
	{
		ranks[count] = (size_t) km_quantile_rank(j, n, m) - 1;	/* 0-based */
		index[count++] = j;
		if (count == 1001 || j == m - 1)
		{
			select_ranks(v, 0, n, ranks, index, 0, count, out, par);
			count = 0;
		}
	}
}

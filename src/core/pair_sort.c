/*
 * pair_sort.c
 *	  Introsort of (key, payload) pairs: see pair_sort.h.
 */
#include "pair_sort.h"

#include <stdbool.h>

/* Below this many pairs, insertion sort. */
#define SMALL_RUN 16

static inline bool
less(const KmPair *a, const KmPair *b)
{
	return a->key < b->key || (a->key == b->key && a->payload < b->payload);
}

static inline void
swap(KmPair *a, KmPair *b)
{
	KmPair		t = *a;

	*a = *b;
	*b = t;
}

static void
insertion_sort(KmPair *a, size_t n)
{
	size_t		i,
				j;

	for (i = 1; i < n; i++)
	{
		KmPair		t = a[i];

		for (j = i; j > 0 && less(&t, &a[j - 1]); j--)
			a[j] = a[j - 1];
		a[j] = t;
	}
}

/* Sift a[i] down the max-heap a[0 .. n). */
static void
sift_down(KmPair *a, size_t i, size_t n)
{
	for (;;)
	{
		size_t		child = 2 * i + 1;

		if (child >= n)
			return;
		if (child + 1 < n && less(&a[child], &a[child + 1]))
			child++;
		if (!less(&a[i], &a[child]))
			return;
		swap(&a[i], &a[child]);
		i = child;
	}
}

static void
heap_sort(KmPair *a, size_t n)
{
	size_t		i;

	for (i = n / 2; i > 0; i--)
		sift_down(a, i - 1, n);
	for (i = n; i > 1; i--)
	{
		swap(&a[0], &a[i - 1]);
		sift_down(a, 0, i - 1);
	}
}

/*
 * Quicksort around the median of the first, middle and last pairs, the
 * smaller side first by recursion and the larger by the loop (depth log n);
 * past depth_left levels (an adversarial input), heap sort.
 */
static void
intro_sort(KmPair *a, size_t n, int depth_left)
{
	while (n > SMALL_RUN)
	{
		size_t		mid = n / 2,
					i,
					j;
		KmPair		pivot;

		if (depth_left-- == 0)
		{
			heap_sort(a, n);
			return;
		}
		/* median of three to a[mid], with a[0] <= a[mid] <= a[n - 1] */
		if (less(&a[mid], &a[0]))
			swap(&a[mid], &a[0]);
		if (less(&a[n - 1], &a[mid]))
		{
			swap(&a[n - 1], &a[mid]);
			if (less(&a[mid], &a[0]))
				swap(&a[mid], &a[0]);
		}
		pivot = a[mid];
		/* Hoare's partition: the ends hold sentinels for both scans */
		i = 0;
		j = n - 1;
		for (;;)
		{
			do
				i++;
			while (less(&a[i], &pivot));
			do
				j--;
			while (less(&pivot, &a[j]));
			if (i >= j)
				break;
			swap(&a[i], &a[j]);
		}
		/* a[0 .. j] <= pivot <= a[j + 1 .. n) */
		if (j + 1 < n - j - 1)
		{
			intro_sort(a, j + 1, depth_left);
			a += j + 1;
			n -= j + 1;
		}
		else
		{
			intro_sort(a + j + 1, n - j - 1, depth_left);
			n = j + 1;
		}
	}
	insertion_sort(a, n);
}

void
km_sort_pairs(KmPair *a, size_t n)
{
	int			depth = 0;
	size_t		m;

	for (m = n; m > 1; m >>= 1)
		depth += 2;
	intro_sort(a, n, depth);
}

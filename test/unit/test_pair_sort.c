/*
 * test_pair_sort.c
 *	  km_sort_pairs against qsort() with the same order: random pairs,
 *	  few distinct keys (ties ordered by payload), all equal, sorted,
 *	  reversed, organ pipe, and a median-of-three killer (the heap sort
 *	  fallback), from 0 to 200,000 pairs; doubles' bits as keys.
 */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define TEST_RNG_SEED UINT64_C(0x9a1f5e3c)
#include "core/pair_sort.h"
#include "tap.h"
#include "test_random.h"

static int
pair_cmp(const void *a, const void *b)
{
	const KmPair *x = a,
			   *y = b;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	return x->payload < y->payload ? -1 : x->payload > y->payload;
}

/* Whether km_sort_pairs sorts a copy of v as qsort() does. */
static bool
sorts_as_qsort(const KmPair *v, size_t n)
{
	KmPair	   *a = malloc(sizeof(KmPair) * (n ? n : 1)),
			   *s = malloc(sizeof(KmPair) * (n ? n : 1));
	bool		same;

	memcpy(a, v, sizeof(KmPair) * n);
	memcpy(s, v, sizeof(KmPair) * n);
	qsort(s, n, sizeof(KmPair), pair_cmp);
	km_sort_pairs(a, n);
	same = memcmp(a, s, sizeof(KmPair) * n) == 0;
	free(a);
	free(s);
	return same;
}

static uint64_t
rand64(void)
{
	return (uint64_t) (urand() * 4294967296.0) << 32 | (uint64_t) (urand() * 4294967296.0);
}

int
main(void)
{
	size_t		big = 200000,
				i;
	KmPair	   *v = malloc(sizeof(KmPair) * big);
	int			trial,
				bad = 0;

	for (trial = 0; trial < 600; trial++)
	{
		size_t		n = trial < 100 ? (size_t) trial : 1 + (size_t) (urand() * 5000);
		int			kind = trial % 6;

		for (i = 0; i < n; i++)
		{
			v[i].payload = rand64() % 1000;
			v[i].key = kind == 0 ? rand64() :
				kind == 1 ? rand64() % 4 :
				kind == 2 ? 7 :
				kind == 3 ? i :
				kind == 4 ? n - i : (i < n / 2 ? i : n - i);
		}
		bad += !sorts_as_qsort(v, n);
	}
	ok(bad == 0, "600 arrays (random, 4 distinct keys, all equal, sorted, reversed, organ pipe) of 0 to 5,000 pairs: as qsort (%d not)", bad);

	/* Musser's median-of-three killer: quadratic for plain quicksort */
	for (i = 0; i < big / 2; i++)
	{
		size_t		k = big / 2,
					j = i + 1;

		if (j % 2 == 1)
		{
			v[j - 1].key = j;
			v[j].key = k + j;
		}
		v[k + j - 1].key = 2 * j;
	}
	for (i = 0; i < big; i++)
		v[i].payload = i;
	ok(sorts_as_qsort(v, big), "200,000 pairs built against median-of-three: sorted (heap sort past the depth limit)");

	for (i = 0; i < big; i++)
	{
		double		x = fabs(gauss()) * 1e6;

		memcpy(&v[i].key, &x, sizeof(x));
		v[i].payload = i;
	}
	km_sort_pairs(v, big);
	for (i = 1; i < big; i++)
	{
		double		a,
					b;

		memcpy(&a, &v[i - 1].key, sizeof(a));
		memcpy(&b, &v[i].key, sizeof(b));
		if (a > b)
			break;
	}
	ok(i == big, "200,000 non-negative doubles by their bits: ascending values");
	free(v);
	return tap_done();
}

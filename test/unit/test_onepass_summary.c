/*
 * test_onepass_summary.c
 *	  The one-pass summary: its binary form is the same byte for byte
 *	  whatever the row order and however the rows are split and merged; the
 *	  sample is the distinct rows with the smallest keys, with their exact
 *	  multiplicities, against a naive sort; the budget bounds it; the
 *	  scaler equals memory mode's to rounding, also near DBL_MAX; the binary
 *	  form round-trips and malformed forms are rejected without reading
 *	  past them.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/onepass_summary.h"
#include "core/scaler.h"
#include "tap.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t
next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
uniform(void)
{
	return (double) (next_rand() >> 11) / 9007199254740992.0;
}

static KmSummary *
new_summary(int d, int budget)
{
	KmSummary  *s = malloc(km_summary_bytes(d, budget));

	km_summary_init(s, d, budget);
	return s;
}

/* The canonical binary form of s (canonicalized first). */
static uint8_t *
binary_of(KmSummary *s, size_t *len)
{
	uint8_t    *out;

	km_summary_canonicalize(s);
	*len = km_summary_binary_size(s);
	out = malloc(*len);
	km_summary_to_binary(s, out);
	return out;
}

static bool
same_bytes(const uint8_t *a, size_t la, const uint8_t *b, size_t lb)
{
	return la == lb && memcmp(a, b, la) == 0;
}

/* rows: clusters with repeated values, zeros, -0.0, negative values */
static double *
make_rows(size_t n, int d)
{
	double	   *x = malloc(sizeof(double) * n * d);
	size_t		i;
	int			j;

	for (i = 0; i < n; i++)
		for (j = 0; j < d; j++)
		{
			double		v;

			switch (next_rand() % 5)
			{
				case 0:
					v = (double) (next_rand() % 7);	/* many duplicates */
					break;
				case 1:
					v = -0.0;
					break;
				case 2:
					v = -100 + 30 * uniform();
					break;
				default:
					v = 1000 * uniform() * uniform();
			}
			x[i * d + j] = v;
		}
	return x;
}

static void
shuffle(double *x, size_t n, int d)
{
	double		t[KM_SUMMARY_MAX_FEATURES];
	size_t		i;

	for (i = n - 1; i > 0; i--)
	{
		size_t		k = next_rand() % (i + 1);

		memcpy(t, x + i * d, sizeof(double) * d);
		memcpy(x + i * d, x + k * d, sizeof(double) * d);
		memcpy(x + k * d, t, sizeof(double) * d);
	}
}

/* naive reference: rows sorted by (key, bits), -0.0 read as 0.0 */
static int	ref_d;

static uint64_t
bits_of(double v)
{
	uint64_t	b;

	if (v == 0)
		return 0;
	memcpy(&b, &v, sizeof(b));
	return b;
}

static int
ref_cmp(const void *pa, const void *pb)
{
	const double *a = pa,
			   *b = pb;
	uint64_t	ka = km_summary_row_key(a, ref_d),
				kb = km_summary_row_key(b, ref_d);
	int			j;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	for (j = 0; j < ref_d; j++)
		if (bits_of(a[j]) != bits_of(b[j]))
			return bits_of(a[j]) < bits_of(b[j]) ? -1 : 1;
	return 0;
}

static void
test_order_and_splits(void)
{
	int			d = 3,
				budget = 256,
				trial;
	size_t		n = 20000,
				i,
				la,
				lb;
	double	   *x = make_rows(n, d);
	KmSummary  *all = new_summary(d, budget);
	uint8_t    *a,
			   *b;
	bool		same = true;

	for (i = 0; i < n; i++)
		km_summary_add(all, x + i * d);
	a = binary_of(all, &la);
	ok(all->entries == budget && all->rows == (int64_t) n, "20,000 rows: %d entries, budget %d",
	   all->entries, budget);
	/*
	 * the documented bound: per feature the moment groups (48 bytes each of
	 * 2047 exponents), per budget entry its key, count, values, heap slot
	 * and at most four table slots (a power of two >= 2 budget); nothing
	 * grows with the rows
	 */
	ok(km_summary_bytes(d, budget) <= 128 + (size_t) d * (16 + 48 * KM_SUMMARY_EXPONENTS) +
	   (size_t) budget * (8 + 8 + 8 * d + 4 + 4 * 4) &&
	   km_summary_bytes(d, 2 * budget) - km_summary_bytes(d, budget) <=
	   (size_t) budget * (8 + 8 + 8 * d + 4 + 4 * 4),
	   "the memory is the documented bound, whatever the rows: %zu bytes",
	   km_summary_bytes(d, budget));

	/* every order, every split, every merge tree: the same bytes */
	for (trial = 0; trial < 20; trial++)
	{
		int			parts = 1 + (int) (next_rand() % 7),
					p;
		KmSummary **ps = malloc(sizeof(KmSummary *) * parts);

		shuffle(x, n, d);
		for (p = 0; p < parts; p++)
			ps[p] = new_summary(d, budget);
		for (i = 0; i < n; i++)
			km_summary_add(ps[next_rand() % parts], x + i * d);
		/* merge in a random tree: pick two, merge one into the other */
		while (parts > 1)
		{
			int			u = (int) (next_rand() % parts),
						w = (int) (next_rand() % (parts - 1));

			if (w >= u)
				w++;
			if (next_rand() % 3 == 0)
			{
				/* through the binary form, as a parallel worker's state travels */
				size_t		len;
				uint8_t    *bin = binary_of(ps[w], &len);
				KmSummary  *back = new_summary(d, budget);

				if (km_summary_from_binary(bin, len, back) != NULL)
					same = false;
				km_summary_merge(ps[u], back);
				free(back);
				free(bin);
			}
			else
				km_summary_merge(ps[u], ps[w]);
			free(ps[w]);
			ps[w] = ps[parts - 1];
			parts--;
		}
		b = binary_of(ps[0], &lb);
		if (!same_bytes(a, la, b, lb))
			same = false;
		free(b);
		free(ps[0]);
		free(ps);
	}
	ok(same, "20 shuffles into 1 to 7 parts merged in random trees: the same binary form");

	/* the sample is the smallest keys among distinct rows, with multiplicities */
	{
		double	   *sorted = malloc(sizeof(double) * n * d);
		double	   *sv = malloc(sizeof(double) * budget * d);
		int64_t    *sc = malloc(sizeof(int64_t) * budget);
		int			got,
					e = 0;
		bool		match = true;
		size_t		start = 0;

		for (i = 0; i < n * d; i++)
			sorted[i] = x[i] == 0 ? 0.0 : x[i];
		ref_d = d;
		qsort(sorted, n, sizeof(double) * d, ref_cmp);
		got = km_summary_sample(all, sv, sc);
		while (start < n && e < got)
		{
			size_t		end = start + 1;

			while (end < n && ref_cmp(sorted + start * d, sorted + end * d) == 0)
				end++;
			if (memcmp(sorted + start * d, sv + (size_t) e * d, sizeof(double) * d) != 0 ||
				sc[e] != (int64_t) (end - start))
				match = false;
			e++;
			start = end;
		}
		ok(match && got == budget, "the sample: the %d distinct rows with the smallest keys, counted exactly", got);
		ok(!km_summary_complete(all), "not complete: more distinct rows than the budget");
		free(sorted);
		free(sv);
		free(sc);
	}
	free(a);
	free(all);
	free(x);
}

static void
test_complete(void)
{
	int			d = 2;
	KmSummary  *s = new_summary(d, 64);
	double		row[2];
	int			i;

	for (i = 0; i < 1000; i++)
	{
		row[0] = i % 10;
		row[1] = (i % 5) * 0.5;
		km_summary_add(s, row);
	}
	ok(s->entries == 10 && km_summary_complete(s),
	   "10 distinct rows under a budget of 64: complete, %d entries", s->entries);
	free(s);
}

/* scaler against memory mode's on the same rows */
static void
check_scaler(const char *what, const double *x, size_t n, int d)
{
	KmSummary  *s = new_summary(d, 64);
	double		off1[4],
				fac1[4],
				off2[4],
				fac2[4],
				v1,
				v2;
	size_t		i;
	int			j,
				kind;
	bool		close = true;

	for (i = 0; i < n; i++)
		km_summary_add(s, x + i * d);
	for (kind = 0; kind < 3; kind++)
	{
		v1 = km_summary_scaler(s, (KmScale) kind, off1, fac1);
		v2 = km_scaler_fit_variance((KmScale) kind, x, n, d, NULL, NULL, off2, fac2, NULL);
		for (j = 0; j < d; j++)
			if (!(fabs(off1[j] - off2[j]) <= 1e-12 * fmax(fabs(off2[j]), fac2[j])) ||
				!(fabs(fac1[j] - fac2[j]) <= 1e-12 * fac2[j]))
			{
				close = false;
				printf("# kind %d feature %d: offset %.17g vs %.17g, factor %.17g vs %.17g\n",
					   kind, j, off1[j], off2[j], fac1[j], fac2[j]);
			}
		/* both overflow alike for values near DBL_MAX with no scaling */
		if (!(fabs(v1 - v2) <= 1e-12 * fmax(v2, 1e-300)) && !(isinf(v1) && v1 == v2))
		{
			close = false;
			printf("# kind %d variance %.17g vs %.17g\n", kind, v1, v2);
		}
	}
	ok(close, "scaler (none, zscore, minmax) as memory mode's, to 1e-12: %s", what);
	free(s);
}

static void
test_scaler(void)
{
	size_t		n = 5000,
				i;
	double	   *x = malloc(sizeof(double) * n * 3);

	for (i = 0; i < n; i++)
	{
		x[i * 3] = 1e6 + uniform();			/* offset far above the spread */
		x[i * 3 + 1] = -50 + 100 * uniform() * uniform();
		x[i * 3 + 2] = (double) (i % 3);
	}
	check_scaler("an offset of 1e6 with a spread of 1, skewed, 3 values", x, n, 3);
	for (i = 0; i < n; i++)
	{
		x[i * 3] = (uniform() - 0.5) * 1.5e308;	/* near DBL_MAX */
		x[i * 3 + 1] = 1e-310 * (double) (i % 4);	/* subnormal */
		x[i * 3 + 2] = 7;					/* constant */
	}
	check_scaler("values near DBL_MAX, subnormal values, a constant", x, n, 3);
	free(x);
}

static void
test_binary(void)
{
	int			d = 2,
				budget = 32;
	KmSummary  *s = new_summary(d, budget),
			   *back = new_summary(d, budget),
			   *direct = new_summary(d, budget);
	double		row[2];
	size_t		len,
				len2,
				cut;
	uint8_t    *bin,
			   *bin2;
	int			i,
				rejected = 0,
				accepted_same = 0,
				accepted_other = 0,
				trial;

	for (i = 0; i < 500; i++)
	{
		row[0] = (double) (i % 37) - 10;
		row[1] = uniform() * 1e-3;
		km_summary_add(s, row);
		km_summary_add(direct, row);
	}
	bin = binary_of(s, &len);
	ok(km_summary_from_binary(bin, len, back) == NULL, "the binary form reads back");
	bin2 = binary_of(back, &len2);
	ok(same_bytes(bin, len, bin2, len2), "and writes the same bytes");
	free(bin2);
	/* a read-back summary goes on taking rows like the original */
	for (i = 0; i < 300; i++)
	{
		row[0] = uniform();
		row[1] = (double) (i % 3);
		km_summary_add(back, row);
		km_summary_add(direct, row);
	}
	bin2 = binary_of(back, &len2);
	{
		size_t		len3;
		uint8_t    *bin3 = binary_of(direct, &len3);

		ok(same_bytes(bin2, len2, bin3, len3), "a read-back summary takes more rows as the original does");
		free(bin3);
	}
	free(bin2);

	for (cut = 0; cut < len; cut++)
		if (km_summary_from_binary(bin, cut, back) != NULL)
			rejected++;
	ok(rejected == (int) len, "every truncation rejected (%d of %zu)", rejected, len);

	for (trial = 0; trial < 20000; trial++)
	{
		uint8_t    *m = malloc(len);
		size_t		pos = next_rand() % len;

		int			md,
					mb;

		memcpy(m, bin, len);
		m[pos] ^= (uint8_t) (1 + next_rand() % 255);
		/* a summary is sized by its header: a changed size is another summary */
		if (km_summary_binary_header(m, len, &md, &mb) == NULL && (md != d || mb != budget))
		{
			free(m);
			continue;
		}
		if (km_summary_from_binary(m, len, back) == NULL)
		{
			size_t		l2;
			uint8_t    *again = binary_of(back, &l2);

			if (same_bytes(m, len, again, l2))
				accepted_same++;
			else
				accepted_other++;
			free(again);
		}
		free(m);
	}
	ok(accepted_other == 0, "20,000 one-byte corruptions: every accepted one writes back the same bytes (%d accepted)",
	   accepted_same);
	free(bin);
	free(s);
	free(back);
	free(direct);
}

int
main(void)
{
	test_order_and_splits();
	test_complete();
	test_scaler();
	test_binary();
	return tap_done();
}

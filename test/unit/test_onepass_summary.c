/*
 * test_onepass_summary.c
 *	  The one-pass summary: its binary form is the same byte for byte
 *	  whatever the row order and however the rows are split and merged; the
 *	  sample is the distinct rows with the smallest keys, with their exact
 *	  multiplicities, against a naive sort; the budget bounds it; the
 *	  scaler equals memory mode's to rounding, also near DBL_MAX; the binary
 *	  form round-trips (the skipped rows too; version 1 forms, without
 *	  them, are read) and malformed forms are rejected without reading past
 *	  them; summaries stored by earlier versions (1, 2) are read.
 */
#include <math.h>
#include <stddef.h>
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
/* Whether a and b hold the same sample entries, in the same order. */
static bool
same_sample(const KmSummary *a, const KmSummary *b)
{
	size_t		room = 2 * (size_t) a->budget;
	double	   *va = malloc(sizeof(double) * room * a->d),
			   *vb = malloc(sizeof(double) * room * b->d);
	int64_t    *ca = malloc(sizeof(int64_t) * room),
			   *cb = malloc(sizeof(int64_t) * room);
	int			na = km_summary_sample(a, va, ca),
				nb = km_summary_sample(b, vb, cb);
	bool		same = na == nb && a->d == b->d &&
		memcmp(va, vb, sizeof(double) * (size_t) na * a->d) == 0 &&
		memcmp(ca, cb, sizeof(int64_t) * (size_t) na) == 0;

	free(va);
	free(vb);
	free(ca);
	free(cb);
	return same;
}

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
	/* and 1,000 rows skipped for a NULL feature */
	for (i = 0; i < 1000; i++)
		km_summary_skip(all);
	a = binary_of(all, &la);
	ok(all->entries == budget && all->rows == (int64_t) n && all->skipped == 1000,
	   "20,000 rows and 1,000 skipped: %d entries, budget %d", all->entries, budget);
	/*
	 * the documented bound: per feature the moment groups (48 bytes each of
	 * 2047 exponents), per budget entry room for two entries (key, count,
	 * values: the sample and the candidates between selections) and at
	 * most eight table slots (a power of two >= 4 budget); nothing grows
	 * with the rows
	 */
	ok(km_summary_bytes(d, budget) <= 128 + (size_t) d * (16 + 48 * KM_SUMMARY_EXPONENTS) +
	   (size_t) budget * (2 * (8 + 8 + 8 * d) + 8 * 4) &&
	   km_summary_bytes(d, 2 * budget) - km_summary_bytes(d, budget) <=
	   (size_t) budget * (2 * (8 + 8 + 8 * d) + 8 * 4),
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
		for (i = 0; i < 1000; i++)
			km_summary_skip(ps[next_rand() % parts]);
		/* merge in a random tree: pick two, merge one into the other */
		while (parts > 1)
		{
			int			u = (int) (next_rand() % parts),
						w = (int) (next_rand() % (parts - 1));

			if (w >= u)
				w++;
			/*
			 * either side, or both, in canonical order: merged by one pass
			 * over both samples when both are (as a parallel leader merges
			 * the workers' states), else entry by entry
			 */
			if (next_rand() % 2 == 0)
				km_summary_canonicalize(ps[u]);
			if (next_rand() % 2 == 0)
				km_summary_canonicalize(ps[w]);
			if (next_rand() % 3 == 0)
			{
				/*
				 * through the binary form, as a parallel worker's state
				 * travels: read back and merged, or merged straight from it
				 * (as the combine function does with a flat state)
				 */
				size_t		len;
				uint8_t    *bin = binary_of(ps[w], &len);
				KmSummary  *back = new_summary(d, budget);

				if (next_rand() % 2 == 0)
				{
					if (km_summary_merge_binary(ps[u], bin, len) != NULL)
						same = false;
				}
				else
				{
					if (km_summary_from_binary(bin, len, back) != NULL)
						same = false;
					km_summary_merge(ps[u], back);
				}
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
	ok(same, "20 shuffles into 1 to 7 parts merged in random trees: the same binary form (skipped rows too)");

	/*
	 * sorted summaries merged in one pass, then more rows added to the
	 * result: the lookup table is rebuilt and the sample goes on as one
	 * that took every row
	 */
	{
		KmSummary  *p1 = new_summary(d, budget),
				   *p2 = new_summary(d, budget);
		bool		one_pass;

		shuffle(x, n, d);
		for (i = 0; i < n / 2; i++)
			km_summary_add(i % 3 == 0 ? p1 : p2, x + i * d);
		km_summary_canonicalize(p1);
		km_summary_canonicalize(p2);
		km_summary_merge(p2, p1);
		one_pass = p2->sorted && p2->entries == budget;
		for (; i < n; i++)
			km_summary_add(p2, x + i * d);
		for (i = 0; i < 1000; i++)
			km_summary_skip(p2);
		b = binary_of(p2, &lb);
		ok(one_pass && same_bytes(a, la, b, lb),
		   "two sorted summaries merged in one pass, then 10,000 more rows: the same binary form");
		free(b);
		free(p1);
		free(p2);
	}

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
				check_disagrees = 0,
				merge_disagrees = 0,
				sample_touched = 0,
				trial;
	bool		accepted;

	for (i = 0; i < 500; i++)
	{
		row[0] = (double) (i % 37) - 10;
		row[1] = uniform() * 1e-3;
		km_summary_add(s, row);
		km_summary_add(direct, row);
	}
	for (i = 0; i < 7; i++)
	{
		km_summary_skip(s);
		km_summary_skip(direct);
	}
	bin = binary_of(s, &len);
	ok(km_summary_from_binary(bin, len, back) == NULL && back->skipped == 7,
	   "the binary form reads back, its 7 skipped rows with it");
	bin2 = binary_of(back, &len2);
	ok(same_bytes(bin, len, bin2, len2), "and writes the same bytes");
	free(bin2);
	/* version 1 (0.4.0 to 0.6.0): no skipped rows after the rows */
	{
		uint8_t    *v1 = malloc(len - 8);
		KmSummary  *old = new_summary(d, budget);

		v1[0] = 1;
		memcpy(v1 + 1, bin + 1, 16);
		memcpy(v1 + 17, bin + 25, len - 25);
		bin2 = NULL;
		if (km_summary_from_binary(v1, len - 8, old) == NULL && old->skipped == 0)
		{
			old->skipped = 7;
			bin2 = binary_of(old, &len2);
		}
		ok(bin2 != NULL && same_bytes(bin, len, bin2, len2),
		   "a version 1 binary form reads as the same summary, without skipped rows");
		bin[0] = 3;
		ok(km_summary_from_binary(bin, len, old) != NULL, "an unknown binary version is refused");
		bin[0] = KM_SUMMARY_BINARY_VERSION;
		/* rows and skipped rows together: at most KM_SUMMARY_MAX_ROWS */
		{
			uint64_t	skipped = (uint64_t) KM_SUMMARY_MAX_ROWS - 500;
			int			byte;

			for (byte = 0; byte < 8; byte++)
				bin[17 + byte] = (uint8_t) (skipped >> (56 - 8 * byte));
			ok(km_summary_from_binary(bin, len, old) == NULL && old->skipped + old->rows == KM_SUMMARY_MAX_ROWS,
			   "500 rows and 2^61 - 500 skipped: read");
			bin[24]++;
			ok(km_summary_from_binary(bin, len, old) != NULL, "one more skipped row: refused");
			memset(bin + 17, 0, 8);
			bin[24] = 7;
		}
		free(bin2);
		free(v1);
		free(old);
	}
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
		if (km_summary_from_binary(bin, cut, back) != NULL &&
			km_summary_check_binary(bin, cut) != NULL)
			rejected++;
	ok(rejected == (int) len, "every truncation rejected, read or checked (%d of %zu)", rejected, len);

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
		accepted = km_summary_from_binary(m, len, back) == NULL;
		/* checking alone, and merging straight from the form, judge as reading */
		if ((km_summary_check_binary(m, len) == NULL) != accepted)
			check_disagrees++;
		{
			KmSummary  *into = new_summary(d, budget),
					   *merged = new_summary(d, budget);
			bool		merge_ok;

			memcpy(into, direct, km_summary_bytes(d, budget));
			memcpy(merged, direct, km_summary_bytes(d, budget));
			/* every other trial into a summary not in canonical order: entry by entry */
			if (trial % 2 == 1)
			{
				row[0] = 0.5;
				row[1] = 0.5;
				km_summary_add(into, row);
				km_summary_add(merged, row);
			}
			merge_ok = km_summary_merge_binary(into, m, len) == NULL;
			if (merge_ok != accepted)
				merge_disagrees++;
			else if (!accepted && trial % 2 == 0 && !same_sample(into, direct))
				sample_touched++;
			else if (accepted)
			{
				size_t		l3,
							l4;
				uint8_t    *via_form,
						   *via_read;

				km_summary_merge(merged, back);
				via_form = binary_of(into, &l3);
				via_read = binary_of(merged, &l4);
				if (!same_bytes(via_form, l3, via_read, l4))
					merge_disagrees++;
				free(via_form);
				free(via_read);
			}
			free(into);
			free(merged);
		}
		if (accepted)
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
	ok(sample_touched == 0,
	   "a form refused part way through leaves a sorted summary's sample as it was (%d changed)",
	   sample_touched);
	ok(check_disagrees == 0 && merge_disagrees == 0,
	   "and km_summary_check_binary and km_summary_merge_binary accept exactly those, the merge as reading then merging (%d, %d disagree)",
	   check_disagrees, merge_disagrees);
	free(bin);
	free(s);
	free(back);
	free(direct);
}

/* Where the header of versions 1 and 2 ends, and this version's range begins. */
#define STORED_HEADER offsetof(KmSummary, skipped)
#define RANGE_AT ((sizeof(KmSummary) + 7) & ~(size_t) 7)

/*
 * A summary in an earlier layout, laid out by hand from s (no skipped
 * rows): version 1 (0.4.0's: budget entries in canonical order at the
 * start of each array, then a heap and a table, which the upgrade does not
 * read), or version 2 (0.6.0's: this layout's arrays as they stand, the
 * lazy candidates and the table included, after the shorter header).
 */
static KmSummary *
as_stored(KmSummary *s, int version, size_t *len, size_t *counts_at)
{
	int			d = s->d,
				budget = s->budget;
	size_t		bytes = km_summary_stored_bytes(version, d, budget),
				moments = (size_t) d * (16 + 48 * KM_SUMMARY_EXPONENTS),
				keys = STORED_HEADER + moments;
	KmSummary  *old = calloc(1, bytes);
	double	   *sv;
	int64_t    *sc;
	int			e,
				n;

	memcpy(old, s, STORED_HEADER);
	old->version = version;
	if (version == 2)
	{
		/* the arrays as they are, 8 bytes nearer the start */
		memcpy((char *) old + STORED_HEADER, (char *) s + RANGE_AT, bytes - STORED_HEADER);
		*len = bytes;
		*counts_at = keys + 8 * (size_t) (2 * budget);
		return old;
	}
	memcpy((char *) old + STORED_HEADER, (char *) s + RANGE_AT, moments);
	sv = malloc(sizeof(double) * budget * d);
	sc = malloc(sizeof(int64_t) * budget);
	n = km_summary_sample(s, sv, sc);
	old->entries = n;
	for (e = 0; e < n; e++)
	{
		((uint64_t *) ((char *) old + keys))[e] = km_summary_row_key(sv + (size_t) e * d, d);
		((int64_t *) ((char *) old + keys + 8 * (size_t) budget))[e] = sc[e];
		memcpy((char *) old + keys + 16 * (size_t) budget + sizeof(double) * d * e,
			   sv + (size_t) e * d, sizeof(double) * d);
	}
	free(sv);
	free(sc);
	*len = bytes;
	*counts_at = keys + 8 * (size_t) budget;
	return old;
}

static void
test_stored_upgrade(int version)
{
	int			d = 3,
				budget = 64;
	size_t		n = 5000,
				i,
				la,
				lb,
				lv,
				counts_at;
	double	   *x = make_rows(n, d);
	KmSummary  *s = new_summary(d, budget),
			   *up = new_summary(d, budget),
			   *old;
	uint8_t    *a,
			   *b;

	for (i = 0; i < n; i++)
		km_summary_add(s, x + i * d);
	/* version 1 is canonical; version 2 as the scan left it, candidates and all */
	if (version == 1)
		km_summary_canonicalize(s);
	old = as_stored(s, version, &lv, &counts_at);
	a = binary_of(s, &la);
	ok(km_summary_from_stored(old, lv, up) == NULL && up->skipped == 0,
	   "a version %d summary is read", version);
	b = binary_of(up, &lb);
	ok(same_bytes(a, la, b, lb), "and has the binary form of the summary it was made from");
	/* it goes on as any summary: the rest of the rows added to both */
	for (i = 0; i < n; i += 3)
	{
		km_summary_add(s, x + i * d);
		km_summary_add(up, x + i * d);
	}
	free(a);
	free(b);
	a = binary_of(s, &la);
	b = binary_of(up, &lb);
	ok(same_bytes(a, la, b, lb), "rows added after the upgrade give the same summary");
	ok(km_summary_from_stored(old, lv - 8, up) != NULL, "a version %d summary of the wrong size is refused",
	   version);
	((int64_t *) ((char *) old + counts_at))[0] = 0;
	ok(km_summary_from_stored(old, lv, up) != NULL, "a version %d summary with a zero count is refused",
	   version);
	old->version = KM_SUMMARY_VERSION;
	ok(km_summary_from_stored(old, lv, up) != NULL, "the current version is not an earlier one");
	free(a);
	free(b);
	free(old);
	free(up);
	free(s);
	free(x);
}

/* (key, row) order, as the sample's: key, then the values' bits */
typedef struct KeyedRow
{
	uint64_t	key;
	double		v[2];
} KeyedRow;

static int
keyed_cmp(const void *a, const void *b)
{
	const KeyedRow *x = a,
			   *y = b;
	int			j;

	if (x->key != y->key)
		return x->key < y->key ? -1 : 1;
	for (j = 0; j < 2; j++)
		if (bits_of(x->v[j]) != bits_of(y->v[j]))
			return bits_of(x->v[j]) < bits_of(y->v[j]) ? -1 : 1;
	return 0;
}

/*
 * Rows with equal keys (forced: a hash collision cannot be met by chance)
 * on both sides of every selection: the sample is still the budget
 * smallest by (key, values) with their multiplicities, in every order.
 */
static void
test_equal_keys(void)
{
	const int	budget = 16,
				n = 600;
	KeyedRow	rows[600],
				ref[600];
	double		sv[2 * 16];
	int64_t		sc[16];
	int			trial,
				i,
				distinct = 0,
				got;
	bool		match = true;

	for (i = 0; i < n; i++)
	{
		rows[i].key = (uint64_t) (i % 7) << 60;	/* seven keys for 600 rows */
		rows[i].v[0] = (double) (i % 97);
		rows[i].v[1] = (double) ((i * 7) % 13);
	}
	/* the reference: distinct rows sorted, the first budget with their counts */
	memcpy(ref, rows, sizeof(rows));
	qsort(ref, n, sizeof(KeyedRow), keyed_cmp);
	for (trial = 0; trial < 5; trial++)
	{
		KmSummary  *s = new_summary(2, budget);
		int			e = 0,
					start = 0;

		for (i = n - 1; i > 0 && trial > 0; i--)
		{
			int			j = (int) (next_rand() % (uint64_t) (i + 1));
			KeyedRow	t = rows[i];

			rows[i] = rows[j];
			rows[j] = t;
		}
		for (i = 0; i < n; i++)
			km_summary_add_keyed(s, rows[i].v, rows[i].key);
		km_summary_canonicalize(s);
		got = km_summary_sample(s, sv, sc);
		match = match && got == budget;
		while (start < n && e < got)
		{
			int			end = start + 1;

			while (end < n && keyed_cmp(&ref[start], &ref[end]) == 0)
				end++;
			match = match && sv[2 * e] == ref[start].v[0] && sv[2 * e + 1] == ref[start].v[1] &&
				sc[e] == end - start;
			e++;
			start = end;
		}
		distinct = e;
		free(s);
	}
	ok(match && distinct == budget,
	   "600 rows under 7 keys: the 16 smallest by key and values, with their counts, in 5 orders");
}

int
main(void)
{
	test_order_and_splits();
	test_complete();
	test_scaler();
	test_binary();
	test_stored_upgrade(1);
	test_stored_upgrade(2);
	test_equal_keys();
	/* past 1 GB with room for twice the budget: less room, within 1 GB */
	ok(km_summary_bytes(13, KM_SUMMARY_MAX_BUDGET) <= KM_SUMMARY_MAX_BYTES &&
	   km_summary_bytes(13, KM_SUMMARY_MAX_BUDGET) > km_summary_stored_bytes(1, 13, KM_SUMMARY_MAX_BUDGET) &&
	   km_summary_bytes(3, KM_SUMMARY_MAX_BUDGET) - km_summary_stored_bytes(1, 3, KM_SUMMARY_MAX_BUDGET) >
	   (size_t) KM_SUMMARY_MAX_BUDGET * (8 + 8 + 3 * 8) / 2,
	   "13 features at the largest sample_size: room for fewer candidates, %zu bytes, within 1 GB",
	   km_summary_bytes(13, KM_SUMMARY_MAX_BUDGET));
	return tap_done();
}

/*
 * onepass_summary.c
 *	  The one-pass summary: see onepass_summary.h.
 *
 * Why the content depends only on the multiset of rows:
 * - the sample keeps the distinct rows with the smallest keys, a total
 *   order on rows (hash, then the values' bits); a row among the `budget`
 *   smallest of the whole is among the smallest of any part that holds it,
 *   so no part ever drops it, and its multiplicity adds up across parts;
 * - the moment sums are integers (the significands of the values with one
 *   binary exponent, and their squares), added exactly;
 * - minimum, maximum and the row count do not depend on order.
 *
 * The sample is kept lazily: rows whose key passes the cutoff are added
 * (or counted, if already there) until the entries fill twice the budget;
 * then a selection keeps the `budget` smallest and lowers the cutoff to
 * the largest of them. That costs a few operations per added row where a
 * heap of the budget smallest would sift for every replacement. Between
 * selections the entries past the budget are candidates only: the
 * canonical form (km_summary_canonicalize) selects first.
 */
#include "onepass_summary.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "exact_sum.h"
#include "mix64.h"
#include "pair_sort.h"
#include "small_d.h"

#define FRACTION_BITS 52
#define FRACTION_MASK ((UINT64_C(1) << FRACTION_BITS) - 1)

#if defined(__GNUC__) || defined(__clang__)
#define KM_PREFETCH(p) __builtin_prefetch(p)
#else
#define KM_PREFETCH(p) ((void) (p))
#endif

/* One feature's values with one binary exponent. */
typedef struct MomentGroup
{
	int64_t		n;				/* values */
	uint64_t	s1[2];			/* sum of the signed significands, two's complement */
	uint64_t	s2[3];			/* sum of the squared significands */
} MomentGroup;

static size_t
align8(size_t n)
{
	return (n + 7) & ~(size_t) 7;
}

/*
 * The smallest power of 2 >= x (1 <= x <= 2^31), by smearing the top bit.
 */
static size_t
pow2_at_least(size_t x)
{
	uint32_t	v = (uint32_t) (x - 1);

	v |= v >> 1;
	v |= v >> 2;
	v |= v >> 4;
	v |= v >> 8;
	v |= v >> 16;
	return (size_t) v + 1;
}

/*
 * Slots of the lookup table: a power of 2 >= 2 capacity (at most half
 * full) and >= 4 budget, so that its memory also holds the selection's
 * copy of the keys (8 bytes an entry) and the sort's (key, index) pairs
 * (16 bytes a kept entry).
 */
static size_t
table_slots(int budget, size_t capacity)
{
	size_t		want = 2 * capacity > 4 * (size_t) budget ? 2 * capacity : 4 * (size_t) budget;

	return pow2_at_least(want);
}

/* Offsets of the arrays after the header, and the sample's room. */
typedef struct Layout
{
	size_t		min,
				max,
				groups,
				keys,
				counts,
				values,
				table,
				total,
				capacity,		/* entries held between selections */
				slots;			/* of the lookup table */
} Layout;

static Layout
layout_with(int d, int budget, size_t capacity, size_t header)
{
	Layout		l;
	size_t		off = align8(header);

	l.capacity = capacity;
	l.slots = table_slots(budget, capacity);
	l.min = off;
	off += sizeof(double) * d;
	l.max = off;
	off += sizeof(double) * d;
	l.groups = off;
	off += sizeof(MomentGroup) * KM_SUMMARY_EXPONENTS * d;
	l.keys = off;
	off += sizeof(uint64_t) * capacity;
	l.counts = off;
	off += sizeof(int64_t) * capacity;
	l.values = off;
	off += sizeof(double) * capacity * d;
	l.table = off;
	off += align8(sizeof(int32_t) * l.slots);
	l.total = off;
	return l;
}

/*
 * The layout: room for twice the budget (a selection every budget
 * admitted rows), or, where that would pass KM_SUMMARY_MAX_BYTES, for the
 * budget plus a half, a quarter, ... of it, down to 16 more entries: the
 * largest sample that fits stays usable, only selected more often.
 */
static Layout
layout_after(int d, int budget, size_t header)
{
	size_t		extra = (size_t) budget;
	Layout		l = layout_with(d, budget, (size_t) budget + extra, header);

	while (l.total > KM_SUMMARY_MAX_BYTES && extra > 16)
	{
		extra = extra / 2 > 16 ? extra / 2 : 16;
		l = layout_with(d, budget, (size_t) budget + extra, header);
	}
	return l;
}

static Layout
layout_of(int d, int budget)
{
	return layout_after(d, budget, sizeof(KmSummary));
}

/* Versions 1 and 2: their header ends where `skipped` begins. */
#define STORED_HEADER_BYTES offsetof(KmSummary, skipped)

/* The arrays of a summary, resolved once per call. */
typedef struct View
{
	int			d;
	double	   *min,
			   *max;
	MomentGroup *groups;
	uint64_t   *keys;
	int64_t    *counts;
	double	   *values;
	int32_t    *table;
	uint64_t	mask;
	int32_t		capacity;		/* entries held between selections */
} View;

/* the range and moments follow the header: the same offsets for every budget */
#define RANGE_AT align8(sizeof(KmSummary))

static View
view_of(const KmSummary *s)
{
	char	   *base = (char *) s;
	View		v;

	v.d = s->d;
	v.min = (double *) (base + RANGE_AT);
	v.max = v.min + s->d;
	v.groups = (MomentGroup *) (v.max + s->d);
	v.keys = (uint64_t *) (base + s->keys_at);
	v.counts = (int64_t *) (base + s->counts_at);
	v.values = (double *) (base + s->values_at);
	v.table = (int32_t *) (base + s->table_at);
	v.mask = (uint64_t) s->table_size - 1;
	v.capacity = s->capacity;
	return v;
}

static void sample_add(KmSummary *s, View *v, uint64_t key, const double *row, int64_t count);

/* ---- earlier layouts, read when a stored state is used ---- */

/*
 * Where a stored summary keeps its sample: version 1 (0.4.0, 0.5.0) budget
 * entries beside a max-heap, version 2 (0.6.0) this layout's arrays, both
 * after the shorter header; the range and moments come first in all.
 */
static bool
stored_layout(int version, int d, int budget, Layout *l)
{
	if (d < 1 || d > KM_SUMMARY_MAX_FEATURES ||
		budget < KM_SUMMARY_MIN_BUDGET || budget > KM_SUMMARY_MAX_BUDGET)
		return false;
	*l = layout_after(d, budget, STORED_HEADER_BYTES);
	if (version == 2)
		return true;
	if (version != 1)
		return false;
	/* keys, counts and values of budget entries, its heap, its lookup table */
	l->capacity = (size_t) budget;
	l->counts = l->keys + sizeof(uint64_t) * (size_t) budget;
	l->values = l->counts + sizeof(int64_t) * (size_t) budget;
	l->total = l->values + sizeof(double) * d * (size_t) budget +
		align8(sizeof(int32_t) * (size_t) budget) +
		align8(sizeof(int32_t) * pow2_at_least(2 * (size_t) budget));
	return true;
}

size_t
km_summary_stored_bytes(int version, int d, int budget)
{
	Layout		l;

	return stored_layout(version, d, budget, &l) ? l.total : 0;
}

/*
 * Every entry of the stored sample added again (a stored state of version 2
 * may hold candidates past the budget: added again, they are selected as
 * they would have been), the range and moments copied.
 */
const char *
km_summary_from_stored(const KmSummary *old, size_t len, KmSummary *s)
{
	int			d = old->d,
				budget = old->budget,
				e,
				j;
	Layout		l;
	const int64_t *counts;
	const double *values;
	View		v;
	int64_t		counted = 0;

	if (!stored_layout(old->version, d, budget, &l) || l.total != len)
		return "not a summary of an earlier version";
	if (old->rows < 0 || old->entries < 0 || (size_t) old->entries > l.capacity ||
		old->entries > old->rows)
		return "sample entries out of range";
	counts = (const int64_t *) ((const char *) old + l.counts);
	values = (const double *) ((const char *) old + l.values);
	km_summary_init(s, d, budget);
	v = view_of(s);
	s->rows = old->rows;
	/* the range and moments, in the same order and sizes */
	memcpy(v.min, (const char *) old + l.min, l.keys - l.min);
	for (e = 0; e < old->entries; e++)
	{
		const double *row = values + (size_t) e * d;

		if (counts[e] <= 0 || counts[e] > old->rows - counted)
			return "sample counts do not add up";
		counted += counts[e];
		for (j = 0; j < d; j++)
			if (!isfinite(row[j]))
				return "sample value out of range";
		sample_add(s, &v, km_summary_row_key(row, d), row, counts[e]);
	}
	return NULL;
}

size_t
km_summary_bytes(int d, int budget)
{
	if (d < 1 || d > KM_SUMMARY_MAX_FEATURES ||
		budget < KM_SUMMARY_MIN_BUDGET || budget > KM_SUMMARY_MAX_BUDGET)
		return 0;
	return layout_of(d, budget).total;
}

void
km_summary_init(KmSummary *s, int d, int budget)
{
	Layout		l = layout_of(d, budget);

	/*
	 * The header, range and moments zeroed; the sample's entries are
	 * written before they are read, and the lookup table is built when a
	 * row first needs it (most of the bytes: not touched until used)
	 */
	memset(s, 0, l.keys);
	s->sorted = true;
	s->table_stale = true;
	s->version = KM_SUMMARY_VERSION;
	s->d = d;
	s->budget = budget;
	s->table_size = (int32_t) l.slots;
	s->cutoff = UINT64_MAX;
	s->keys_at = (uint32_t) l.keys;
	s->counts_at = (uint32_t) l.counts;
	s->values_at = (uint32_t) l.values;
	s->table_at = (uint32_t) l.table;
	s->capacity = (int32_t) l.capacity;
}

/* The bits of a value, -0.0 as 0.0. */
static uint64_t
value_bits(double x)
{
	uint64_t	b;

	if (x == 0)
		return 0;
	memcpy(&b, &x, sizeof(b));
	return b;
}

/*
 * Each value's bits times an odd constant of its own, summed, then mixed
 * once: the products are independent (the scan's hot loop computes them
 * side by side), and the final mix spreads every bit over the key.
 */
static FOR_EACH_D uint64_t
row_key_d(const double *row, int d)
{
	uint64_t	h = UINT64_C(0x6a09e667f3bcc909);
	int			j;

	for (j = 0; j < d; j++)
		h += (value_bits(row[j]) ^ UINT64_C(0x243f6a8885a308d3)) *
			(UINT64_C(0x9e3779b97f4a7c15) + 2 * (uint64_t) j);
	return mix64(h ^ (h >> 29));
}

uint64_t
km_summary_row_key(const double *row, int d)
{
	return row_key_d(row, d);
}

/* Order of (key a, row a) and (key b, row b): hash, then the values' bits. */
static int
key_cmp(uint64_t ka, const double *ra, uint64_t kb, const double *rb, int d)
{
	int			j;

	if (ka != kb)
		return ka < kb ? -1 : 1;
	for (j = 0; j < d; j++)
	{
		uint64_t	a = value_bits(ra[j]),
					b = value_bits(rb[j]);

		if (a != b)
			return a < b ? -1 : 1;
	}
	return 0;
}

static int
entry_cmp(const View *v, int32_t a, int32_t b)
{
	return key_cmp(v->keys[a], v->values + (size_t) a * v->d,
				   v->keys[b], v->values + (size_t) b * v->d, v->d);
}

/* ---- the lookup table: open addressing, linear probing ---- */

static int32_t
table_find(const View *v, uint64_t key, const double *row)
{
	uint64_t	slot = key & v->mask;

	for (;;)
	{
		int32_t		e = v->table[slot] - 1;

		if (e < 0)
			return -1;
		if (v->keys[e] == key &&
			key_cmp(key, row, key, v->values + (size_t) e * v->d, v->d) == 0)
			return e;
		slot = (slot + 1) & v->mask;
	}
}

static void
table_insert(View *v, int32_t e)
{
	uint64_t	slot = v->keys[e] & v->mask;

	while (v->table[slot] != 0)
		slot = (slot + 1) & v->mask;
	v->table[slot] = e + 1;
}

/* ---- the sample: entries, selection, order ---- */

/* Copy entry `from` over entry `to`. */
static void
entry_move(View *v, int32_t to, int32_t from)
{
	v->keys[to] = v->keys[from];
	v->counts[to] = v->counts[from];
	memcpy(v->values + (size_t) to * v->d, v->values + (size_t) from * v->d,
		   sizeof(double) * v->d);
}

static void
swap64(uint64_t *a, uint64_t *b)
{
	uint64_t	t = *a;

	*a = *b;
	*b = t;
}

/*
 * The value of rank r (from 0) among the n integers of a, which it
 * reorders: quickselect with a three-way partition around the median of
 * three (keys are hashes: partitions split evenly).
 */
static uint64_t
key_select(uint64_t *a, int32_t n, int32_t r)
{
	int32_t		lo = 0,
				hi = n;

	while (hi - lo > 1)
	{
		uint64_t	x = a[lo],
					y = a[lo + (hi - lo) / 2],
					z = a[hi - 1],
					pivot = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
		int32_t		lt = lo,
					i = lo,
					gt = hi;

		while (i < gt)
		{
			if (a[i] < pivot)
				swap64(&a[lt++], &a[i++]);
			else if (a[i] > pivot)
				swap64(&a[i], &a[--gt]);
			else
				i++;
		}
		if (r < lt)
			hi = lt;
		else if (r >= gt)
			lo = gt;
		else
			return pivot;
	}
	return a[lo];
}

/*
 * The lookup table for the entries as they now stand, rebuilt if they
 * moved since (a selection, a sort, a merge or a read leave it stale: a
 * summary on its way out never needs it).
 */
static void
table_ready(KmSummary *s, View *v)
{
	int32_t		e;

	if (!s->table_stale)
		return;
	memset(v->table, 0, sizeof(int32_t) * (size_t) s->table_size);
	for (e = 0; e < s->entries; e++)
		table_insert(v, e);
	s->table_stale = false;
}

/*
 * Keep the budget smallest of more entries: the budget-th smallest key by
 * selection on a copy of the keys (in the lookup table's memory, rebuilt
 * afterwards: it holds 2 capacity slots of 4 bytes), then one pass that
 * moves the kept entries to the front in their order. Rows with equal
 * keys on both sides of the cut (a hash collision) are ordered by their
 * values, as everywhere.
 */
static void
sample_shrink(KmSummary *s, View *v)
{
	uint64_t   *scratch = (uint64_t *) v->table;
	int32_t		n = s->entries,
				keep = s->budget,
				below = 0,
				ties = 0,
				taken = 0,
				e,
				i,
				j,
				w = 0;
	uint64_t	cut;

	memcpy(scratch, v->keys, sizeof(uint64_t) * (size_t) n);
	cut = key_select(scratch, n, keep - 1);
	/* the entries at the cut, by index; those taken when not all fit */
	for (e = 0; e < n; e++)
	{
		below += v->keys[e] < cut;
		if (v->keys[e] == cut)
			scratch[ties++] = (uint64_t) e;
	}
	if (below + ties > keep)
	{
		/* the keep - below smallest by values first, then back in index order */
		for (i = 0; i < keep - below; i++)
			for (j = i + 1; j < ties; j++)
				if (entry_cmp(v, (int32_t) scratch[j], (int32_t) scratch[i]) < 0)
					swap64(&scratch[i], &scratch[j]);
		ties = keep - below;
		for (i = 1; i < ties; i++)
			for (j = i; j > 0 && scratch[j] < scratch[j - 1]; j--)
				swap64(&scratch[j], &scratch[j - 1]);
	}
	for (e = 0; e < n; e++)
	{
		bool		kept = v->keys[e] < cut;

		if (!kept && taken < ties && scratch[taken] == (uint64_t) e)
		{
			kept = true;
			taken++;
		}
		if (kept)
		{
			if (w != e)
				entry_move(v, w, e);
			w++;
		}
	}
	s->entries = w;
	s->cutoff = cut;
}

/*
 * Sort the entries (at most the budget) ascending: (key, index) pairs
 * sorted in the lookup table's memory (at least 16 bytes a budget entry),
 * equal keys ordered by their values, then the entries permuted in place
 * along the permutation's cycles.
 */
static void
sample_sort(KmSummary *s, View *v)
{
	KmPair	   *order = (KmPair *) v->table;
	int32_t		n = s->entries,
				i,
				j;
	double		row[KM_SUMMARY_MAX_FEATURES];
	const uint64_t placed = UINT64_MAX;

	for (i = 0; i < n; i++)
	{
		order[i].key = v->keys[i];
		order[i].payload = (uint64_t) i;
	}
	km_sort_pairs(order, (size_t) n);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && order[j].key == order[j - 1].key &&
			 entry_cmp(v, (int32_t) order[j].payload, (int32_t) order[j - 1].payload) < 0; j--)
		{
			KmPair		t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	/* position `at` takes entry order[at].payload: follow each cycle once */
	for (i = 0; i < n; i++)
	{
		uint64_t	key;
		int64_t		count;
		int32_t		at = i;

		if (order[i].payload == placed)
			continue;
		key = v->keys[i];
		count = v->counts[i];
		memcpy(row, v->values + (size_t) i * v->d, sizeof(double) * v->d);
		for (;;)
		{
			int32_t		from = (int32_t) order[at].payload;

			order[at].payload = placed;
			if (from == i)
				break;
			entry_move(v, at, from);
			at = from;
		}
		v->keys[at] = key;
		v->counts[at] = count;
		memcpy(v->values + (size_t) at * v->d, row, sizeof(double) * v->d);
	}
	s->sorted = true;
}

/*
 * Keep the budget smallest entries (first, in their order; sorted when
 * sort), drop the rest and set the cutoff to the largest key kept.
 * Entries in canonical order already (read from a binary form, merged
 * from sorted ones) stay as they are.
 */
static void
sample_select(KmSummary *s, View *v, bool sort)
{
	if (s->sorted)
		return;
	if (s->entries > s->budget)
		sample_shrink(s, v);
	if (sort)
		sample_sort(s, v);
	s->table_stale = true;
}

/* The row (count times) into the sample, if it may be among the smallest keys. */
static void
sample_add(KmSummary *s, View *v, uint64_t key, const double *row, int64_t count)
{
	int32_t		e;

	if (key > s->cutoff)
		return;					/* the usual case once the sample is full */
	table_ready(s, v);
	e = table_find(v, key, row);
	if (e >= 0)
	{
		v->counts[e] += count;
		return;
	}
	if (s->entries == v->capacity)
	{
		sample_select(s, v, false);
		if (key > s->cutoff)
			return;
		table_ready(s, v);
	}
	s->sorted = false;
	e = s->entries++;
	v->keys[e] = key;
	memcpy(v->values + (size_t) e * v->d, row, sizeof(double) * v->d);
	v->counts[e] = count;
	table_insert(v, e);
}

/*
 * Merging a sample in canonical order into one in canonical order: both
 * walked in key order, equal rows' counts added, the budget smallest kept.
 * They are written after the destination's own entries (its room holds
 * another budget of them) and moved to the front at the end, so that the
 * destination's sample is as it was until then. Nothing is looked up and
 * nothing sorted: a parallel query's leader, or a Citus coordinator,
 * merges the workers' states this way.
 */
typedef struct SortedMerge
{
	KmSummary  *s;
	View	   *v;
	int32_t		next,			/* the destination's next entry */
				had,			/* its entries */
				out;			/* entries written, from index had on */
} SortedMerge;

/* Whether dst can merge a sorted sample that way. */
static bool
sorted_merge_fits(const KmSummary *dst)
{
	return dst->sorted && dst->capacity - dst->entries >= dst->budget;
}

static void
sorted_merge_begin(SortedMerge *m, KmSummary *s, View *v)
{
	m->s = s;
	m->v = v;
	m->next = 0;
	m->had = s->entries;
	m->out = 0;
}

/* Write an entry out, unless the budget smallest are written already. */
static void
sorted_merge_emit(SortedMerge *m, uint64_t key, const double *row, int64_t count)
{
	View	   *v = m->v;
	int32_t		e;

	if (m->out == m->s->budget)
		return;
	e = m->had + m->out++;
	v->keys[e] = key;
	v->counts[e] = count;
	memcpy(v->values + (size_t) e * v->d, row, sizeof(double) * v->d);
}

/* The next entry of the other sample (in canonical order). */
static void
sorted_merge_add(SortedMerge *m, uint64_t key, const double *row, int64_t count)
{
	View	   *v = m->v;

	while (m->next < m->had)
	{
		int32_t		e = m->next;
		const double *own = v->values + (size_t) e * v->d;
		int			c = key_cmp(v->keys[e], own, key, row, v->d);

		if (c > 0)
			break;
		m->next++;
		if (c == 0)
		{
			sorted_merge_emit(m, key, row, v->counts[e] + count);
			return;
		}
		sorted_merge_emit(m, v->keys[e], own, v->counts[e]);
	}
	sorted_merge_emit(m, key, row, count);
}

/* The destination's remaining entries, then the result moved to the front. */
static void
sorted_merge_end(SortedMerge *m)
{
	KmSummary  *s = m->s;
	View	   *v = m->v;

	for (; m->next < m->had && m->out < s->budget; m->next++)
		sorted_merge_emit(m, v->keys[m->next], v->values + (size_t) m->next * v->d,
						  v->counts[m->next]);
	memmove(v->keys, v->keys + m->had, sizeof(uint64_t) * (size_t) m->out);
	memmove(v->counts, v->counts + m->had, sizeof(int64_t) * (size_t) m->out);
	memmove(v->values, v->values + (size_t) m->had * v->d,
			sizeof(double) * (size_t) m->out * v->d);
	s->entries = m->out;
	/* full: rows past the largest key kept can never enter (as canonicalize sets it) */
	s->cutoff = m->out == s->budget ? v->keys[m->out - 1] : UINT64_MAX;
	s->sorted = true;
	s->table_stale = true;
}

/* ---- exact integer sums ---- */

static void
add128(uint64_t *w, uint64_t lo, uint64_t hi)
{
	uint64_t	t = w[0] + lo;

	w[1] += hi + (t < lo);
	w[0] = t;
}

static void
add192(uint64_t *w, const uint64_t *x)
{
	uint64_t	t0 = w[0] + x[0],
				c0 = t0 < x[0],
				t1 = w[1] + x[1],
				c1 = t1 < x[1];

	w[0] = t0;
	t1 += c0;
	c1 |= t1 < c0;
	w[1] = t1;
	w[2] += x[2] + c1;
}

#if defined(__SIZEOF_INT128__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * The same sums with the compiler's 128-bit integers (add with carry, one
 * multiplication for the square, no branch on the sign): this runs once
 * per feature of every row of the scan. The words are little-endian, low
 * first, as add128/add192 keep them.
 */
typedef unsigned __int128 u128;

static inline void
moments_add(MomentGroup *groups, double x)
{
	uint64_t	b = value_bits(x),
				m = b & FRACTION_MASK,
				neg = (uint64_t) 0 - (b >> 63);
	int			e = (int) ((b >> FRACTION_BITS) & 0x7ff);
	MomentGroup *g = &groups[e];
	u128		s1,
				lo,
				sq;

	if (e != 0)
		m |= UINT64_C(1) << FRACTION_BITS;
	g->n++;
	memcpy(&s1, g->s1, sizeof(s1));
	/* +m or -m, sign-extended to 128 bits */
	s1 += (u128) (((__int128) (int64_t) ((m ^ neg) - neg)));
	memcpy(g->s1, &s1, sizeof(s1));
	sq = (u128) m * m;
	memcpy(&lo, g->s2, sizeof(lo));
	lo += sq;
	g->s2[2] += lo < sq;
	memcpy(g->s2, &lo, sizeof(lo));
}
#else
/* m * m for m < 2^53, as 128 bits (lo, hi). */
static void
square53(uint64_t m, uint64_t *lo, uint64_t *hi)
{
	uint64_t	a = m >> 32,
				b = m & UINT64_C(0xffffffff),
				bb = b * b,
				mid = 2 * a * b,	/* < 2^54 */
				l = bb + (mid << 32);

	*lo = l;
	*hi = a * a + (mid >> 32) + (l < bb);
}

static void
moments_add(MomentGroup *groups, double x)
{
	uint64_t	b = value_bits(x),
				m = b & FRACTION_MASK,
				sq[3];
	int			e = (int) ((b >> FRACTION_BITS) & 0x7ff);
	MomentGroup *g = &groups[e];

	if (e != 0)
		m |= UINT64_C(1) << FRACTION_BITS;
	g->n++;
	if (b >> 63)
		add128(g->s1, ~m + 1, ~UINT64_C(0));	/* add -m */
	else
		add128(g->s1, m, 0);
	square53(m, &sq[0], &sq[1]);
	sq[2] = 0;
	add192(g->s2, sq);
}
#endif

/* Add a row under key *keyed, or its hash when keyed is NULL. */
static FOR_EACH_D void
add_row_d(KmSummary *s, const double *row, const uint64_t *keyed, int d)
{
	/*
	 * Called once per row of the scan: the arrays every row touches are at
	 * fixed offsets (layout_of's first three), the sample's only looked up
	 * for the few rows whose key passes the cutoff.
	 */
	int			j;
	double	   *min = (double *) ((char *) s + RANGE_AT),
			   *max = min + d,
				norm[KM_SUMMARY_MAX_FEATURES];
	MomentGroup *groups = (MomentGroup *) (max + d);
	uint64_t	key;

	View		v;
	bool		admitted;

	for (j = 0; j < d; j++)
		norm[j] = row[j] == 0 ? 0.0 : row[j];
	key = keyed ? *keyed : row_key_d(norm, d);
	/*
	 * A row that passes the cutoff looks up its slot of the lookup table, a
	 * cache miss in the usual case: fetched now, while the moments are added
	 */
	admitted = key <= s->cutoff;
	if (admitted)
	{
		v = view_of(s);
		KM_PREFETCH(&v.table[key & v.mask]);
	}
	if (s->rows == 0)
		for (j = 0; j < d; j++)
			min[j] = max[j] = norm[j];
	for (j = 0; j < d; j++)
	{
		double		x = norm[j];

		min[j] = x < min[j] ? x : min[j];
		max[j] = x > max[j] ? x : max[j];
		moments_add(groups + (size_t) j * KM_SUMMARY_EXPONENTS, x);
	}
	s->rows++;
	if (admitted)
		sample_add(s, &v, key, norm, 1);
}

void
km_summary_add(KmSummary *s, const double *row)
{
	WITH_D(add_row_d, s->d, s, row, NULL);
}

void
km_summary_add_keyed(KmSummary *s, const double *row, uint64_t key)
{
	add_row_d(s, row, &key, s->d);
}

void
km_summary_skip(KmSummary *s)
{
	s->skipped++;
}

void
km_summary_merge(KmSummary *dst, const KmSummary *src)
{
	View		a = view_of(dst),
				b = view_of(src);
	int			j,
				e;

	dst->skipped += src->skipped;
	if (src->rows == 0)
		return;
	for (j = 0; j < a.d; j++)
	{
		if (dst->rows == 0 || b.min[j] < a.min[j])
			a.min[j] = b.min[j];
		if (dst->rows == 0 || b.max[j] > a.max[j])
			a.max[j] = b.max[j];
		for (e = 0; e < KM_SUMMARY_EXPONENTS; e++)
		{
			MomentGroup *ga = &a.groups[(size_t) j * KM_SUMMARY_EXPONENTS + e];
			const MomentGroup *gb = &b.groups[(size_t) j * KM_SUMMARY_EXPONENTS + e];

			if (gb->n == 0)
				continue;
			ga->n += gb->n;
			add128(ga->s1, gb->s1[0], gb->s1[1]);
			add192(ga->s2, gb->s2);
		}
	}
	dst->rows += src->rows;
	if (src->sorted && sorted_merge_fits(dst))
	{
		SortedMerge m;

		sorted_merge_begin(&m, dst, &a);
		for (e = 0; e < src->entries; e++)
			sorted_merge_add(&m, b.keys[e], b.values + (size_t) e * b.d, b.counts[e]);
		sorted_merge_end(&m);
		return;
	}
	for (e = 0; e < src->entries; e++)
		sample_add(dst, &a, b.keys[e], b.values + (size_t) e * b.d, b.counts[e]);
}

double
km_summary_min(const KmSummary *s, int j)
{
	return view_of(s).min[j];
}

double
km_summary_max(const KmSummary *s, int j)
{
	return view_of(s).max[j];
}

/* ---- the scaler from the exact sums ---- */

/* Bits [52 i, 52 i + 52) of a little-endian multiword integer of w words. */
static uint64_t
chunk52(const uint64_t *x, int words, int i)
{
	int			bit = 52 * i,
				word = bit / 64,
				shift = bit % 64;
	uint64_t	v;

	if (word >= words)
		return 0;
	v = x[word] >> shift;
	if (shift > 12 && word + 1 < words)
		v |= x[word + 1] << (64 - shift);
	return v & FRACTION_MASK;
}

/* Add sign * x * 2^scale, x a nonnegative integer of w words, exactly (bar underflow). */
static void
add_scaled(KmExactSum *acc, const uint64_t *x, int words, int scale, double sign)
{
	int			i;

	for (i = 0; i * 52 < words * 64; i++)
	{
		uint64_t	c = chunk52(x, words, i);

		if (c != 0)
			km_exact_sum_add(acc, sign * ldexp((double) c, scale + 52 * i));
	}
}

/* Add a * b exactly (the rounded product and its error). */
static void
add_product(KmExactSum *acc, double a, double b)
{
	double		p = a * b;

	km_exact_sum_add(acc, p);
	km_exact_sum_add(acc, fma(a, b, -p));
}

/* Add n * a exactly, n split into halves that doubles hold exactly. */
static void
add_count_times(KmExactSum *acc, int64_t n, double a)
{
	add_product(acc, ldexp((double) (n >> 32), 32), a);
	add_product(acc, (double) (n & INT64_C(0xffffffff)), a);
}

/*
 * Column j's sums about center in units of 2^e and 2^2e (the convention of
 * exact_sum.h's km_exact_moment_sums), correctly rounded from the exact
 * sums: sum(x - c) = sum(x) - n c and sum((x - c)^2) = sum(x^2) - 2 c
 * sum(x) + n c^2, every term formed exactly (products as a rounded value
 * plus its error) and added without rounding.
 */
static void
column_moments(const KmSummary *s, const View *v, int j, double center, int e,
			   double *s1, double *s2)
{
	const MomentGroup *groups = v->groups + (size_t) j * KM_SUMMARY_EXPONENTS;
	double		c = ldexp(center, -e),
				cc,
				ccerr;
	KmExactSum	first,
				second;
	int			g,
				i;

	km_exact_sum_init(&first);
	km_exact_sum_init(&second);
	for (g = 0; g < KM_SUMMARY_EXPONENTS; g++)
	{
		const MomentGroup *gr = &groups[g];
		/* a value with exponent field g is its significand times 2^(g - 1075) */
		int			scale = (g == 0 ? 1 : g) - 1075 - e;
		uint64_t	mag[2];
		double		sign = 1;

		if (gr->n == 0)
			continue;
		mag[0] = gr->s1[0];
		mag[1] = gr->s1[1];
		if (mag[1] >> 63)
		{
			/* the magnitude of a negative two's complement */
			mag[0] = ~mag[0] + 1;
			mag[1] = ~mag[1] + (mag[0] == 0);
			sign = -1;
		}
		add_scaled(&first, mag, 2, scale, sign);
		add_scaled(&second, gr->s2, 3, 2 * scale, 1);
		for (i = 0; i * 52 < 128; i++)
		{
			uint64_t	ch = chunk52(mag, 2, i);

			if (ch != 0)
				add_product(&second, -2 * c, sign * ldexp((double) ch, scale + 52 * i));
		}
	}
	add_count_times(&first, -s->rows, c);
	cc = c * c;
	ccerr = fma(c, c, -cc);
	add_count_times(&second, s->rows, cc);
	add_count_times(&second, s->rows, ccerr);
	*s1 = km_exact_sum_result(&first);
	*s2 = km_exact_sum_result(&second);
}

double
km_summary_scaler(const KmSummary *s, KmScale kind, double *offset, double *factor)
{
	View		v = view_of(s);
	double		total = 0;
	int			j;

	for (j = 0; j < v.d; j++)
	{
		double		center,
					maxdev,
					s1 = 0,
					s2 = 0;
		KmMomentScale ms;

		km_scaler_center(v.min[j], v.max[j], &center, &maxdev);
		km_moment_scale(maxdev, &ms);
		if (maxdev > 0)
			column_moments(s, &v, j, center, ms.e, &s1, &s2);
		total += km_scaler_column(kind, (size_t) s->rows, v.min[j], v.max[j], center,
								  s1, s2, ms.e, &offset[j], &factor[j]);
	}
	return total / v.d;
}

/* ---- the sample in canonical order ---- */

void
km_summary_canonicalize(KmSummary *s)
{
	View		v = view_of(s);

	sample_select(s, &v, true);
	/* full: the cutoff is exactly the largest key kept (as from_binary sets it) */
	if (s->entries == s->budget)
		s->cutoff = v.keys[s->entries - 1];
}

int
km_summary_sample(const KmSummary *s, double *values, int64_t *counts)
{
	View		v = view_of(s);

	memcpy(values, v.values, sizeof(double) * (size_t) s->entries * v.d);
	memcpy(counts, v.counts, sizeof(int64_t) * (size_t) s->entries);
	return s->entries;
}

bool
km_summary_complete(const KmSummary *s)
{
	View		v = view_of(s);
	int64_t		total = 0;
	int			i;

	/* more distinct rows than the budget: the sample cannot hold them all */
	if (s->entries > s->budget)
		return false;
	for (i = 0; i < s->entries; i++)
		total += v.counts[i];
	return total == s->rows;
}

/* ---- the binary form ---- */

#define GROUP_BYTES (2 + 8 + 16 + 24)

static int
used_groups(const View *v, int j)
{
	int			g,
				n = 0;

	for (g = 0; g < KM_SUMMARY_EXPONENTS; g++)
		n += v->groups[(size_t) j * KM_SUMMARY_EXPONENTS + g].n != 0;
	return n;
}

size_t
km_summary_binary_size(const KmSummary *s)
{
	View		v = view_of(s);
	size_t		size = 1 + 4 + 4 + 8 + 8 + 4 + 16 * (size_t) v.d;
	int			j;

	for (j = 0; j < v.d; j++)
		size += 4 + GROUP_BYTES * (size_t) used_groups(&v, j);
	return size + (size_t) s->entries * (8 + 8 * (size_t) v.d);
}

/*
 * Big-endian 64-bit words: one byte swap and one unaligned access where the
 * compiler knows them (a summary's form is mostly such words), the bytes
 * one by one elsewhere.
 */
#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define BIG_ENDIAN_64(x) __builtin_bswap64(x)
#elif defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define BIG_ENDIAN_64(x) (x)
#endif

static inline uint8_t *
put64(uint8_t *p, uint64_t x)
{
#ifdef BIG_ENDIAN_64
	uint64_t	be = BIG_ENDIAN_64(x);

	memcpy(p, &be, sizeof(be));
	return p + 8;
#else
	int			i;

	for (i = 7; i >= 0; i--)
		*p++ = (uint8_t) (x >> (8 * i));
	return p;
#endif
}

static uint8_t *
put32(uint8_t *p, uint32_t x)
{
	p[0] = (uint8_t) (x >> 24);
	p[1] = (uint8_t) (x >> 16);
	p[2] = (uint8_t) (x >> 8);
	p[3] = (uint8_t) x;
	return p + 4;
}

static inline uint8_t *
put_double(uint8_t *p, double x)
{
	uint64_t	b;

	memcpy(&b, &x, sizeof(b));
	return put64(p, b);
}

void
km_summary_to_binary(const KmSummary *s, uint8_t *out)
{
	View		v = view_of(s);
	uint8_t    *p = out;
	int			j,
				g,
				i;

	*p++ = KM_SUMMARY_BINARY_VERSION;
	p = put32(p, (uint32_t) v.d);
	p = put32(p, (uint32_t) s->budget);
	p = put64(p, (uint64_t) s->rows);
	p = put64(p, (uint64_t) s->skipped);
	p = put32(p, (uint32_t) s->entries);
	for (j = 0; j < v.d; j++)
	{
		p = put_double(p, s->rows > 0 ? v.min[j] : 0.0);
		p = put_double(p, s->rows > 0 ? v.max[j] : 0.0);
	}
	for (j = 0; j < v.d; j++)
	{
		p = put32(p, (uint32_t) used_groups(&v, j));
		for (g = 0; g < KM_SUMMARY_EXPONENTS; g++)
		{
			const MomentGroup *gr = &v.groups[(size_t) j * KM_SUMMARY_EXPONENTS + g];

			if (gr->n == 0)
				continue;
			*p++ = (uint8_t) (g >> 8);
			*p++ = (uint8_t) g;
			p = put64(p, (uint64_t) gr->n);
			p = put64(p, gr->s1[1]);
			p = put64(p, gr->s1[0]);
			p = put64(p, gr->s2[2]);
			p = put64(p, gr->s2[1]);
			p = put64(p, gr->s2[0]);
		}
	}
	/* in index order: canonical after km_summary_canonicalize() */
	for (i = 0; i < s->entries; i++)
	{
		p = put64(p, (uint64_t) v.counts[i]);
		for (j = 0; j < v.d; j++)
			p = put_double(p, v.values[(size_t) i * v.d + j]);
	}
}

/* ---- reading the binary form ---- */

typedef struct Reader
{
	const uint8_t *p;
	size_t		left;
} Reader;

static inline bool
get64(Reader *r, uint64_t *x)
{
	if (r->left < 8)
		return false;
#ifdef BIG_ENDIAN_64
	memcpy(x, r->p, sizeof(*x));
	*x = BIG_ENDIAN_64(*x);
#else
	{
		int			i;

		*x = 0;
		for (i = 0; i < 8; i++)
			*x = (*x << 8) | r->p[i];
	}
#endif
	r->p += 8;
	r->left -= 8;
	return true;
}

static bool
get32(Reader *r, uint32_t *x)
{
	if (r->left < 4)
		return false;
	*x = ((uint32_t) r->p[0] << 24) | ((uint32_t) r->p[1] << 16) |
		((uint32_t) r->p[2] << 8) | r->p[3];
	r->p += 4;
	r->left -= 4;
	return true;
}

static inline bool
get_double(Reader *r, double *x)
{
	uint64_t	b;

	if (!get64(r, &b))
		return false;
	memcpy(x, &b, sizeof(b));
	return true;
}

const char *
km_summary_binary_header(const uint8_t *in, size_t len, int *d, int *budget)
{
	Reader		r = {in, len};
	uint32_t	dd,
				bb;

	if (len < 1)
		return "empty input";
	/* 1: 0.4.0 to 0.6.0's, without the skipped rows */
	if (in[0] != KM_SUMMARY_BINARY_VERSION && in[0] != 1)
		return "unknown version";
	r.p++;
	r.left--;
	if (!get32(&r, &dd) || !get32(&r, &bb))
		return "truncated header";
	if (dd < 1 || dd > KM_SUMMARY_MAX_FEATURES)
		return "features out of range";
	if (bb < KM_SUMMARY_MIN_BUDGET || bb > KM_SUMMARY_MAX_BUDGET)
		return "budget out of range";
	*d = (int) dd;
	*budget = (int) bb;
	return NULL;
}

/* 192-bit a < b */
static bool
less192(const uint64_t *a, const uint64_t *b)
{
	int			i;

	for (i = 2; i >= 0; i--)
		if (a[i] != b[i])
			return a[i] < b[i];
	return false;
}

/*
 * Whether a group of n significands with exponent field g can have these
 * sums: each significand is below 2^53 (2^52 for g = 0, where values are
 * zero or subnormal) and at least 2^52 for g > 0.
 */
static bool
group_plausible(int g, int64_t n, const uint64_t *s1, const uint64_t *s2)
{
	uint64_t	mag[2] = {s1[0], s1[1]},
				lo[3] = {0, 0, 0},
				hi[3] = {0, 0, 0};
	int			top = g == 0 ? 52 : 53;

	if (mag[1] >> 63)
	{
		mag[0] = ~mag[0] + 1;
		mag[1] = ~mag[1] + (mag[0] == 0);
	}
	/* |s1| <= n 2^top: n < 2^63, so n 2^top < 2^116 */
	if (mag[1] > ((uint64_t) n >> (64 - top)) ||
		(mag[1] == ((uint64_t) n >> (64 - top)) && mag[0] > ((uint64_t) n << top)))
		return false;
	/* s2 <= n 2^(2 top) and, for g > 0, s2 >= n 2^104 */
	hi[1] = (uint64_t) n << (2 * top - 64);
	hi[2] = (uint64_t) n >> (128 - 2 * top);
	if (less192(hi, s2))
		return false;
	if (g > 0)
	{
		lo[1] = (uint64_t) n << 40;
		lo[2] = (uint64_t) n >> 24;
		if (less192(s2, lo))
			return false;
	}
	return true;
}

/* What read_binary does with the form it checks. */
typedef enum BinaryUse
{
	BINARY_READ,				/* into a summary just initialized */
	BINARY_MERGE,				/* added to a summary, as km_summary_merge */
	BINARY_CHECK				/* nothing: only checked */
} BinaryUse;

/* Moment group g into dst: stored, or added to what it holds. */
static void
group_into(MomentGroup *dst, const MomentGroup *g, BinaryUse use)
{
	if (use == BINARY_READ)
		*dst = *g;
	else
	{
		dst->n += g->n;
		add128(dst->s1, g->s1[0], g->s1[1]);
		add192(dst->s2, g->s2);
	}
}

/*
 * Check a binary form field by field (its header by km_summary_binary_header,
 * of s's d and budget unless only checking) and use it: every field is
 * checked before it is used, but a form found wrong part way through has
 * left what came before it in s (merging).
 */
static const char *
read_binary(const uint8_t *in, size_t len, KmSummary *s, BinaryUse use)
{
	Reader		r = {in, len};
	const char *err;
	int			d,
				budget,
				j,
				i;
	uint64_t	rows,
				skipped = 0,
				u,
				key,
				last_key = 0;
	uint32_t	entries,
				ngroups;
	View		v = {0};
	SortedMerge merge;
	bool		sorted_merge = false;
	int64_t		counted = 0;
	double		lo[KM_SUMMARY_MAX_FEATURES],
				hi[KM_SUMMARY_MAX_FEATURES],
				row[KM_SUMMARY_MAX_FEATURES],
				last_row[KM_SUMMARY_MAX_FEATURES];

	err = km_summary_binary_header(in, len, &d, &budget);
	if (err)
		return err;
	if (use != BINARY_CHECK && (d != s->d || budget != s->budget))
		return "another number of features or sample size";
	if (use != BINARY_CHECK)
		v = view_of(s);
	r.p += 9;
	r.left -= 9;
	if (!get64(&r, &rows) || (in[0] >= 2 && !get64(&r, &skipped)) || !get32(&r, &entries))
		return "truncated header";
	if (rows > (uint64_t) KM_SUMMARY_MAX_ROWS || skipped > (uint64_t) KM_SUMMARY_MAX_ROWS - rows)
		return "rows out of range";
	if (entries > (uint32_t) budget || (uint64_t) entries > rows)
		return "sample entries out of range";
	for (j = 0; j < d; j++)
	{
		if (!get_double(&r, &lo[j]) || !get_double(&r, &hi[j]))
			return "truncated range";
		if (!isfinite(lo[j]) || !isfinite(hi[j]) || lo[j] > hi[j] ||
			(lo[j] == 0 && signbit(lo[j])) || (hi[j] == 0 && signbit(hi[j])))
			return "invalid range";
		if (rows == 0 && (lo[j] != 0 || hi[j] != 0))
			return "range without rows";
	}
	/* a summary without rows has no range to merge (its zeros are no values) */
	if (use == BINARY_READ || (use == BINARY_MERGE && rows > 0))
		for (j = 0; j < d; j++)
		{
			if (use == BINARY_READ || s->rows == 0 || lo[j] < v.min[j])
				v.min[j] = lo[j];
			if (use == BINARY_READ || s->rows == 0 || hi[j] > v.max[j])
				v.max[j] = hi[j];
		}
	for (j = 0; j < d; j++)
	{
		int64_t		total = 0;
		int			last = -1;

		if (!get32(&r, &ngroups))
			return "truncated moments";
		if (ngroups > KM_SUMMARY_EXPONENTS)
			return "too many moment groups";
		for (i = 0; i < (int) ngroups; i++)
		{
			MomentGroup gr;
			int			g;
			uint64_t	n;

			if (r.left < 2)
				return "truncated moments";
			g = (r.p[0] << 8) | r.p[1];
			r.p += 2;
			r.left -= 2;
			if (g <= last || g >= KM_SUMMARY_EXPONENTS)
				return "moment groups out of order";
			last = g;
			if (!get64(&r, &n) || !get64(&r, &gr.s1[1]) || !get64(&r, &gr.s1[0]) ||
				!get64(&r, &gr.s2[2]) || !get64(&r, &gr.s2[1]) || !get64(&r, &gr.s2[0]))
				return "truncated moments";
			if (n == 0 || n > rows - (uint64_t) total)
				return "moment counts do not add up to rows";
			gr.n = (int64_t) n;
			total += (int64_t) n;
			if (!group_plausible(g, gr.n, gr.s1, gr.s2))
				return "moment sums out of range";
			if (use != BINARY_CHECK)
				group_into(&v.groups[(size_t) j * KM_SUMMARY_EXPONENTS + g], &gr, use);
		}
		if ((uint64_t) total != rows)
			return "moment counts do not add up to rows";
	}
	if (use == BINARY_MERGE)
	{
		s->rows += (int64_t) rows;
		s->skipped += (int64_t) skipped;
		/* the form's sample is in canonical order: one pass over both, if s's is too */
		sorted_merge = sorted_merge_fits(s);
		if (sorted_merge)
			sorted_merge_begin(&merge, s, &v);
	}
	for (i = 0; i < (int) entries; i++)
	{
		if (!get64(&r, &u))
			return "truncated sample";
		if (u == 0 || u > rows - (uint64_t) counted)
			return "sample counts do not add up";
		counted += (int64_t) u;
		for (j = 0; j < d; j++)
		{
			if (!get_double(&r, &row[j]))
				return "truncated sample";
			if (!isfinite(row[j]) || (row[j] == 0 && signbit(row[j])) ||
				row[j] < lo[j] || row[j] > hi[j])
				return "sample value out of range";
		}
		key = row_key_d(row, d);
		if (i > 0 && key_cmp(last_key, last_row, key, row, d) >= 0)
			return "sample out of order";
		last_key = key;
		memcpy(last_row, row, sizeof(double) * d);
		if (use == BINARY_READ)
		{
			v.keys[i] = key;
			v.counts[i] = (int64_t) u;
			memcpy(v.values + (size_t) i * d, row, sizeof(double) * d);
		}
		else if (sorted_merge)
			sorted_merge_add(&merge, key, row, (int64_t) u);
		else if (use == BINARY_MERGE)
			sample_add(s, &v, key, row, (int64_t) u);
	}
	if (r.left != 0)
		return "trailing data";
	/* a sample with room left holds every row */
	if (entries < (uint32_t) budget && (uint64_t) counted != rows)
		return "sample counts do not add up";
	/* only now: a form found wrong has left s's sample as it was */
	if (sorted_merge)
		sorted_merge_end(&merge);
	if (use == BINARY_READ)
	{
		s->rows = (int64_t) rows;
		s->skipped = (int64_t) skipped;
		s->entries = (int) entries;
		s->sorted = true;
		s->table_stale = true;
		s->cutoff = entries == (uint32_t) budget ? v.keys[entries - 1] : UINT64_MAX;
	}
	return NULL;
}

const char *
km_summary_from_binary(const uint8_t *in, size_t len, KmSummary *s)
{
	int			d,
				budget;
	const char *err = km_summary_binary_header(in, len, &d, &budget);

	if (err)
		return err;
	km_summary_init(s, d, budget);
	return read_binary(in, len, s, BINARY_READ);
}

const char *
km_summary_merge_binary(KmSummary *dst, const uint8_t *in, size_t len)
{
	return read_binary(in, len, dst, BINARY_MERGE);
}

const char *
km_summary_check_binary(const uint8_t *in, size_t len)
{
	return read_binary(in, len, NULL, BINARY_CHECK);
}

const char *
km_summary_binary_rows(const uint8_t *in, size_t len, int64_t *rows, int64_t *skipped)
{
	Reader		r = {in, len};
	const char *err;
	int			d,
				budget;
	uint64_t	n,
				sk = 0;

	if ((err = km_summary_binary_header(in, len, &d, &budget)) != NULL)
		return err;
	r.p += 9;
	r.left -= 9;
	if (!get64(&r, &n) || (in[0] >= 2 && !get64(&r, &sk)))
		return "truncated header";
	if (n > (uint64_t) KM_SUMMARY_MAX_ROWS || sk > (uint64_t) KM_SUMMARY_MAX_ROWS - n)
		return "rows out of range";
	*rows = (int64_t) n;
	*skipped = (int64_t) sk;
	return NULL;
}

/*
 * rank_quantiles.c
 *	  Exact order statistics of many ranks at once: see rank_quantiles.h.
 *
 * Many values: a radix selection that counts and never moves a value.
 * Each float's bits are read as an integer that orders as the float does
 * (its key), and the key is found 16, 8 and 8 bits at a time:
 *   - level 0 counts the values by the key's top 16 bits, which places
 *     every wanted rank in one of those prefixes;
 *   - level 1 counts, for each prefix holding a wanted rank (a row of the
 *     counts), its values by the next 8 bits; values of other prefixes are
 *     skipped by a table lookup;
 *   - level 2 does the same for the 24-bit prefixes so found, which gives
 *     every wanted rank's whole key, and so its value.
 * Three passes over the values, sequential reads and no branch on their
 * order. A comparison-based selection of the 1,001 dense ranks of the
 * quantiles does about log2(1001) = 10 passes, each with a branch it cannot
 * predict and a write per value: 664 ms against about 60 ms for 10M
 * distances on the development machine, which was most of a memory-mode
 * training's time beyond its scan. The ranks of a level's row are
 * ascending and so are their keys, so one sweep of the row's counts places
 * them all.
 *
 * Fewer values: the counts' 3 MB would be more than the values themselves,
 * so a quickselect with a three-way partition (runs of equal values, common
 * among distances of repeated rows, end up in the middle part at once), the
 * pivot the median of the first, middle and last value; the ranks wanted
 * are split between the parts, so each level of the recursion passes over
 * every value once: O(n log m) for m ranks, in place.
 */
#include "rank_quantiles.h"

#include <string.h>

/* from this many values on, the radix selection */
#define RADIX_MIN_VALUES ((size_t) 1 << 19)
/* at most this many ranks per selection; more are done in slices */
#define SLICE_RANKS 1001
/* the digits, most significant first: key bits 31..16, 15..8, 7..0 */
#define LEVELS 3
static const int digit_shift[LEVELS] = {16, 8, 0};
static const int digit_bits[LEVELS] = {16, 8, 8};

/* how many values a pass reads between two interrupt checks */
#define VALUES_PER_CHECK ((size_t) 1 << 20)

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

/*
 * The float's bits as an integer that orders as the float does (-0 just
 * below +0; there is no NaN here): positive floats with the sign bit set,
 * negative ones with every bit flipped.
 */
static inline uint32_t
order_key(float f)
{
	uint32_t	u;

	memcpy(&u, &f, sizeof(u));
	return (u & UINT32_C(0x80000000)) ? ~u : u | UINT32_C(0x80000000);
}

static float
key_value(uint32_t key)
{
	uint32_t	u = (key & UINT32_C(0x80000000)) ? key & UINT32_C(0x7fffffff) : ~key;
	float		f;

	memcpy(&f, &u, sizeof(f));
	return f;
}

typedef struct Selection
{
	int			count;			/* wanted ranks, <= SLICE_RANKS */
	size_t		rank[SLICE_RANKS];	/* each one's 0-based rank within its row */
	uint32_t	prefix[SLICE_RANKS];	/* each one's key bits found so far */
	int			row[SLICE_RANKS];	/* each one's row at the current level */
	int			rows;			/* rows of the current level */
	size_t	   *counts;			/* rows x 2^digit_bits, this level's */
	int32_t    *top_row;		/* 2^16: level 1's row of a 16-bit prefix, or -1 */
	int32_t    *next_row;		/* level 1 rows x 256: level 2's row, or -1 */
} Selection;

/* The value's row at level (-1: no wanted rank has its prefix). */
static inline int
row_of(const Selection *s, uint32_t key, int level)
{
	int			top;

	if (level == 0)
		return 0;
	top = s->top_row[key >> 16];
	if (level == 1 || top < 0)
		return top;
	return s->next_row[(size_t) top * 256 + ((key >> 8) & 255)];
}

/* Count the values of each wanted row by their digit of level. */
static void
count_level(Selection *s, const float *v, size_t n, int level, const KmParallel *par)
{
	size_t		width = (size_t) 1 << digit_bits[level],
				i;
	unsigned	mask = (unsigned) width - 1;
	int			shift = digit_shift[level];

	memset(s->counts, 0, sizeof(size_t) * width * (size_t) s->rows);
	for (i = 0; i < n; i++)
	{
		uint32_t	key = order_key(v[i]);
		int			row = row_of(s, key, level);

		if (i % VALUES_PER_CHECK == 0 && i > 0 && par != NULL && par->check_interrupts != NULL)
			par->check_interrupts(par->arg);
		if (row >= 0)
			s->counts[(size_t) row * width + ((key >> shift) & mask)]++;
	}
}

/*
 * Each wanted rank's digit of level, from its row's counts; the ranks
 * become ranks within their new prefix, and the distinct new prefixes the
 * rows of the next level (recorded in its lookup table).
 */
static void
place_ranks(Selection *s, int level)
{
	size_t		width = (size_t) 1 << digit_bits[level];
	int			rows = 0,
				j = 0;

	while (j < s->count)
	{
		int			row = s->row[j];
		const size_t *counts = s->counts + (size_t) row * width;
		size_t		below = 0;
		unsigned	digit = 0;
		int			last_digit = -1;

		for (; j < s->count && s->row[j] == row; j++)
		{
			while (below + counts[digit] <= s->rank[j])
				below += counts[digit++];
			s->rank[j] -= below;
			s->prefix[j] = (s->prefix[j] << digit_bits[level]) | digit;
			if ((int) digit != last_digit)
			{
				/* a new prefix: a row of the next level */
				if (level == 0)
					s->top_row[digit] = rows;
				else if (level == 1)
					s->next_row[(size_t) row * 256 + digit] = rows;
				rows++;
				last_digit = (int) digit;
			}
			s->row[j] = rows - 1;
		}
	}
	s->rows = rows;
}

uint64_t
km_quantile_rank(int j, uint64_t n, int m)
{
	uint64_t	q = (uint64_t) (m - 1),
				r = (uint64_t) j * (n / q) + ((uint64_t) j * (n % q) + q - 1) / q;

	return r < 1 ? 1 : r;
}

/* level 0's 2^16 counts, or a later level's rows x 256 */
#define COUNTS_BYTES (sizeof(size_t) * (size_t) SLICE_RANKS * 256)
#define TOP_ROW_BYTES (sizeof(int32_t) * ((size_t) 1 << 16))
#define NEXT_ROW_BYTES (sizeof(int32_t) * (size_t) SLICE_RANKS * 256)

/* The ranks[0 .. count) (0-based, ascending) of v[0 .. n), into out. */
static void
radix_select(Selection *s, const float *v, size_t n, const size_t *ranks, int count,
			 double *out, const KmParallel *par)
{
	int			level,
				j;

	s->count = count;
	for (j = 0; j < count; j++)
	{
		s->rank[j] = ranks[j];
		s->prefix[j] = 0;
		s->row[j] = 0;
	}
	s->rows = 1;
	/* -1 everywhere: no prefix has a row yet */
	memset(s->top_row, 0xff, TOP_ROW_BYTES);
	memset(s->next_row, 0xff, NEXT_ROW_BYTES);
	for (level = 0; level < LEVELS; level++)
	{
		count_level(s, v, n, level, par);
		place_ranks(s, level);
	}
	for (j = 0; j < count; j++)
		out[j] = key_value(s->prefix[j]);
}

size_t
km_rank_quantiles_bytes(size_t n)
{
	if (n < RADIX_MIN_VALUES)
		return 0;
	return sizeof(Selection) + COUNTS_BYTES + TOP_ROW_BYTES + NEXT_ROW_BYTES;
}

KmStatus
km_rank_quantiles(float *v, size_t n, int m, double *out, const KmAlloc *mem,
				  const KmParallel *par)
{
	Selection  *s = NULL;
	size_t		ranks[SLICE_RANKS];
	int			index[SLICE_RANKS],
				first,
				count,
				j;

	if (n >= RADIX_MIN_VALUES)
	{
		/* one block: the Selection, its counts, then its two tables */
		char	   *block = mem->alloc(mem->ctx, km_rank_quantiles_bytes(n));

		if (block == NULL)
			return KM_NO_MEMORY;
		s = (Selection *) block;
		s->counts = (size_t *) (block + sizeof(Selection));
		s->top_row = (int32_t *) (block + sizeof(Selection) + COUNTS_BYTES);
		s->next_row = (int32_t *) (block + sizeof(Selection) + COUNTS_BYTES + TOP_ROW_BYTES);
	}
	for (first = 0; first < m; first += count)
	{
		count = m - first < SLICE_RANKS ? m - first : SLICE_RANKS;
		for (j = 0; j < count; j++)
		{
			ranks[j] = (size_t) km_quantile_rank(first + j, n, m) - 1;
			index[j] = j;
		}
		if (s != NULL)
			radix_select(s, v, n, ranks, count, out + first, par);
		else
			select_ranks(v, 0, n, ranks, index, 0, count, out + first, par);
	}
	if (s != NULL)
		mem->release(mem->ctx, s);
	return KM_OK;
}

/*
 * fuzz_clv_state.c
 *	  libFuzzer target for the states of the CLV aggregates: the purchase
 *	  days of clv_summary() (clv_days.h) and the distinct customers of the
 *	  fits (clv_points.h). The first byte picks one of four cases:
 *
 *	  0: transaction lines (timestamp, amount, or a return or a NULL row)
 *	     fed to two partial states and to one whole state, growing as the
 *	     glue layer (clv_summary.c) grows them, then merged both ways.
 *	     Oracle: every state passes clv_days_check, the summary equals a
 *	     naive recomputation from the lines, merging is order-independent
 *	     and gives the whole state's days.
 *	  1: arbitrary bytes taken as a ClvDays buffer (header fields from the
 *	     input, optionally fixed up so the check is reached in depth;
 *	     capacity bounded; the buffer's length exact or not). Oracle:
 *	     clv_days_check never reads past the buffer (ASan), and on an
 *	     accepted state the summary is finite and consistent, and adding a
 *	     line or merging keeps it sound.
 *	  2: customer summaries fed to two fit states and a whole one, grown
 *	     and combined as the glue layer (clv_fit_agg.c) does. Oracle: the
 *	     check passes, the row counts add up, duplicates are merged (the
 *	     distinct count equals a naive one) and the canonical order is
 *	     strict and independent of arrival and combination order.
 *	  3: arbitrary bytes taken as a ClvPoints buffer. Oracle: the check
 *	     never reads out of bounds; on an accepted state the sorted points
 *	     are finite, in canonical order and add up to its rows, and adding
 *	     a point (growing as the glue does) keeps it sound.
 *
 * Where the glue layer raises an ERROR (a day's spend overflowing a
 * double, row counts past int64 when a line is added or states are
 * combined, a merged day whose compensated total overflows), the driver
 * stops as the query would: those states never reach the core's next
 * step. This target found those three gaps, and m_x coming out Infinity
 * or NaN when the repeat days' spend summed past DBL_MAX; all are fixed,
 * and the oracles below hold them.
 */
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clv_days.h"
#include "core/clv_points.h"

/* PostgreSQL's timestamptz range (4714-11-24 BC .. 294277-01-01 AD) */
#define TS_MIN INT64_C(-211813488000000000)
#define TS_END INT64_C(9223371331200000000)

/* the days whose first microsecond is an int64 */
#define DAY_LIMIT (INT64_MAX / CLV_USECS_PER_DAY)

/* the largest time unit clv_interval_usecs() lets through */
#define UNIT_MAX (INT64_MAX / 2)

#define MAX_CAPACITY 64u

static void
fail(const char *what)
{
	fprintf(stderr, "oracle failed: %s\n", what);
	abort();
}

/* ------------------------------------------------------------------------
 * Reading the input: past its end every read gives zeros, so any input,
 * even an empty one, is a complete case.
 * ------------------------------------------------------------------------ */
typedef struct Input
{
	const uint8_t *p;
	size_t		left;
} Input;

static uint8_t
get_u8(Input *in)
{
	if (in->left == 0)
		return 0;
	in->left--;
	return *in->p++;
}

static void
get_bytes(Input *in, void *out, size_t n)
{
	size_t		k = n < in->left ? n : in->left;

	if (k > 0)
		memcpy(out, in->p, k);
	memset((char *) out + k, 0, n - k);
	in->p += k;
	in->left -= k;
}

static int16_t
get_i16(Input *in)
{
	uint16_t	lo = get_u8(in);	/* two statements: the reads in a fixed order */
	uint16_t	hi = get_u8(in);

	return (int16_t) (uint16_t) (lo | hi << 8);
}

static uint64_t
get_u64(Input *in)
{
	uint64_t	v;

	get_bytes(in, &v, sizeof(v));
	return v;
}

/* A timestamp in PostgreSQL's range, from 8 bytes (no int64 overflow). */
static int64_t
get_ts(Input *in)
{
	uint64_t	below = (uint64_t) -TS_MIN,
				r = get_u64(in) % (below + (uint64_t) TS_END);

	return r < below ? -(int64_t) (below - r) : (int64_t) (r - below);
}

static double
get_double(Input *in)
{
	double		d;

	get_bytes(in, &d, sizeof(d));
	return d;
}

/*
 * An amount of spend: the usual ones, the extremes (so that a day's or a
 * customer's total can overflow), and arbitrary bits.
 */
static double
pick_amount(Input *in, int sel)
{
	static const double table[] = {0.0, 0.01, 1.0, 19.99, 1e6, 1e15, 1e300, DBL_MAX};

	if (sel < 8)
		return table[sel];
	return get_double(in);
}

/* A time unit as clv_interval_usecs() gives them: 1 .. INT64_MAX / 2. */
static int64_t
pick_unit(Input *in)
{
	static const int64_t table[] = {1, CLV_USECS_PER_DAY, 7 * CLV_USECS_PER_DAY,
	30 * CLV_USECS_PER_DAY, UNIT_MAX};
	uint8_t		sel = get_u8(in);

	if (sel < 5)
		return table[sel];
	return 1 + (int64_t) (get_u64(in) % (uint64_t) UNIT_MAX);
}

/* relative closeness, for sums taken in different orders */
static bool
close_to(long double got, long double want, long double tol)
{
	long double scale = fabsl(want) > 1 ? fabsl(want) : 1;

	return fabsl(got - want) <= tol * scale;
}

/* ------------------------------------------------------------------------
 * ClvDays: the glue layer's moves
 * ------------------------------------------------------------------------ */

static ClvDays *
days_new(uint32_t capacity)
{
	ClvDays    *s = malloc(clv_days_bytes(capacity));

	s->vl_len_ = 0;
	clv_days_init(s, capacity);
	return s;
}

static const char *
days_check(const ClvDays *s)
{
	return clv_days_check(s, clv_days_bytes(s->capacity));
}

/* clv_summary.c's grow(): a copy with room for extra more days */
static ClvDays *
days_copy(const ClvDays *s, uint32_t extra)
{
	uint32_t	capacity = clv_days_grow_capacity(s, extra);
	ClvDays    *b;

	if (capacity == 0 || capacity < s->n + extra)
		fail("clv_days_grow_capacity gives no room for a few days");
	b = malloc(clv_days_bytes(capacity));
	b->vl_len_ = 0;
	clv_days_copy(b, capacity, s);
	if (b->capacity != capacity || b->n != s->n ||
		memcmp(clv_days_list(b), clv_days_list(s), sizeof(ClvDay) * s->n) != 0)
		fail("clv_days_copy does not copy the days");
	return b;
}

/* the same, in place of s */
static ClvDays *
days_grow(ClvDays *s, uint32_t extra)
{
	ClvDays    *b = days_copy(s, extra);

	free(s);
	return b;
}

/*
 * clv_summary_trans() for one line: false where it raises an ERROR (a
 * day's spend out of range, a row count past int64).
 */
static bool
days_trans(ClvDays **sp, int64_t ts, double amount, int64_t as_of, int64_t unit)
{
	ClvDays    *s = *sp;
	int32_t		day = clv_day_of(ts);
	double		total = 0;

	if (s == NULL)
		s = *sp = days_new(4);
	s->as_of = as_of;
	s->unit_usecs = unit;
	if (amount < 0)
		return true;			/* a return: not a purchase */
	if (s->rows == INT64_MAX)
		return false;			/* the glue refuses: 22003 */
	if (!clv_days_add(s, day, amount, 0, &total))
	{
		s = *sp = days_grow(s, 1);
		if (!clv_days_add(s, day, amount, 0, &total))
			fail("no room for a day after growing");
	}
	if (!isfinite(total))
		return false;
	if (s->rows == 0 || ts < s->first_ts)
		s->first_ts = ts;
	s->rows++;
	if (days_check(s) != NULL)
		fail(days_check(s));
	return true;
}

/*
 * clv_summary_combine(): NULL where it raises an ERROR. Callers pass
 * states of one reference (as_of and unit), as the glue requires.
 */
static ClvDays *
days_combine(const ClvDays *a, const ClvDays *b)
{
	uint64_t	capacity = (uint64_t) a->n + b->n;
	ClvDays    *m;
	uint32_t	i;

	if (capacity > CLV_DAYS_MAX)
		return NULL;
	if (capacity == 0)
		capacity = 1;
	m = days_new((uint32_t) capacity);
	clv_days_merge(m, (uint32_t) capacity, a, b);
	for (i = 0; i < m->n; i++)
		if (!isfinite(clv_days_list(m)[i].sum))
		{
			free(m);
			return NULL;
		}
	return m;
}

/*
 * The same days, rows and reference; spend equal up to rounding. as_of
 * means nothing while the unit is 0 (no row yet), nor first_ts without
 * purchases.
 */
static void
days_same(const ClvDays *a, const ClvDays *b, long double tol, const char *what)
{
	uint32_t	i;

	if (a->n != b->n || a->rows != b->rows || a->unit_usecs != b->unit_usecs ||
		(a->unit_usecs != 0 && a->as_of != b->as_of) || (a->n > 0 && a->first_ts != b->first_ts))
		fail(what);
	for (i = 0; i < a->n; i++)
	{
		const ClvDay *da = &clv_days_list(a)[i],
				   *db = &clv_days_list(b)[i];

		if (da->day != db->day ||
			!close_to((long double) da->sum + da->comp, (long double) db->sum + db->comp, tol))
			fail(what);
	}
}

/* The summary of an accepted state: finite and consistent. */
static void
summary_sane(const ClvDays *s, ClvSummary *out)
{
	clv_days_summary(s, out);
	if (out->x != (int64_t) s->n - 1)
		fail("summary: x is not the repeat days");
	if (!isfinite(out->t_x) || !isfinite(out->t_cal) || !(out->t_x >= 0) || !(out->t_cal >= out->t_x))
		fail("summary: t_x or t_cal out of range");
	if (out->x == 0 ? !isnan(out->m_x) : (!isfinite(out->m_x) || !(out->m_x >= 0)))
		fail("summary: m_x out of range");
	if (out->first_ts != s->first_ts)
		fail("summary: first_ts");
}

/*
 * A merged day whose compensated total overflows: clv_summary_combine()
 * raises 22003 there, so such a merge never reaches the check.
 */
static bool
compensation_overflowed(const ClvDays *m)
{
	uint32_t	i;

	for (i = 0; i < m->n; i++)
		if (!isfinite(clv_days_list(m)[i].comp) ||
			!isfinite(clv_days_list(m)[i].sum + clv_days_list(m)[i].comp))
			return true;
	return false;
}

/* ------------------------------------------------------------------------
 * case 0: lines into partial states, merged
 * ------------------------------------------------------------------------ */
typedef struct Line
{
	int64_t		ts;
	double		amount;
} Line;

static int
compare_i32(const void *pa, const void *pb)
{
	int32_t		a = *(const int32_t *) pa,
				b = *(const int32_t *) pb;

	return a < b ? -1 : a > b;
}

/* The summary from the lines alone. */
static void
naive_summary(const Line *lines, int n, int64_t as_of, int64_t unit,
			  int64_t *x, long double *t_x, long double *t_cal, long double *spend,
			  int64_t *first_ts)
{
	int32_t    *days = malloc(sizeof(int32_t) * n);
	int			i,
				distinct = 0;
	long double repeat_spend = 0;

	*first_ts = INT64_MAX;
	for (i = 0; i < n; i++)
	{
		days[i] = clv_day_of(lines[i].ts);
		if (lines[i].ts < *first_ts)
			*first_ts = lines[i].ts;
	}
	qsort(days, n, sizeof(int32_t), compare_i32);
	for (i = 0; i < n; i++)
		if (i == 0 || days[i] != days[i - 1])
			distinct++;
	/* summed directly, not as a difference: the first day may dwarf the rest */
	for (i = 0; i < n; i++)
		if (clv_day_of(lines[i].ts) != days[0])
			repeat_spend += lines[i].amount;
	*x = distinct - 1;
	*t_x = (long double) (days[n - 1] - (int64_t) days[0]) * CLV_USECS_PER_DAY / unit;
	*t_cal = (long double) (clv_day_of(as_of) - (int64_t) days[0]) * CLV_USECS_PER_DAY / unit;
	*spend = repeat_spend;
	free(days);
}

static void
lines_case(Input *in)
{
	int64_t		unit = pick_unit(in),
				as_of;
	uint8_t		as_of_sel = get_u8(in);
	ClvDays    *part[2] = {NULL, NULL},
			   *whole = NULL,
			   *ab,
			   *ba;
	Line	   *lines = malloc(sizeof(Line) * (in->left + 1));
	int			n_lines = 0;
	bool		ok = true;

	/* one reference time per group, as the glue requires */
	as_of = as_of_sel == 0 ? TS_END - 1 : (int64_t) as_of_sel * 64 * CLV_USECS_PER_DAY + get_i16(in);

	/*
	 * each line: a control byte (bit 0: which partial state; bit 1: an
	 * arbitrary timestamp, else a quarter day near 2000 so that days repeat;
	 * bits 2-5: the amount; bit 6: a return; bit 7: a NULL row)
	 */
	while (in->left > 0 && ok)
	{
		uint8_t		ctl = get_u8(in);
		int			which = ctl & 1;
		int64_t		ts;
		double		amount;

		if (ctl & 2)
			ts = get_ts(in);
		else
			ts = (int64_t) get_i16(in) * (CLV_USECS_PER_DAY / 4) + get_u8(in);
		amount = pick_amount(in, (ctl >> 2) & 15);
		if (ctl & 64)
			amount = -1 - fabs(amount);
		if (ctl & 128)
		{
			/* a NULL ts or amount: a state, but nothing in it yet */
			if (part[which] == NULL)
				part[which] = days_new(4);
			if (whole == NULL)
				whole = days_new(4);
			continue;
		}
		if (!isfinite(amount) || ts > as_of)
			continue;			/* the glue refuses the line with an ERROR */
		ok = days_trans(&part[which], ts, amount, as_of, unit) &&
			days_trans(&whole, ts, amount, as_of, unit);
		if (amount >= 0)
		{
			lines[n_lines].ts = ts;
			lines[n_lines++].amount = amount;
		}
	}
	if (!ok || whole == NULL)
		goto done;				/* the query failed, or had no rows */

	if (part[0] != NULL && part[1] != NULL)
	{
		ab = days_combine(part[0], part[1]);
		ba = days_combine(part[1], part[0]);
	}
	else
	{
		/* one partial state had no rows: combine (strict) is not called */
		ClvDays    *only = part[0] != NULL ? part[0] : part[1];

		ab = days_copy(only, 0);
		ba = days_copy(only, 0);
	}
	if ((ab == NULL) != (ba == NULL))
		fail("combining fails in one order only");
	if (ab != NULL)
	{
		if (days_check(ab) != NULL || days_check(ba) != NULL)
			fail("a merged state fails its check");
		days_same(ab, ba, 4 * LDBL_EPSILON + 4 * DBL_EPSILON, "merging depends on the order");
		days_same(ab, whole, 1e-12, "merged partial states differ from the whole");
		if (ab->n > 0)
		{
			ClvSummary	s;
			int64_t		x,
						first_ts;
			long double t_x,
						t_cal,
						spend;

			summary_sane(ab, &s);
			naive_summary(lines, n_lines, as_of, unit, &x, &t_x, &t_cal, &spend, &first_ts);
			if (s.x != x || s.first_ts != first_ts)
				fail("summary: x or first_ts differs from a naive count");
			if (!close_to(s.t_x, t_x, 1e-13) || !close_to(s.t_cal, t_cal, 1e-13))
				fail("summary: t_x or t_cal differs from a naive computation");
			if (x > 0 && isfinite(s.m_x) && !close_to(s.m_x, spend / x, 1e-12))
				fail("summary: m_x differs from a naive mean");
		}
		else if (n_lines > 0)
			fail("purchases lost in merging");
		free(ab);
		free(ba);
	}
done:
	free(part[0]);
	free(part[1]);
	free(whole);
	free(lines);
}

/* ------------------------------------------------------------------------
 * case 1: a ClvDays buffer from the input
 * ------------------------------------------------------------------------ */
static void
days_buffer_case(Input *in)
{
	uint8_t		fix = get_u8(in),
				fix2 = get_u8(in),
				len_sel = get_u8(in);
	uint32_t	capacity = get_u8(in) % (MAX_CAPACITY + 1),
				i;
	size_t		exact = clv_days_bytes(capacity),
				bytes;
	ClvDays    *img = calloc(1, exact),
			   *s;
	ClvDay	   *d = (ClvDay *) (img + 1);

	get_bytes(in, img, sizeof(ClvDays));
	if (fix & 1)
		img->version = CLV_DAYS_VERSION;
	if (fix & 2)
		img->capacity = capacity;
	if (fix & 4)
		img->n = capacity == 0 ? 0 : img->n % (capacity + 1);
	for (i = 0; i < capacity; i++)
	{
		if (fix & 8)
		{
			/* increasing days near 2000, spend from the table */
			int32_t		prev = i == 0 ? get_i16(in) : d[i - 1].day;
			uint8_t		b = get_u8(in);

			d[i].day = i == 0 ? prev : prev + 1 + (b & 3);
			d[i].sum = pick_amount(in, (b >> 2) & 15);
			d[i].comp = (b & 64) ? get_double(in) : 0;
			d[i].reserved = 0;
		}
		else
			get_bytes(in, &d[i], sizeof(ClvDay));
	}
	if (img->n > 0 && img->n <= capacity)
	{
		int32_t		first = d[0].day,
					last = d[img->n - 1].day;

		if ((fix & 16) && first > -DAY_LIMIT && first < DAY_LIMIT)
			img->first_ts = (int64_t) first * CLV_USECS_PER_DAY + get_u8(in);
		if ((fix & 32) && last > -DAY_LIMIT && last < DAY_LIMIT - 12)
			img->as_of = (int64_t) last * CLV_USECS_PER_DAY + (int64_t) get_u8(in) * 3600000000;
		if (fix & 64)
			img->rows = img->n + get_u8(in);
		if (fix & 128)
			img->unit_usecs = pick_unit(in);
	}
	else if (fix2 & 1)
		img->rows = 0;
	if (fix2 & 2)
		img->rows = INT64_MAX - (fix2 >> 4);	/* near the edge of int64 */

	/* the buffer handed to the check: the image's length, or not */
	switch (len_sel & 3)
	{
		case 0:
		case 1:
			bytes = exact;
			break;
		case 2:
			bytes = len_sel >> 2 < exact ? len_sel >> 2 : exact;	/* short, even
																	 * shorter than the
																	 * header */
			break;
		default:
			bytes = exact + 1 + (len_sel >> 2);
			break;
	}
	s = malloc(bytes ? bytes : 1);
	memset(s, 0, bytes);
	memcpy(s, img, bytes < exact ? bytes : exact);
	free(img);

	if (clv_days_check(s, bytes) == NULL)
	{
		ClvSummary	sum;
		ClvDays    *m,
				   *empty;

		if (s->n > 0)
			summary_sane(s, &sum);

		/* merged with itself and with an empty state, as combine would */
		empty = days_new(0);
		/* past int64 rows the glue raises 22003 */
		if (s->rows <= INT64_MAX / 2)
		{
			m = days_combine(s, s);
			if (m != NULL)
			{
				if (days_check(m) != NULL && !compensation_overflowed(m))
					fail("a sound state merged with itself fails its check");
				if (m->n > 0)
					summary_sane(m, &sum);
				free(m);
			}
		}
		m = days_combine(s, empty);
		if (m == NULL || days_check(m) != NULL)
			fail("merging an empty state fails");
		days_same(m, s, 0, "merging an empty state changes the state");
		free(m);
		m = days_combine(empty, s);
		if (m == NULL || days_check(m) != NULL)
			fail("merging into an empty state fails");
		days_same(m, s, 0, "merging into an empty state changes the state");
		free(m);
		free(empty);

		/* a line added outside an aggregate: a grown copy first */
		if (s->n > 0 && s->unit_usecs > 0)
		{
			ClvDays    *g = days_grow(s, 0);
			double		amount = pick_amount(in, get_u8(in) & 7);
			uint8_t		when = get_u8(in);

			/*
			 * at first_ts or as_of, or just before as_of: each <= as_of, and
			 * no arithmetic that could overflow on a forged first_ts
			 */
			int64_t		ts = when & 1 ? g->first_ts : g->as_of;

			if ((when & 2) && g->as_of > INT64_MIN + 64)
				ts = g->as_of - (when >> 2);	/* maybe before first_ts: a new first day */
			(void) days_trans(&g, ts, amount, g->as_of, g->unit_usecs);
			s = g;
		}
	}
	free(s);
}

/* ------------------------------------------------------------------------
 * ClvPoints: the glue layer's moves
 * ------------------------------------------------------------------------ */

static ClvPoints *
points_new(ClvPointsKind kind, uint32_t capacity)
{
	ClvPoints  *s = malloc(clv_points_bytes(capacity));

	s->vl_len_ = 0;
	clv_points_init(s, kind, capacity);
	return s;
}

static const char *
points_check(const ClvPoints *s)
{
	return clv_points_check(s, clv_points_bytes(s->capacity));
}

/* clv_fit_agg.c's make_room() */
static ClvPoints *
points_room(ClvPoints *s, uint32_t extra)
{
	uint32_t	capacity;
	ClvPoints  *b;

	if ((uint64_t) s->n + extra <= s->capacity / 2)
		return s;
	capacity = clv_points_grow_capacity(s, extra);
	if (capacity == 0)
		fail("clv_points_grow_capacity gives no room for a few points");
	b = points_new((ClvPointsKind) s->kind, capacity);
	clv_points_copy(b, s);
	if (b->n > s->n || b->rows != s->rows)
		fail("clv_points_copy loses or invents rows");
	free(s);
	return b;
}

/* clv_fit_agg.c's add_point() */
static ClvPoints *
points_add(ClvPoints *s, int32_t x, double u, double v, int64_t count)
{
	s = points_room(s, 1);
	if (!clv_points_add(s, x, u, v, count))
		fail("no room for a point after growing");
	return s;
}

/* clv_fit_combine() */
static ClvPoints *
points_combine(const ClvPoints *a, const ClvPoints *b)
{
	ClvPoints  *out = points_new((ClvPointsKind) a->kind, a->capacity);
	const ClvPoint *slots = clv_points_slots(b);
	uint32_t	i;

	memcpy(out, a, clv_points_bytes(a->capacity));
	out = points_room(out, b->n);
	for (i = 0; i < b->capacity; i++)
		if (slots[i].count != 0 && !clv_points_add(out, slots[i].x, slots[i].u, slots[i].v, slots[i].count))
			fail("combine: no room after make_room");
	return out;
}

static int
canonical_cmp(const ClvPoint *a, const ClvPoint *b)
{
	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->u != b->u)
		return a->u < b->u ? -1 : 1;
	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return 0;
}

/*
 * The sorted points of an accepted state: s->n of them, finite, counted,
 * in canonical order (strict if strict: a state built by adding has no
 * duplicates). The caller frees them.
 */
static ClvPoint *
points_sorted_sane(const ClvPoints *s, bool strict)
{
	ClvPoint   *p = malloc(sizeof(ClvPoint) * (s->n ? s->n : 1));
	int64_t		rows = 0;
	uint32_t	i;

	clv_points_sorted(s, p);
	for (i = 0; i < s->n; i++)
	{
		if (!isfinite(p[i].u) || !isfinite(p[i].v) || p[i].count <= 0 || p[i].x < 0)
			fail("sorted: a point out of range");
		if (rows > INT64_MAX - p[i].count)
			fail("sorted: the counts overflow");
		rows += p[i].count;
		if (i > 0 && canonical_cmp(&p[i - 1], &p[i]) > (strict ? -1 : 0))
			fail("sorted: not in canonical order");
	}
	if (rows != s->rows)
		fail("sorted: the counts do not add up to the rows");
	return p;
}

/* Two states hold the same points with the same counts. */
static void
points_same(const ClvPoints *a, const ClvPoints *b, const char *what)
{
	ClvPoint   *pa = points_sorted_sane(a, true),
			   *pb = points_sorted_sane(b, true);
	uint32_t	i;

	if (a->n != b->n || a->rows != b->rows || a->kind != b->kind)
		fail(what);
	for (i = 0; i < a->n; i++)
		if (pa[i].x != pb[i].x || pa[i].count != pb[i].count ||
			memcmp(&pa[i].u, &pb[i].u, sizeof(double)) != 0 ||
			memcmp(&pa[i].v, &pb[i].v, sizeof(double)) != 0)
			fail(what);
	free(pa);
	free(pb);
}

/*
 * A customer summary as the transition functions let through: BG/NBD
 * (x, t_x, t_cal) with t_x = 0 when x = 0 and t_cal >= t_x, Gamma-Gamma
 * (x > 0, m_x > 0); values repeat often, -0 among them.
 */
static void
pick_point(Input *in, ClvPointsKind kind, int32_t *x, double *u, double *v)
{
	static const double table[] = {0.0, -0.0, 0.5, 1.0, 1.0 / 3, 38.857142857142854, 1e-300, 1e300};
	uint8_t		b = get_u8(in);

	*x = b & 7;
	if (b & 8)
		*x = (int32_t) (get_u64(in) & INT32_MAX);
	*u = table[(b >> 4) & 7];
	if (b & 128)
		*u = fabs(get_double(in));
	if (!isfinite(*u))
		*u = 2.5;
	if (kind == CLV_POINTS_BGNBD)
	{
		uint8_t		c = get_u8(in);

		if (*x == 0)
			*u = 0;
		*v = *u + table[c & 7];
		if (!isfinite(*v))
			*v = *u;
	}
	else
	{
		if (*x == 0)
			*x = 1;
		if (!(*u > 0))
			*u = 0.25;
		*v = 0;
	}
}

typedef struct NaivePoint
{
	int32_t		x;
	double		u;
	double		v;
	int64_t		count;
} NaivePoint;

/* ------------------------------------------------------------------------
 * case 2: customer summaries into fit states, combined
 * ------------------------------------------------------------------------ */
static void
points_case(Input *in)
{
	ClvPointsKind kind = (get_u8(in) & 1) ? CLV_POINTS_GAMMA_GAMMA : CLV_POINTS_BGNBD;
	ClvPoints  *part[2],
			   *whole = points_new(kind, 0),
			   *ab,
			   *ba;
	NaivePoint *naive = malloc(sizeof(NaivePoint) * (in->left + 1));
	int			n_naive = 0,
				i;
	int64_t		rows = 0;

	part[0] = points_new(kind, 0);
	part[1] = points_new(kind, 0);

	/*
	 * each customer: a control byte (bit 0: which partial state; bits 1-2:
	 * a count > 1, as combine adds them), then the point
	 */
	while (in->left > 0)
	{
		uint8_t		ctl = get_u8(in);
		int32_t		x;
		double		u,
					v;
		int64_t		count = 1 + ((ctl >> 1) & 3) * (ctl & 8 ? INT64_C(1) << 40 : 1);

		pick_point(in, kind, &x, &u, &v);
		if (rows > INT64_MAX / 4 - count)
			break;				/* far from any real state: keep the sums exact */
		rows += count;
		part[ctl & 1] = points_add(part[ctl & 1], x, u, v, count);
		whole = points_add(whole, x, u, v, count);
		for (i = 0; i < n_naive; i++)
			if (naive[i].x == x && naive[i].u == u && naive[i].v == v)
				break;
		if (i == n_naive)
		{
			naive[n_naive].x = x;
			naive[n_naive].u = u;
			naive[n_naive].v = v;
			naive[n_naive++].count = 0;
		}
		naive[i].count += count;
		if (points_check(part[ctl & 1]) != NULL || points_check(whole) != NULL)
			fail("a state fails its check after an add");
	}
	if ((int) whole->n != n_naive || whole->rows != rows)
		fail("distinct points or rows differ from a naive count");
	{
		ClvPoint   *p = points_sorted_sane(whole, true);
		uint32_t	k;

		for (k = 0; k < whole->n; k++)
		{
			for (i = 0; i < n_naive; i++)
				if (naive[i].x == p[k].x && naive[i].u == p[k].u && naive[i].v == p[k].v)
					break;
			if (i == n_naive || naive[i].count != p[k].count)
				fail("a point's count differs from a naive count");
			if (signbit(p[k].u) || signbit(p[k].v))
				fail("a -0 kept in a point (0 and -0 are one value)");
		}
		free(p);
	}
	ab = points_combine(part[0], part[1]);
	ba = points_combine(part[1], part[0]);
	if (points_check(ab) != NULL || points_check(ba) != NULL)
		fail("a combined state fails its check");
	points_same(ab, whole, "combined partial states differ from the whole");
	points_same(ba, whole, "combining depends on the order");
	free(ab);
	free(ba);
	free(part[0]);
	free(part[1]);
	free(whole);
	free(naive);
}

/* ------------------------------------------------------------------------
 * case 3: a ClvPoints buffer from the input
 * ------------------------------------------------------------------------ */
static void
points_buffer_case(Input *in)
{
	uint8_t		fix = get_u8(in),
				len_sel = get_u8(in),
				cap_sel = get_u8(in);
	uint32_t	capacity = (cap_sel & 128) ? cap_sel % (MAX_CAPACITY + 1) :
		(cap_sel & 7) == 7 ? 0 : 1u << (cap_sel & 7),
				i;
	size_t		exact = clv_points_bytes(capacity),
				bytes;
	ClvPoints  *img = calloc(1, exact),
			   *s;
	ClvPoint   *slots = (ClvPoint *) (img + 1);
	ClvPointsKind kind;

	get_bytes(in, img, sizeof(ClvPoints));
	if (fix & 1)
		img->version = CLV_POINTS_VERSION;
	if (fix & 2)
		img->kind = (fix & 4) ? CLV_POINTS_GAMMA_GAMMA : CLV_POINTS_BGNBD;
	if (fix & 8)
		img->capacity = capacity;
	kind = img->kind == CLV_POINTS_GAMMA_GAMMA ? CLV_POINTS_GAMMA_GAMMA : CLV_POINTS_BGNBD;
	for (i = 0; i < capacity; i++)
	{
		if (fix & 16)
		{
			/* at most every other slot used, valid points */
			uint8_t		b = get_u8(in);

			memset(&slots[i], 0, sizeof(ClvPoint));
			if ((b & 1) && (i & 1))
			{
				pick_point(in, kind, &slots[i].x, &slots[i].u, &slots[i].v);
				slots[i].count = 1 + (b >> 1);
				if (b & 128)
				{
					/* any sign (0: an empty slot), small or of any size */
					uint8_t		c = get_u8(in);

					slots[i].count = (c & 1) ? (int64_t) get_u64(in) : (int8_t) c / 2;
				}
			}
		}
		else
			get_bytes(in, &slots[i], sizeof(ClvPoint));
	}
	if (fix & 32)
	{
		/* the header's counts from the slots, so the walk is reached */
		uint32_t	n = 0;
		uint64_t	rows = 0;

		for (i = 0; i < capacity; i++)
			if (slots[i].count != 0)
			{
				n++;
				rows += (uint64_t) slots[i].count;
			}
		img->n = n;
		img->rows = (int64_t) rows;
	}

	switch (len_sel & 3)
	{
		case 0:
		case 1:
			bytes = exact;
			break;
		case 2:
			bytes = len_sel >> 2 < exact ? len_sel >> 2 : exact;
			break;
		default:
			bytes = exact + 1 + (len_sel >> 2);
			break;
	}
	s = malloc(bytes ? bytes : 1);
	memset(s, 0, bytes);
	memcpy(s, img, bytes < exact ? bytes : exact);
	free(img);

	if (clv_points_check(s, bytes) == NULL)
	{
		/*
		 * Sorted: non-strict, as the check does not look for repeated points
		 * (the input functions never trust a table: they rebuild it point by
		 * point and refuse a repeat).
		 */
		ClvPoint   *p = points_sorted_sane(s, false);
		int32_t		x;
		double		u,
					v;

		free(p);
		/* a customer more, as the transition function adds one */
		pick_point(in, (ClvPointsKind) s->kind, &x, &u, &v);
		if (s->rows < INT64_MAX)
		{
			s = points_add(s, x, u, v, 1);
			if (points_check(s) != NULL)
				fail("adding a point to a sound state breaks it");
			free(points_sorted_sane(s, false));
		}
	}
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	Input		in = {data, size};

	switch (get_u8(&in) & 3)
	{
		case 0:
			lines_case(&in);
			break;
		case 1:
			days_buffer_case(&in);
			break;
		case 2:
			points_case(&in);
			break;
		default:
			points_buffer_case(&in);
			break;
	}
	return 0;
}

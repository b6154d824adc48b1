/*
 * clv_points.c
 *	  The distinct customers of a CLV fit: see clv_points.h.
 */
#include "clv_points.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "mix64.h"

#define MIN_CAPACITY 16u

static ClvPoint *
slots_of(const ClvPoints *s)
{
	return (ClvPoint *) ((char *) s + sizeof(ClvPoints));
}

const ClvPoint *
clv_points_slots(const ClvPoints *s)
{
	return slots_of(s);
}

size_t
clv_points_bytes(uint32_t capacity)
{
	return sizeof(ClvPoints) + (size_t) capacity * sizeof(ClvPoint);
}

void
clv_points_init(ClvPoints *s, ClvPointsKind kind, uint32_t capacity)
{
	int32_t		len_word = s->vl_len_;

	memset(s, 0, clv_points_bytes(capacity));
	s->vl_len_ = len_word;
	s->version = CLV_POINTS_VERSION;
	s->kind = (uint8_t) kind;
	s->capacity = capacity;
}

static uint64_t
bits_of(double d)
{
	uint64_t	b;

	d += 0.0;					/* -0 and 0 are one value */
	memcpy(&b, &d, sizeof(b));
	return b;
}

static uint32_t
hash_point(int32_t x, double u, double v)
{
	uint64_t	h = mix64((uint64_t) (uint32_t) x ^ UINT64_C(0x9e3779b97f4a7c15));

	h = mix64(h ^ bits_of(u));
	h = mix64(h ^ bits_of(v));
	return (uint32_t) (h ^ (h >> 32));
}

static bool
same_point(const ClvPoint *p, int32_t x, double u, double v)
{
	return p->x == x && bits_of(p->u) == bits_of(u) && bits_of(p->v) == bits_of(v);
}

bool
clv_points_add(ClvPoints *s, int32_t x, double u, double v, int64_t count)
{
	ClvPoint   *slots = slots_of(s);
	uint32_t	mask,
				i;

	if (s->capacity == 0)
		return false;
	mask = s->capacity - 1;
	for (i = hash_point(x, u, v) & mask;; i = (i + 1) & mask)
	{
		if (slots[i].count == 0)
			break;
		if (same_point(&slots[i], x, u, v))
		{
			slots[i].count += count;
			s->rows += count;
			return true;
		}
	}
	/* keep the load factor at most 1/2 */
	if ((size_t) (s->n + 1) * 2 > s->capacity)
		return false;
	slots[i].x = x;
	slots[i].u = u + 0.0;
	slots[i].v = v + 0.0;
	slots[i].reserved = 0;
	slots[i].count = count;
	s->n++;
	s->rows += count;
	return true;
}

uint32_t
clv_points_grow_capacity(const ClvPoints *s, uint32_t extra)
{
	uint64_t	need = (uint64_t) s->n + extra,
				cap = s->capacity < MIN_CAPACITY ? MIN_CAPACITY : s->capacity;

	while (need * 2 > cap)
		cap *= 2;
	if (cap > UINT32_MAX || clv_points_bytes(0) + cap * sizeof(ClvPoint) > CLV_POINTS_MAX_BYTES)
		return 0;
	return (uint32_t) cap;
}

void
clv_points_copy(ClvPoints *dst, const ClvPoints *src)
{
	const ClvPoint *slots = slots_of(src);
	uint32_t	i;

	for (i = 0; i < src->capacity; i++)
		if (slots[i].count != 0)
			(void) clv_points_add(dst, slots[i].x, slots[i].u, slots[i].v, slots[i].count);
}

static int
compare_points(const void *pa, const void *pb)
{
	const ClvPoint *a = pa,
			   *b = pb;

	if (a->x != b->x)
		return a->x < b->x ? -1 : 1;
	if (a->u != b->u)
		return a->u < b->u ? -1 : 1;
	if (a->v != b->v)
		return a->v < b->v ? -1 : 1;
	return 0;
}

void
clv_points_sorted(const ClvPoints *s, ClvPoint *out)
{
	const ClvPoint *slots = slots_of(s);
	uint32_t	i,
				n = 0;

	for (i = 0; i < s->capacity; i++)
		if (slots[i].count != 0)
			out[n++] = slots[i];
	qsort(out, n, sizeof(ClvPoint), compare_points);
}

const char *
clv_points_check(const ClvPoints *s, size_t buffer_bytes)
{
	const ClvPoint *slots = slots_of(s);
	uint32_t	i,
				n = 0;
	int64_t		rows = 0;

	if (buffer_bytes < sizeof(ClvPoints))
		return "too short";
	if (s->version != CLV_POINTS_VERSION)
		return "unknown format version";
	if (s->kind != CLV_POINTS_BGNBD && s->kind != CLV_POINTS_GAMMA_GAMMA)
		return "unknown kind";
	if (s->capacity != 0 && (s->capacity & (s->capacity - 1)) != 0)
		return "table size is not a power of two";
	if (clv_points_bytes(s->capacity) != buffer_bytes)
		return "length does not match its header";
	if ((size_t) s->n * 2 > s->capacity)
		return "too many points for the table";
	for (i = 0; i < s->capacity; i++)
		if (slots[i].count != 0)
		{
			const ClvPoint *p = &slots[i];

			if (p->count < 0 || rows > INT64_MAX - p->count)
				return "row count out of range";
			if (p->x < 0 || !(p->u >= 0) || !(p->v >= 0) || p->u > DBL_MAX || p->v > DBL_MAX)
				return "a point out of range";
			if (s->kind == CLV_POINTS_BGNBD ? (p->u > p->v || (p->x == 0 && p->u != 0)) :
				(p->x == 0 || !(p->u > 0) || p->v != 0))
				return "a point out of range";
			rows += slots[i].count;
			n++;
		}
	if (n != s->n || rows != s->rows)
		return "counts do not match the points";
	return NULL;
}

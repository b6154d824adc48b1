/*
 * clv_days.c
 *	  A customer's purchase days: see clv_days.h.
 */
#include "clv_days.h"

#include <math.h>
#include <string.h>

#include "ksum.h"

#define MIN_CAPACITY 4u

static ClvDay *
days_of(const ClvDays *s)
{
	return (ClvDay *) ((char *) s + sizeof(ClvDays));
}

const ClvDay *
clv_days_list(const ClvDays *s)
{
	return days_of(s);
}

size_t
clv_days_bytes(uint32_t capacity)
{
	return sizeof(ClvDays) + (size_t) capacity * sizeof(ClvDay);
}

void
clv_days_init(ClvDays *s, uint32_t capacity)
{
	int32_t		len_word = s->vl_len_;

	memset(s, 0, sizeof(ClvDays));
	s->vl_len_ = len_word;
	s->version = CLV_DAYS_VERSION;
	s->capacity = capacity;
}

int32_t
clv_day_of(int64_t ts)
{
	int64_t		d = ts / CLV_USECS_PER_DAY;

	if (ts % CLV_USECS_PER_DAY < 0)
		d--;
	return (int32_t) d;
}

/* The index of day, or where it belongs. */
static uint32_t
find_day(const ClvDays *s, int32_t day)
{
	const ClvDay *d = days_of(s);
	uint32_t	lo = 0,
				hi = s->n;

	/* lines usually come in time order: try the end first */
	if (s->n > 0 && d[s->n - 1].day < day)
		return s->n;
	while (lo < hi)
	{
		uint32_t	mid = lo + (hi - lo) / 2;

		if (d[mid].day < day)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

bool
clv_days_add(ClvDays *s, int32_t day, double sum, double comp, double *total)
{
	ClvDay	   *d = days_of(s);
	uint32_t	i = find_day(s, day);

	if (i < s->n && d[i].day == day)
	{
		ksum_merge(&d[i].sum, &d[i].comp, sum, comp);
		if (total)
			*total = d[i].sum + d[i].comp;
		return true;
	}
	if (s->n >= s->capacity)
		return false;
	memmove(&d[i + 1], &d[i], sizeof(ClvDay) * (s->n - i));
	d[i].day = day;
	d[i].reserved = 0;
	d[i].sum = sum;
	d[i].comp = comp;
	s->n++;
	if (total)
		*total = sum + comp;
	return true;
}

uint32_t
clv_days_grow_capacity(const ClvDays *s, uint32_t extra)
{
	uint64_t	need = (uint64_t) s->n + extra,
				cap = s->capacity < MIN_CAPACITY ? MIN_CAPACITY : s->capacity;

	while (cap < need)
		cap *= 2;
	if (cap > CLV_DAYS_MAX)
		cap = need;
	return cap > CLV_DAYS_MAX ? 0 : (uint32_t) cap;
}

void
clv_days_copy(ClvDays *dst, uint32_t capacity, const ClvDays *src)
{
	int32_t		len_word = dst->vl_len_;

	memcpy(dst, src, clv_days_bytes(src->n));
	dst->vl_len_ = len_word;
	dst->capacity = capacity;
}

void
clv_days_merge(ClvDays *dst, uint32_t capacity, const ClvDays *a, const ClvDays *b)
{
	const ClvDay *da = days_of(a),
			   *db = days_of(b);
	ClvDay	   *out = days_of(dst);
	uint32_t	i = 0,
				j = 0,
				n = 0;
	const ClvDays *first = a->unit_usecs == 0 ? b : a;

	clv_days_init(dst, capacity);
	dst->rows = a->rows + b->rows;
	dst->first_ts = a->n == 0 ? b->first_ts : b->n == 0 ? a->first_ts :
		(a->first_ts < b->first_ts ? a->first_ts : b->first_ts);
	dst->as_of = first->as_of;
	dst->unit_usecs = first->unit_usecs;
	while (i < a->n || j < b->n)
	{
		if (j == b->n || (i < a->n && da[i].day < db[j].day))
			out[n++] = da[i++];
		else if (i == a->n || db[j].day < da[i].day)
			out[n++] = db[j++];
		else
		{
			out[n] = da[i++];
			ksum_merge(&out[n].sum, &out[n].comp, db[j].sum, db[j].comp);
			j++;
			n++;
		}
	}
	dst->n = n;
}

void
clv_days_summary(const ClvDays *s, ClvSummary *out)
{
	const ClvDay *d = days_of(s);
	double		days_per_unit = (double) CLV_USECS_PER_DAY / (double) s->unit_usecs,
				sum = 0,
				comp = 0;
	uint32_t	i;

	out->x = (int64_t) s->n - 1;
	out->t_x = (double) ((int64_t) d[s->n - 1].day - d[0].day) * days_per_unit;
	out->t_cal = (double) ((int64_t) clv_day_of(s->as_of) - d[0].day) * days_per_unit;
	for (i = 1; i < s->n; i++)
		ksum_merge(&sum, &comp, d[i].sum, d[i].comp);
	if (s->n > 1 && !isfinite(sum + comp))
	{
		/*
		 * The repeat days' total passes DBL_MAX, their mean does not: add
		 * the days scaled by 2^-(e+1) (exactly, x < 2^e), whose total stays
		 * below DBL_MAX / 2, and scale the mean back. The mean is at most
		 * the largest day: that bounds the last rounding.
		 */
		double		x = (double) (s->n - 1),
					largest = 0,
					scale;
		int			e;

		(void) frexp(x, &e);
		scale = ldexp(1.0, -(e + 1));
		sum = comp = 0;
		for (i = 1; i < s->n; i++)
		{
			ksum_merge(&sum, &comp, d[i].sum * scale, d[i].comp * scale);
			largest = fmax(largest, d[i].sum + d[i].comp);
		}
		out->m_x = fmin(ldexp((sum + comp) / x, e + 1), largest);
	}
	else
		out->m_x = s->n > 1 ? (sum + comp) / (double) (s->n - 1) : NAN;
	out->first_ts = s->first_ts;
}

const char *
clv_days_check(const ClvDays *s, size_t buffer_bytes)
{
	const ClvDay *d = days_of(s);
	uint32_t	i;

	if (buffer_bytes < sizeof(ClvDays))
		return "too short";
	if (s->version != CLV_DAYS_VERSION)
		return "unknown format version";
	if (s->n > s->capacity || clv_days_bytes(s->capacity) != buffer_bytes)
		return "length does not match its header";
	if (s->unit_usecs < 0)
		return "time unit out of range";
	if (s->n == 0)
		return s->rows == 0 ? NULL : "rows without purchase days";
	/* past here the state has purchases */
	if (s->rows < (int64_t) s->n)
		return "fewer rows than purchase days";
	if (!(s->unit_usecs > 0))
		return "time unit out of range";
	for (i = 0; i < s->n; i++)
	{
		if (i > 0 && d[i].day <= d[i - 1].day)
			return "purchase days out of order";
		/* a compensated sum of amounts >= 0: finite, >= 0, its correction smaller than it */
		if (!isfinite(d[i].sum) || !isfinite(d[i].comp) || !isfinite(d[i].sum + d[i].comp) ||
			!(d[i].sum + d[i].comp >= 0) || fabs(d[i].comp) > fabs(d[i].sum))
			return "a purchase day's spend out of range";
	}
	if (clv_day_of(s->first_ts) != d[0].day)
		return "first purchase not on the first purchase day";
	if (clv_day_of(s->as_of) < d[s->n - 1].day)
		return "as_of before a purchase";
	return NULL;
}

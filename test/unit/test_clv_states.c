/*
 * test_clv_states.c
 *	  The states of the CLV aggregates: the purchase days of clv_summary()
 *	  (same-day merging, order, merging, the summary by hand) and the
 *	  distinct customers of the fits (counting, growth, canonical order,
 *	  merging in any order), and their structure checks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clv_days.h"
#include "core/clv_points.h"
#include "tap.h"

#define DAY CLV_USECS_PER_DAY

static ClvDays *
days_add(ClvDays *s, int64_t ts, double amount)
{
	if (!clv_days_add(s, clv_day_of(ts), amount, 0, NULL))
	{
		uint32_t	cap = clv_days_grow_capacity(s, 1);
		ClvDays    *b = calloc(1, clv_days_bytes(cap));

		clv_days_copy(b, cap, s);
		free(s);
		s = b;
		if (!clv_days_add(s, clv_day_of(ts), amount, 0, NULL))
			abort();
	}
	if (s->rows == 0 || ts < s->first_ts)
		s->first_ts = ts;
	s->rows++;
	return s;
}

static ClvDays *
new_days(int64_t as_of, int64_t unit)
{
	ClvDays    *s = calloc(1, clv_days_bytes(0));

	clv_days_init(s, 0);
	s->as_of = as_of;
	s->unit_usecs = unit;
	return s;
}

static void
test_days(void)
{
	/* CDNOW's first customer: 1997-01-01, 01-18, 08-02; as_of 1997-09-30 */
	int64_t		jan1 = -1095 * DAY;	/* 1997-01-01 is 1095 days before 2000-01-01 */
	ClvDays    *s = new_days(jan1 + 272 * DAY, 7 * DAY),
			   *a = new_days(jan1 + 272 * DAY, 7 * DAY),
			   *b = new_days(jan1 + 272 * DAY, 7 * DAY),
			   *m;
	ClvSummary sum;

	s = days_add(s, jan1 + 213 * DAY + 5, 14.96);
	s = days_add(s, jan1 + 3600 * INT64_C(1000000), 29.33);	/* 01:00 on the first day */
	s = days_add(s, jan1 + 17 * DAY, 20.00);
	s = days_add(s, jan1 + 17 * DAY + 99, 9.73);			/* the same day again */
	is_int(s->n, 3, "4 lines on 3 days: 3 purchases");
	ok(clv_days_list(s)[0].day < clv_days_list(s)[1].day && clv_days_list(s)[1].day < clv_days_list(s)[2].day,
	   "days kept in order whatever the arrival order");
	clv_days_summary(s, &sum);
	is_int(sum.x, 2, "x = 2 repeat purchases");
	is_close(sum.t_x, 213.0 / 7, 1e-15, "t_x = 213 days in weeks (30.43)");
	is_close(sum.t_cal, 272.0 / 7, 1e-15, "t_cal = 272 days in weeks (38.86)");
	is_close(sum.m_x, (29.73 + 14.96) / 2, 1e-15, "m_x: the mean of the repeat days' spend (22.345)");
	ok(sum.first_ts == jan1 + 3600 * INT64_C(1000000), "first purchase: the earliest line");
	ok(clv_days_check(s, clv_days_bytes(s->capacity)) == NULL, "the state is sound");
	is_int(clv_day_of(-1), -1, "a timestamp just before 2000-01-01 is on day -1");

	/* merging halves gives the whole */
	a = days_add(a, jan1 + 213 * DAY, 14.96);
	a = days_add(a, jan1 + 17 * DAY, 20.00);
	b = days_add(b, jan1 + 17 * DAY + 99, 9.73);
	b = days_add(b, jan1 + 3600 * INT64_C(1000000), 29.33);
	m = calloc(1, clv_days_bytes(a->n + b->n));
	clv_days_merge(m, a->n + b->n, a, b);
	{
		ClvSummary ms;

		clv_days_summary(m, &ms);
		ok(ms.x == sum.x && ms.t_x == sum.t_x && ms.t_cal == sum.t_cal && fabs(ms.m_x - sum.m_x) < 1e-15 &&
		   ms.first_ts == sum.first_ts && m->rows == 4,
		   "two partial states merge to the whole's summary");
		ok(clv_days_check(m, clv_days_bytes(m->capacity)) == NULL, "the merged state is sound");
	}
	/* damaged states */
	{
		ClvDay	   *d = (ClvDay *) (m + 1);
		int32_t		saved = d[1].day;

		d[1].day = d[0].day;
		ok(clv_days_check(m, clv_days_bytes(m->capacity)) != NULL, "days out of order fail the check");
		d[1].day = saved;
		d[2].sum = -1;
		ok(clv_days_check(m, clv_days_bytes(m->capacity)) != NULL, "a day without positive spend fails");
		d[2].sum = 14.96;
		m->as_of = jan1;
		ok(clv_days_check(m, clv_days_bytes(m->capacity)) != NULL, "as_of before the last purchase fails");
		ok(clv_days_check(m, clv_days_bytes(m->capacity) + 8) != NULL, "a wrong length fails");
	}
	free(s);
	free(a);
	free(b);
	free(m);
}

static ClvPoints *
points_add(ClvPoints *s, int x, double u, double v, int64_t count)
{
	if (!clv_points_add(s, x, u, v, count))
	{
		uint32_t	cap = clv_points_grow_capacity(s, 1);
		ClvPoints  *b = calloc(1, clv_points_bytes(cap));

		clv_points_init(b, (ClvPointsKind) s->kind, cap);
		clv_points_copy(b, s);
		free(s);
		s = b;
		if (!clv_points_add(s, x, u, v, count))
			abort();
	}
	return s;
}

static ClvPoints *
new_points(void)
{
	ClvPoints  *s = calloc(1, clv_points_bytes(0));

	clv_points_init(s, CLV_POINTS_BGNBD, 0);
	return s;
}

static void
test_points(void)
{
	ClvPoints  *all = new_points(),
			   *fwd = new_points(),
			   *rev = new_points();
	ClvPoint   *p1,
			   *p2;
	int			i;

	for (i = 0; i < 3000; i++)
	{
		int			x = i % 7;
		double		t_x = x ? (i % 13) : 0,
					t_cal = 40 + (i % 5);

		all = points_add(all, x, t_x, t_cal, 1);
		fwd = points_add(fwd, x, t_x, t_cal, 1);
	}
	for (i = 2999; i >= 0; i--)
	{
		int			x = i % 7;

		rev = points_add(rev, x, x ? (i % 13) : 0, 40 + (i % 5), 1);
	}
	is_int(all->rows, 3000, "3,000 customers counted");
	ok(all->n < 3000 && all->n > 100, "in %u distinct summaries", all->n);
	all = points_add(all, 0, -0.0, 40, 2);
	is_int(all->rows, 3002, "-0 and 0 are one summary");
	p1 = malloc(sizeof(ClvPoint) * fwd->n);
	p2 = malloc(sizeof(ClvPoint) * rev->n);
	clv_points_sorted(fwd, p1);
	clv_points_sorted(rev, p2);
	ok(fwd->n == rev->n && memcmp(p1, p2, sizeof(ClvPoint) * fwd->n) == 0,
	   "either arrival order gives the same canonical points");
	for (i = 1; i < (int) fwd->n; i++)
		if (!(p1[i - 1].x < p1[i].x || (p1[i - 1].x == p1[i].x && (p1[i - 1].u < p1[i].u ||
																	(p1[i - 1].u == p1[i].u && p1[i - 1].v < p1[i].v)))))
			break;
	is_int(i, fwd->n, "sorted by x, t_x, t_cal");
	ok(clv_points_check(fwd, clv_points_bytes(fwd->capacity)) == NULL, "the state is sound");
	{
		ClvPoint   *slots = (ClvPoint *) (fwd + 1);
		uint32_t	k;

		for (k = 0; slots[k].count == 0; k++)
			;
		slots[k].u = slots[k].v + 1;
		ok(clv_points_check(fwd, clv_points_bytes(fwd->capacity)) != NULL, "t_x > t_cal fails the check");
		slots[k].u = 0;
		slots[k].count = 0;
		ok(clv_points_check(fwd, clv_points_bytes(fwd->capacity)) != NULL, "counts that do not add up fail");
	}
	free(p1);
	free(p2);
	free(all);
	free(fwd);
	free(rev);
}

int
main(void)
{
	test_days();
	test_points();
	return tap_done();
}

/*
 * clv_days.h
 *	  The state of clv_summary(): a customer's purchase days, each with its
 *	  compensated spend, kept sorted, plus the first purchase's timestamp,
 *	  the reference time as_of and the time unit. Purchases on one day are
 *	  one purchase (as BTYD and lifetimes count them); days are UTC
 *	  calendar days of the timestamps (microseconds since 2000-01-01 UTC,
 *	  PostgreSQL's timestamptz), so the session's TimeZone never matters.
 *
 * One flat, relocatable buffer (the glue layer wraps it in a varlena, the
 * first four bytes are its length word). Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_CLV_DAYS_H
#define RFM_CLV_DAYS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLV_DAYS_VERSION 1
#define CLV_USECS_PER_DAY INT64_C(86400000000)

typedef struct ClvDay
{
	int32_t		day;			/* days since 2000-01-01 (UTC) */
	int32_t		reserved;
	double		sum;			/* spend that day, Neumaier-compensated: */
	double		comp;			/* the true sum is sum + comp */
} ClvDay;

typedef struct ClvDays
{
	int32_t		vl_len_;		/* reserved for the container's length word */
	uint8_t		version;
	uint8_t		reserved[3];
	uint32_t	n;				/* purchase days */
	uint32_t	capacity;		/* days the buffer holds */
	int64_t		rows;			/* lines counted */
	int64_t		first_ts;		/* the earliest line's timestamp, when n > 0 */
	int64_t		as_of;			/* reference time, when unit_usecs > 0 */
	int64_t		unit_usecs;		/* the time unit; 0 before the first row */
	/* ClvDay days[capacity], sorted by day, n in use */
} ClvDays;

/* The most days a state holds (so it stays under 1 GB). */
#define CLV_DAYS_MAX 40000000u

/* The summary of a customer (FHL 2005's x, t_x, T and the mean spend). */
typedef struct ClvSummary
{
	int64_t		x;				/* purchase days after the first */
	double		t_x;			/* first to last purchase day, in units */
	double		t_cal;			/* first purchase day to as_of's day, in units */
	double		m_x;			/* mean spend of the repeat days; NaN when x = 0 */
	int64_t		first_ts;
} ClvSummary;

size_t		clv_days_bytes(uint32_t capacity);
void		clv_days_init(ClvDays *s, uint32_t capacity);
const ClvDay *clv_days_list(const ClvDays *s);

/* The day of a timestamp, rounding toward minus infinity. */
int32_t		clv_day_of(int64_t ts);

/*
 * Add a compensated amount to day; *total (if not NULL) gets the day's new
 * spend. False (nothing changed) when the day is new and the buffer is
 * full: grow to clv_days_grow_capacity and copy with clv_days_copy.
 */
bool		clv_days_add(ClvDays *s, int32_t day, double sum, double comp, double *total);

/* A capacity for extra more days (0 past CLV_DAYS_MAX). */
uint32_t	clv_days_grow_capacity(const ClvDays *s, uint32_t extra);

/* Copy src into dst, of a capacity >= src->n. */
void		clv_days_copy(ClvDays *dst, uint32_t capacity, const ClvDays *src);

/*
 * Merge src's days, rows and first purchase into dst (capacity for the
 * union of the days: a->n + b->n is enough), from a and b.
 */
void		clv_days_merge(ClvDays *dst, uint32_t capacity, const ClvDays *a, const ClvDays *b);

/* The summary of a state with n > 0. */
void		clv_days_summary(const ClvDays *s, ClvSummary *out);

/* Whether the structure of a state from outside is sound: NULL or what is wrong. */
const char *clv_days_check(const ClvDays *s, size_t buffer_bytes);

#endif							/* RFM_CLV_DAYS_H */

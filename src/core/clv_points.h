/*
 * clv_points.h
 *	  The state of the CLV fit aggregates: the distinct customers seen so
 *	  far, each with how many rows had it. BG/NBD customers are (x, t_x,
 *	  t_cal), Gamma-Gamma ones (x, m_x); customers sharing a summary are
 *	  evaluated once per likelihood pass, so a fit costs in distinct
 *	  summaries, not rows.
 *
 * One flat, relocatable buffer (the glue layer wraps it in a varlena, the
 * first four bytes are its length word): a header, then an open-addressing
 * hash table of points (a slot with count 0 is empty). Plain C99, no
 * PostgreSQL headers.
 */
#ifndef RFM_CLV_POINTS_H
#define RFM_CLV_POINTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLV_POINTS_VERSION 1

typedef enum ClvPointsKind
{
	CLV_POINTS_BGNBD = 1,		/* u = t_x, v = t_cal */
	CLV_POINTS_GAMMA_GAMMA = 2	/* u = m_x, v = 0 */
} ClvPointsKind;

typedef struct ClvPoint
{
	double		u;
	double		v;
	int32_t		x;
	uint32_t	reserved;
	int64_t		count;			/* rows with this summary; 0: an empty slot */
} ClvPoint;

typedef struct ClvPoints
{
	int32_t		vl_len_;		/* reserved for the container's length word */
	uint8_t		version;
	uint8_t		kind;			/* ClvPointsKind */
	uint16_t	reserved;
	uint32_t	n;				/* distinct points */
	uint32_t	capacity;		/* slots, 0 or a power of two */
	int64_t		rows;			/* sum of the counts */
	/* ClvPoint slots[capacity] */
} ClvPoints;

/* The largest state the glue layer may allocate (PostgreSQL's 1 GB varlena). */
#define CLV_POINTS_MAX_BYTES ((size_t) 0x3FFFFFFF)

size_t		clv_points_bytes(uint32_t capacity);

/* Fill an empty set (a buffer of clv_points_bytes(capacity) bytes). */
void		clv_points_init(ClvPoints *s, ClvPointsKind kind, uint32_t capacity);

/*
 * Add count rows of (x, u, v). False (and nothing changed) when the table
 * is full: grow with clv_points_grow_capacity and clv_points_copy.
 */
bool		clv_points_add(ClvPoints *s, int32_t x, double u, double v, int64_t count);

/* A capacity for extra more points; 0 past CLV_POINTS_MAX_BYTES. */
uint32_t	clv_points_grow_capacity(const ClvPoints *s, uint32_t extra);

/* Copy src's points into dst, an empty set of a larger capacity. */
void		clv_points_copy(ClvPoints *dst, const ClvPoints *src);

/* The slots, for iteration (count 0: empty). */
const ClvPoint *clv_points_slots(const ClvPoints *s);

/*
 * The points in canonical order (x, then u, then v) into out (s->n of
 * them): a fit sums in this order, so its result does not depend on the
 * order rows arrived in or on how partial states were combined.
 */
void		clv_points_sorted(const ClvPoints *s, ClvPoint *out);

/* Whether the structure of a state from outside is sound: NULL or what is wrong. */
const char *clv_points_check(const ClvPoints *s, size_t buffer_bytes);

#endif							/* RFM_CLV_POINTS_H */

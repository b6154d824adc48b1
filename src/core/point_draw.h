/*
 * point_draw.h
 *	  The value-keyed uniform draw of a point: a hash of the seed, a salt
 *	  and the point's values (never its position), mapped to (0, 1]. Every
 *	  random choice of k-means is made from these draws, so the same points
 *	  give the same choices in any row order. Plain C99, no PostgreSQL
 *	  headers.
 */
#ifndef RFM_POINT_DRAW_H
#define RFM_POINT_DRAW_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "mix64.h"

/* The part of a point's hash that depends on the seed and salt only. */
static inline uint64_t
draw_start(uint64_t seed, uint64_t salt)
{
	return mix64(seed ^ UINT64_C(0x9e3779b97f4a7c15)) ^ mix64(salt + UINT64_C(0x632be59bd9b4e019));
}

/* h mixed with the bits of point p's d values (-0.0 as 0.0). */
static inline uint64_t
point_mix(uint64_t h, const double *p, int d)
{
	int			j;

	for (j = 0; j < d; j++)
	{
		double		v = p[j] + 0.0;	/* -0.0 and 0.0 are one point */
		uint64_t	bits;

		memcpy(&bits, &v, sizeof(bits));
		h = mix64(h ^ bits) + UINT64_C(0x9e3779b97f4a7c15);
	}
	return h;
}

/* A 64-bit hash as a uniform draw in (0, 1]: its top 53 bits, plus one. */
static inline double
unit_from_hash(uint64_t h)
{
	return ((double) (h >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

/* The draw of point p (d values) from its draw_start(). */
static inline double
uniform_from(uint64_t h, const double *p, int d)
{
	return unit_from_hash(point_mix(h, p, d));
}

/*
 * u[i] = uniform_from(start, x + i * d, d) for the rows [0, rows) of the
 * row-major x: eight rows at a time with AVX-512 where the CPU has it (the
 * same values), one at a time elsewhere.
 */
void		km_uniform_batch(uint64_t start, const double *x, size_t rows, int d, double *u);

#endif							/* RFM_POINT_DRAW_H */

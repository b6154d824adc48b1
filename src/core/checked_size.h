/*
 * checked_size.h
 *	  Sizes in bytes that saturate at SIZE_MAX instead of wrapping: a
 *	  working set whose size overflows is simply "too big". Plain C99.
 */
#ifndef RFM_CHECKED_SIZE_H
#define RFM_CHECKED_SIZE_H

#include <stddef.h>
#include <stdint.h>

static inline size_t
km_size_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static inline size_t
km_size_mul(size_t a, size_t b)
{
	return a != 0 && b > SIZE_MAX / a ? SIZE_MAX : a * b;
}

/* count x size, three factors */
static inline size_t
km_size_mul3(size_t a, size_t b, size_t c)
{
	return km_size_mul(km_size_mul(a, b), c);
}

#endif							/* RFM_CHECKED_SIZE_H */

/*
 * mix64.h
 *	  A 64-bit integer finalizer (the splitmix64 mixing function): every bit
 *	  of the input affects every bit of the output. Shared by the order-key
 *	  hash and the value-keyed random draws. Plain C99.
 */
#ifndef RFM_MIX64_H
#define RFM_MIX64_H

#include <stdint.h>

/*
 * The steps, for a uint64_t or a vector of them (the batched draws of
 * point_draw.c mix eight lanes at once with the same steps).
 */
#define MIX64_STEPS(x) \
	do { \
		(x) ^= (x) >> 30; \
		(x) *= UINT64_C(0xbf58476d1ce4e5b9); \
		(x) ^= (x) >> 27; \
		(x) *= UINT64_C(0x94d049bb133111eb); \
		(x) ^= (x) >> 31; \
	} while (0)

static inline uint64_t
mix64(uint64_t x)
{
	MIX64_STEPS(x);
	return x;
}

#endif							/* RFM_MIX64_H */

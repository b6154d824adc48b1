/*
 * test_random.h
 *	  The unit tests' pseudo-random data: a 64-bit LCG (the high 53 bits
 *	  make a uniform double) and Box-Muller normals. A test defines
 *	  TEST_RNG_SEED before including it, so its data stay its own.
 */
#ifndef RFM_TEST_RANDOM_H
#define RFM_TEST_RANDOM_H

#include <math.h>
#include <stdint.h>

#ifndef TEST_RNG_SEED
#define TEST_RNG_SEED UINT64_C(12345)
#endif

static uint64_t rng = TEST_RNG_SEED;

/* uniform in [0, 1) */
static double
urand(void)
{
	rng = rng * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
	return (double) (rng >> 11) / 9007199254740992.0;
}

/* standard normal */
static double
gauss(void)
{
	double		u = urand() + 1e-12,
				v = urand();

	return sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
}

#endif

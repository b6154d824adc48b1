/*
 * point_draw.c
 *	  Batches of value-keyed draws: see point_draw.h.
 */
#include "point_draw.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define HAVE_AVX512_DRAW 1

typedef uint64_t v8u __attribute__((vector_size(64)));
typedef double v8d __attribute__((vector_size(64)));

/* mix64() on eight lanes: AVX-512DQ multiplies 64-bit integers. */
__attribute__((target("avx512f,avx512dq")))
static inline v8u
mix64x8(v8u x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	x ^= x >> 31;
	return x;
}

__attribute__((target("avx512f,avx512dq")))
static size_t
uniform_batch_avx512(uint64_t start, const double *x, size_t rows, int d, double *u)
{
	size_t		i;

	for (i = 0; i + 8 <= rows; i += 8)
	{
		const double *p = x + i * d;
		v8u			h = {start, start, start, start, start, start, start, start};
		v8d			out;
		int			j;

		for (j = 0; j < d; j++)
		{
			v8d			v = {p[j], p[d + j], p[2 * d + j], p[3 * d + j],
			p[4 * d + j], p[5 * d + j], p[6 * d + j], p[7 * d + j]};

			v += 0.0;			/* -0.0 and 0.0 are one point */
			h = mix64x8(h ^ (v8u) v) + UINT64_C(0x9e3779b97f4a7c15);
		}
		/* h >> 11 < 2^53: exactly representable, as in the scalar code */
		out = (__builtin_convertvector(h >> 11, v8d) + 1.0) * (1.0 / 9007199254740992.0);
		__builtin_memcpy(u + i, &out, sizeof(out));
	}
	return i;
}
#endif

void
km_uniform_batch(uint64_t start, const double *x, size_t rows, int d, double *u)
{
	size_t		i = 0;

#ifdef HAVE_AVX512_DRAW
	if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
		i = uniform_batch_avx512(start, x, rows, d, u);
#endif
	for (; i < rows; i++)
		u[i] = uniform_from(start, x + i * d, d);
}

/*
 * point_draw.c
 *	  Batches of value-keyed draws: see point_draw.h.
 */
#include "point_draw.h"

#include "simd.h"

#ifdef KM_X86_SIMD

/* mix64() on eight lanes: AVX-512DQ multiplies 64-bit integers. */
__attribute__((target("avx512f,avx512dq")))
static inline km_v8u
mix64x8(km_v8u x)
{
	MIX64_STEPS(x);
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
		km_v8u			h = {start, start, start, start, start, start, start, start};
		km_v8d			out;
		int			j;

		for (j = 0; j < d; j++)
		{
			km_v8d			v = {p[j], p[d + j], p[2 * d + j], p[3 * d + j],
			p[4 * d + j], p[5 * d + j], p[6 * d + j], p[7 * d + j]};

			v += 0.0;			/* -0.0 and 0.0 are one point */
			h = mix64x8(h ^ (km_v8u) v) + UINT64_C(0x9e3779b97f4a7c15);
		}
		/* h >> 11 < 2^53: exactly representable, as in the scalar code */
		out = (__builtin_convertvector(h >> 11, km_v8d) + 1.0) * (1.0 / 9007199254740992.0);
		__builtin_memcpy(u + i, &out, sizeof(out));
	}
	return i;
}
#endif

void
km_uniform_batch(uint64_t start, const double *x, size_t rows, int d, double *u)
{
	size_t		i = 0;

#ifdef KM_X86_SIMD
	if (km_cpu_has_avx512dq())
		i = uniform_batch_avx512(start, x, rows, d, u);
#endif
	for (; i < rows; i++)
		u[i] = uniform_from(start, x + i * d, d);
}

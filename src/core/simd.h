/*
 * simd.h
 *	  What the vector kernels share: whether this compiler and architecture
 *	  can build them (x86-64 with GCC or clang vector extensions), their
 *	  vector types, and whether the running CPU can execute them. A kernel
 *	  is compiled with a function-level target attribute, used only when
 *	  the matching km_cpu_has_...() is true, and gives the same results as
 *	  its scalar twin. Plain C99 plus those extensions; no PostgreSQL headers.
 */
#ifndef RFM_SIMD_H
#define RFM_SIMD_H

#include <stdbool.h>
#include <stdint.h>

#if defined(__x86_64__) && defined(__GNUC__)
#define KM_X86_SIMD 1

typedef double km_v4d __attribute__((vector_size(32)));
typedef int64_t km_v4l __attribute__((vector_size(32)));
typedef double km_v8d __attribute__((vector_size(64)));
typedef uint64_t km_v8u __attribute__((vector_size(64)));

static inline bool
km_cpu_has_avx2(void)
{
	return __builtin_cpu_supports("avx2");
}

static inline bool
km_cpu_has_avx512dq(void)
{
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
}
#endif

#endif							/* RFM_SIMD_H */

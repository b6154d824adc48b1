/*
 * small_d.h
 *	  Loops over the features, compiled once for each small number of
 *	  features: a function marked FOR_EACH_D takes d as its last argument,
 *	  and WITH_D calls it with d as a constant for d = 1 to 4 (train()'s
 *	  usual RFM features), so the compiler unrolls the loops over d. The
 *	  operations and their order do not change, nor do the results' bits.
 *	  Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_SMALL_D_H
#define RFM_SMALL_D_H

#if defined(__GNUC__)
#define FOR_EACH_D inline __attribute__((always_inline))
#else
#define FOR_EACH_D inline
#endif

#define WITH_D(body, d, ...) \
	switch (d) \
	{ \
		case 1: body(__VA_ARGS__, 1); break; \
		case 2: body(__VA_ARGS__, 2); break; \
		case 3: body(__VA_ARGS__, 3); break; \
		case 4: body(__VA_ARGS__, 4); break; \
		default: body(__VA_ARGS__, d); break; \
	}

#endif							/* RFM_SMALL_D_H */

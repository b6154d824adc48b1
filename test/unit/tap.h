/*
 * tap.h
 *	  A minimal TAP producer for the C unit tests (read by prove).
 */
#ifndef RFM_TAP_H
#define RFM_TAP_H

#include <math.h>
#include <stdio.h>

static int	tap_count = 0;
static int	tap_failed = 0;

#define ok(cond, ...) \
	do { \
		int ok_cond_ = (cond) ? 1 : 0; \
		tap_count++; \
		if (ok_cond_) \
			printf("ok %d - ", tap_count); \
		else \
		{ \
			tap_failed++; \
			printf("not ok %d - ", tap_count); \
		} \
		printf(__VA_ARGS__); \
		printf("\n"); \
		if (!ok_cond_) \
			printf("#   failed at %s:%d\n", __FILE__, __LINE__); \
	} while (0)

#define is_int(got, want, ...) \
	do { \
		long long g_ = (long long) (got), w_ = (long long) (want); \
		ok(g_ == w_, __VA_ARGS__); \
		if (g_ != w_) \
			printf("#   got %lld, want %lld\n", g_, w_); \
	} while (0)

#define is_close(got, want, rel, ...) \
	do { \
		double g_ = (got), w_ = (want); \
		int ok_ = fabs(g_ - w_) <= (rel) * fmax(1.0, fabs(w_)); \
		ok(ok_, __VA_ARGS__); \
		if (!ok_) \
			printf("#   got %.17g, want %.17g\n", g_, w_); \
	} while (0)

/* a comment line in the TAP output */
#define diag(...) \
	do { \
		printf("# "); \
		printf(__VA_ARGS__); \
		printf("\n"); \
	} while (0)

static int
tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed == 0 ? 0 : 1;
}

#endif

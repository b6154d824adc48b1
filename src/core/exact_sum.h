/*
 * exact_sum.h
 *	  Sums of doubles that do not depend on the order of the values. Used
 *	  wherever a result must not depend on the physical row order: the
 *	  scaler statistics that every later random draw is keyed on.
 *
 *	  KmExactSum: the correctly rounded sum, streaming (Shewchuk's
 *	  non-overlapping partials, as in Python's math.fsum).
 *	  km_exact_sum(), km_exact_sum_sqdev(): over an array, in 128-bit fixed
 *	  point scaled to the largest value (bits below 2^-90 of it are dropped,
 *	  deterministically): several times faster; the partials where the
 *	  compiler has no 128-bit integers.
 *	  Plain C99 (plus __int128 where available), no PostgreSQL headers.
 */
#ifndef RFM_EXACT_SUM_H
#define RFM_EXACT_SUM_H

#include <stddef.h>

#include "parallel_for.h"

#define KM_EXACT_SUM_PARTIALS 64

typedef struct KmExactSum
{
	int			n;				/* partials in use */
	int			overflow;		/* a partial became infinite */
	double		p[KM_EXACT_SUM_PARTIALS];
} KmExactSum;

void		km_exact_sum_init(KmExactSum *s);
void		km_exact_sum_add(KmExactSum *s, double x);
double		km_exact_sum_result(const KmExactSum *s);

/* Order-independent sum of x[0], x[stride], ... (n finite values). */
double		km_exact_sum(const double *x, size_t n, size_t stride);

/* Order-independent sum of (x[i * stride] - center)^2 (+Infinity when it overflows). */
double		km_exact_sum_sqdev(const double *x, size_t n, size_t stride, double center);

/*
 * Both, for m columns at once: x points at the first value of the first
 * column, stride is the row length. out[j] is the sum of column j, or with
 * center the sum of its squared deviations from center[j]. Same results as
 * the one-column functions (which are this with m = 1).
 */
void		km_exact_column_sums(const double *x, size_t n, int m, size_t stride,
								 const double *center, double *out);

/*
 * How km_exact_moment_sums scales one column whose deviations from its
 * center are below maxdev, so that anyone (aggregate mode, in SQL) can
 * compute the same sums: with t = (x - center) * unit1 * unit2 (below 1),
 * s1 = sum of trunc(t * sc1) times 2^back1, s2 = sum of trunc(t * t * sc2)
 * times 2^back2, both in units of 2^e (2^2e for s2), the truncations
 * added as integers. All zero (sc1 = sc2 = 0) when maxdev is 0.
 */
typedef struct KmMomentScale
{
	int			e;
	double		unit1,
				unit2;
	double		sc1,
				sc2;
	int			back1,
				back2;
} KmMomentScale;

void		km_moment_scale(double maxdev, KmMomentScale *ms);

/*
 * The first two moments about center[j] in one pass, for m columns, in
 * units that cannot overflow: with e = exps[j] the exponent for which
 * maxdev[j] < 2^e (0 when maxdev[j] is 0), s1[j] = sum of (x - center[j])
 * 2^-e and s2[j] = sum of ((x - center[j]) 2^-e)^2, so every term is below
 * 1 even for values near DBL_MAX (multiply by 2^e and 2^2e for the plain
 * sums, where those are finite). Both order-independent: fixed point,
 * each value keeping its bits down to 2^-52 of maxdev (of maxdev^2 for
 * s2). maxdev[j] must bound every |x - center[j]| of column j (0: the
 * column equals its center).
 */
void		km_exact_moment_sums(const double *x, size_t n, int m, size_t stride,
								 const double *center, const double *maxdev,
								 double *s1, double *s2, int *exps, const KmParallel *par);

#endif							/* RFM_EXACT_SUM_H */

/*
 * ksum.h
 *	  Neumaier's compensated summation (Kahan's, whichever operand is
 *	  larger): the rounding error of every addition is kept in a second
 *	  double, so long sums do not drift. Plain C99.
 */
#ifndef RFM_KSUM_H
#define RFM_KSUM_H

#include <math.h>

/* Add v to the compensated sum (*sum + *comp). */
static inline void
ksum_add(double *sum, double *comp, double v)
{
	double		t = *sum + v;

	if (fabs(*sum) >= fabs(v))
		*comp += (*sum - t) + v;
	else
		*comp += (v - t) + *sum;
	*sum = t;
}

/* Add another compensated sum. */
static inline void
ksum_merge(double *sum, double *comp, double osum, double ocomp)
{
	ksum_add(sum, comp, osum);
	*comp += ocomp;
}

#endif							/* RFM_KSUM_H */

/*
 * exact_sum.h
 *	  The correctly rounded sum of doubles, whatever their order
 *	  (Shewchuk's non-overlapping partials, as in Python's math.fsum).
 *	  Used wherever a result must not depend on the physical row order:
 *	  the scaler statistics that every later random draw is keyed on.
 *	  Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_EXACT_SUM_H
#define RFM_EXACT_SUM_H

#include <stddef.h>

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

/* Correctly rounded sum of x[0], x[stride], ... (n values). */
double		km_exact_sum(const double *x, size_t n, size_t stride);

#endif							/* RFM_EXACT_SUM_H */

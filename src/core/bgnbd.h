/*
 * bgnbd.h
 *	  The BG/NBD model of repeat purchases (Fader, Hardie & Lee 2005,
 *	  "Counting Your Customers the Easy Way"): each customer buys at a
 *	  Poisson rate lambda ~ Gamma(r, alpha) while alive and drops out after
 *	  any purchase with probability p ~ Beta(a, b). A customer is observed
 *	  as (x, t_x, t_cal): x repeat purchases, the last at t_x, observed
 *	  until t_cal, times from the first purchase.
 *
 *	  The likelihood, its gradient and Hessian (for the fit), the
 *	  probability of being alive and the expected purchases in a future
 *	  period. Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_BGNBD_H
#define RFM_BGNBD_H

#include <stdbool.h>
#include <stddef.h>

#include "clv_mle.h"				/* ClvAccum */

typedef struct BgnbdParams
{
	double		r;
	double		alpha;
	double		a;
	double		b;
} BgnbdParams;

/*
 * Whether (x, t_x, t_cal) is a valid customer: x a whole number >= 0,
 * 0 <= t_x <= t_cal finite, t_x = 0 when x = 0. NULL, or the argument at
 * fault ("x", "t_x" or "t_cal").
 */
const char *bgnbd_check_customer(double x, double t_x, double t_cal);

/*
 * One customer's log-likelihood, in log-sum-exp form:
 *   ln[ B(a, b+x)/B(a,b) G(r+x)/G(r) alpha^r / (alpha+t_cal)^(r+x)
 *       + [x > 0] B(a+1, b+x-1)/B(a,b) G(r+x)/G(r) alpha^r / (alpha+t_x)^(r+x) ]
 * (FHL 2005, eq. 6), finite for any valid customer and parameters.
 */
double		bgnbd_log_likelihood(const BgnbdParams *p, double x, double t_x, double t_cal);

/*
 * P(alive at t_cal | x, t_x, t_cal) = 1 / (1 + [x > 0] a/(b+x-1)
 * ((alpha+t_cal)/(alpha+t_x))^(r+x)) (FHL 2005, eq. 11); 1 when x = 0.
 */
double		bgnbd_p_alive(const BgnbdParams *p, double x, double t_x, double t_cal);

/*
 * E[purchases in (t_cal, t_cal + t] | x, t_x, t_cal] (FHL 2005, eq. 10),
 * t >= 0. The Gauss hypergeometric part is summed as a series where it
 * converges fast and without cancellation, else taken as the Beta
 * integral it stands for (bgnbd_expected.c).
 */
double		bgnbd_expected(const BgnbdParams *p, double t, double x, double t_x, double t_cal);

/* The same by the Beta integral alone, whatever the horizon: a cross-check. */
double		bgnbd_expected_quadrature(const BgnbdParams *p, double t, double x, double t_x, double t_cal);

/*
 * The same at n increasing horizons t[0..n), into out: one series for
 * all of them where it converges fast (the CLV's months).
 */
void		bgnbd_expected_many(const BgnbdParams *p, const double *t, int n,
								double x, double t_x, double t_cal, double *out);

/*
 * N(t[i]) of bgnbd_expected_many(), the expectation before it is
 * multiplied by P(alive): it depends on x and t_cal but not on t_x, so
 * customers who differ only in t_x share it (clv()'s cache).
 */
void		bgnbd_numerator_many(const BgnbdParams *p, const double *t, int n,
								 double x, double t_cal, double *out);

/*
 * Terms of the likelihood that depend on the parameters and x only,
 * computed once per distinct x of a fit.
 */
typedef struct BgnbdXTerms
{
	double		log_const;		/* ln[G(r+x)/G(r)] + r ln alpha + ln[B(a,b+x)/B(a,b)] */
	double		log_b_x1;		/* ln(b + x - 1), x > 0 */
	double		log_odds;		/* ln[a / (b + x - 1)], x > 0 */
	double		d_r;			/* d log_const / dr, da, db */
	double		d_a;
	double		d_b;
	double		h_rr;			/* second derivatives of log_const */
	double		h_aa;			/* (h_ab == h_aa) */
	double		h_bb;
} BgnbdXTerms;

void		bgnbd_x_terms(const BgnbdParams *p, int x, BgnbdXTerms *out);

/*
 * Add weight times the log-likelihood of (x, t_x, t_cal) given its
 * x-terms, and with derivatives when want_derivatives.
 */
void		bgnbd_accumulate(const BgnbdParams *p, const BgnbdXTerms *xt, int x,
							 double t_x, double t_cal, double weight,
							 bool want_derivatives, ClvAccum *acc);

/*
 * The same with ln(alpha + t_x) (any value when x = 0) and
 * ln(alpha + t_cal) given: a fit computes them once per distinct time.
 */
void		bgnbd_accumulate_logs(const BgnbdParams *p, const BgnbdXTerms *xt, int x,
								  double t_x, double t_cal, double log_alpha_t_x,
								  double log_alpha_t_cal, double weight,
								  bool want_derivatives, ClvAccum *acc);

#endif							/* RFM_BGNBD_H */

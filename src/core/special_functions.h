/*
 * special_functions.h
 *	  The few special functions the CLV models need beyond C99's lgamma:
 *	  digamma and trigamma (the likelihoods' derivatives), and stable
 *	  forms of log(1 + e^x) and (e^y - 1) / y.
 *	  Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_SPECIAL_FUNCTIONS_H
#define RFM_SPECIAL_FUNCTIONS_H

/*
 * ln Gamma(z + d) - ln Gamma(z), z > 0, z + d > 0, without the cancellation
 * of subtracting two large lgamma values (z = b = 1e8 loses 7 digits so).
 */
double		clv_log_gamma_ratio(double z, double d);

/* psi(x) = d/dx ln Gamma(x), for x > 0; about 1e-15 relative. */
double		clv_digamma(double x);

/* psi'(x), for x > 0; about 1e-15 relative. */
double		clv_trigamma(double x);

/* ln(1 + e^x) without overflow for large x nor loss for very negative x. */
double		clv_log1pexp(double x);

/* ln(e^x + e^y), either may be -Infinity (not both +Infinity). */
double		clv_log_add(double x, double y);

/* (e^y - 1) / y, 1 at y = 0, accurate near 0. */
double		clv_expm1_ratio(double y);

#endif							/* RFM_SPECIAL_FUNCTIONS_H */

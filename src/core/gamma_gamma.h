/*
 * gamma_gamma.h
 *	  The Gamma-Gamma model of spend per purchase (Fader, Hardie & Lee
 *	  2005, "RFM and CLV: Using Iso-Value Curves for Customer Base
 *	  Analysis"; Fader & Hardie 2013, "The Gamma-Gamma Model of Monetary
 *	  Value"): a customer's purchases are Gamma(p, nu) with nu ~ Gamma(q, v)
 *	  across customers; observed as x purchases of mean m_x.
 *	  Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_GAMMA_GAMMA_H
#define RFM_GAMMA_GAMMA_H

#include <stdbool.h>

#include "clv_mle.h"				/* ClvAccum */

typedef struct GammaGammaParams
{
	double		p;
	double		q;
	double		v;
} GammaGammaParams;

/*
 * One customer's log-likelihood (x >= 1, m_x > 0):
 *   ln G(px+q) - ln G(px) - ln G(q) + q ln v + (px-1) ln m_x + px ln x
 *   - (px+q) ln(x m_x + v)
 */
double		gamma_gamma_log_likelihood(const GammaGammaParams *g, double x, double m_x);

/*
 * E[spend per purchase | x, m_x] = p (v + x m_x) / (p x + q - 1); for
 * x = 0 the population mean p v / (q - 1). NaN where that mean is not
 * finite (p x + q <= 1): the caller reports it.
 */
double		gamma_gamma_spend(const GammaGammaParams *g, double x, double m_x);

/* The terms of a fit pass that depend on the parameters and x only. */
typedef struct GammaGammaXTerms
{
	double		log_const;		/* ln G(px+q) - ln G(px) - ln G(q) + px ln x */
	double		d_p;			/* x (psi(px+q) - psi(px) + ln x) */
	double		d_q;			/* psi(px+q) - psi(q) */
	double		h_pp;			/* x^2 (psi'(px+q) - psi'(px)) */
	double		h_pq;			/* x psi'(px+q) */
	double		h_qq;			/* psi'(px+q) - psi'(q) */
} GammaGammaXTerms;

void		gamma_gamma_x_terms(const GammaGammaParams *g, int x, GammaGammaXTerms *out);

/* Add weight times one customer's log-likelihood (and derivatives in p, q, v). */
void		gamma_gamma_accumulate(const GammaGammaParams *g, const GammaGammaXTerms *xt,
								   int x, double m_x, double weight,
								   bool want_derivatives, ClvAccum *acc);

#endif							/* RFM_GAMMA_GAMMA_H */

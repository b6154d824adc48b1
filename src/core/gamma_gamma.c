/*
 * gamma_gamma.c
 *	  The Gamma-Gamma spend model: see gamma_gamma.h.
 */
#include "gamma_gamma.h"

#include <math.h>
#include <string.h>

#include "special_functions.h"

#define P 0
#define Q 1
#define V 2

void
gamma_gamma_x_terms(const GammaGammaParams *g, int x, GammaGammaXTerms *out)
{
	double		px = g->p * x;

	out->log_const = clv_log_gamma_ratio(px, g->q) - lgamma(g->q) + px * log((double) x);
	out->d_p = x * (clv_digamma(px + g->q) - clv_digamma(px) + log((double) x));
	out->d_q = clv_digamma(px + g->q) - clv_digamma(g->q);
	out->h_pp = (double) x * x * (clv_trigamma(px + g->q) - clv_trigamma(px));
	out->h_pq = x * clv_trigamma(px + g->q);
	out->h_qq = clv_trigamma(px + g->q) - clv_trigamma(g->q);
}

void
gamma_gamma_accumulate(const GammaGammaParams *g, const GammaGammaXTerms *xt,
					   int x, double m_x, double weight,
					   bool want_derivatives, ClvAccum *acc)
{
	double		px = g->p * x,
				log_m = log(m_x),
				xmv = x * m_x + g->v,
				log_xmv = log(xmv);

	acc->ll += weight * (xt->log_const + g->q * log(g->v) + (px - 1) * log_m - (px + g->q) * log_xmv);
	if (!want_derivatives)
		return;
	acc->grad[P] += weight * (xt->d_p + x * (log_m - log_xmv));
	acc->grad[Q] += weight * (xt->d_q + log(g->v) - log_xmv);
	acc->grad[V] += weight * (g->q / g->v - (px + g->q) / xmv);
	acc->hess[P * 4 + P] += weight * xt->h_pp;
	acc->hess[P * 4 + Q] += weight * xt->h_pq;
	acc->hess[P * 4 + V] += weight * (-x / xmv);
	acc->hess[Q * 4 + Q] += weight * xt->h_qq;
	acc->hess[Q * 4 + V] += weight * (1.0 / g->v - 1.0 / xmv);
	acc->hess[V * 4 + V] += weight * (-g->q / (g->v * g->v) + (px + g->q) / (xmv * xmv));
}

double
gamma_gamma_log_likelihood(const GammaGammaParams *g, double x, double m_x)
{
	GammaGammaXTerms xt;
	ClvAccum	acc;

	memset(&acc, 0, sizeof(acc));
	gamma_gamma_x_terms(g, (int) x, &xt);
	gamma_gamma_accumulate(g, &xt, (int) x, m_x, 1.0, false, &acc);
	return acc.ll;
}

double
gamma_gamma_spend(const GammaGammaParams *g, double x, double m_x)
{
	double		denominator = g->p * x + g->q - 1;

	if (!(denominator > 0))
		return NAN;
	if (x == 0)
		return g->p * g->v / (g->q - 1);
	return g->p * (g->v + x * m_x) / denominator;
}

/*
 * bgnbd.c
 *	  The BG/NBD likelihood and its derivatives: see bgnbd.h.
 *
 * With A = ln[G(r+x)/G(r)] + r ln alpha + ln[B(a,b+x)/B(a,b)] (the x-terms),
 *   A3 = -(r+x) ln(alpha + t_cal),
 *   A4 = ln a - ln(b+x-1) - (r+x) ln(alpha + t_x)   (x > 0 only),
 * the log-likelihood is A + ln(e^A3 + e^A4). Writing w3, w4 for the
 * weights e^A3, e^A4 over their sum and g3, g4, H3, H4 for the gradients
 * and Hessians of A3 and A4, the log-sum-exp part has gradient
 * w3 g3 + w4 g4 and Hessian w3 H3 + w4 H4 + w3 w4 (g3 - g4)(g3 - g4)'.
 */
#include "bgnbd.h"

#include <math.h>
#include <string.h>

#include "special_functions.h"

/* parameter indexes */
#define R 0
#define ALPHA 1
#define A 2
#define B 3

const char *
bgnbd_check_customer(double x, double t_x, double t_cal)
{
	if (!(x >= 0) || x != floor(x) || !isfinite(x))
		return "x";
	if (!(t_x >= 0) || !isfinite(t_x) || (x == 0 && t_x != 0))
		return "t_x";
	if (!(t_cal >= t_x) || !isfinite(t_cal))
		return "t_cal";
	return NULL;
}

void
bgnbd_x_terms(const BgnbdParams *p, int x, BgnbdXTerms *out)
{
	double		r = p->r,
				a = p->a,
				b = p->b;

	out->log_const = clv_log_gamma_ratio(r, x) + r * log(p->alpha) +
		clv_log_gamma_ratio(b, a) - clv_log_gamma_ratio(b + x, a);
	out->log_b_x1 = x > 0 ? log(b + x - 1) : 0;
	out->log_odds = x > 0 ? log(a) - out->log_b_x1 : 0;
	out->d_r = clv_digamma(r + x) - clv_digamma(r) + log(p->alpha);
	out->d_a = clv_digamma(a + b) - clv_digamma(a + b + x);
	out->d_b = clv_digamma(a + b) - clv_digamma(b) + clv_digamma(b + x) - clv_digamma(a + b + x);
	out->h_rr = clv_trigamma(r + x) - clv_trigamma(r);
	out->h_aa = clv_trigamma(a + b) - clv_trigamma(a + b + x);
	out->h_bb = clv_trigamma(a + b) - clv_trigamma(b) + clv_trigamma(b + x) - clv_trigamma(a + b + x);
}

void
bgnbd_accumulate(const BgnbdParams *p, const BgnbdXTerms *xt, int x,
				 double t_x, double t_cal, double weight,
				 bool want_derivatives, ClvAccum *acc)
{
	bgnbd_accumulate_logs(p, xt, x, t_x, t_cal, x > 0 ? log(p->alpha + t_x) : 0,
						  log(p->alpha + t_cal), weight, want_derivatives, acc);
}

void
bgnbd_accumulate_logs(const BgnbdParams *p, const BgnbdXTerms *xt, int x,
					  double t_x, double t_cal, double l4, double l3, double weight,
					  bool want_derivatives, ClvAccum *acc)
{
	double		rx = p->r + x;
	double		a3 = -rx * l3;
	double		lse,
				w3 = 1,
				w4 = 0;
	double		g3[4],
				g4[4],
				dg[4];
	int			i,
				j;

	/*
	 * ln(e^a3 + e^a4) and the terms' weights e^a3, e^a4 over their sum,
	 * from one exp: with d = a4 - a3 and e = e^-|d|, the larger term's
	 * weight is 1/(1+e) and the smaller's e/(1+e).
	 */
	if (x > 0)
	{
		double		a4 = xt->log_odds - rx * l4,
					d = a4 - a3,
					e = exp(-fabs(d));

		if (d <= 0)
		{
			lse = a3 + log1p(e);
			w3 = 1 / (1 + e);
			w4 = e * w3;
		}
		else
		{
			lse = a4 + log1p(e);
			w4 = 1 / (1 + e);
			w3 = e * w4;
		}
	}
	else
		lse = a3;
	acc->ll += weight * (xt->log_const + lse);
	if (!want_derivatives)
		return;

	memset(g3, 0, sizeof(g3));
	memset(g4, 0, sizeof(g4));
	g3[R] = -l3;
	g3[ALPHA] = -rx / (p->alpha + t_cal);
	if (x > 0)
	{
		g4[R] = -l4;
		g4[ALPHA] = -rx / (p->alpha + t_x);
		g4[A] = 1.0 / p->a;
		g4[B] = -1.0 / (p->b + x - 1);
	}
	acc->grad[R] += weight * (xt->d_r + w3 * g3[R] + w4 * g4[R]);
	acc->grad[ALPHA] += weight * (p->r / p->alpha + w3 * g3[ALPHA] + w4 * g4[ALPHA]);
	acc->grad[A] += weight * (xt->d_a + w4 * g4[A]);
	acc->grad[B] += weight * (xt->d_b + w4 * g4[B]);

	/* the x-terms' and the two exponents' own second derivatives */
	acc->hess[R * 4 + R] += weight * xt->h_rr;
	acc->hess[R * 4 + ALPHA] += weight * (1.0 / p->alpha - w3 / (p->alpha + t_cal) -
										  (x > 0 ? w4 / (p->alpha + t_x) : 0));
	acc->hess[ALPHA * 4 + ALPHA] += weight * (-p->r / (p->alpha * p->alpha) +
											  w3 * rx / ((p->alpha + t_cal) * (p->alpha + t_cal)) +
											  (x > 0 ? w4 * rx / ((p->alpha + t_x) * (p->alpha + t_x)) : 0));
	acc->hess[A * 4 + A] += weight * (xt->h_aa - w4 / (p->a * p->a));
	acc->hess[A * 4 + B] += weight * xt->h_aa;
	acc->hess[B * 4 + B] += weight * (xt->h_bb +
									  (x > 0 ? w4 / ((p->b + x - 1) * (p->b + x - 1)) : 0));
	/* the mixture's: w3 w4 (g3 - g4)(g3 - g4)' */
	if (x > 0)
	{
		double		ww = weight * w3 * w4;

		for (i = 0; i < 4; i++)
			dg[i] = g3[i] - g4[i];
		for (i = 0; i < 4; i++)
			for (j = i; j < 4; j++)
				acc->hess[i * 4 + j] += ww * dg[i] * dg[j];
	}
}

double
bgnbd_log_likelihood(const BgnbdParams *p, double x, double t_x, double t_cal)
{
	BgnbdXTerms xt;
	ClvAccum	acc;

	memset(&acc, 0, sizeof(acc));
	bgnbd_x_terms(p, (int) x, &xt);
	bgnbd_accumulate(p, &xt, (int) x, t_x, t_cal, 1.0, false, &acc);
	return acc.ll;
}

/* ln of the second term over the first, for x > 0: ln[a/(b+x-1)] + (r+x) ln[(alpha+t_cal)/(alpha+t_x)] */
static double
log_dropout_odds(const BgnbdParams *p, double x, double t_x, double t_cal)
{
	return log(p->a) - log(p->b + x - 1) +
		(p->r + x) * log1p((t_cal - t_x) / (p->alpha + t_x));
}

double
bgnbd_p_alive(const BgnbdParams *p, double x, double t_x, double t_cal)
{
	if (x == 0)
		return 1.0;
	return exp(-clv_log1pexp(log_dropout_odds(p, x, t_x, t_cal)));
}

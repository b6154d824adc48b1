/*
 * test_bgnbd.c
 *	  BG/NBD: the likelihood against a direct long double evaluation of
 *	  FHL 2005 eq. 6, its gradient and Hessian against finite differences,
 *	  the expected purchases against the published value and, by series,
 *	  against the Beta integral, and a sweep of extreme customers and
 *	  parameters that must never give NaN or Infinity. Gamma-Gamma's
 *	  likelihood and derivatives the same way.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/bgnbd.h"
#include "core/gamma_gamma.h"
#include "tap.h"

/* FHL 2005 eq. 6 as written, in long double: no log-sum-exp */
static long double
direct_ll(const BgnbdParams *p, long double x, long double t_x, long double t_cal)
{
	long double r = p->r,
				al = p->alpha,
				a = p->a,
				b = p->b;
	long double lbeta_ab = lgammal(a) + lgammal(b) - lgammal(a + b);
	long double common = lgammal(r + x) - lgammal(r) + r * logl(al);
	long double t1 = expl(lgammal(a) + lgammal(b + x) - lgammal(a + b + x) - lbeta_ab + common -
						  (r + x) * logl(al + t_cal));
	long double t2 = 0;

	if (x > 0)
		t2 = expl(lgammal(a + 1) + lgammal(b + x - 1) - lgammal(a + b + x) - lbeta_ab + common -
				  (r + x) * logl(al + t_x));
	return logl(t1 + t2);
}

static double
ll_at(const BgnbdParams *p, int x, double t_x, double t_cal, double *grad, double *hess)
{
	BgnbdXTerms xt;
	ClvAccum	acc;

	memset(&acc, 0, sizeof(acc));
	bgnbd_x_terms(p, x, &xt);
	bgnbd_accumulate(p, &xt, x, t_x, t_cal, 1.0, true, &acc);
	if (grad)
		memcpy(grad, acc.grad, sizeof(acc.grad));
	if (hess)
		memcpy(hess, acc.hess, sizeof(acc.hess));
	return acc.ll;
}

static double *
param_ref(BgnbdParams *p, int i)
{
	return i == 0 ? &p->r : i == 1 ? &p->alpha : i == 2 ? &p->a : &p->b;
}

static void
test_likelihood(void)
{
	BgnbdParams ps[] = {
		{0.2426, 4.4137, 0.7930, 2.4262},	/* CDNOW, published */
		{1e-3, 1e-2, 1e-3, 1e-2},
		{50, 0.5, 20, 300},
		{3, 1000, 0.05, 1e4},
	};
	double		cust[][3] = {
		{0, 0, 38.86}, {2, 30.43, 38.86}, {1, 0.14, 0.14}, {7, 29.43, 38.86},
		{150, 300, 1000}, {1000, 9000, 10000}, {3, 0, 0}, {0, 0, 10000},
	};
	int			i,
				j,
				bad = 0,
				checked = 0;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++)
		{
			long double ref = direct_ll(&ps[i], cust[j][0], cust[j][1], cust[j][2]);
			double		got = bgnbd_log_likelihood(&ps[i], cust[j][0], cust[j][1], cust[j][2]);

			if (!isfinite((double) ref))
				continue;		/* beyond long double's range too */
			checked++;
			if (fabsl(got - ref) > 1e-11L * fmaxl(1, fabsl(ref)))
			{
				diag("params %d customer %d: got %.17g want %.17Lg", i, j, got, ref);
				bad++;
			}
		}
	ok(bad == 0 && checked >= 28, "log-likelihood equals a direct long double evaluation (%d points)", checked);

	/* gradient and Hessian against central differences */
	bad = 0;
	for (i = 0; i < 4; i++)
		for (j = 0; j < 8; j++)
		{
			int			k,
						l;
			double		g[4],
						h[16];

			ll_at(&ps[i], (int) cust[j][0], cust[j][1], cust[j][2], g, h);
			for (k = 0; k < 4; k++)
			{
				BgnbdParams up = ps[i],
							dn = ps[i];
				double		step = 1e-6 * *param_ref(&ps[i], k),
							gu[4],
							gd[4],
							fd;

				*param_ref(&up, k) += step;
				*param_ref(&dn, k) -= step;
				fd = (ll_at(&up, (int) cust[j][0], cust[j][1], cust[j][2], gu, NULL) -
					  ll_at(&dn, (int) cust[j][0], cust[j][1], cust[j][2], gd, NULL)) / (2 * step);
				/* truncation (step^2) and rounding (|ll| eps / step) of the difference */
				if (fabs(fd - g[k]) > 1e-6 * fmax(1, fabs(g[k])) +
					1e-15 * fabs(ll_at(&ps[i], (int) cust[j][0], cust[j][1], cust[j][2], NULL, NULL)) / step)
				{
					diag("grad params %d customer %d k %d: %.10g vs %.10g", i, j, k, g[k], fd);
					bad++;
				}
				/*
				 * The Hessian from differences of the gradient, whose terms
				 * cancel (1/a against sums of digammas): a longer step,
				 * 1e-4 relative, whose truncation error is 1e-8 relative.
				 */
				up = ps[i];
				dn = ps[i];
				step = 1e-4 * *param_ref(&ps[i], k);
				*param_ref(&up, k) += step;
				*param_ref(&dn, k) -= step;
				ll_at(&up, (int) cust[j][0], cust[j][1], cust[j][2], gu, NULL);
				ll_at(&dn, (int) cust[j][0], cust[j][1], cust[j][2], gd, NULL);
				for (l = k; l < 4; l++)
				{
					double		hfd = (gu[l] - gd[l]) / (2 * step);

					if (fabs(hfd - h[k * 4 + l]) > 1e-6 * fmax(1, fabs(h[k * 4 + l])) +
						1e-13 * fmax(1, fabs(gu[l])) / step)
					{
						diag("hess params %d customer %d (%d,%d): %.10g vs %.10g", i, j, k, l, h[k * 4 + l], hfd);
						bad++;
					}
				}
			}
		}
	ok(bad == 0, "gradient and Hessian equal central differences");
}

static void
test_expected(void)
{
	BgnbdParams cdnow = {0.2426, 4.4137, 0.7930, 2.4262};
	double		e = bgnbd_expected(&cdnow, 39, 2, 30.43, 38.86);
	double		t[12];
	double		many[12];
	int			i,
				bad = 0,
				n = 0;

	is_close(e, 1.226, 0.0005, "published parameters: E[Y(39) | 2, 30.43, 38.86] = 1.226 (got %.6f)", e);
	is_close(bgnbd_expected(&cdnow, 0, 2, 30.43, 38.86), 0, 0, "nothing expected in no time");
	is_close(bgnbd_p_alive(&cdnow, 0, 0, 38.86), 1, 0, "a customer without repeat purchases is alive");
	ok(bgnbd_p_alive(&cdnow, 5, 1, 38.86) < bgnbd_p_alive(&cdnow, 5, 38, 38.86),
	   "a customer silent for long is less likely alive");

	/* a = 1 exactly: the singular point of the formula as written */
	{
		BgnbdParams one = {0.5, 3, 1, 2},
					near_lo = {0.5, 3, 1 - 1e-7, 2},
					near_hi = {0.5, 3, 1 + 1e-7, 2};
		double		e1 = bgnbd_expected(&one, 20, 3, 10, 30);

		ok(isfinite(e1) && fabs(e1 - bgnbd_expected(&near_lo, 20, 3, 10, 30)) < 1e-6 &&
		   fabs(e1 - bgnbd_expected(&near_hi, 20, 3, 10, 30)) < 1e-6,
		   "a = 1 is continuous with a = 1 -+ 1e-7 (%.12g)", e1);
		is_close(e1, bgnbd_expected_quadrature(&one, 20, 3, 10, 30), 1e-10, "and equals the Beta integral there");
	}

	/* the series against the Beta integral wherever the series is used */
	for (i = 0; i < 200; i++)
	{
		BgnbdParams p = {
			exp(-4 + 8.0 * ((i * 37) % 100) / 100),
			exp(-3 + 9.0 * ((i * 53) % 100) / 100),
			exp(-4 + 7.0 * ((i * 71) % 100) / 100),
			exp(-3 + 10.0 * ((i * 13) % 100) / 100)
		};
		double		x = (i * 7) % 40,
					t_cal = 1 + (i * 11) % 300,
					t_x = x > 0 ? t_cal * ((i * 3) % 10) / 10.0 : 0,
					horizon = 1 + (i * 29) % 200,
					s = bgnbd_expected(&p, horizon, x, t_x, t_cal),
					q = bgnbd_expected_quadrature(&p, horizon, x, t_x, t_cal);

		n++;
		if (!(fabs(s - q) <= 1e-9 * fmax(fabs(q), 1e-300)) || !isfinite(s))
		{
			diag("r %g alpha %g a %g b %g, x %g t_x %g t_cal %g t %g: %.15g vs %.15g",
				 p.r, p.alpha, p.a, p.b, x, t_x, t_cal, horizon, s, q);
			bad++;
		}
	}
	ok(bad == 0, "expected purchases equal the Beta integral to 1e-9 on %d random points", n);

	/* many horizons in one pass equal one at a time, and grow with t */
	for (i = 0; i < 12; i++)
		t[i] = 30.0 * (i + 1) / 7;
	bgnbd_expected_many(&cdnow, t, 12, 2, 30.43, 38.86, many);
	bad = 0;
	for (i = 0; i < 12; i++)
		if (fabs(many[i] - bgnbd_expected(&cdnow, t[i], 2, 30.43, 38.86)) > 1e-13 * many[i] ||
			(i > 0 && !(many[i] > many[i - 1])))
			bad++;
	ok(bad == 0, "12 horizons in one series pass equal single ones and increase");
}

/* Every function stays finite over extreme customers and parameters. */
static void
test_sweep(void)
{
	double		xs[] = {0, 1, 2, 10, 100, 1000, 10000};
	double		ts[] = {0, 1e-3, 1, 39, 1000, 10000};
	double		scale[] = {1e-4, 1e-2, 1, 1e2, 1e4};
	int			bad = 0,
				count = 0,
				ix,
				itx,
				itc,
				k;

	for (k = 0; k < 5 * 5 * 5; k++)
	{
		BgnbdParams p = {scale[k % 5], scale[(k / 5) % 5], scale[(k / 25) % 5], scale[(k * 7 + 3) % 5]};

		for (ix = 0; ix < 7; ix++)
			for (itx = 0; itx < 6; itx++)
				for (itc = itx; itc < 6; itc++)
				{
					double		x = xs[ix],
								t_x = x == 0 ? 0 : ts[itx],
								t_cal = ts[itc],
								ll,
								g[4],
								e,
								pa;

					if (t_cal < t_x)
						continue;
					count++;
					ll = ll_at(&p, (int) x, t_x, t_cal, g, NULL);
					pa = bgnbd_p_alive(&p, x, t_x, t_cal);
					e = bgnbd_expected(&p, ts[(k + ix) % 6] + 1, x, t_x, t_cal);
					if (!isfinite(ll) || !isfinite(g[0]) || !isfinite(g[1]) || !isfinite(g[2]) ||
						!isfinite(g[3]) || !(pa >= 0 && pa <= 1) || !(e >= 0) || !isfinite(e))
					{
						if (bad < 5)
							diag("r %g alpha %g a %g b %g x %g t_x %g t_cal %g: ll %g e %g p_alive %g",
								 p.r, p.alpha, p.a, p.b, x, t_x, t_cal, ll, e, pa);
						bad++;
					}
				}
	}
	ok(bad == 0, "no NaN or Infinity over %d customer and parameter combinations", count);
}

static void
test_gamma_gamma(void)
{
	GammaGammaParams g = {6.25, 3.74, 15.44};
	double		ms[] = {1, 22.35, 400};
	double		xs[] = {1, 2, 29, 500};
	int			i,
				j,
				k,
				bad = 0;

	for (i = 0; i < 4; i++)
		for (j = 0; j < 3; j++)
		{
			double		x = xs[i],
						m = ms[j];
			long double ref = lgammal(g.p * x + g.q) - lgammal(g.p * x) - lgammal(g.q) +
				g.q * logl(g.v) + (g.p * x - 1) * logl(m) + g.p * x * logl(x) -
				(g.p * x + g.q) * logl(x * m + g.v);
			double		got = gamma_gamma_log_likelihood(&g, x, m);

			if (fabsl(got - ref) > 1e-11L * fmaxl(1, fabsl(ref)))
				bad++;
			/* derivatives */
			{
				GammaGammaXTerms xt;
				ClvAccum	acc,
							up,
							dn;

				memset(&acc, 0, sizeof(acc));
				gamma_gamma_x_terms(&g, (int) x, &xt);
				gamma_gamma_accumulate(&g, &xt, (int) x, m, 1, true, &acc);
				for (k = 0; k < 3; k++)
				{
					GammaGammaParams gu = g,
								gd = g;
					double	   *pu = k == 0 ? &gu.p : k == 1 ? &gu.q : &gu.v,
							   *pd = k == 0 ? &gd.p : k == 1 ? &gd.q : &gd.v,
								step = 1e-6 * *pu;
					int			l;

					*pu += step;
					*pd -= step;
					memset(&up, 0, sizeof(up));
					memset(&dn, 0, sizeof(dn));
					gamma_gamma_x_terms(&gu, (int) x, &xt);
					gamma_gamma_accumulate(&gu, &xt, (int) x, m, 1, true, &up);
					gamma_gamma_x_terms(&gd, (int) x, &xt);
					gamma_gamma_accumulate(&gd, &xt, (int) x, m, 1, true, &dn);
					if (fabs((up.ll - dn.ll) / (2 * step) - acc.grad[k]) > 1e-5 * fmax(1, fabs(acc.grad[k])))
						bad++;
					for (l = k; l < 3; l++)
						if (fabs((up.grad[l] - dn.grad[l]) / (2 * step) - acc.hess[k * 4 + l]) >
							1e-4 * fmax(1, fabs(acc.hess[k * 4 + l])))
							bad++;
				}
			}
		}
	ok(bad == 0, "Gamma-Gamma log-likelihood, gradient and Hessian against long double and differences");
	is_close(gamma_gamma_spend(&g, 0, 0), 6.25 * 15.44 / 2.74, 1e-15, "x = 0: the population mean p v / (q - 1)");
	is_close(gamma_gamma_spend(&g, 2, 22.35), 6.25 * (15.44 + 2 * 22.35) / (6.25 * 2 + 2.74), 1e-15,
			 "x = 2: p (v + x m) / (p x + q - 1)");
	{
		GammaGammaParams heavy = {0.5, 0.8, 10};

		ok(isnan(gamma_gamma_spend(&heavy, 0, 0)), "q <= 1: no finite population mean (NaN for the caller)");
		ok(isfinite(gamma_gamma_spend(&heavy, 3, 20)), "but a customer with p x + q > 1 has one");
	}
}

int
main(void)
{
	test_likelihood();
	test_expected();
	test_sweep();
	test_gamma_gamma();
	return tap_done();
}

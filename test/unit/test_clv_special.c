/*
 * test_clv_special.c
 *	  The special functions of the CLV models against known values and
 *	  long double references: digamma, trigamma, the log-gamma ratio, the
 *	  stable log-sum-exp helpers.
 */
#include <math.h>
#include <stdlib.h>

#include "core/special_functions.h"
#include "tap.h"

#define EULER_GAMMA 0.57721566490153286061
#define PI_ 3.14159265358979323846

/* psi by the derivative of lgammal, a central difference in long double (a rough reference) */
static long double
lgamma_ratio_ref(long double z, long double d)
{
	return lgammal(z + d) - lgammal(z);
}

int
main(void)
{
	double		zs[] = {1e-8, 0.001, 0.3, 1, 2.5, 9.99, 10, 17.3, 1e3, 1e8, 1e10};
	double		ds[] = {1e-6, 0.25, 1, 7, 300, 1e4};
	int			i,
				j;
	double		worst = 0;

	is_close(clv_digamma(1.0), -EULER_GAMMA, 1e-15, "psi(1) = -gamma");
	is_close(clv_digamma(0.5), -EULER_GAMMA - 2 * log(2.0), 1e-15, "psi(1/2) = -gamma - 2 ln 2");
	is_close(clv_digamma(10.0), -EULER_GAMMA + 7129.0 / 2520.0, 1e-15, "psi(10) = -gamma + H_9");
	is_close(clv_digamma(1e-8), -1e8 - EULER_GAMMA + 1.6449340668482264e-8, 1e-15 * 1e8,
			 "psi(1e-8) = -1e8 - gamma + zeta(2) 1e-8");
	is_close(clv_digamma(1e6), log(1e6) - 0.5e-6 - 1.0 / 12e12, 1e-15, "psi(1e6): its asymptote");
	is_close(clv_trigamma(1.0), PI_ * PI_ / 6, 1e-15, "psi'(1) = pi^2/6");
	is_close(clv_trigamma(0.5), PI_ * PI_ / 2, 1e-15, "psi'(1/2) = pi^2/2");
	is_close(clv_trigamma(1e-8), 1e16 + PI_ * PI_ / 6, 1e-15 * 1e16, "psi'(1e-8) = 1e16 + pi^2/6");
	is_close(clv_trigamma(1e6), 1e-6 + 0.5e-12, 1e-15, "psi'(1e6): its asymptote");

	/* digamma is the derivative of lgamma, trigamma that of digamma */
	for (i = 0; i < 9; i++)
	{
		double		x = zs[i] < 0.01 ? 0.01 : zs[i],
					h = 1e-5 * x,
					dl = (double) ((lgammal((long double) x + h) - lgammal((long double) x - h)) / (2 * (long double) h)),
					dd = (clv_digamma(x + h) - clv_digamma(x - h)) / (2 * h);

		worst = fmax(worst, fabs(clv_digamma(x) - dl) / fmax(1, fabs(dl)));
		worst = fmax(worst, fabs(clv_trigamma(x) - dd) / fmax(1, fabs(dd)) * 1e-3);
	}
	ok(worst < 1e-8, "psi and psi' match differences of lgamma and psi (worst %.2g)", worst);

	/* the log-gamma ratio against long double lgammal, where that is exact enough */
	worst = 0;
	for (i = 0; i < (int) (sizeof(zs) / sizeof(zs[0])); i++)
		for (j = 0; j < (int) (sizeof(ds) / sizeof(ds[0])); j++)
		{
			long double ref = lgamma_ratio_ref(zs[i], ds[j]);
			double		got = clv_log_gamma_ratio(zs[i], ds[j]);
			/*
			 * lgammal keeps 64 bits: its difference is good to ~1e-19
			 * |lgamma|. Ours sums up to ten logs of size up to ~2.3 below
			 * the asymptotic range: a few 1e-15 absolute.
			 */
			long double tol = 1e-13L * fabsl(ref) + 1e-18L * fabsl(lgammal(zs[i] + ds[j])) + 2e-14L;

			if (fabsl(got - ref) > tol)
			{
				diag("z %g d %g: got %.17g want %.17Lg", zs[i], ds[j], got, ref);
				worst = 1;
			}
		}
	ok(worst == 0, "ln G(z+d) - ln G(z) matches long double lgammal from z = 1e-8 to 1e10");
	/* where double lgamma differences lose digits, the ratio does not */
	is_close(clv_log_gamma_ratio(1e8, 0.5), 0.5 * log(1e8) - 0.125 / 1e8, 1e-15,
			 "ln G(1e8 + 1/2) - ln G(1e8) = ln(1e8)/2 - 1/8e8");

	is_close(clv_log1pexp(0), log(2.0), 1e-16, "log1pexp(0) = ln 2");
	is_close(clv_log1pexp(800), 800, 1e-16, "log1pexp(800) = 800, no overflow");
	ok(clv_log1pexp(-800) >= 0 && clv_log1pexp(-800) < 1e-300, "log1pexp(-800) = e^-800, not 0 from log1p");
	is_close(clv_log_add(-1000, -1000), -1000 + log(2.0), 1e-16, "ln(e^-1000 + e^-1000)");
	is_close(clv_log_add(-INFINITY, 3), 3, 0, "ln(0 + e^3) = 3");
	is_close(clv_expm1_ratio(0), 1, 0, "(e^y - 1)/y at 0 is 1");
	is_close(clv_expm1_ratio(1e-7), expm1(1e-7) / 1e-7, 1e-15, "and near 0");
	is_close(clv_expm1_ratio(-3), expm1(-3.0) / -3, 1e-15, "and away from it");
	return tap_done();
}

/*
 * special_functions.c
 *	  See special_functions.h. Digamma and trigamma: the recurrences
 *	  psi(x) = psi(x + 1) - 1/x and psi'(x) = psi'(x + 1) + 1/x^2 up to
 *	  x >= 10, then their asymptotic (Stirling) series, whose next term
 *	  there is below 1e-17 relative (Abramowitz & Stegun 6.3.18, 6.4.12).
 */
#include "special_functions.h"

#include <math.h>

#define ASYMPTOTIC_FROM 10.0

/* ln Gamma(w) - [(w - 1/2) ln w - w + ln(2 pi)/2]: Stirling's series, w >= 10 */
static double
stirling_tail(double w)
{
	double		f = 1.0 / (w * w);

	return (1.0 / 12 - f * (1.0 / 360 - f * (1.0 / 1260 - f * (1.0 / 1680 - f * (1.0 / 1188))))) / w;
}

double
clv_log_gamma_ratio(double z, double d)
{
	double		low = fmin(z, z + d),
				shifted = 0;

	/*
	 * Below the asymptotic range, ln G(w) = ln G(w + 1) - ln w moves both
	 * arguments up; each step contributes -ln((z+d)/z) = -log1p(d/z), exact
	 * even for tiny d, where lgamma(z+d) - lgamma(z) would cancel.
	 */
	while (low < ASYMPTOTIC_FROM)
	{
		shifted -= log1p(d / z);
		z += 1.0;
		low += 1.0;
	}
	/* (z+d-1/2) ln(z+d) - (z-1/2) ln z - d, rearranged around log1p(d/z) */
	return shifted + (z - 0.5) * log1p(d / z) + d * log(z + d) - d +
		stirling_tail(z + d) - stirling_tail(z);
}

double
clv_digamma(double x)
{
	double		shift = 0,
				f;

	while (x < ASYMPTOTIC_FROM)
	{
		shift -= 1.0 / x;
		x += 1.0;
	}
	f = 1.0 / (x * x);
	/* ln x - 1/2x - sum B_2k / (2k x^2k), k = 1..7 */
	return shift + log(x) - 0.5 / x -
		f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 -
		f * (691.0 / 32760 - f * (1.0 / 12)))))));
}

double
clv_trigamma(double x)
{
	double		shift = 0,
				f;

	while (x < ASYMPTOTIC_FROM)
	{
		shift += 1.0 / (x * x);
		x += 1.0;
	}
	f = 1.0 / (x * x);
	/* 1/x + 1/2x^2 + sum B_2k / x^(2k+1), k = 1..7 */
	return shift + 1.0 / x + 0.5 * f +
		f / x * (1.0 / 6 - f * (1.0 / 30 - f * (1.0 / 42 - f * (1.0 / 30 - f * (5.0 / 66 -
		f * (691.0 / 2730 - f * (7.0 / 6)))))));
}

double
clv_log1pexp(double x)
{
	if (x > 36)
		return x + exp(-x);		/* log1p(e^-x) = e^-x to double precision */
	if (x > -37)
		return log1p(exp(x));
	return exp(x);
}

double
clv_log_add(double x, double y)
{
	if (x < y)
	{
		double		t = x;

		x = y;
		y = t;
	}
	if (y == -INFINITY)
		return x;
	return x + log1p(exp(y - x));
}

double
clv_expm1_ratio(double y)
{
	if (fabs(y) < 1e-5)
		return 1.0 + y * (0.5 + y / 6.0);
	return expm1(y) / y;
}

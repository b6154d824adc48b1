/*
 * test_scaler.c
 *	  Unit tests of the scalers against values computed by hand.
 */
#include "core/scaler.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

int
main(void)
{
	/* column 0: 1, 2, 3, 4 (mean 2.5, population sd sqrt(1.25), range 3);
	 * column 1: constant 7 */
	double		x[8] = {1, 7, 2, 7, 3, 7, 4, 7};
	double		off[2],
				fac[2];
	double		row[2] = {4, 7};

	km_scaler_fit(KM_SCALE_ZSCORE, x, 4, 2, off, fac);
	is_close(off[0], 2.5, 1e-15, "zscore offset is the mean");
	is_close(fac[0], sqrt(1.25), 1e-15, "zscore factor is the population sd");
	is_close(off[1], 7, 0, "constant feature: offset is its value");
	is_close(fac[1], 1, 0, "constant feature: factor 1, no division by zero");
	km_scaler_apply(off, fac, 2, row, 1, NULL);
	is_close(row[0], 1.5 / sqrt(1.25), 1e-15, "4 scales to 1.5 / sd");
	is_close(row[1], 0, 0, "the constant feature scales to 0");
	km_scaler_unapply(off, fac, 2, row, 1);
	is_close(row[0], 4, 1e-15, "unapply gives the original value back");
	is_close(row[1], 7, 0, "unapply of the constant feature");

	km_scaler_fit(KM_SCALE_MINMAX, x, 4, 2, off, fac);
	is_close(off[0], 1, 0, "minmax offset is the minimum");
	is_close(fac[0], 3, 0, "minmax factor is the range");
	is_close(fac[1], 1, 0, "constant feature: minmax factor 1");

	km_scaler_fit(KM_SCALE_NONE, x, 4, 2, off, fac);
	ok(off[0] == 0 && fac[0] == 1 && off[1] == 0 && fac[1] == 1, "none: identity");
	/* apply (vectorized where the CPU allows) equals the plain formula, bit for bit */
	{
		int			dd,
					bad = 0;
		size_t		nn;

		for (dd = 1; dd <= 9; dd++)
			for (nn = 0; nn <= 13; nn++)
			{
				double		y[13 * 9],
							want[13 * 9],
							o[9],
							f[9];
				size_t		i;

				for (i = 0; i < (size_t) dd; i++)
				{
					o[i] = 0.1 * (double) (i + 1);
					f[i] = 3.0 + (double) i / 7;
				}
				for (i = 0; i < nn * dd; i++)
				{
					y[i] = (double) (i * 37 % 101) / 3;
					want[i] = (y[i] - o[i % dd]) / f[i % dd];
				}
				km_scaler_apply(o, f, dd, y, nn, NULL);
				bad += memcmp(y, want, sizeof(double) * nn * dd) != 0;
			}
		is_int(bad, 0, "apply equals (x - offset) / factor bit for bit, d 1..9, n 0..13");
	}
	{
		/* many rows on threads: the same values as in one */
		size_t		nn = 100003,
					i;
		double		o[3] = {1, -2, 0.5},
					f[3] = {3, 0.7, 11};
		double	   *y = malloc(sizeof(double) * nn * 3),
				   *z = malloc(sizeof(double) * nn * 3);
		KmParallel	par = {3, NULL, NULL, NULL};

		for (i = 0; i < nn * 3; i++)
			y[i] = z[i] = (double) (i * 7919 % 10007) / 13;
		km_scaler_apply(o, f, 3, y, nn, NULL);
		km_scaler_apply(o, f, 3, z, nn, &par);
		ok(memcmp(y, z, sizeof(double) * nn * 3) == 0, "apply on 3 threads: the same values");
		free(y);
		free(z);
	}
	return tap_done();
}

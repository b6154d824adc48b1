/*
 * test_point_draw.c
 *	  Value-keyed draws: the batch (AVX-512 where the CPU has it) equals the
 *	  one-point draw bit for bit; -0.0 and 0.0 draw alike; draws are in
 *	  (0, 1] and look uniform.
 */
#include "core/kmeans.h"
#include "core/point_draw.h"
#include "tap.h"

#include <stdlib.h>

int
main(void)
{
	int			d,
				bad = 0,
				shapes = 0;
	size_t		rows;
	double		lo = 1,
				hi = 0,
				mean = 0;

	for (d = 1; d <= 5; d++)
		for (rows = 0; rows <= 37; rows += 3)
		{
			double	   *x = malloc(sizeof(double) * (rows * d + 1));
			double	   *u = malloc(sizeof(double) * (rows + 1));
			size_t		i;

			for (i = 0; i < rows * d; i++)
				x[i] = (i % 5 == 0) ? -0.0 : (double) (i * 7919 % 1000) / 7 - 50;
			km_uniform_batch(draw_start(42, 7), x, rows, d, u);
			for (i = 0; i < rows; i++)
				bad += u[i] != km_point_uniform(x + i * d, d, 42, 7);
			shapes++;
			free(x);
			free(u);
		}
	is_int(bad, 0, "batch draws equal one-point draws (d 1..5, %d shapes)", shapes);

	{
		double		a[2] = {-0.0, 1.5},
					b[2] = {0.0, 1.5};

		ok(km_point_uniform(a, 2, 1, 2) == km_point_uniform(b, 2, 1, 2), "-0.0 and 0.0 draw alike");
	}
	{
		size_t		n = 100000,
					i;
		double	   *x = malloc(sizeof(double) * n);
		double	   *u = malloc(sizeof(double) * n);

		for (i = 0; i < n; i++)
			x[i] = (double) i;
		km_uniform_batch(draw_start(3, 0), x, n, 1, u);
		for (i = 0; i < n; i++)
		{
			lo = u[i] < lo ? u[i] : lo;
			hi = u[i] > hi ? u[i] : hi;
			mean += u[i] / (double) n;
		}
		ok(lo > 0 && hi <= 1, "draws in (0, 1]");
		is_close(mean, 0.5, 0.01, "mean draw near 1/2");
		free(x);
		free(u);
	}
	return tap_done();
}

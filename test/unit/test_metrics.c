/*
 * test_metrics.c
 *	  Metrics against values computed by hand, and against a naive
 *	  silhouette written out separately here.
 */
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "tap.h"
#include "test_alloc.h"


/* silhouette straight from its definition, for comparison */
static double
naive_silhouette(const double *x, size_t n, const int32_t *l)
{
	double		total = 0;
	size_t		i,
				j;

	for (i = 0; i < n; i++)
	{
		double		in_sum = 0,
					out_sum[8] = {0};
		int			in_n = 0,
					out_n[8] = {0},
					c;
		double		a,
					b = 1e300;

		for (j = 0; j < n; j++)
		{
			double		dist = hypot(x[2 * i] - x[2 * j], x[2 * i + 1] - x[2 * j + 1]);

			if (j == i)
				continue;
			if (l[j] == l[i])
			{
				in_sum += dist;
				in_n++;
			}
			else
			{
				out_sum[l[j]] += dist;
				out_n[l[j]]++;
			}
		}
		if (in_n == 0)
			continue;
		a = in_sum / in_n;
		for (c = 0; c < 8; c++)
			if (out_n[c] > 0 && out_sum[c] / out_n[c] < b)
				b = out_sum[c] / out_n[c];
		total += (b - a) / (a > b ? a : b);
	}
	return total / n;
}

int
main(void)
{
	/* two clusters of two points: (0,0),(0,1) and (4,0),(4,1) */
	double		x[8] = {0, 0, 0, 1, 4, 0, 4, 1};
	int32_t		l[4] = {0, 0, 1, 1};
	KmMetrics	m;
	size_t		n = 300,
				i;
	double	   *y = malloc(sizeof(double) * n * 2);
	int32_t    *ly = malloc(sizeof(int32_t) * n);

	is_int(km_metrics(x, 4, 2, l, 2, 1, &MEM, &m), KM_OK, "metrics computed");
	is_close(m.inertia, 1.0, 1e-15, "inertia to the means: 4 x 0.25");
	is_close(m.silhouette, 1 - 2 / (4 + sqrt(17.0)), 1e-15,
			 "silhouette: a = 1, b = (4 + sqrt 17) / 2 for every point");
	is_close(m.davies_bouldin, 0.25, 1e-15, "Davies-Bouldin: (0.5 + 0.5) / 4");
	is_close(m.calinski_harabasz, 32.0, 1e-12, "Calinski-Harabasz: (16 / 1) / (1 / 2)");

	/* one cluster: silhouette, DB and CH undefined */
	l[2] = l[3] = 0;
	km_metrics(x, 4, 2, l, 2, 1, &MEM, &m);
	ok(isnan(m.silhouette) && isnan(m.davies_bouldin) && isnan(m.calinski_harabasz),
	   "a single used cluster: the metrics are undefined (NaN)");

	/* 300 scattered points in 3 clusters against the naive silhouette */
	for (i = 0; i < n; i++)
	{
		y[2 * i] = (double) (i % 3) * 5 + (double) ((i * 37) % 11) / 5.0;
		y[2 * i + 1] = (double) ((i * 13) % 7) / 3.0;
		ly[i] = (int32_t) (i % 3);
	}
	ly[0] = 1;					/* one misplaced point: negative silhouette */
	is_close(km_silhouette(y, n, 2, ly, 3, &MEM), naive_silhouette(y, n, ly), 1e-12,
			 "silhouette equals the naive definition on 300 points");
	free(y);
	free(ly);
	return tap_done();
}

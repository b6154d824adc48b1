/*
 * matching.c
 *	  Minimum-cost matching: see matching.h.
 *
 * Rows are added one at a time; each addition finds, by a Dijkstra-like
 * search over the columns with reduced costs (costs less the row and
 * column potentials, never negative), the cheapest way to free a column
 * for it, and shifts the potentials so reduced costs stay non-negative.
 * With more rows than columns the transposed problem is solved.
 */
#include "matching.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* The work area's arrays, for r rows and c columns (r <= c), 1-based. */
typedef struct Work
{
	double	   *u;				/* r + 1 row potentials */
	double	   *v;				/* c + 1 column potentials */
	double	   *minv;			/* c + 1 */
	int		   *p;				/* c + 1: the row matched to each column, 0 none */
	int		   *way;			/* c + 1 */
	unsigned char *used;		/* c + 1 */
} Work;

size_t
km_matching_bytes(int n, int m)
{
	size_t		big = (size_t) (n > m ? n : m) + 1;

	return big * (3 * sizeof(double) + 2 * sizeof(int) + 1) + 16;
}

static double
cost_at(const double *cost, int m, bool transposed, int r, int c)
{
	/* r, c 0-based in the solved problem */
	return transposed ? cost[(size_t) c * m + r] : cost[(size_t) r * m + c];
}

double
km_min_cost_matching(const double *cost, int n, int m, int *match, void *work)
{
	bool		transposed = n > m;
	int			rows = transposed ? m : n,
				cols = transposed ? n : m,
				big = (n > m ? n : m) + 1,
				i,
				j;
	char	   *w = work;
	Work		a;
	double		total = 0;

	a.u = (double *) w;
	a.v = a.u + big;
	a.minv = a.v + big;
	a.p = (int *) (a.minv + big);
	a.way = a.p + big;
	a.used = (unsigned char *) (a.way + big);
	memset(a.u, 0, sizeof(double) * big);
	memset(a.v, 0, sizeof(double) * big);
	memset(a.p, 0, sizeof(int) * big);
	memset(a.way, 0, sizeof(int) * big);

	for (i = 1; i <= rows; i++)
	{
		int			j0 = 0;

		a.p[0] = i;
		for (j = 0; j <= cols; j++)
		{
			a.minv[j] = INFINITY;
			a.used[j] = 0;
		}
		do
		{
			int			i0 = a.p[j0],
						j1 = 0;
			double		delta = INFINITY;

			a.used[j0] = 1;
			for (j = 1; j <= cols; j++)
			{
				if (a.used[j])
					continue;
				{
					double		cur = cost_at(cost, m, transposed, i0 - 1, j - 1) - a.u[i0] - a.v[j];

					if (cur < a.minv[j])
					{
						a.minv[j] = cur;
						a.way[j] = j0;
					}
					if (a.minv[j] < delta)
					{
						delta = a.minv[j];
						j1 = j;
					}
				}
			}
			for (j = 0; j <= cols; j++)
			{
				if (a.used[j])
				{
					a.u[a.p[j]] += delta;
					a.v[j] -= delta;
				}
				else
					a.minv[j] -= delta;
			}
			j0 = j1;
		} while (a.p[j0] != 0);
		/* flip the augmenting path */
		do
		{
			int			j1 = a.way[j0];

			a.p[j0] = a.p[j1];
			j0 = j1;
		} while (j0 != 0);
	}

	for (i = 0; i < n; i++)
		match[i] = -1;
	for (j = 1; j <= cols; j++)
	{
		if (a.p[j] == 0)
			continue;
		if (transposed)
		{
			/* row a.p[j] of the transpose is column a.p[j] - 1 of cost */
			match[j - 1] = a.p[j] - 1;
			total += cost[(size_t) (j - 1) * m + (a.p[j] - 1)];
		}
		else
		{
			match[a.p[j] - 1] = j - 1;
			total += cost[(size_t) (a.p[j] - 1) * m + (j - 1)];
		}
	}
	return total;
}

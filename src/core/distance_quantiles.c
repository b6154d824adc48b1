/*
 * distance_quantiles.c
 *	  The quantiles of the rows' distances to their nearest centroid: see
 *	  distance_quantiles.h.
 */
#include "distance_quantiles.h"

#include "checked_size.h"
#include "rank_quantiles.h"

#include <math.h>

/* rows per item of the parallel pass */
#define DISTANCE_ITEM_ROWS 65536

typedef struct DistancePass
{
	const double *x;
	size_t		n;
	int			d;
	const double *centroids;
	int			k;
	bool		cosine;
	float	   *dist;
} DistancePass;

static void
distance_item(void *arg, int worker, size_t item)
{
	const DistancePass *p = arg;
	size_t		from = item * DISTANCE_ITEM_ROWS,
				to = from + DISTANCE_ITEM_ROWS < p->n ? from + DISTANCE_ITEM_ROWS : p->n,
				i;

	(void) worker;
	for (i = from; i < to; i++)
	{
		double		d2;
		float		f;

		km_nearest(p->x + i * p->d, p->centroids, p->k, p->d, &d2);
		d2 = p->cosine ? d2 / 2 : sqrt(d2);
		/* rounded up: no row is beyond its quantile */
		f = (float) d2;
		if ((double) f < d2)
			f = nextafterf(f, INFINITY);
		p->dist[i] = f;
	}
}

size_t
km_distance_quantiles_bytes(size_t n)
{
	return km_size_add(km_size_mul(n, sizeof(float)), km_rank_quantiles_bytes(n));
}

KmStatus
km_distance_quantiles(const double *x, size_t n, int d, const double *centroids, int k,
					  bool cosine, int m, double *out, const KmAlloc *mem,
					  const KmParallel *par)
{
	DistancePass pass = {x, n, d, centroids, k, cosine, NULL};
	KmStatus	status;

	pass.dist = mem->alloc(mem->ctx, sizeof(float) * n);
	if (pass.dist == NULL)
		return KM_NO_MEMORY;
	km_parallel_for(par, (n + DISTANCE_ITEM_ROWS - 1) / DISTANCE_ITEM_ROWS, distance_item, &pass);
	status = km_rank_quantiles(pass.dist, n, m, out, mem, par);
	mem->release(mem->ctx, pass.dist);
	return status;
}

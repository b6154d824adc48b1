/*
 * cluster_ids.c
 *	  Stable cluster numbers across retrainings: see cluster_ids.h.
 */
#include "compat.h"

#include <float.h>
#include <limits.h>
#include <math.h>

#include "cluster_ids.h"
#include "feature_encoding.h"
#include "core/kmeans.h"
#include "core/matching.h"
#include "miscadmin.h"

bool
keep_cluster_ids(const Model *prev, char **features, char **categories, Model *model,
				 TrainOutcome *out)
{
	int			k = model->k,
				d = model->d,
				i,
				j,
				next_free = 0;
	double	   *cost,
			   *now,
			   *before,
			   *centroids;
	int		   *match,
			   *id,
			   *order;
	bool	   *taken;

	if (prev->d != d || k > MAX_MATCHED_K || prev->k > MAX_MATCHED_K)
		return false;
	for (j = 0; j < d; j++)
		if (strcmp(prev->features[j], features[j]) != 0)
			return false;
	if (!same_categories(prev->categories, categories, d))
		return false;

	/* both sets of centroids in the new model's scaled space */
	now = palloc(sizeof(double) * k * d);
	before = palloc(sizeof(double) * prev->k * d);
	for (i = 0; i < k; i++)
		for (j = 0; j < d; j++)
			now[i * d + j] = (model->centroids[i * d + j] - model->offset[j]) / model->factor[j];
	for (i = 0; i < prev->k; i++)
		for (j = 0; j < d; j++)
			before[i * d + j] = (prev->centroids[i * d + j] - model->offset[j]) / model->factor[j];
	cost = palloc(sizeof(double) * k * prev->k);
	{
		/*
		 * Distances are capped so that no sum of k of them, nor the
		 * matching's potentials, can overflow (a previous centroid far out
		 * on the new scale is simply as far as can be).
		 */
		double		cap = DBL_MAX / (16.0 * (k + prev->k));

		for (i = 0; i < k; i++)
			for (j = 0; j < prev->k; j++)
			{
				double		c = km_distance(now + i * d, before + j * d, d);

				cost[i * prev->k + j] = isfinite(c) && c < cap ? c : cap;
			}
	}
	CHECK_FOR_INTERRUPTS();
	match = palloc(sizeof(int) * k);
	km_min_cost_matching(cost, k, prev->k, match, palloc(km_matching_bytes(k, prev->k)));

	/* matched to a number below k: keep it; the rest take the free ones */
	id = palloc(sizeof(int) * k);
	taken = palloc0(sizeof(bool) * k);
	for (i = 0; i < k; i++)
	{
		id[i] = -1;
		if (match[i] >= 0 && match[i] < k)
		{
			id[i] = match[i];
			taken[match[i]] = true;
		}
	}
	order = palloc(sizeof(int) * k);
	for (i = 0; i < k; i++)
		order[i] = i;
	/* the unnumbered ones by the number they matched (unmatched last), then index */
	for (i = 1; i < k; i++)
	{
		int			x = order[i],
					kx = match[x] < 0 ? INT_MAX : match[x],
					p = i;

		while (p > 0)
		{
			int			y = order[p - 1],
						ky = match[y] < 0 ? INT_MAX : match[y];

			if (ky < kx || (ky == kx && y < x))
				break;
			order[p] = y;
			p--;
		}
		order[p] = x;
	}
	for (i = 0; i < k; i++)
	{
		int			c = order[i];

		if (id[c] >= 0)
			continue;
		while (taken[next_free])
			next_free++;
		id[c] = next_free;
		taken[next_free] = true;
	}

	/* move every per-cluster array to the new numbers */
	centroids = palloc(sizeof(double) * k * d);
	{
		int64	   *sizes = palloc(sizeof(int64) * k);
		int64	   *below = out->centroid_below ? palloc(sizeof(int64) * k * d) : NULL;

		for (i = 0; i < k; i++)
		{
			memcpy(centroids + id[i] * d, model->centroids + i * d, sizeof(double) * d);
			sizes[id[i]] = out->sizes[i];
			if (below)
				memcpy(below + id[i] * d, out->centroid_below + i * d, sizeof(int64) * d);
		}
		memcpy(model->centroids, centroids, sizeof(double) * k * d);
		memcpy(out->sizes, sizes, sizeof(int64) * k);
		if (below)
			memcpy(out->centroid_below, below, sizeof(int64) * k * d);
	}
	return true;
}

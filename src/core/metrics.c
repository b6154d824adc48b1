/*
 * metrics.c
 *	  Clustering quality metrics: see metrics.h.
 */
#include "metrics.h"

#include <math.h>
#include <string.h>

#include "checked_size.h"
#include "exact_sum.h"

/* Cluster means and counts from labels. */
static void
cluster_means(const double *x, size_t n, int d, const int32_t *labels, int k,
			  double *means, int64_t *counts)
{
	size_t		i;
	int			c,
				j;

	memset(means, 0, sizeof(double) * k * d);
	memset(counts, 0, sizeof(int64_t) * k);
	for (i = 0; i < n; i++)
	{
		for (j = 0; j < d; j++)
			means[(size_t) labels[i] * d + j] += x[i * d + j];
		counts[labels[i]]++;
	}
	for (c = 0; c < k; c++)
		for (j = 0; j < d; j++)
			if (counts[c] > 0)
				means[(size_t) c * d + j] /= (double) counts[c];
}

/* The mean silhouette into *out (NaN for fewer than 2 clusters). */
static KmStatus
silhouette(const double *x, size_t n, int d, const int32_t *labels, int k,
		   const KmAlloc *mem, double *out)
{
	double	   *sum_to = mem->alloc(mem->ctx, sizeof(double) * k);
	int64_t    *counts = mem->alloc(mem->ctx, sizeof(int64_t) * k);
	double		total = 0;
	int			used = 0,
				c;
	size_t		i,
				m;

	*out = NAN;
	if (sum_to == NULL || counts == NULL)
	{
		if (sum_to)
			mem->release(mem->ctx, sum_to);
		if (counts)
			mem->release(mem->ctx, counts);
		return KM_NO_MEMORY;
	}
	memset(counts, 0, sizeof(int64_t) * k);
	for (i = 0; i < n; i++)
		counts[labels[i]]++;
	for (c = 0; c < k; c++)
		used += counts[c] > 0;
	if (used < 2)
	{
		mem->release(mem->ctx, sum_to);
		mem->release(mem->ctx, counts);
		return KM_OK;
	}
	for (i = 0; i < n; i++)
	{
		int32_t		own = labels[i];
		double		a,
					b = INFINITY;

		memset(sum_to, 0, sizeof(double) * k);
		for (m = 0; m < n; m++)
			sum_to[labels[m]] += sqrt(km_dist2(x + i * d, x + m * d, d));
		/* a point alone in its cluster scores 0, as in scikit-learn */
		if (counts[own] == 1)
			continue;
		a = sum_to[own] / (double) (counts[own] - 1);
		for (c = 0; c < k; c++)
			if (c != own && counts[c] > 0 && sum_to[c] / (double) counts[c] < b)
				b = sum_to[c] / (double) counts[c];
		if (fmax(a, b) > 0)
			total += (b - a) / fmax(a, b);
	}
	mem->release(mem->ctx, sum_to);
	mem->release(mem->ctx, counts);
	*out = total / (double) n;
	return KM_OK;
}

double
km_silhouette(const double *x, size_t n, int d, const int32_t *labels, int k,
			  const KmAlloc *mem)
{
	double		out;

	(void) silhouette(x, n, d, labels, k, mem, &out);
	return out;
}

static double
davies_bouldin(const double *x, size_t n, int d, const int32_t *labels, int k,
			   const double *means, const int64_t *counts, double *scatter)
{
	double		total = 0;
	int			used = 0,
				a,
				b;
	size_t		i;

	memset(scatter, 0, sizeof(double) * k);
	for (i = 0; i < n; i++)
		scatter[labels[i]] += sqrt(km_dist2(x + i * d, means + (size_t) labels[i] * d, d));
	for (a = 0; a < k; a++)
		if (counts[a] > 0)
		{
			scatter[a] /= (double) counts[a];
			used++;
		}
	if (used < 2)
		return NAN;
	for (a = 0; a < k; a++)
	{
		double		worst = 0;

		if (counts[a] == 0)
			continue;
		for (b = 0; b < k; b++)
		{
			double		sep;

			if (b == a || counts[b] == 0)
				continue;
			sep = sqrt(km_dist2(means + (size_t) a * d, means + (size_t) b * d, d));
			if (sep > 0 && (scatter[a] + scatter[b]) / sep > worst)
				worst = (scatter[a] + scatter[b]) / sep;
		}
		total += worst;
	}
	return total / used;
}

/* overall: the d-vector of the mean of every row */
static double
calinski_harabasz(size_t n, int d, int k, const double *overall,
				  const double *means, const int64_t *counts, double within)
{
	double		between = 0;
	int			used = 0,
				c,
				j;

	for (c = 0; c < k; c++)
		used += counts[c] > 0;
	if (used < 2 || (size_t) used >= n)
		return NAN;
	for (c = 0; c < k; c++)
	{
		double		t = 0;

		if (counts[c] == 0)
			continue;
		for (j = 0; j < d; j++)
		{
			double		diff = means[(size_t) c * d + j] - overall[j];

			t += diff * diff;
		}
		between += (double) counts[c] * t;
	}
	if (within == 0)
		return INFINITY;
	return (between / (used - 1)) / (within / (double) (n - used));
}

/* The sample of the silhouette above KM_SILHOUETTE_EXACT_ROWS rows. */
static size_t
sample_rows(size_t n)
{
	return n <= KM_SILHOUETTE_EXACT_ROWS ? 0 : KM_SILHOUETTE_EXACT_ROWS;
}

size_t
km_metrics_bytes(size_t n, int d, int k)
{
	size_t		m = sample_rows(n);
	size_t		bytes = 0;

	/* means, counts, scatter, overall; the silhouette's sums and counts */
	bytes = km_size_add(bytes, km_size_mul3((size_t) k, (size_t) d, sizeof(double)));
	bytes = km_size_add(bytes, km_size_mul3(4, (size_t) k, sizeof(double)));
	bytes = km_size_add(bytes, km_size_mul((size_t) d, sizeof(double)));
	if (m > 0)					/* every row's draw, and the sample */
	{
		bytes = km_size_add(bytes, km_size_mul(n, sizeof(double)));
		bytes = km_size_add(bytes, km_size_mul3(m, (size_t) d, sizeof(double)));
		bytes = km_size_add(bytes, km_size_mul(m, sizeof(int32_t)));
	}
	return bytes;
}

KmStatus
km_metrics(const double *x, size_t n, int d, const int32_t *labels, int k,
		   uint64_t seed, const KmAlloc *mem, KmMetrics *out)
{
	double	   *means = mem->alloc(mem->ctx, sizeof(double) * k * d);
	int64_t    *counts = mem->alloc(mem->ctx, sizeof(int64_t) * k);
	double	   *scatter = mem->alloc(mem->ctx, sizeof(double) * k);
	double	   *overall = mem->alloc(mem->ctx, sizeof(double) * d);
	KmExactSum	w;
	KmStatus	status;
	size_t		i;
	int			j;

	if (means == NULL || counts == NULL || scatter == NULL || overall == NULL)
		return KM_NO_MEMORY;
	for (j = 0; j < d; j++)
		overall[j] = km_exact_sum(x + j, n, d) / (double) n;
	cluster_means(x, n, d, labels, k, means, counts);
	km_exact_sum_init(&w);
	for (i = 0; i < n; i++)
		km_exact_sum_add(&w, km_dist2(x + i * d, means + (size_t) labels[i] * d, d));
	out->inertia = km_exact_sum_result(&w);
	out->davies_bouldin = davies_bouldin(x, n, d, labels, k, means, counts, scatter);
	out->calinski_harabasz = calinski_harabasz(n, d, k, overall, means, counts, out->inertia);

	if (sample_rows(n) == 0)
	{
		status = silhouette(x, n, d, labels, k, mem, &out->silhouette);
		out->silhouette_rows = n;
	}
	else
	{
		/* the sample: the rows with the smallest draws (threshold by selection) */
		size_t		m = sample_rows(n);
		double	   *keys = mem->alloc(mem->ctx, sizeof(double) * n);
		double	   *sx = mem->alloc(mem->ctx, sizeof(double) * m * d);
		int32_t    *sl = mem->alloc(mem->ctx, sizeof(int32_t) * m);
		double		lo = 0,
					hi = 1;
		size_t		taken = 0;
		int			iter;

		if (keys == NULL || sx == NULL || sl == NULL)
			return KM_NO_MEMORY;
		for (i = 0; i < n; i++)
			keys[i] = km_point_uniform(x + i * d, d, seed, UINT64_C(0x5117));
		/* bisect a threshold that keeps about m rows, then take them in key order */
		for (iter = 0; iter < 60; iter++)
		{
			double		mid = (lo + hi) / 2;
			size_t		below = 0;

			for (i = 0; i < n; i++)
				below += keys[i] <= mid;
			if (below >= m)
				hi = mid;
			else
				lo = mid;
		}
		for (i = 0; i < n && taken < m; i++)
			if (keys[i] <= hi)
			{
				memcpy(sx + taken * d, x + i * d, sizeof(double) * d);
				sl[taken++] = labels[i];
			}
		status = silhouette(sx, taken, d, sl, k, mem, &out->silhouette);
		out->silhouette_rows = taken;
		mem->release(mem->ctx, keys);
		mem->release(mem->ctx, sx);
		mem->release(mem->ctx, sl);
	}
	mem->release(mem->ctx, means);
	mem->release(mem->ctx, counts);
	mem->release(mem->ctx, scatter);
	mem->release(mem->ctx, overall);
	return status;
}

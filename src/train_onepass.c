/*
 * train_onepass.c
 *	  train(..., mode => 'onepass'): one scan of the relation through the
 *	  kmeans_summary() aggregate (so parallel query and Citus split it),
 *	  then everything else in memory on the summary:
 *	  - the scaler, exactly, from the summary's moments;
 *	  - weighted k-means (core/weighted_kmeans.h) on the summary's sample of
 *	    distinct rows, each weighted by its multiplicity;
 *	  - the model's sizes, inertia, mean distance and centroid ranks from
 *	    the sample scaled up to the rows (exact when the sample holds every
 *	    distinct row);
 *	  - optionally `refine` aggregate-mode Lloyd passes over the relation,
 *	    after which sizes, inertia and mean distance are exact.
 *	  The summary is the same whatever the row order and however the scan
 *	  was split (onepass_summary.h), so the model is too.
 */
#include "compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "core/onepass_summary.h"
#include "core/pair_sort.h"
#include "core/rank_quantiles.h"
#include "core/scaler.h"
#include "core/weighted_kmeans.h"
#include "core_hooks.h"
#include "executor/spi.h"
#include "feature_encoding.h"
#include "feature_loader.h"
#include "kmeans_aggregate.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "safe_spi.h"
#include "summary_value.h"
#include "train_onepass.h"
#include "utils/builtins.h"
#include "utils/datum.h"
#include "utils/lsyscache.h"

/*
 * The summary of the relation's rows, in one scan, as the caller's query
 * would read them (its privileges, row-level security, planner hooks): its
 * usable rows, and those it skipped for a NULL feature (the features are
 * never a NULL array here), so that no count(*) runs beside it (some 8 ns a
 * row). NULL for a relation without rows.
 */
static KmSummary *
scan_summary(const TrainOptions *o)
{
	StringInfoData q;
	char	   *rel = quote_qualified_identifier(get_namespace_name(get_rel_namespace(o->relid)),
												 get_rel_name(o->relid));
	KmSummary  *s = NULL;
	Datum		v;
	bool		isnull,
				fresh = false;
	int			level,
				j;
	MemoryContext caller = CurrentMemoryContext;

	initStringInfo(&q);
	/* up to 4 features as plain arguments (no array per row), else an array */
	appendStringInfo(&q, "SELECT rfm_kmeans.kmeans_summary(%s", o->d <= 4 ? "" : "ARRAY[");
	if (o->d <= 4)
		appendStringInfo(&q, "%d", o->sample_size);
	for (j = 0; j < o->d; j++)
		appendStringInfo(&q, "%s%s::pg_catalog.float8", o->d <= 4 || j > 0 ? ", " : "",
						 o->exprs[j]);
	if (o->d > 4)
		appendStringInfo(&q, "], %d", o->sample_size);
	appendStringInfo(&q, ") FROM %s", rel);

	level = safe_spi_connect(SAFE_SPI_DEFAULT);
	/* read-only, no row limit: parallel query may split the scan */
	if (SPI_execute(q.data, true, 0) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "one-pass summary query failed");
	v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	/* read (a flat value: the working layout, fresh) into memory that outlives SPI's */
	if (!isnull)
		s = summary_read(v, caller, &fresh);
	Assert(isnull || fresh);
	safe_spi_finish(level);
	return s;
}

/*
 * Sizes in proportion to weights (summing to sample_weight), adding up to
 * total (largest remainder, ties to the lower cluster), in integers: the
 * quotient and remainder of weight x total / sample_weight, exactly.
 */
static void
scale_sizes(const int64 *weights, int k, int64 sample_weight, int64 total, int64 *sizes)
{
	int64	   *rest = palloc(sizeof(int64) * k);
	int64		given = 0;
	int			c;

	for (c = 0; c < k; c++)
	{
		int128		product = (int128) weights[c] * total;

		sizes[c] = (int64) (product / sample_weight);
		rest[c] = (int64) (product % sample_weight);
		given += sizes[c];
	}
	/* fewer than k rows are missing: one more each for the largest remainders */
	while (given < total)
	{
		int			best = -1;

		for (c = 0; c < k; c++)
			if (weights[c] > 0 && rest[c] >= 0 && (best < 0 || rest[c] > rest[best]))
				best = c;
		if (best < 0)
			break;
		sizes[best]++;
		rest[best] = -1;
		given++;
	}
}

/* A centroid's value of one feature, with the centroid's number. */
typedef struct CentroidValue
{
	double		value;
	int			centroid;
} CentroidValue;

static int
centroid_value_cmp(const void *a, const void *b)
{
	double		x = ((const CentroidValue *) a)->value,
				y = ((const CentroidValue *) b)->value;

	return x < y ? -1 : x > y;
}

/*
 * The rows below each centroid's value of each feature (centroid_ranks.h),
 * from the sample (scaled units, as the centroids): the weights of the
 * sample values below it, scaled up to the rows. Per feature, the k values
 * sorted, then one pass over the sample: each value's weight goes to the
 * first centroid value above it (a binary search), and running sums give
 * every centroid's count. O(n d log k), not a sort of the sample.
 */
static void
sample_ranks(const double *x, const int64 *w, int n, int d, const double *centroids, int k,
			 double ratio, int64 *below)
{
	CentroidValue *vals = palloc(sizeof(CentroidValue) * k);
	int64	   *added = palloc(sizeof(int64) * (k + 1));
	int			i,
				j,
				c;

	for (j = 0; j < d; j++)
	{
		int64		running = 0;

		CHECK_FOR_INTERRUPTS();
		for (c = 0; c < k; c++)
		{
			vals[c].value = centroids[(size_t) c * d + j];
			vals[c].centroid = c;
		}
		qsort(vals, k, sizeof(CentroidValue), centroid_value_cmp);
		memset(added, 0, sizeof(int64) * (k + 1));
		for (i = 0; i < n; i++)
		{
			double		v = x[(size_t) i * d + j];
			int			lo = 0,
						hi = k;

			/* the first centroid value above v: those from there on count it */
			while (lo < hi)
			{
				int			mid = lo + (hi - lo) / 2;

				if (vals[mid].value <= v)
					lo = mid + 1;
				else
					hi = mid;
			}
			added[lo] += w[i];
		}
		for (c = 0; c < k; c++)
		{
			running += added[c];
			below[(size_t) vals[c].centroid * d + j] = (int64) llround((double) running * ratio);
		}
	}
	pfree(vals);
	pfree(added);
}

/*
 * The distance quantiles (as rank_quantiles.h's, over the rows) from the
 * sample: each sample row's distance to its nearest center, weighted by
 * its multiplicity; the value at rank ceil(j total / 1000) of the weights.
 * Exact when the sample holds every distinct row.
 */
static void
sample_distance_quantiles(const double *x, const int64 *w, int n, int d, const double *centers,
						  int k, double *out)
{
	/* (distance, weight): a distance is not negative, its bits sort as it */
	KmPair	   *dist = palloc(sizeof(KmPair) * n);
	int64		total = 0,
				seen = 0;
	int			i,
				j = 0;

	for (i = 0; i < n; i++)
	{
		double		d2,
					distance;

		km_nearest(x + (size_t) i * d, centers, k, d, &d2);
		distance = sqrt(d2);
		memcpy(&dist[i].key, &distance, sizeof(distance));
		dist[i].payload = (uint64) w[i];
		total += w[i];
	}
	km_sort_pairs(dist, n);
	for (i = 0; i < n && j < DISTANCE_QUANTILES; i++)
	{
		double		value;

		memcpy(&value, &dist[i].key, sizeof(value));
		seen += (int64) dist[i].payload;
		/* every rank max(1, ceil(j total / 1000)) within the rows seen so far */
		while (j < DISTANCE_QUANTILES &&
			   km_quantile_rank(j, (uint64_t) total, DISTANCE_QUANTILES) <= (uint64_t) seen)
			out[j++] = value;
	}
	pfree(dist);
}

void
train_onepass(const TrainOptions *o, Model *model, TrainOutcome *out)
{
	KmSummary  *s;
	int64		sample_weight = 0;
	int			n,
				i,
				k_fit,
				j;
	double	   *x,
			   *lo,
			   *hi,
			   *start = NULL,
			   *centers,
				meanvar,
				ratio;
	int64	   *w,
			   *weights;
	KmConfig	cfg;
	KmResult	res;
	KmAlloc		mem = core_alloc_in(CurrentMemoryContext);
	KmStatus	status;

	s = scan_summary(o);
	out->n_rows = s ? s->rows : 0;
	out->n_skipped = s ? s->skipped : 0;
	if (out->n_rows == 0)
		no_usable_row_error(o->relid, out->n_skipped);
	if (o->k > out->n_rows)
		k_above_rows_error("k", o->k, (size_t) out->n_rows);

	/* the scaler, exactly, and the box check on the real ranges */
	meanvar = km_summary_scaler(s, o->scale, model->offset, model->factor);
	keep_one_hot_unscaled(o->categories, o->d, model->offset, model->factor);
	lo = palloc(sizeof(double) * o->d);
	hi = palloc(sizeof(double) * o->d);
	for (j = 0; j < o->d; j++)
	{
		lo[j] = km_summary_min(s, j);
		hi[j] = km_summary_max(s, j);
	}
	if (o->init == KM_INIT_EXPLICIT)
		start = explicit_centroids(o, model->offset, model->factor);
	check_value_range(o->features, o->d, lo, hi, model->offset, model->factor,
					  start, o->k, (size_t) out->n_rows, psprintf("scale => '%s'", o->scale_name));

	/* the sample, scaled */
	x = palloc_extended(sizeof(double) * (size_t) s->entries * o->d, MCXT_ALLOC_HUGE);
	w = palloc_extended(sizeof(int64) * (size_t) Max(s->entries, 1), MCXT_ALLOC_HUGE);
	/* in key order: the sample's order must not depend on the scan's */
	km_summary_canonicalize(s);
	n = km_summary_sample(s, x, (int64_t *) w);
	for (i = 0; i < n; i++)
		sample_weight += w[i];
	ratio = (double) out->n_rows / (double) sample_weight;
	km_scaler_apply(model->offset, model->factor, o->d, x, (size_t) n, NULL);
	/*
	 * One-hot features are not scaled, so tol's unit, the mean feature
	 * variance, is not the scaler's: the weighted sample's (exact when it
	 * holds every distinct row)
	 */
	if (o->categories != NULL)
	{
		meanvar = 0;
		for (j = 0; j < o->d; j++)
		{
			double		mean = 0,
						var = 0;

			for (i = 0; i < n; i++)
				mean += (double) w[i] * x[(size_t) i * o->d + j];
			mean /= (double) sample_weight;
			for (i = 0; i < n; i++)
			{
				double		dev = x[(size_t) i * o->d + j] - mean;

				var += (double) w[i] * dev * dev;
			}
			meanvar += var / (double) sample_weight / o->d;
		}
	}

	/* fewer distinct rows than k: the extra clusters stay empty, as in memory mode */
	k_fit = Min(o->k, n);
	if (k_fit < o->k)
		ereport(WARNING,
				(errmsg("relation \"%s\" has only %d distinct points for k = %d",
						get_rel_name(o->relid), n, o->k),
				 errdetail_plural("%d cluster will be empty (size 0).",
								  "%d clusters will be empty (size 0).",
								  o->k - k_fit, o->k - k_fit)));
	memset(&cfg, 0, sizeof(cfg));
	cfg.k = k_fit;
	cfg.init = o->init;
	cfg.init_centroids = start;
	cfg.n_init = o->n_init;
	cfg.seedings = o->seedings;
	cfg.max_iter = o->max_iter;
	cfg.tol = o->tol;
	cfg.mean_variance = meanvar;
	cfg.seed = (uint64_t) o->seed;
	cfg.parallel = core_parallel();
	centers = palloc(sizeof(double) * o->k * o->d);
	weights = palloc0(sizeof(int64) * o->k);
	memset(&res, 0, sizeof(res));
	res.centroids = centers;
	res.sizes = (int64_t *) weights;
	status = km_fit_weighted(x, (int64_t *) w, (size_t) n, o->d, &cfg, &mem, &res);
	fit_status_check(status, (size_t) n);
	for (i = k_fit; i < o->k; i++)
		memcpy(centers + (size_t) i * o->d, centers, sizeof(double) * o->d);

	/* the statistics from the sample, scaled up to the rows */
	scale_sizes(weights, o->k, sample_weight, out->n_rows, out->sizes);
	out->inertia = res.inertia * ratio;
	out->mean_distance = res.mean_distance;
	out->iterations = res.iterations;
	out->converged = res.converged;
	pfree(s);

	/*
	 * exact passes over the relation, if asked: then sizes, inertia and mean
	 * distance are exact, and converged says whether the last pass moved the
	 * centroids by no more than tol
	 */
	if (o->refine > 0)
	{
		bool		converged = false;

		out->iterations += refine_aggregate(o, model, centers, o->refine, o->tol * meanvar,
											&converged, out);
		out->converged = converged;
	}
	if (out->centroid_below)
		sample_ranks(x, w, n, o->d, centers, o->k, ratio, out->centroid_below);
	/* refine computed them exactly over the rows */
	if (out->distance_quantiles && o->refine == 0)
		sample_distance_quantiles(x, w, n, o->d, centers, o->k, out->distance_quantiles);
	pfree(x);
	memcpy(model->centroids, centers, sizeof(double) * o->k * o->d);
	km_scaler_unapply(model->offset, model->factor, o->d, model->centroids, o->k);
}

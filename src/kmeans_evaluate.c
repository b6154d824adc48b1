/*
 * kmeans_evaluate.c
 *	  evaluate(model, relation): quality of a model on a relation's rows;
 *	  elbow(relation, features, k_min, k_max, ...): one fit per k with its
 *	  metrics and a recommended k.
 */
#include "compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "core/kmeans.h"
#include "core/metrics.h"
#include "core/scaler.h"
#include "core_hooks.h"
#include "feature_loader.h"
#include "funcapi.h"
#include "guc.h"
#include "kmeans_train.h"
#include "miscadmin.h"
#include "model_store.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

static Datum
nullable_float8(double v, bool *isnull)
{
	*isnull = isnan(v);
	return Float8GetDatum(v);
}

/* Load a relation's features for evaluation: ERROR if none is usable. */
static void
load_for_evaluation(Oid relid, char **features, int d, FeatureSet *fs)
{
	load_features(relid, features, d, (Size) rfm_train_memory_limit_kb * 1024, fs, NULL);
	if (fs->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation \"%s\" has no row with all features non-null",
						get_rel_name(relid))));
}

PG_FUNCTION_INFO_V1(rfm_evaluate);
Datum
rfm_evaluate(PG_FUNCTION_ARGS)
{
	MemoryContext work,
				old;
	Model	   *m;
	FeatureSet	fs;
	KmMetrics	metrics;
	KmAlloc		mem;
	TupleDesc	tupdesc;
	int32	   *labels;
	double		inertia = 0;
	Datum		values[7];
	bool		nulls[7] = {false};
	HeapTuple	tuple;
	KmParallel	par = core_parallel();
	size_t		i;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("evaluate() arguments must not be null")));
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "evaluate() must return a composite type");
	work = AllocSetContextCreate(CurrentMemoryContext, "rfm_kmeans evaluate",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	m = model_load(text_to_cstring(PG_GETARG_TEXT_PP(0)), work);
	load_for_evaluation(PG_GETARG_OID(1), m->features, m->d, &fs);
	km_scaler_apply(m->offset, m->factor, m->d, fs.x, fs.n, &par);

	/* each row to the model's nearest centroid */
	labels = MemoryContextAllocHuge(work, sizeof(int32) * fs.n);
	for (i = 0; i < fs.n; i++)
	{
		double		d2;

		if ((i & 0xFFFF) == 0)
			CHECK_FOR_INTERRUPTS();
		labels[i] = km_nearest(fs.x + i * m->d, m->scaled, m->k, m->d, &d2);
		inertia += d2;
	}
	mem = core_alloc_in(work);
	if (km_metrics(fs.x, fs.n, m->d, labels, m->k, 0, &mem, &metrics) != KM_OK)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory evaluating %zu rows", fs.n)));
	MemoryContextSwitchTo(old);

	values[0] = Float8GetDatum(inertia);
	values[1] = Float8GetDatum(inertia / (double) fs.n);
	values[2] = nullable_float8(metrics.silhouette, &nulls[2]);
	values[3] = nullable_float8(metrics.davies_bouldin, &nulls[3]);
	values[4] = nullable_float8(metrics.calinski_harabasz, &nulls[4]);
	values[5] = Int64GetDatum((int64) fs.n);
	values[6] = Int64GetDatum((int64) metrics.silhouette_rows);
	tuple = heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls);
	MemoryContextDelete(work);
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}

/*
 * The elbow of (k, inertia): after scaling both axes to 0..1, the point
 * farthest below the straight line from the first point to the last; ties
 * go to the smaller k. With fewer than three points, the best silhouette.
 */
static int
recommend_k(int n, const double *inertia, const double *silhouette)
{
	int			best = 0,
				i;
	double		best_gap = -1;
	double		lo = inertia[n - 1],
				hi = inertia[0];

	if (n < 3 || !(hi > lo))
	{
		for (i = 1; i < n; i++)
			if (!isnan(silhouette[i]) && (isnan(silhouette[best]) || silhouette[i] > silhouette[best]))
				best = i;
		return best;
	}
	for (i = 0; i < n; i++)
	{
		double		x = (double) i / (n - 1);
		double		y = (inertia[i] - lo) / (hi - lo);
		double		gap = (1 - x) - y;	/* the line runs from (0, 1) to (1, 0) */

		if (gap > best_gap)
		{
			best_gap = gap;
			best = i;
		}
	}
	return best;
}

PG_FUNCTION_INFO_V1(rfm_elbow);
Datum
rfm_elbow(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	MemoryContext work,
				old;
	FeatureSet	fs;
	char	  **features;
	int			d,
				k_min,
				k_max,
				n_k,
				i,
				argno;
	double	   *offset,
			   *factor,
			   *inertia,
			   *silhouette,
			   *db;
	KmConfig	cfg;
	KmAlloc		mem;
	KmScale		scale;
	KmParallel	par = core_parallel();
	int			best;

	for (argno = 0; argno < 10; argno++)
		if (argno != 5 && PG_ARGISNULL(argno))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("elbow() argument %d must not be null", argno + 1)));
	features = feature_names(PG_GETARG_ARRAYTYPE_P(1), &d);
	k_min = PG_GETARG_INT32(2);
	k_max = PG_GETARG_INT32(3);
	if (k_min < 1 || k_max < k_min || k_max - k_min > 50)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("elbow() needs 1 <= k_min <= k_max <= k_min + 50, got %d and %d", k_min, k_max)));
	memset(&cfg, 0, sizeof(cfg));
	cfg.init = parse_init_option(text_to_cstring(PG_GETARG_TEXT_PP(4)));
	cfg.n_init = PG_ARGISNULL(5) ? (cfg.init == KM_INIT_RANDOM ? 10 : 1) : PG_GETARG_INT32(5);
	cfg.max_iter = PG_GETARG_INT32(6);
	cfg.tol = PG_GETARG_FLOAT8(7);
	cfg.seed = (uint64_t) PG_GETARG_INT64(8);
	cfg.parallel = par;
	if (cfg.n_init < 1 || cfg.n_init > 1000 || cfg.max_iter < 1 || cfg.max_iter > 1000000 ||
		!(cfg.tol >= 0) || !isfinite(cfg.tol))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("elbow() options need 1 <= n_init <= 1000, 1 <= max_iter <= 1000000 and a finite tol >= 0")));
	scale = parse_scale_option(text_to_cstring(PG_GETARG_TEXT_PP(9)));

	InitMaterializedSRF(fcinfo, 0);
	work = AllocSetContextCreate(CurrentMemoryContext, "rfm_kmeans elbow",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	load_for_evaluation(PG_GETARG_OID(0), features, d, &fs);
	if ((size_t) k_max > fs.n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument k_max (%d) is greater than the number of usable rows (%zu)",
						k_max, fs.n)));
	offset = palloc(sizeof(double) * d);
	factor = palloc(sizeof(double) * d);
	cfg.mean_variance = km_scaler_fit_variance(scale, fs.x, fs.n, d, fs.lo, fs.hi, offset, factor,
											   &par);
	km_scaler_apply(offset, factor, d, fs.x, fs.n, &par);
	mem = core_alloc_in(work);

	n_k = k_max - k_min + 1;
	inertia = palloc(sizeof(double) * n_k);
	silhouette = palloc(sizeof(double) * n_k);
	db = palloc(sizeof(double) * n_k);
	for (i = 0; i < n_k; i++)
	{
		KmResult	res;
		KmMetrics	metrics;

		CHECK_FOR_INTERRUPTS();
		cfg.k = k_min + i;
		cfg.prune = cfg.k >= KM_PRUNE_MIN_K;
		res.centroids = palloc(sizeof(double) * cfg.k * d);
		res.labels = MemoryContextAllocHuge(work, sizeof(int32) * fs.n);
		res.sizes = palloc(sizeof(int64) * cfg.k);
		if (km_fit(fs.x, fs.n, d, &cfg, &mem, &res) != KM_OK ||
			km_metrics(fs.x, fs.n, d, res.labels, cfg.k, cfg.seed, &mem, &metrics) != KM_OK)
			ereport(ERROR,
					(errcode(ERRCODE_OUT_OF_MEMORY),
					 errmsg("out of memory fitting k = %d on %zu rows", cfg.k, fs.n)));
		inertia[i] = res.inertia;
		silhouette[i] = metrics.silhouette;
		db[i] = metrics.davies_bouldin;
		pfree(res.labels);
	}
	best = recommend_k(n_k, inertia, silhouette);
	MemoryContextSwitchTo(old);
	for (i = 0; i < n_k; i++)
	{
		Datum		values[5];
		bool		nulls[5] = {false};

		values[0] = Int32GetDatum(k_min + i);
		values[1] = Float8GetDatum(inertia[i]);
		values[2] = nullable_float8(silhouette[i], &nulls[2]);
		values[3] = nullable_float8(db[i], &nulls[3]);
		values[4] = BoolGetDatum(i == best);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(work);
	return (Datum) 0;
}

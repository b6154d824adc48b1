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
#include "core/checked_size.h"
#include "core_hooks.h"
#include "feature_loader.h"
#include "funcapi.h"
#include "guc.h"
#include "cosine.h"
#include "feature_encoding.h"
#include "miscadmin.h"
#include "model_store.h"
#include "train_checks.h"
#include "train_options.h"
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
load_for_evaluation(Oid relid, char **features, char **exprs, int d, const LoadBudget *budget,
					FeatureSet *fs)
{
	load_features(relid, features, exprs, d, budget, fs, NULL);
	if (fs->n == 0)
		no_usable_row_error(relid, fs->skipped);
}

/* What the metrics of rows rows need beside the features: labels, and km_metrics. */
typedef struct MetricsPlan
{
	int			d;
	int			k;
} MetricsPlan;

static size_t
evaluation_extra_bytes(const void *arg, size_t rows)
{
	const MetricsPlan *plan = arg;

	return km_size_add(km_size_mul(rows, sizeof(int32)),
					   km_metrics_bytes(rows, plan->d, plan->k));
}

/*
 * evaluate(model, relation): returns one row (inertia, mean_squared_distance,
 * silhouette, davies_bouldin, calinski_harabasz, n_rows, silhouette_rows) of
 * the model on the relation's rows without a NULL feature, a metric NULL
 * where it is undefined. Not strict. Checks: a NULL argument
 * (ERRCODE_NULL_VALUE_NOT_ALLOWED); an unknown model
 * (ERRCODE_UNDEFINED_OBJECT; a malformed one ERRCODE_DATA_CORRUPTED); the
 * relation and columns as _check_columns() does, read as the caller; a NaN or
 * infinite value, no usable row (ERRCODE_DATA_EXCEPTION); a working set over
 * rfm_kmeans.train_memory_limit (ERRCODE_PROGRAM_LIMIT_EXCEEDED); values the
 * scaler takes out of float8's range (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
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
	LoadBudget	budget;
	MetricsPlan plan;
	TupleDesc	tupdesc;
	int32	   *labels;
	double		inertia = 0;
	Datum		values[7];
	bool		nulls[7] = {false};
	HeapTuple	tuple;
	KmParallel	par = core_parallel();
	size_t		i;

	require_argument(fcinfo, 0, "model");
	require_argument(fcinfo, 1, "relation");
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "evaluate() must return a composite type");
	work = AllocSetContextCreate(CurrentMemoryContext, "rfm_kmeans evaluate",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	m = model_load(text_to_cstring(PG_GETARG_TEXT_PP(0)), work);
	plan.d = m->d;
	plan.k = m->k;
	budget.limit = (size_t) rfm_train_memory_limit_kb * 1024;
	budget.extra = evaluation_extra_bytes;
	budget.arg = &plan;
	budget.what = "evaluate()";
	budget.rows_elsewhere_fall_back = false;
	/* categories encoded as in training */
	load_for_evaluation(PG_GETARG_OID(1), m->features, model_feature_exprs(PG_GETARG_OID(1), m),
						m->d, &budget, &fs);
	/* the rows and the model's centroids, scaled, must keep every sum finite */
	check_value_range(m->features, m->d, fs.lo, fs.hi, m->offset, m->factor, m->scaled, m->k,
					  fs.n, "the model's scaler");
	km_scaler_apply(m->offset, m->factor, m->d, fs.x, fs.n, &par);
	if (m->cosine)
		unit_rows(fs.x, fs.n, m->d, "a row of the relation");

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
	fit_status_check(km_metrics(fs.x, fs.n, m->d, labels, m->k, 0, &mem, &metrics), fs.n);
	MemoryContextSwitchTo(old);

	/* cosine: the sum of cosine distances, |x - c|^2 / 2 (cosine.h), as train() reports */
	if (m->cosine)
		inertia /= 2;
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

/*
 * What elbow() needs beside the features for rows rows: each k's labels,
 * and the larger of km_fit's working set and the metrics', for the
 * largest k (the one needing most).
 */
typedef struct ElbowPlan
{
	KmConfig	cfg;			/* with k = k_max */
	int			d;
} ElbowPlan;

static size_t
elbow_extra_bytes(const void *arg, size_t rows)
{
	const ElbowPlan *plan = arg;
	size_t		fit = km_fit_bytes(rows, plan->d, &plan->cfg);
	size_t		metrics = km_metrics_bytes(rows, plan->d, plan->cfg.k);

	return km_size_add(km_size_mul(rows, sizeof(int32)), fit > metrics ? fit : metrics);
}

/*
 * elbow(relation, features, k_min, k_max, init, n_init, max_iter, tol, seed,
 * scale): fits k-means for each k in k_min..k_max on the relation's rows
 * without a NULL feature; returns a row per k (k, inertia, silhouette,
 * davies_bouldin, recommended), recommended for the elbow of the inertia. Not
 * strict. Checks: a NULL argument other than n_init
 * (ERRCODE_NULL_VALUE_NOT_ALLOWED); features as train() checks them; k_min
 * outside 1..10000, k_max outside k_min..min(k_min + 50, 10000), a bad init,
 * n_init, max_iter, tol or scale, k_max above the usable rows
 * (ERRCODE_INVALID_PARAMETER_VALUE); the relation, data and memory checks of
 * evaluate().
 */
PG_FUNCTION_INFO_V1(rfm_elbow);
Datum
rfm_elbow(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	static const char *const argnames[] = {"relation", "features", "k_min", "k_max", "init",
	"n_init", "max_iter", "tol", "seed", "scale"};
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
	ElbowPlan	plan;
	LoadBudget	budget;
	KmAlloc		mem;
	KmScale		scale;
	const char *scale_name;
	KmParallel	par = core_parallel();
	int			best;

	for (argno = 0; argno < 10; argno++)
		if (argno != 5)
			require_argument(fcinfo, argno, argnames[argno]);
	features = feature_names(PG_GETARG_ARRAYTYPE_P(1), &d);
	k_min = PG_GETARG_INT32(2);
	k_max = PG_GETARG_INT32(3);
	check_int_argument("k_min", k_min, 1, MAX_K);
	check_int_argument("k_max", k_max, k_min, Min(k_min + 50, MAX_K));
	memset(&cfg, 0, sizeof(cfg));
	cfg.init = parse_init_option(text_to_cstring(PG_GETARG_TEXT_PP(4)));
	cfg.n_init = PG_ARGISNULL(5) ? default_n_init(cfg.init) : PG_GETARG_INT32(5);
	check_int_option("n_init", cfg.n_init, 1, MAX_N_INIT);
	cfg.max_iter = PG_GETARG_INT32(6);
	check_int_option("max_iter", cfg.max_iter, 1, MAX_MAX_ITER);
	cfg.tol = PG_GETARG_FLOAT8(7);
	check_tol_option(cfg.tol);
	cfg.seed = (uint64_t) PG_GETARG_INT64(8);
	cfg.parallel = par;
	scale_name = text_to_cstring(PG_GETARG_TEXT_PP(9));
	scale = parse_scale_option(scale_name);

	InitMaterializedSRF(fcinfo, 0);
	work = AllocSetContextCreate(CurrentMemoryContext, "rfm_kmeans elbow",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	plan.cfg = cfg;
	plan.cfg.k = k_max;
	plan.cfg.prune = k_max >= KM_PRUNE_MIN_K;
	plan.d = d;
	budget.limit = (size_t) rfm_train_memory_limit_kb * 1024;
	budget.extra = elbow_extra_bytes;
	budget.arg = &plan;
	budget.what = "elbow()";
	budget.rows_elsewhere_fall_back = false;
	load_for_evaluation(PG_GETARG_OID(0), features, NULL, d, &budget, &fs);
	if ((size_t) k_max > fs.n)
		k_above_rows_error("k_max", k_max, fs.n);
	offset = palloc(sizeof(double) * d);
	factor = palloc(sizeof(double) * d);
	cfg.mean_variance = km_scaler_fit_variance(scale, fs.x, fs.n, d, fs.lo, fs.hi, offset, factor,
											   &par);
	check_value_range(features, d, fs.lo, fs.hi, offset, factor, NULL, 0, fs.n,
					  psprintf("scale => '%s'", scale_name));
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
		fit_status_check(km_fit(fs.x, fs.n, d, &cfg, &mem, &res), fs.n);
		fit_status_check(km_metrics(fs.x, fs.n, d, res.labels, cfg.k, cfg.seed, &mem, &metrics), fs.n);
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

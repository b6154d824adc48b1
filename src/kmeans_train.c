/*
 * kmeans_train.c
 *	  rfm_kmeans.train(): load features, scale, fit k-means in memory and
 *	  store the model, all in the caller's transaction (a failed or
 *	  cancelled training leaves the previous model as it was).
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "core/kmeans.h"
#include "core/onepass_summary.h"
#include "core/centroid_ranks.h"
#include "core/distance_quantiles.h"
#include "core/scaler.h"
#include "core/checked_size.h"
#include "feature_encoding.h"
#include "feature_loader.h"
#include "funcapi.h"
#include "core_hooks.h"
#include "guc.h"
#include "cluster_ids.h"
#include "cosine.h"
#include "kmeans_aggregate.h"
#include "train_onepass.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "model_store.h"
#include "train_checks.h"
#include "train_options.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"


/* Once per Lloyd iteration, set only with verbose => true: the report. */
static void
on_iteration(void *arg, int run, int iter, double inertia, size_t moved, double shift)
{
	/* cosine: the sum of cosine distances, |x - c|^2 / 2, as train() returns */
	if (arg != NULL && *(const bool *) arg)
		inertia /= 2;
	ereport(NOTICE,
			(errmsg("run %d iteration %d: inertia %.6g, %zu rows moved, centroid shift %.3g",
					run + 1, iter, inertia, moved, shift)));
}

/* What km_fit will be asked to do, and on how many features. */
typedef struct FitPlan
{
	KmConfig	cfg;
	int			d;
} FitPlan;

/*
 * Memory beside the feature array of a memory-mode training of rows rows:
 * km_fit's working set or, after it, the distances' quantiles', and the
 * model's k x d arrays (explicit centroids, centroids, their ranks, the
 * distinct points counted).
 */
static size_t
training_extra_bytes(const void *arg, size_t rows)
{
	const FitPlan *plan = arg;
	size_t		kd = (size_t) plan->cfg.k * plan->d;
	size_t		fit = km_fit_bytes(rows, plan->d, &plan->cfg),
				quantiles = km_distance_quantiles_bytes(rows);

	return km_size_add(Max(fit, quantiles), km_size_mul3(4, kd, sizeof(double)));
}

/*
 * Memory mode: one scan into a packed array, then every iteration in
 * memory. Returns false (having read nothing to keep) when the working set
 * would pass rfm_kmeans.train_memory_limit, so the caller can fall back.
 */
static bool
train_memory(const TrainOptions *o, Model *model, TrainOutcome *out, MemoryContext work)
{
	FeatureSet	fs;
	FitPlan		plan;
	KmConfig   *cfg = &plan.cfg;
	KmResult	res;
	KmAlloc		mem;
	KmStatus	status;
	LoadBudget	budget;
	bool		too_big = false;
	KmParallel	par = core_parallel();

	memset(&plan, 0, sizeof(plan));
	plan.d = o->d;
	cfg->k = o->k;
	cfg->init = o->init;
	cfg->n_init = o->n_init;
	cfg->max_iter = o->max_iter;
	cfg->tol = o->tol;
	cfg->seed = (uint64_t) o->seed;
	cfg->prune = o->k >= KM_PRUNE_MIN_K;
	/* the per-iteration report costs a pass over the rows: only on request */
	cfg->on_iteration = o->verbose ? on_iteration : NULL;
	cfg->arg = (void *) &o->cosine;
	cfg->parallel = par;
	budget.limit = (size_t) rfm_train_memory_limit_kb * 1024;
	budget.extra = training_extra_bytes;
	budget.arg = &plan;
	budget.what = "training";
	/* rows on other servers (Citus, a foreign table): one-pass mode reads them there */
	budget.rows_elsewhere_fall_back = true;

	load_features(o->relid, o->features, o->exprs, o->d, &budget, &fs, o->may_fall_back ? &too_big : NULL);
	if (too_big)
		return false;
	out->n_rows = (int64) fs.n;
	out->n_skipped = fs.skipped;
	if (fs.n == 0)
		no_usable_row_error(o->relid, fs.skipped);
	if ((size_t) o->k > fs.n)
		k_above_rows_error("k", o->k, fs.n);
	cfg->mean_variance = km_scaler_fit_variance(o->scale, fs.x, fs.n, o->d, fs.lo, fs.hi,
												model->offset, model->factor, &par);
	keep_one_hot_unscaled(o->categories, o->d, model->offset, model->factor);
	if (o->init == KM_INIT_EXPLICIT)
	{
		double	   *start = explicit_centroids(o, model->offset, model->factor);

		if (o->cosine)
			unit_rows(start, o->k, o->d, "a centroid of init_centroids");
		cfg->init_centroids = start;
	}
	else
		cfg->init_centroids = NULL;
	check_value_range(o->features, o->d, fs.lo, fs.hi, model->offset, model->factor,
					  cfg->init_centroids, o->k, fs.n, psprintf("scale => '%s'", o->scale_name));
	km_scaler_apply(model->offset, model->factor, o->d, fs.x, fs.n, &par);
	if (o->cosine)
		unit_rows(fs.x, fs.n, o->d, psprintf("a row of relation \"%s\"", get_rel_name(o->relid)));
	cfg->spherical = o->cosine;
	/*
	 * tol's unit, the mean variance of the features k-means sees: after
	 * the rows went to the unit sphere, with one-hot features unscaled
	 * (one more pass; numbers alone keep the scaler's figure)
	 */
	if (o->cosine || o->categories != NULL)
		cfg->mean_variance = km_mean_variance(fs.x, fs.n, o->d);

	mem = core_alloc_in(work);
	{
		size_t		distinct = km_distinct_points(fs.x, fs.n, o->d, o->k, &mem);

		if (distinct < (size_t) o->k)
			ereport(WARNING,
					(errmsg("relation \"%s\" has only %zu distinct points for k = %d",
							get_rel_name(o->relid), distinct, o->k),
					 errdetail_plural("%d cluster will be empty (size 0).",
									  "%d clusters will be empty (size 0).",
									  o->k - (int) distinct, o->k - (int) distinct)));
	}

	res.centroids = model->centroids;
	res.labels = NULL;			/* the model needs sizes, not every row's label */
	res.sizes = out->sizes;
	status = km_fit(fs.x, fs.n, o->d, cfg, &mem, &res);
	fit_status_check(status, fs.n);
	/* scaled data against scaled centroids: scaling is monotone */
	if (out->centroid_below)
		km_centroid_ranks(fs.x, fs.n, o->d, model->centroids, o->k, out->centroid_below, &par);
	/* scaled data against scaled centroids, as km_fit's distances */
	if (out->distance_quantiles)
		fit_status_check(km_distance_quantiles(fs.x, fs.n, o->d, model->centroids, o->k,
											   o->cosine, DISTANCE_QUANTILES,
											   out->distance_quantiles, &mem, &par),
						 fs.n);
	km_scaler_unapply(model->offset, model->factor, o->d, model->centroids, o->k);
	out->inertia = o->cosine ? res.inertia / 2 : res.inertia;
	/* cosine: the mean of the rows' cosine distances */
	out->mean_distance = o->cosine ? out->inertia / (double) fs.n : res.mean_distance;
	out->iterations = res.iterations;
	out->converged = res.converged;
	return true;
}

/*
 * Fit a model for the options, in memory or aggregate mode; the model's
 * arrays and the outcome live in the current memory context.
 */
static void
fit_model(TrainOptions *o, Model *model, TrainOutcome *out)
{
	model->k = o->k;
	model->d = o->d;
	model->offset = palloc(sizeof(double) * o->d);
	model->factor = palloc(sizeof(double) * o->d);
	model->centroids = palloc(sizeof(double) * o->k * o->d);
	out->sizes = palloc(sizeof(int64) * o->k);
	if (o->mode == TRAIN_MEMORY && !train_memory(o, model, out, CurrentMemoryContext))
	{
		/* one-pass mode; past its features, aggregate mode as before 0.4.0 */
		bool		onepass = o->d <= KM_SUMMARY_MAX_FEATURES && !o->cosine;

		ereport(NOTICE,
				(errmsg("training in %s mode", onepass ? "one-pass" : "aggregate"),
				 errdetail("Memory mode on relation \"%s\" needs more than rfm_kmeans.train_memory_limit (%d kB), "
						   "or its rows live on other servers.",
						   get_rel_name(o->relid), rfm_train_memory_limit_kb)));
		o->mode = onepass ? TRAIN_ONEPASS : TRAIN_AGGREGATE;
	}
	if (o->mode == TRAIN_AGGREGATE)
		train_aggregate(o, model, out);
	else if (o->mode == TRAIN_ONEPASS)
	{
		if (!o->n_init_given && o->init == KM_INIT_PLUSPLUS)
			o->seedings = ONEPASS_SEEDINGS;
		train_onepass(o, model, out);
	}
}

/*
 * train(model, relation, features, k, init, init_centroids, n_init, max_iter,
 * tol, seed, scale, mode, verbose): fits k-means on the relation's rows
 * without a NULL feature, stores the model and returns one row (model, k,
 * n_rows, n_skipped, iterations, converged, inertia, seconds). Not strict.
 * Checks: the arguments (parse_train_options: NULL is
 * ERRCODE_NULL_VALUE_NOT_ALLOWED but for init_centroids, n_init and mode;
 * features not 1-D ERRCODE_ARRAY_SUBSCRIPT_ERROR; a name over 1024 bytes
 * ERRCODE_NAME_TOO_LONG; else ERRCODE_INVALID_PARAMETER_VALUE, as for k above
 * the usable rows); another role's model, unless superuser
 * (ERRCODE_INSUFFICIENT_PRIVILEGE); the relation and data as evaluate();
 * mode 'memory' past rfm_kmeans.train_memory_limit
 * (ERRCODE_PROGRAM_LIMIT_EXCEEDED); a concurrent change
 * (ERRCODE_T_R_SERIALIZATION_FAILURE).
 */
PG_FUNCTION_INFO_V1(rfm_train);
Datum
rfm_train(PG_FUNCTION_ARGS)
{
	TrainOptions o;
	MemoryContext work,
				old;
	Model		model;
	TrainOutcome out;
	ModelToStore store;
	TupleDesc	tupdesc;
	Datum		values[8];
	bool		nulls[8] = {false};
	instr_time	start,
				elapsed;
	HeapTuple	tuple;

	INSTR_TIME_SET_CURRENT(start);
	parse_train_options(fcinfo, &o, 1);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "train() must return a composite type");
	model_check_owner(o.model);

	work = AllocSetContextCreate(CurrentMemoryContext, "rfm_kmeans train",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	/* a stored model keeps its centroid ranks, for cluster_labels() */
	out.centroid_below = palloc(sizeof(int64) * o.k * o.d);
	out.distance_quantiles = palloc(sizeof(double) * DISTANCE_QUANTILES);
	fit_model(&o, &model, &out);
	if (o.keep_ids)
	{
		Model	   *prev = model_load_if_exists(o.model, work);

		if (prev != NULL && !keep_cluster_ids(prev, o.features, o.categories, &model, &out))
			ereport(NOTICE,
					(errmsg("clusters of model \"%s\" numbered afresh", o.model),
					 errdetail("The version replaced has other features, or k above %d.",
							   MAX_MATCHED_K)));
	}

	store.name = o.model;
	store.source = quote_qualified_identifier(get_namespace_name(get_rel_namespace(o.relid)),
											  get_rel_name(o.relid));
	store.features = o.features;
	store.categories = o.categories;
	store.scaler = o.scale_name;
	store.model = &model;
	store.sizes = out.sizes;
	store.inertia = out.inertia;
	store.mean_distance = out.mean_distance;
	store.centroid_below = out.centroid_below;
	store.distance_quantiles = out.distance_quantiles;
	store.iterations = out.iterations;
	store.converged = out.converged;
	store.n_rows = out.n_rows;
	store.n_skipped = out.n_skipped;
	store.params_json = train_params_json(&o);
	model_store(&store);

	MemoryContextSwitchTo(old);
	INSTR_TIME_SET_CURRENT(elapsed);
	INSTR_TIME_SUBTRACT(elapsed, start);
	values[0] = CStringGetTextDatum(o.model);
	values[1] = Int32GetDatum(o.k);
	values[2] = Int64GetDatum(out.n_rows);
	values[3] = Int64GetDatum(out.n_skipped);
	values[4] = Int32GetDatum(out.iterations);
	values[5] = BoolGetDatum(out.converged);
	values[6] = Float8GetDatum(out.inertia);
	values[7] = Float8GetDatum(INSTR_TIME_GET_DOUBLE(elapsed));
	tuple = heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls);
	MemoryContextDelete(work);
	PG_RETURN_DATUM(HeapTupleGetDatum(tuple));
}

/*
 * kmeans(relation, features, k, init, init_centroids, n_init, max_iter, tol,
 * seed, scale, mode, verbose): the same fit as train(), returned as rows
 * (cluster, size, centroid in original units) and stored nowhere. Not strict.
 * Checks: those of train() but the model name and its owner: a NULL argument
 * other than init_centroids, n_init, mode (ERRCODE_NULL_VALUE_NOT_ALLOWED);
 * bad arguments as train(), k above the usable rows
 * (ERRCODE_INVALID_PARAMETER_VALUE); the relation and data as evaluate();
 * with mode 'memory', a working set over rfm_kmeans.train_memory_limit
 * (ERRCODE_PROGRAM_LIMIT_EXCEEDED).
 */
PG_FUNCTION_INFO_V1(rfm_kmeans_oneshot);
Datum
rfm_kmeans_oneshot(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	TrainOptions o;
	Model		model;
	TrainOutcome out;
	MemoryContext work,
				old;
	int			c,
				j;

	parse_train_options(fcinfo, &o, 0);
	InitMaterializedSRF(fcinfo, 0);
	work = AllocSetContextCreate(CurrentMemoryContext, "rfm_kmeans kmeans",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	out.centroid_below = NULL;	/* the ranks serve stored models only */
	out.distance_quantiles = NULL;
	fit_model(&o, &model, &out);
	MemoryContextSwitchTo(old);
	for (c = 0; c < o.k; c++)
	{
		Datum		values[3];
		bool		nulls[3] = {false};
		Datum	   *cent = palloc(sizeof(Datum) * o.d);

		for (j = 0; j < o.d; j++)
			cent[j] = Float8GetDatum(model.centroids[c * o.d + j]);
		values[0] = Int32GetDatum(c);
		values[1] = Int64GetDatum(out.sizes[c]);
		values[2] = PointerGetDatum(construct_array(cent, o.d, FLOAT8OID, sizeof(float8),
													FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	MemoryContextDelete(work);
	return (Datum) 0;
}

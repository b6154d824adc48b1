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
#include "core/centroid_ranks.h"
#include "core/scaler.h"
#include "feature_loader.h"
#include "funcapi.h"
#include "core_hooks.h"
#include "guc.h"
#include "kmeans_train.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "model_store.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"



static void
option_error(const char *name, const char *problem)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option %s %s", name, problem)));
}

static void
require(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument %s must not be null", name)));
}

KmInit
parse_init_option(const char *name)
{
	if (strcmp(name, "k-means++") == 0)
		return KM_INIT_PLUSPLUS;
	if (strcmp(name, "random") != 0)
		option_error("init", "must be 'k-means++' or 'random'");
	return KM_INIT_RANDOM;
}

KmScale
parse_scale_option(const char *name)
{
	if (strcmp(name, "zscore") == 0)
		return KM_SCALE_ZSCORE;
	if (strcmp(name, "minmax") == 0)
		return KM_SCALE_MINMAX;
	if (strcmp(name, "none") != 0)
		option_error("scale", "must be 'zscore', 'minmax' or 'none'");
	return KM_SCALE_NONE;
}

/*
 * Arguments, in the SQL signature's order, checked. train() has the model
 * name first (base 1); kmeans() starts with the relation (base 0).
 */
static void
parse_options(FunctionCallInfo fcinfo, TrainOptions *o, int base)
{
	char	   *mode;

	if (base == 1)
		require(fcinfo, 0, "model");
	require(fcinfo, base, "relation");
	require(fcinfo, base + 1, "features");
	require(fcinfo, base + 2, "k");
	require(fcinfo, base + 3, "init");
	require(fcinfo, base + 6, "max_iter");
	require(fcinfo, base + 7, "tol");
	require(fcinfo, base + 8, "seed");
	require(fcinfo, base + 9, "scale");
	require(fcinfo, base + 11, "verbose");

	o->model = base == 1 ? text_to_cstring(PG_GETARG_TEXT_PP(0)) : NULL;
	if (o->model && o->model[0] == '\0')
		option_error("model", "must not be empty");
	o->relid = PG_GETARG_OID(base);
	o->features = feature_names(PG_GETARG_ARRAYTYPE_P(base + 1), &o->d);
	o->k = PG_GETARG_INT32(base + 2);
	if (o->k < 1 || o->k > 10000)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument k must be between 1 and 10000, got %d", o->k)));

	o->init_name = text_to_cstring(PG_GETARG_TEXT_PP(base + 3));
	o->init = parse_init_option(o->init_name);
	o->init_centroids = PG_ARGISNULL(base + 4) ? NULL : PG_GETARG_ARRAYTYPE_P(base + 4);
	if (o->init_centroids)
	{
		o->init = KM_INIT_EXPLICIT;
		o->init_name = "explicit";
	}
	/* scikit-learn's n_init='auto': 1 run for k-means++, 10 for random */
	o->n_init = PG_ARGISNULL(base + 5) ? (o->init == KM_INIT_RANDOM ? 10 : 1) :
		PG_GETARG_INT32(base + 5);
	if (o->n_init < 1 || o->n_init > 1000)
		option_error("n_init", "must be between 1 and 1000");
	o->max_iter = PG_GETARG_INT32(base + 6);
	if (o->max_iter < 1 || o->max_iter > 1000000)
		option_error("max_iter", "must be between 1 and 1000000");
	o->tol = PG_GETARG_FLOAT8(base + 7);
	if (!(o->tol >= 0) || !isfinite(o->tol))
		option_error("tol", "must be a finite number >= 0");
	o->seed = PG_GETARG_INT64(base + 8);
	o->scale_name = text_to_cstring(PG_GETARG_TEXT_PP(base + 9));
	o->scale = parse_scale_option(o->scale_name);

	/*
	 * NULL (the default): memory mode, falling back to aggregate mode past
	 * the memory limit. 'memory' asks for memory mode only: past the limit
	 * it is an error.
	 */
	mode = PG_ARGISNULL(base + 10) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(base + 10));
	o->aggregate = false;
	o->may_fall_back = mode == NULL;
	if (mode != NULL && strcmp(mode, "aggregate") == 0)
		o->aggregate = true;
	else if (mode != NULL && strcmp(mode, "memory") != 0)
		option_error("mode", "must be 'memory' or 'aggregate'");
	o->verbose = PG_GETARG_BOOL(base + 11);
}

/* The k x d starting centroids in original units, scaled like the data. */
double *
explicit_centroids(const TrainOptions *o, const double *offset, const double *factor)
{
	ArrayType  *a = o->init_centroids;
	Datum	   *elems;
	bool	   *nulls;
	int			count,
				i;
	double	   *c;

	if (ARR_NDIM(a) != 2 || ARR_DIMS(a)[0] != o->k || ARR_DIMS(a)[1] != o->d)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option init_centroids must be a %d x %d array (k x features)",
						o->k, o->d)));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	c = palloc(sizeof(double) * count);
	for (i = 0; i < count; i++)
	{
		if (nulls[i] || !isfinite(DatumGetFloat8(elems[i])))
			option_error("init_centroids", "must not contain nulls, NaN or infinities");
		c[i] = DatumGetFloat8(elems[i]);
	}
	km_scaler_apply(offset, factor, o->d, c, o->k, NULL);
	return c;
}

/* Once per Lloyd iteration, set only with verbose => true: the report. */
static void
on_iteration(void *arg, int run, int iter, double inertia, size_t moved, double shift)
{
	ereport(NOTICE,
			(errmsg("run %d iteration %d: inertia %.6g, %zu rows moved, centroid shift %.3g",
					run + 1, iter, inertia, moved, shift)));
}

static char *
params_json(const TrainOptions *o)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfo(&s, "{\"init\": \"%s\", \"n_init\": %d, \"max_iter\": %d, "
					 "\"tol\": %.17g, \"seed\": " INT64_FORMAT ", \"scale\": \"%s\", \"mode\": \"%s\"}",
					 o->init_name, o->n_init, o->max_iter, o->tol, o->seed, o->scale_name,
					 o->aggregate ? "aggregate" : "memory");
	return s.data;
}

/*
 * Memory mode: one scan into a packed array, then every iteration in
 * memory. Returns false (having read nothing to keep) when the features do
 * not fit rfm_kmeans.train_memory_limit, so the caller can fall back.
 */
static bool
train_memory(const TrainOptions *o, Model *model, TrainOutcome *out, MemoryContext work)
{
	FeatureSet	fs;
	KmConfig	cfg;
	KmResult	res;
	KmAlloc		mem;
	KmStatus	status;
	bool		too_big = false;
	double		mean_variance;
	KmParallel	par = core_parallel();

	load_features(o->relid, o->features, o->d, (Size) rfm_train_memory_limit_kb * 1024,
				  &fs, o->may_fall_back ? &too_big : NULL);
	if (too_big)
		return false;
	out->n_rows = (int64) fs.n;
	out->n_skipped = fs.skipped;
	if (fs.n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("relation \"%s\" has no row with all features non-null",
						get_rel_name(o->relid)),
				 errdetail(INT64_FORMAT " rows were skipped for a null feature.", fs.skipped)));
	if ((size_t) o->k > fs.n)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument k (%d) is greater than the number of usable rows (%zu)",
						o->k, fs.n)));
	mean_variance = km_scaler_fit_variance(o->scale, fs.x, fs.n, o->d, fs.lo, fs.hi, model->offset,
										   model->factor, &par);
	km_scaler_apply(model->offset, model->factor, o->d, fs.x, fs.n, &par);

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

	memset(&cfg, 0, sizeof(cfg));
	cfg.k = o->k;
	cfg.init = o->init;
	cfg.init_centroids = o->init == KM_INIT_EXPLICIT ?
		explicit_centroids(o, model->offset, model->factor) : NULL;
	cfg.n_init = o->n_init;
	cfg.max_iter = o->max_iter;
	cfg.tol = o->tol;
	cfg.mean_variance = mean_variance;
	cfg.seed = (uint64_t) o->seed;
	cfg.prune = o->k >= KM_PRUNE_MIN_K;
	/* the per-iteration report costs a pass over the rows: only on request */
	cfg.on_iteration = o->verbose ? on_iteration : NULL;
	cfg.parallel = par;
	res.centroids = model->centroids;
	res.labels = NULL;			/* the model needs sizes, not every row's label */
	res.sizes = out->sizes;
	status = km_fit(fs.x, fs.n, o->d, &cfg, &mem, &res);
	if (status == KM_NO_MEMORY)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory training k-means on %zu rows", fs.n)));
	if (status != KM_OK)
		elog(ERROR, "k-means rejected its arguments");
	/* scaled data against scaled centroids: scaling is monotone */
	if (out->centroid_below)
		km_centroid_ranks(fs.x, fs.n, o->d, model->centroids, o->k, out->centroid_below, &par);
	km_scaler_unapply(model->offset, model->factor, o->d, model->centroids, o->k);
	out->inertia = res.inertia;
	out->mean_distance = res.mean_distance;
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
	if (!o->aggregate && !train_memory(o, model, out, CurrentMemoryContext))
	{
		ereport(NOTICE,
				(errmsg("training data of relation \"%s\" exceeds rfm_kmeans.train_memory_limit (%d kB): training in aggregate mode",
						get_rel_name(o->relid), rfm_train_memory_limit_kb)));
		o->aggregate = true;
	}
	if (o->aggregate)
		train_aggregate(o, model, out);
}

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
	parse_options(fcinfo, &o, 1);
	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "train() must return a composite type");
	model_check_owner(o.model);

	work = AllocSetContextCreate(CurrentMemoryContext, "rfm_kmeans train",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	/* a stored model keeps its centroid ranks, for cluster_labels() */
	out.centroid_below = palloc(sizeof(int64) * o.k * o.d);
	fit_model(&o, &model, &out);

	store.name = o.model;
	store.source = quote_qualified_identifier(get_namespace_name(get_rel_namespace(o.relid)),
											  get_rel_name(o.relid));
	store.features = o.features;
	store.scaler = o.scale_name;
	store.model = &model;
	store.sizes = out.sizes;
	store.inertia = out.inertia;
	store.mean_distance = out.mean_distance;
	store.centroid_below = out.centroid_below;
	store.iterations = out.iterations;
	store.converged = out.converged;
	store.n_rows = out.n_rows;
	store.n_skipped = out.n_skipped;
	store.params_json = params_json(&o);
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
 * kmeans(relation, features, k, ...): the same fit as train(), returned as
 * rows (cluster, size, centroid in original units) and stored nowhere.
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

	parse_options(fcinfo, &o, 0);
	InitMaterializedSRF(fcinfo, 0);
	work = AllocSetContextCreate(CurrentMemoryContext, "rfm_kmeans kmeans",
								 ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(work);
	out.centroid_below = NULL;	/* the ranks serve stored models only */
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

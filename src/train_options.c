/*
 * train_options.c
 *	  Options of train(), kmeans() and elbow(): see train_options.h.
 */
#include "compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "core/onepass_summary.h"
#include "feature_encoding.h"
#include "feature_loader.h"
#include "lib/stringinfo.h"
#include "model_store.h"
#include "train_options.h"
#include "utils/builtins.h"

/* ERROR 22023 naming the option (or argument, as kind says) and the value. */
static void
invalid_value(const char *kind, const char *name, const char *value, const char *detail)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for %s \"%s\": %s", kind, name, value),
			 errdetail("%s", detail)));
}

static void
invalid_option(const char *name, const char *value, const char *detail)
{
	invalid_value("option", name, value, detail);
}

void
require_argument(FunctionCallInfo fcinfo, int argno, const char *name)
{
	if (PG_ARGISNULL(argno))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument \"%s\" must not be null", name)));
}

KmInit
parse_init_option(const char *name)
{
	if (strcmp(name, "k-means++") == 0)
		return KM_INIT_PLUSPLUS;
	if (strcmp(name, "random") != 0)
		invalid_option("init", quote_literal_cstr(name),
					   "Valid values are 'k-means++', 'random' and, for train(), 'previous' (or give init_centroids).");
	return KM_INIT_RANDOM;
}

/*
 * init => 'previous': the centroids (original units) of the model o->model
 * as it stands, as a k x d array. ERROR 42704 without such a model, 22023
 * when its features or k differ from this training's.
 */
static ArrayType *
previous_centroids(const TrainOptions *o)
{
	Model	   *prev = model_load_if_exists(o->model, CurrentMemoryContext);
	Datum	   *elems;
	int			dims[2],
				lbs[2] = {1, 1},
				i,
				j;

	if (prev == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("init => 'previous' needs a model \"%s\" to start from", o->model),
				 errhint("Train it once with another init.")));
	if (prev->k != o->k)
		invalid_option("init", "'previous'",
					   psprintf("Model \"%s\" has k = %d; this training asks for k = %d.",
								o->model, prev->k, o->k));
	for (j = 0; j < o->d; j++)
		if (prev->d != o->d || strcmp(prev->features[j], o->features[j]) != 0 ||
			!same_categories(prev->categories, o->categories, o->d))
			invalid_option("init", "'previous'",
						   psprintf("Model \"%s\" was trained on other features; a warm start needs the same, in the same order.",
									o->model));
	elems = palloc(sizeof(Datum) * prev->k * prev->d);
	for (i = 0; i < prev->k * prev->d; i++)
		elems[i] = Float8GetDatum(prev->centroids[i]);
	dims[0] = prev->k;
	dims[1] = prev->d;
	return construct_md_array(elems, NULL, 2, dims, lbs, FLOAT8OID, sizeof(float8),
							  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

KmScale
parse_scale_option(const char *name)
{
	if (strcmp(name, "zscore") == 0)
		return KM_SCALE_ZSCORE;
	if (strcmp(name, "minmax") == 0)
		return KM_SCALE_MINMAX;
	if (strcmp(name, "none") != 0)
		invalid_option("scale", quote_literal_cstr(name),
					   "Valid values are 'zscore', 'minmax' and 'none'.");
	return KM_SCALE_NONE;
}

static void
check_int(const char *kind, const char *name, int value, int min, int max)
{
	if (value < min || value > max)
		invalid_value(kind, name, psprintf("%d", value),
					  psprintf("%s must be between %d and %d.", name, min, max));
}

void
check_int_option(const char *name, int value, int min, int max)
{
	check_int("option", name, value, min, max);
}

void
check_int_argument(const char *name, int value, int min, int max)
{
	check_int("argument", name, value, min, max);
}

void
check_tol_option(double tol)
{
	if (!(tol >= 0) || !isfinite(tol))
		invalid_option("tol", psprintf("%g", tol), "tol must be a finite number >= 0.");
}

int
default_n_init(KmInit init)
{
	return init == KM_INIT_RANDOM ? 10 : 1;
}

void
parse_train_options(FunctionCallInfo fcinfo, TrainOptions *o, int base)
{
	char	   *mode;
	char	  **columns;
	int			n_columns;
	bool		warm_start = false;
	FeatureEncoding enc;

	if (base == 1)
		require_argument(fcinfo, 0, "model");
	require_argument(fcinfo, base, "relation");
	require_argument(fcinfo, base + 1, "features");
	require_argument(fcinfo, base + 2, "k");
	require_argument(fcinfo, base + 3, "init");
	require_argument(fcinfo, base + 6, "max_iter");
	require_argument(fcinfo, base + 7, "tol");
	require_argument(fcinfo, base + 8, "seed");
	require_argument(fcinfo, base + 9, "scale");
	require_argument(fcinfo, base + 11, "verbose");

	o->model = base == 1 ? text_to_cstring(PG_GETARG_TEXT_PP(0)) : NULL;
	if (o->model)
		model_check_name(o->model);
	o->relid = PG_GETARG_OID(base);
	columns = feature_names(PG_GETARG_ARRAYTYPE_P(base + 1), &n_columns);
	o->k = PG_GETARG_INT32(base + 2);
	check_int_argument("k", o->k, 1, MAX_K);

	o->init_name = text_to_cstring(PG_GETARG_TEXT_PP(base + 3));
	o->init_centroids = PG_ARGISNULL(base + 4) ? NULL : PG_GETARG_ARRAYTYPE_P(base + 4);
	if (strcmp(o->init_name, "previous") == 0 && o->model != NULL)
	{
		/* a warm start: the explicit centroids of the version replaced */
		if (o->init_centroids)
			invalid_option("init", "'previous'",
						   "init => 'previous' takes the current version's centroids: give no init_centroids.");
		warm_start = true;		/* once the features are known */
		o->init = KM_INIT_EXPLICIT;
	}
	else
	{
		o->init = parse_init_option(o->init_name);
		if (o->init_centroids)
		{
			o->init = KM_INIT_EXPLICIT;
			o->init_name = "explicit";
		}
	}
	o->n_init_given = !PG_ARGISNULL(base + 5);
	o->seedings = 0;			/* one-pass mode sets its default (fit_model) */
	o->n_init = PG_ARGISNULL(base + 5) ? default_n_init(o->init) : PG_GETARG_INT32(base + 5);
	check_int_option("n_init", o->n_init, 1, MAX_N_INIT);
	o->max_iter = PG_GETARG_INT32(base + 6);
	check_int_option("max_iter", o->max_iter, 1, MAX_MAX_ITER);
	o->tol = PG_GETARG_FLOAT8(base + 7);
	check_tol_option(o->tol);
	o->seed = PG_GETARG_INT64(base + 8);
	o->scale_name = text_to_cstring(PG_GETARG_TEXT_PP(base + 9));
	o->scale = parse_scale_option(o->scale_name);

	/*
	 * NULL (the default): memory mode, falling back to one-pass mode past
	 * the memory limit or when the rows live elsewhere (a distributed or
	 * foreign table). 'memory' asks for memory mode only: past the limit it
	 * is an error.
	 */
	mode = PG_ARGISNULL(base + 10) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(base + 10));
	o->mode = TRAIN_MEMORY;
	o->may_fall_back = mode == NULL;
	if (mode != NULL && strcmp(mode, "aggregate") == 0)
		o->mode = TRAIN_AGGREGATE;
	else if (mode != NULL && strcmp(mode, "onepass") == 0)
		o->mode = TRAIN_ONEPASS;
	else if (mode != NULL && strcmp(mode, "memory") != 0)
		invalid_option("mode", quote_literal_cstr(mode),
					   "Valid values are 'memory', 'aggregate' and 'onepass' (or NULL: memory, "
					   "falling back to onepass past rfm_kmeans.train_memory_limit or on a "
					   "distributed table).");

	/* keep_ids (train() only), refine and sample_size: from 0.4.0's SQL on */
	o->keep_ids = base == 1 && PG_NARGS() > base + 14;
	if (o->keep_ids)
	{
		require_argument(fcinfo, base + 14, "keep_ids");
		o->keep_ids = PG_GETARG_BOOL(base + 14);
	}
	/* distance: train()'s argument after keep_ids, kmeans()'s after sample_size */
	o->cosine = false;
	o->distance_name = "euclidean";
	if (PG_NARGS() > base + (base == 1 ? 15 : 14))
	{
		int			arg = base + (base == 1 ? 15 : 14);

		require_argument(fcinfo, arg, "distance");
		o->distance_name = text_to_cstring(PG_GETARG_TEXT_PP(arg));
		o->cosine = strcmp(o->distance_name, "cosine") == 0;
		if (!o->cosine && strcmp(o->distance_name, "euclidean") != 0)
			invalid_option("distance", quote_literal_cstr(o->distance_name),
						   "Valid values are 'euclidean' and 'cosine'.");
		if (o->cosine && o->mode == TRAIN_ONEPASS)
			invalid_option("mode", "'onepass'",
						   "One-pass mode takes distance 'euclidean' only; with distance => 'cosine' use mode "
						   "'memory' or 'aggregate' (the default falls back to 'aggregate').");
	}
	o->refine = 0;
	o->sample_size = DEFAULT_SAMPLE_SIZE;
	if (PG_NARGS() > base + 12)
	{
		require_argument(fcinfo, base + 12, "refine");
		o->refine = PG_GETARG_INT32(base + 12);
		check_int_option("refine", o->refine, 0, MAX_REFINE);
		if (!PG_ARGISNULL(base + 13))
		{
			o->sample_size = PG_GETARG_INT32(base + 13);
			check_int_option("sample_size", o->sample_size, MIN_SAMPLE_SIZE, MAX_SAMPLE_SIZE);
		}
		/* the sample must be able to hold a row per cluster */
		if (o->sample_size < o->k)
			invalid_option("sample_size", psprintf("%d", o->sample_size),
						   psprintf("The sample must hold at least k = %d rows.", o->k));
		if ((o->refine > 0 || !PG_ARGISNULL(base + 13)) && mode != NULL && o->mode != TRAIN_ONEPASS)
			invalid_option(o->refine > 0 ? "refine" : "sample_size",
						   o->refine > 0 ? psprintf("%d", o->refine) : psprintf("%d", o->sample_size),
						   psprintf("It applies to mode 'onepass' only, not to mode '%s'.", mode));
	}
	o->verbose = PG_GETARG_BOOL(base + 11);
	/* cosine never trains in one-pass mode: its options would be dropped unseen */
	if (o->cosine && (o->refine > 0 || (PG_NARGS() > base + 13 && !PG_ARGISNULL(base + 13))))
		invalid_option(o->refine > 0 ? "refine" : "sample_size",
					   o->refine > 0 ? psprintf("%d", o->refine) : psprintf("%d", o->sample_size),
					   "It applies to one-pass mode, which distance => 'cosine' does not use.");

	/* the features, categories one-hot encoded (their categories read) */
	encode_features(o->relid, columns, n_columns, &enc);
	o->features = enc.names;
	o->d = enc.d;
	o->exprs = enc.exprs;
	o->categories = enc.categories;
	o->usable = enc.usable;
	if (o->mode == TRAIN_ONEPASS && o->d > KM_SUMMARY_MAX_FEATURES)
		invalid_option("mode", "'onepass'",
					   psprintf("One-pass mode takes at most %d features; this training has %d "
								"(mode => 'aggregate' takes any number).", KM_SUMMARY_MAX_FEATURES, o->d));
	if (warm_start)
		o->init_centroids = previous_centroids(o);
}

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
		invalid_option("init_centroids",
					   ARR_NDIM(a) == 2 ? psprintf("a %d x %d array", ARR_DIMS(a)[0], ARR_DIMS(a)[1]) :
					   psprintf("a %d-dimensional array", ARR_NDIM(a)),
					   psprintf("init_centroids must be a %d x %d array: k rows of %d features.",
								o->k, o->d, o->d));
	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	c = palloc(sizeof(double) * count);
	for (i = 0; i < count; i++)
	{
		if (nulls[i] || !isfinite(DatumGetFloat8(elems[i])))
			invalid_option("init_centroids",
						   nulls[i] ? "NULL" : psprintf("%g", DatumGetFloat8(elems[i])),
						   psprintf("Element %d of init_centroids is not a finite number.", i + 1));
		c[i] = DatumGetFloat8(elems[i]);
	}
	km_scaler_apply(offset, factor, o->d, c, o->k, NULL);
	return c;
}

char *
train_params_json(const TrainOptions *o)
{
	StringInfoData s;

	initStringInfo(&s);
	appendStringInfo(&s, "{\"init\": \"%s\", \"n_init\": %d, \"max_iter\": %d, "
					 "\"tol\": %.17g, \"seed\": " INT64_FORMAT ", \"scale\": \"%s\", \"mode\": \"%s\"",
					 o->init_name, o->n_init, o->max_iter, o->tol, o->seed, o->scale_name,
					 o->mode == TRAIN_AGGREGATE ? "aggregate" :
					 o->mode == TRAIN_ONEPASS ? "onepass" : "memory");
	if (o->mode == TRAIN_ONEPASS)
		appendStringInfo(&s, ", \"refine\": %d, \"sample_size\": %d, \"seedings\": %d",
						 o->refine, o->sample_size, Max(o->seedings, 1));
	if (o->model != NULL)
		appendStringInfo(&s, ", \"keep_ids\": %s", o->keep_ids ? "true" : "false");
	appendStringInfo(&s, ", \"distance\": \"%s\"", o->distance_name);
	appendStringInfoChar(&s, '}');
	return s.data;
}

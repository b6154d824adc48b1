/*
 * kmeans_aggregate.c
 *	  train(..., mode => 'aggregate'): every pass over the data is one SQL
 *	  query, so parallel query splits it across workers (and a distributed
 *	  engine could push it down): a statistics query for the scaler, queries
 *	  for the initial centroids, and one kmeans_step() aggregate per Lloyd
 *	  iteration. Memory use does not depend on the number of rows.
 *
 * Also the small SQL-callable helpers those queries use.
 */
#include "compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "core/exact_sum.h"
#include "core/kmeans.h"
#include "core/rank_quantiles.h"
#include "core/scaler.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "cosine.h"
#include "feature_encoding.h"
#include "feature_loader.h"
#include "kmeans_aggregate.h"
#include "safe_spi.h"
#include "train_checks.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* ---------------------------------------------------------------------
 * SQL helpers
 * --------------------------------------------------------------------- */

static double *
float8s(ArrayType *a, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *v;
	int			i;

	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, n);
	v = palloc(sizeof(double) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("array must not contain nulls")));
		v[i] = DatumGetFloat8(elems[i]);
	}
	return v;
}

/*
 * rfm_kmeans._point_key(point, seed, salt), STRICT, a helper of train()'s
 * aggregate mode: returns the point's uniform draw in (0, 1], a function of
 * its values, seed and salt only (km_point_uniform). Checks: a NULL element
 * in point (ERRCODE_NULL_VALUE_NOT_ALLOWED); the array's shape is not checked
 * (its values are read flat).
 */
PG_FUNCTION_INFO_V1(kmeans_point_key);
Datum
kmeans_point_key(PG_FUNCTION_ARGS)
{
	int			d;
	double	   *p = float8s(PG_GETARG_ARRAYTYPE_P(0), &d);

	PG_RETURN_FLOAT8(km_point_uniform(p, d, (uint64_t) PG_GETARG_INT64(1),
									  (uint64_t) PG_GETARG_INT64(2)));
}

/*
 * rfm_kmeans._min_dist2(point, centers), STRICT, a helper of aggregate mode:
 * returns the squared distance from point (d values) to the nearest of
 * centers (k x d values, read flat). Checks: a NULL element
 * (ERRCODE_NULL_VALUE_NOT_ALLOWED); an empty point, or centers not a whole
 * number of d-value points (ERRCODE_INVALID_PARAMETER_VALUE); a distance past
 * the range of float8 (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(kmeans_min_dist2);
Datum
kmeans_min_dist2(PG_FUNCTION_ARGS)
{
	int			d,
				kd;
	double	   *p = float8s(PG_GETARG_ARRAYTYPE_P(0), &d);
	double	   *c = float8s(PG_GETARG_ARRAYTYPE_P(1), &kd);
	double		d2;

	if (d < 1 || kd < d || kd % d != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("centers must hold a whole number of %d-feature points", d)));
	km_nearest(p, c, kd / d, d, &d2);
	if (!isfinite(d2))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range: overflow"),
				 errdetail("The squared distance to the nearest center exceeds the range of type double precision.")));
	PG_RETURN_FLOAT8(d2);
}

/*
 * rfm_kmeans._moment_term(x, center, unit1, unit2, scale, power), STRICT:
 * returns x's deviation from center, t = (x - center) * unit1 * unit2, times
 * scale (power 1) or its square times scale (any other power), truncated to a
 * bigint: the term that memory mode adds for the scaler's exact moment sums
 * (exact_sum.h), in C's arithmetic (SQL's would raise an error where a square
 * underflows). Checks: a NaN result or one of magnitude 2^62 or more
 * (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE); power itself is not checked.
 */
PG_FUNCTION_INFO_V1(kmeans_moment_term);
Datum
kmeans_moment_term(PG_FUNCTION_ARGS)
{
	double		t = (PG_GETARG_FLOAT8(0) - PG_GETARG_FLOAT8(1)) * PG_GETARG_FLOAT8(2) *
		PG_GETARG_FLOAT8(3);
	double		v = PG_GETARG_INT32(5) == 1 ? t * PG_GETARG_FLOAT8(4) : t * t * PG_GETARG_FLOAT8(4);

	if (!(fabs(v) < 0x1p62))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("_moment_term() value out of range"),
				 errdetail("The scaled deviation %g does not fit an integer.", v)));
	PG_RETURN_INT64((int64) v);
}

/* ---------------------------------------------------------------------
 * The driver
 * --------------------------------------------------------------------- */

typedef struct AggRun
{
	const TrainOptions *o;
	char	   *rel;			/* the relation's qualified name */
	char	   *from;			/* FROM rel WHERE <every feature non-null> */
	Datum		scaler;			/* 2 x d float8[]: offsets, factors */
	SPIPlanPtr	step;			/* the Lloyd step's query, once prepared */
	char	   *point;			/* ARRAY[(c1 - off1) / fac1, ...]: scaled */
	double	   *lo;				/* d: each column's range over the usable rows */
	double	   *hi;
	int			k,
				d;
} AggRun;

static void
spi_exec(const char *sql, int nargs, Oid *types, Datum *values)
{
	if (SPI_execute_with_args(sql, nargs, types, values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "aggregate-mode query failed: %s", sql);
}

static double
get_float8(int row, int col)
{
	bool		isnull;
	Datum		v = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);

	return isnull ? 0 : DatumGetFloat8(v);
}

static Datum
centers_datum(const double *c, int k, int d)
{
	Datum	   *e = palloc(sizeof(Datum) * k * d);
	int			dims[2] = {k, d};
	int			lbs[2] = {1, 1};
	int			i;

	for (i = 0; i < k * d; i++)
		e[i] = Float8GetDatum(c[i]);
	return PointerGetDatum(construct_md_array(e, NULL, 2, dims, lbs, FLOAT8OID, sizeof(float8),
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/* Whether this database has the SQL function named (an older extension
 * version, before ALTER EXTENSION UPDATE, may lack it). */
static bool
sql_function_exists(const char *signature)
{
	bool		isnull;

	if (SPI_execute(psprintf("SELECT pg_catalog.to_regprocedure(%s) IS NOT NULL",
							 quote_literal_cstr(signature)), true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not look up %s", signature);
	return DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
}

/*
 * A query's select list may hold 1,664 entries: aggregate-mode queries
 * with an entry per feature (or per centroid and feature) run in chunks of
 * this many, one scan each.
 */
#define SELECT_CHUNK 1000

/*
 * The values of n aggregate expressions (each cast to float8; a NULL
 * result is 0) over "tail" (FROM ... [WHERE ...]), with the query's
 * arguments, in chunks of SELECT_CHUNK.
 */
static double *
aggregate_values(char **items, int n, const char *tail, int nargs, Oid *types, Datum *values)
{
	double	   *out = palloc(sizeof(double) * Max(n, 1));
	int			first,
				i;

	for (first = 0; first < n; first += SELECT_CHUNK)
	{
		StringInfoData q;
		int			count = Min(SELECT_CHUNK, n - first);

		initStringInfo(&q);
		appendStringInfoString(&q, "SELECT ");
		for (i = 0; i < count; i++)
			appendStringInfo(&q, "%s(%s)::pg_catalog.float8", i ? ", " : "", items[first + i]);
		appendStringInfo(&q, " %s", tail);
		spi_exec(q.data, nargs, types, values);
		for (i = 0; i < count; i++)
			out[first + i] = get_float8(0, i + 1);
	}
	return out;
}

/* Whether feature j is a one-hot category (0/1, never scaled). */
static bool
is_one_hot(const AggRun *r, int j)
{
	return r->o->categories != NULL && r->o->categories[j] != NULL;
}

/*
 * The scaler's moment sums as memory mode computes them (exact_sum.h):
 * each column's deviations from the middle of its range, truncated to
 * integers at the same scale (rfm_kmeans._moment_term) and added exactly
 * by sum(bigint). So the scaler is bit for bit memory mode's, and does not
 * depend on the row order, parallel plans or distribution. A one-hot
 * feature is not scaled: its share of the rows gives its variance.
 */
static double
exact_moments(AggRun *r, Model *model, const char *usable, size_t n)
{
	double		meanvar = 0;
	double	   *center = palloc(sizeof(double) * r->d);
	KmMomentScale *ms = palloc(sizeof(KmMomentScale) * r->d);
	char	  **items = palloc(sizeof(char *) * 2 * r->d);
	double	   *v;
	int			j;

	for (j = 0; j < r->d; j++)
	{
		const char *c = r->o->exprs[j];
		double		maxdev;

		if (is_one_hot(r, j))
		{
			items[2 * j] = psprintf("pg_catalog.sum(%s)", c);
			items[2 * j + 1] = pstrdup("0");
			continue;
		}
		km_scaler_center(r->lo[j], r->hi[j], &center[j], &maxdev);
		km_moment_scale(maxdev, &ms[j]);
		items[2 * j] = psprintf("pg_catalog.sum(rfm_kmeans._moment_term(%s::pg_catalog.float8, %.17g, %.17g, %.17g, %.17g, 1))",
								c, center[j], ms[j].unit1, ms[j].unit2, ms[j].sc1);
		items[2 * j + 1] = psprintf("pg_catalog.sum(rfm_kmeans._moment_term(%s::pg_catalog.float8, %.17g, %.17g, %.17g, %.17g, 2))",
									c, center[j], ms[j].unit1, ms[j].unit2, ms[j].sc2);
	}
	v = aggregate_values(items, 2 * r->d, psprintf("FROM %s WHERE %s", r->rel, usable), 0, NULL, NULL);
	for (j = 0; j < r->d; j++)
	{
		double		s1,
					s2,
					share;

		if (is_one_hot(r, j))
		{
			share = v[2 * j] / (double) n;
			meanvar += share * (1 - share);
			continue;
		}
		s1 = ms[j].sc1 > 0 ? ldexp(v[2 * j], ms[j].back1) : 0;
		s2 = ms[j].sc2 > 0 ? ldexp(v[2 * j + 1], ms[j].back2) : 0;
		meanvar += km_scaler_column(r->o->scale, n, r->lo[j], r->hi[j], center[j], s1, s2, ms[j].e,
									&model->offset[j], &model->factor[j]);
	}
	return meanvar;
}

/*
 * The scaler in numeric, as rfm_kmeans 0.2.0 computed it: for a library
 * newer than the database's extension SQL, until ALTER EXTENSION UPDATE.
 */
static double
numeric_moments(AggRun *r, Model *model, const char *usable)
{
	double		meanvar = 0;
	char	  **items = palloc(sizeof(char *) * 2 * r->d);
	double	   *v;
	int			j;

	for (j = 0; j < r->d; j++)
	{
		const char *c = r->o->exprs[j];

		items[2 * j] = psprintf("avg(%s::numeric)", c);
		items[2 * j + 1] = psprintf("stddev_pop(%s::numeric)", c);
	}
	v = aggregate_values(items, 2 * r->d, psprintf("FROM %s WHERE %s", r->rel, usable), 0, NULL, NULL);
	for (j = 0; j < r->d; j++)
	{
		double		mean = v[2 * j],
					sd = v[2 * j + 1];
		KmScale		kind = r->o->scale;

		model->offset[j] = kind == KM_SCALE_ZSCORE ? mean : kind == KM_SCALE_MINMAX ? r->lo[j] : 0;
		model->factor[j] = kind == KM_SCALE_ZSCORE ? sd : kind == KM_SCALE_MINMAX ? r->hi[j] - r->lo[j] : 1;
		if (!(model->factor[j] > 0))
			model->factor[j] = 1;
		if (is_one_hot(r, j))
		{
			meanvar += sd * sd;
			continue;
		}
		meanvar += (sd / model->factor[j]) * (sd / model->factor[j]);
	}
	return meanvar;
}

/*
 * The relation's qualified name into r->rel, and the condition a usable
 * row meets (every feature column non-null: one test per column, however
 * many one-hot features it makes), which r->from selects by.
 */
static char *
usable_rows(AggRun *r)
{
	r->rel = quote_qualified_identifier(get_namespace_name(get_rel_namespace(r->o->relid)),
										get_rel_name(r->o->relid));
	r->from = psprintf(" FROM %s WHERE %s", r->rel, r->o->usable);
	return r->o->usable;
}

/* The model's scaler as the steps' argument and the scaled point's SQL. */
static void
set_scaler(AggRun *r, const Model *model)
{
	StringInfoData q;
	double	   *sc = palloc(sizeof(double) * 2 * r->d);
	int			j;

	initStringInfo(&q);
	appendStringInfoString(&q, "ARRAY[");
	for (j = 0; j < r->d; j++)
		appendStringInfo(&q, "%s(%s::pg_catalog.float8 - %.17g::pg_catalog.float8) / %.17g::pg_catalog.float8",
						 j ? ", " : "", r->o->exprs[j],
						 model->offset[j], model->factor[j]);
	appendStringInfoString(&q, "]");
	/* cosine: the scaled row to unit length (an all-zero row: 22000) */
	r->point = r->o->cosine ? psprintf("rfm_kmeans._unit_vector(%s)", q.data) : q.data;
	for (j = 0; j < r->d; j++)
	{
		sc[j] = model->offset[j];
		sc[r->d + j] = model->factor[j];
	}
	r->scaler = centers_datum(sc, 2, r->d);
}

/*
 * Two scans: usable and skipped rows, NaN/Infinity per column (an error
 * naming the column) and the columns' ranges; then the scaler's moment
 * sums over the usable rows. Returns the mean variance of the scaled
 * features (the unit of tol). One-hot features (0/1) need no check and
 * have the range 0..1.
 */
static double
fit_scaler(AggRun *r, Model *model, TrainOutcome *out)
{
	const TrainOptions *o = r->o;
	char	   *usable = usable_rows(r);
	char	  **items = palloc(sizeof(char *) * (2 + 4 * o->d));
	int			n = 0,
				j;
	double	   *v;
	double		meanvar;

	items[n++] = psprintf("count(*) FILTER (WHERE %s)", usable);
	items[n++] = psprintf("count(*) FILTER (WHERE NOT (%s))", usable);
	for (j = 0; j < r->d; j++)
	{
		const char *c = o->exprs[j];

		if (is_one_hot(r, j))
			continue;
		items[n++] = psprintf("count(*) FILTER (WHERE %s::float8 = 'NaN')", c);
		items[n++] = psprintf("count(*) FILTER (WHERE %s::float8 IN ('Infinity', '-Infinity'))", c);
		items[n++] = psprintf("min(%s::float8) FILTER (WHERE %s)", c, usable);
		items[n++] = psprintf("max(%s::float8) FILTER (WHERE %s)", c, usable);
	}
	v = aggregate_values(items, n, psprintf("FROM %s", r->rel), 0, NULL, NULL);
	out->n_rows = (int64) v[0];
	out->n_skipped = (int64) v[1];
	n = 2;
	for (j = 0; j < r->d; j++)
	{
		if (is_one_hot(r, j))
		{
			r->lo[j] = 0;
			r->hi[j] = 1;
			continue;
		}
		if (v[n] > 0 || v[n + 1] > 0)
			non_finite_column_error(o->features[j], v[n] > 0 ? NAN : INFINITY);
		r->lo[j] = v[n + 2];
		r->hi[j] = v[n + 3];
		n += 4;
	}
	if (out->n_rows == 0)
		return 0;				/* the caller reports it */
	meanvar = sql_function_exists("rfm_kmeans._moment_term(float8, float8, float8, float8, float8, integer)") ?
		exact_moments(r, model, usable, (size_t) out->n_rows) :
		numeric_moments(r, model, usable);
	keep_one_hot_unscaled(o->categories, o->d, model->offset, model->factor);
	set_scaler(r, model);
	return meanvar / r->d;
}

/* Copy the float8[] in column col of row 0 into dst (n values). */
static void
get_point(int row, int col, double *dst, int n)
{
	bool		isnull;
	Datum		v = SPI_getbinval(SPI_tuptable->vals[row], SPI_tuptable->tupdesc, col, &isnull);
	int			count;
	double	   *p;

	if (isnull)
		elog(ERROR, "aggregate-mode query returned no point");
	p = float8s(DatumGetArrayTypeP(v), &count);
	if (count != n)
		elog(ERROR, "aggregate-mode query returned %d values, expected %d", count, n);
	memcpy(dst, p, sizeof(double) * n);
}

/*
 * Cosine: the mean variance of the features of the unit rows, tol's unit
 * as memory mode computes it: with |p| = 1, the mean over features of
 * E p_j^2 - (E p_j)^2 is (1 - |E p|^2) / d, and E p is what a Lloyd step
 * with one center gives.
 */
static double
unit_rows_variance(AggRun *r)
{
	Oid			types[1] = {FLOAT8ARRAYOID};
	double	   *zero = palloc0(sizeof(double) * r->d);
	Datum		values[1] = {centers_datum(zero, 1, r->d)};
	double		norm2 = 0;
	int			j;

	spi_exec(psprintf("SELECT (rfm_kmeans.kmeans_step(%s, $1)).centroids %s", r->point, r->from),
			 1, types, values);
	get_point(0, 1, zero, r->d);
	for (j = 0; j < r->d; j++)
		norm2 += zero[j] * zero[j];
	return Max(1 - norm2, 0) / r->d;
}

/*
 * k-means++ with the same draws as memory mode (keys from the points'
 * values, ties by value): the first center uniformly, then for each next
 * one the best by potential of 2 + ln k candidates drawn with P ~ D^2.
 * Two scans per candidate.
 */
static void
init_plusplus(AggRun *r, double *centers, int run)
{
	int			trials = 2 + (int) log((double) r->k);
	Oid			types[3] = {FLOAT8ARRAYOID, INT8OID, INT8OID};
	Datum		values[3];
	double	   *cand = palloc(sizeof(double) * r->d);
	int			c,
				t;

	/* the first center: the smallest uniform draw ($1 is unused here) */
	values[0] = centers_datum(centers, 1, r->d);
	values[1] = Int64GetDatum(r->o->seed);
	values[2] = Int64GetDatum((int64) run << 32);
	spi_exec(psprintf("SELECT p FROM (SELECT %s AS p %s) s "
					  "ORDER BY rfm_kmeans._point_key(p, $2, $3), p LIMIT 1", r->point, r->from),
			 3, types, values);
	get_point(0, 1, centers, r->d);
	for (c = 1; c < r->k; c++)
	{
		double		best_pot = INFINITY;
		bool		found = false;

		CHECK_FOR_INTERRUPTS();
		values[0] = centers_datum(centers, c, r->d);
		for (t = 0; t < trials; t++)
		{
			double		pot;

			values[2] = Int64GetDatum(((int64) run << 32) | ((int64) c << 8) | t);
			spi_exec(psprintf("SELECT p FROM (SELECT %s AS p %s) s "
							  "WHERE rfm_kmeans._min_dist2(p, $1) > 0 "
							  "ORDER BY -ln(rfm_kmeans._point_key(p, $2, $3)) / rfm_kmeans._min_dist2(p, $1), p "
							  "LIMIT 1", r->point, r->from),
					 3, types, values);
			if (SPI_processed == 0)
				break;			/* every point is already a center */
			get_point(0, 1, cand, r->d);
			{
				Oid			ptypes[2] = {FLOAT8ARRAYOID, FLOAT8ARRAYOID};
				Datum		pvalues[2] = {values[0], centers_datum(cand, 1, r->d)};

				spi_exec(psprintf("SELECT sum(least(rfm_kmeans._min_dist2(p, $1), rfm_kmeans._min_dist2(p, $2))) "
								  "FROM (SELECT %s AS p %s) s", r->point, r->from),
						 2, ptypes, pvalues);
			}
			pot = get_float8(0, 1);
			if (pot < best_pot)
			{
				best_pot = pot;
				memcpy(centers + (size_t) c * r->d, cand, sizeof(double) * r->d);
				found = true;
			}
		}
		if (!found)				/* fewer distinct points than k */
			memcpy(centers + (size_t) c * r->d, centers, sizeof(double) * r->d);
	}
}

/* k points with the smallest draws, as memory mode's random init. */
static void
init_random(AggRun *r, double *centers, int run)
{
	Oid			types[2] = {INT8OID, INT8OID};
	Datum		values[2] = {Int64GetDatum(r->o->seed), Int64GetDatum(((int64) run << 32) | 0xFFFF)};
	int			c;

	spi_exec(psprintf("SELECT p FROM (SELECT %s AS p %s) s "
					  "ORDER BY rfm_kmeans._point_key(p, $1, $2), p LIMIT %d", r->point, r->from, r->k),
			 2, types, values);
	for (c = 0; c < r->k; c++)
		get_point(c < (int) SPI_processed ? c : 0, 1, centers + (size_t) c * r->d, r->d);
}

/*
 * The query of one Lloyd step, prepared once for all iterations: $1 the
 * scaled k x d centers, $2 the 2 x d scaler. With 0.3.0's kmeans_step()
 * that scales rows itself, the features go in as columns (as arguments up
 * to 4 of them), with no arithmetic or array per row in SQL; with older SQL
 * (before ALTER EXTENSION UPDATE), the scaled array of r->point.
 */
static SPIPlanPtr
prepare_step(AggRun *r)
{
	Oid			types[2] = {FLOAT8ARRAYOID, FLOAT8ARRAYOID};
	StringInfoData q;
	bool		scaling;
	int			j;

	/* cosine: the unit rows (r->point) to the step that takes rows scaled */
	scaling = !r->o->cosine && sql_function_exists("rfm_kmeans.kmeans_step(float8[], float8[], float8[])");
	initStringInfo(&q);
	appendStringInfo(&q, "SELECT (s).centroids, (s).sizes, (s).inertia%s FROM (SELECT rfm_kmeans.kmeans_step(",
					 scaling ? ", (s).mean_distance" : "");
	if (!scaling)
		appendStringInfo(&q, "%s, $1) AS s %s) q", r->point, r->from);
	else
	{
		appendStringInfoString(&q, r->d <= 4 ? "$1, $2" : "ARRAY[");
		for (j = 0; j < r->d; j++)
			appendStringInfo(&q, "%s%s::pg_catalog.float8", r->d <= 4 || j > 0 ? ", " : "",
							 r->o->exprs[j]);
		/* NULL features skip the row inside the aggregate: no WHERE */
		appendStringInfo(&q, "%s) AS s FROM %s) q", r->d <= 4 ? "" : "], $1, $2", r->rel);
	}
	/* parallel query may split the scan, as SPI_execute_with_args allows */
	r->step = SPI_prepare_cursor(q.data, 2, types, CURSOR_OPT_PARALLEL_OK);
	if (r->step == NULL)
		elog(ERROR, "could not prepare the aggregate-mode step: %s", SPI_result_code_string(SPI_result));
	return r->step;
}

/*
 * One Lloyd step: kmeans_step over every usable row. New centroids go to
 * next, cluster sizes to sizes, the mean distance of a row to its nearest
 * center to *mean_distance (NaN with older SQL, whose step has none);
 * returns the inertia w.r.t. centers.
 */
static double
lloyd_step(AggRun *r, const double *centers, double *next, int64 *sizes, double *mean_distance)
{
	Datum		values[2] = {centers_datum(centers, r->k, r->d), r->scaler};
	bool		isnull;
	Datum		v;
	Datum	   *elems;
	bool	   *nulls;
	int			count,
				c;

	/* no row limit: with one, the executor would run the plan without its workers */
	if (SPI_execute_plan(r->step ? r->step : prepare_step(r), values, NULL, true, 0) != SPI_OK_SELECT)
		elog(ERROR, "aggregate-mode step failed");
	get_point(0, 1, next, r->k * r->d);
	v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull);
	deconstruct_array(DatumGetArrayTypeP(v), INT8OID, sizeof(int64), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, &count);
	for (c = 0; c < r->k; c++)
		sizes[c] = DatumGetInt64(elems[c]);
	*mean_distance = NAN;
	if (SPI_tuptable->tupdesc->natts >= 4)
	{
		v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull);
		if (!isnull)
			*mean_distance = DatumGetFloat8(v);
	}
	return get_float8(0, 3);
}

/*
 * Give empty clusters the points farthest from their nearest center (ties
 * by value), one each.
 */
static int
reseed_empty(AggRun *r, const double *centers, double *next, const int64 *sizes)
{
	Oid			types[1] = {FLOAT8ARRAYOID};
	Datum		values[1];
	int			empty = 0,
				c,
				i = 0;

	for (c = 0; c < r->k; c++)
		empty += sizes[c] == 0;
	if (empty == 0)
		return 0;
	values[0] = centers_datum(centers, r->k, r->d);
	spi_exec(psprintf("SELECT p FROM (SELECT %s AS p %s) s WHERE rfm_kmeans._min_dist2(p, $1) > 0 "
					  "ORDER BY rfm_kmeans._min_dist2(p, $1) DESC, p DESC LIMIT %d",
					  r->point, r->from, empty),
			 1, types, values);
	for (c = 0; c < r->k && i < (int) SPI_processed; c++)
		if (sizes[c] == 0)
			get_point(i++, 1, next + (size_t) c * r->d, r->d);
	return i;
}

/*
 * The rows' distances to their nearest center at every thousandth of the
 * rows (ranks as core/rank_quantiles.h: percentile_disc's), exactly: one
 * more scan, sorted by the executor (work_mem, then temporary files).
 */
static void
exact_distance_quantiles(AggRun *r, const double *centers, int64 rows, double *out)
{
	Oid			types[2] = {FLOAT8ARRAYOID, FLOAT8ARRAYOID};
	Datum		values[2];
	double	   *fractions = palloc(sizeof(double) * DISTANCE_QUANTILES);
	int			j;

	/*
	 * percentile_disc(f) takes rank ceil(f n), computed in float8: asked
	 * for rank r as (r - 0.5) / n it lands on r, where j / 1000 could
	 * round past it
	 */
	for (j = 0; j < DISTANCE_QUANTILES; j++)
	{
		uint64_t	rank = km_quantile_rank(j, (uint64_t) rows, DISTANCE_QUANTILES);

		fractions[j] = ((double) rank - 0.5) / (double) rows;
	}
	values[0] = centers_datum(centers, r->k, r->d);
	{
		Datum	   *elems = palloc(sizeof(Datum) * DISTANCE_QUANTILES);

		for (j = 0; j < DISTANCE_QUANTILES; j++)
			elems[j] = Float8GetDatum(fractions[j]);
		values[1] = PointerGetDatum(construct_array(elems, DISTANCE_QUANTILES, FLOAT8OID, sizeof(float8),
													FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	}
	spi_exec(psprintf("SELECT pg_catalog.percentile_disc($2) WITHIN GROUP "
					  "(ORDER BY %s) FROM (SELECT %s AS p %s OFFSET 0) s",
					  r->o->cosine ? "rfm_kmeans._min_dist2(p, $1) / 2" :
					  "pg_catalog.sqrt(rfm_kmeans._min_dist2(p, $1))", r->point, r->from),
			 2, types, values);
	get_point(0, 1, out, DISTANCE_QUANTILES);
}

void
train_aggregate(const TrainOptions *o, Model *model, TrainOutcome *out)
{
	AggRun		r;
	double		tol_abs;
	double	   *centers = palloc(sizeof(double) * o->k * o->d);
	double	   *next = palloc(sizeof(double) * o->k * o->d);
	double	   *best = palloc(sizeof(double) * o->k * o->d);
	double	   *start = NULL;
	int64	   *sizes = palloc(sizeof(int64) * o->k);
	double		best_inertia = INFINITY;
	double		best_mean_distance = NAN;
	double		mean_distance;
	int			run,
				n_runs = o->init == KM_INIT_EXPLICIT ? 1 : o->n_init;
	int			level;

	r.o = o;
	r.k = o->k;
	r.d = o->d;
	r.step = NULL;
	r.lo = palloc(sizeof(double) * o->d);
	r.hi = palloc(sizeof(double) * o->d);
	level = safe_spi_connect(SAFE_SPI_DEFAULT);
	tol_abs = o->tol * fit_scaler(&r, model, out);
	if (o->cosine && out->n_rows > 0)
		tol_abs = o->tol * unit_rows_variance(&r);
	if (out->n_rows == 0)
		no_usable_row_error(o->relid, out->n_skipped);
	if (o->k > out->n_rows)
		k_above_rows_error("k", o->k, (size_t) out->n_rows);
	if (o->init == KM_INIT_EXPLICIT)
		start = explicit_centroids(o, model->offset, model->factor);
	if (start != NULL && o->cosine)
		unit_rows(start, o->k, o->d, "a centroid of init_centroids");
	check_value_range(o->features, o->d, r.lo, r.hi, model->offset, model->factor,
					  start, o->k, (size_t) out->n_rows, psprintf("scale => '%s'", o->scale_name));

	for (run = 0; run < n_runs; run++)
	{
		int			it,
					iterations = o->max_iter;
		bool		converged = false;
		double		inertia;

		if (o->init == KM_INIT_EXPLICIT)
			memcpy(centers, start, sizeof(double) * o->k * o->d);
		else if (o->init == KM_INIT_RANDOM)
			init_random(&r, centers, run);
		else
			init_plusplus(&r, centers, run);

		for (it = 1; it <= o->max_iter; it++)
		{
			double		shift2 = 0;
			int			i;

			CHECK_FOR_INTERRUPTS();
			inertia = lloyd_step(&r, centers, next, sizes, &mean_distance);
			reseed_empty(&r, centers, next, sizes);
			if (o->cosine)
				unit_centroids(next, centers, o->k, o->d);
			for (i = 0; i < o->k * o->d; i++)
				shift2 += (next[i] - centers[i]) * (next[i] - centers[i]);
			memcpy(centers, next, sizeof(double) * o->k * o->d);
			if (o->verbose)
				ereport(NOTICE,
						(errmsg("run %d iteration %d: inertia %.6g, centroid shift %.3g",
								run + 1, it, o->cosine ? inertia / 2 : inertia, shift2)));
			if (shift2 <= tol_abs)
			{
				converged = true;
				iterations = it;
				break;
			}
		}
		/* sizes and inertia consistent with the final centers */
		inertia = lloyd_step(&r, centers, next, sizes, &mean_distance);
		/* the first run always, then any with a lower inertia */
		if (run == 0 || inertia < best_inertia)
		{
			best_inertia = inertia;
			best_mean_distance = mean_distance;
			memcpy(best, centers, sizeof(double) * o->k * o->d);
			memcpy(out->sizes, sizes, sizeof(int64) * o->k);
			out->iterations = iterations;
			out->converged = converged;
		}
	}
	/*
	 * The final step gave the mean distance of a row to its centroid (older
	 * SQL's step did not); the rows below each centroid's features
	 * (centroid_ranks.h), when asked for, need one more scan, the scaled
	 * point computed once per row (OFFSET 0 keeps the subquery whole).
	 */
	out->mean_distance = best_mean_distance;
	if (out->centroid_below || isnan(best_mean_distance))
	{
		Oid			types[1] = {FLOAT8ARRAYOID};
		Datum		values[1] = {centers_datum(best, o->k, o->d)};
		int			n_items = 1 + (out->centroid_below ? o->k * o->d : 0);
		char	  **items = palloc(sizeof(char *) * n_items);
		double	   *v;
		int			c,
					j;

		items[0] = "avg(sqrt(rfm_kmeans._min_dist2(p, $1)))";
		for (c = 0; c < o->k && out->centroid_below; c++)
			for (j = 0; j < o->d; j++)
				items[1 + c * o->d + j] = psprintf("pg_catalog.count(*) FILTER (WHERE p[%d] < $1[%d][%d])",
												   j + 1, c + 1, j + 1);
		v = aggregate_values(items, n_items, psprintf("FROM (SELECT %s AS p %s OFFSET 0) s", r.point, r.from),
							 1, types, values);
		if (isnan(best_mean_distance))
			out->mean_distance = v[0];
		for (c = 0; c < o->k * o->d && out->centroid_below; c++)
			out->centroid_below[c] = (int64) v[c + 1];
	}
	if (out->distance_quantiles)
		exact_distance_quantiles(&r, best, out->n_rows, out->distance_quantiles);
	safe_spi_finish(level);
	out->inertia = best_inertia;
	if (o->cosine)
	{
		/* the sum and mean of the rows' cosine distances, |x - c|^2 / 2 */
		out->inertia = best_inertia / 2;
		out->mean_distance = out->inertia / (double) out->n_rows;
	}
	memcpy(model->centroids, best, sizeof(double) * o->k * o->d);
	km_scaler_unapply(model->offset, model->factor, o->d, model->centroids, o->k);
}

int
refine_aggregate(const TrainOptions *o, const Model *model, double *centers, int steps,
				 double tol_abs, bool *converged, TrainOutcome *out)
{
	AggRun		r;
	double	   *next = palloc(sizeof(double) * o->k * o->d);
	int			it,
				done = 0,
				level;

	memset(&r, 0, sizeof(r));
	r.o = o;
	r.k = o->k;
	r.d = o->d;
	level = safe_spi_connect(SAFE_SPI_DEFAULT);
	usable_rows(&r);
	set_scaler(&r, model);
	for (it = 1; it <= steps; it++)
	{
		double		shift2 = 0,
					inertia;
		int			i;

		CHECK_FOR_INTERRUPTS();
		inertia = lloyd_step(&r, centers, next, out->sizes, &out->mean_distance);
		reseed_empty(&r, centers, next, out->sizes);
		for (i = 0; i < o->k * o->d; i++)
			shift2 += (next[i] - centers[i]) * (next[i] - centers[i]);
		memcpy(centers, next, sizeof(double) * o->k * o->d);
		done = it;
		if (o->verbose)
			ereport(NOTICE,
					(errmsg("refinement %d: inertia %.6g, centroid shift %.3g", it, inertia, shift2)));
		if (shift2 <= tol_abs)
		{
			*converged = true;
			break;
		}
	}
	/* sizes, inertia, mean distance and its quantiles of the final centers, exactly */
	out->inertia = lloyd_step(&r, centers, next, out->sizes, &out->mean_distance);
	if (out->distance_quantiles)
		exact_distance_quantiles(&r, centers, out->n_rows, out->distance_quantiles);
	safe_spi_finish(level);
	return done;
}

/*
 * model_store.c
 *	  Read and write k-means models in rfm_kmeans.models with SPI. Every
 *	  statement is schema-qualified and takes values as parameters.
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "model_store.h"
#include "safe_spi.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

void
model_check_owner(const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	int			level;

	level = safe_spi_connect(false);
	if (SPI_execute_with_args("SELECT owner FROM rfm_kmeans.models WHERE name = $1",
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read rfm_kmeans.models");
	if (SPI_processed > 0)
	{
		char	   *owner = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
		char	   *me = GetUserNameFromId(GetUserId(), false);

		if (strcmp(owner, me) != 0 && !superuser())
			ereport(ERROR,
					(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
					 errmsg("model \"%s\" belongs to role %s", name, owner),
					 errhint("Only the owner of a model or a superuser may replace or drop it; pick another model name.")));
	}
	safe_spi_finish(level);
}

static Datum
float8_array(const double *v, int n)
{
	Datum	   *d = palloc(sizeof(Datum) * n);
	int			i;

	for (i = 0; i < n; i++)
		d[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_array(d, n, FLOAT8OID, sizeof(float8),
										   FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

static Datum
float8_matrix(const double *v, int rows, int cols)
{
	Datum	   *d = palloc(sizeof(Datum) * rows * cols);
	int			dims[2] = {rows, cols};
	int			lbs[2] = {1, 1};
	int			i;

	for (i = 0; i < rows * cols; i++)
		d[i] = Float8GetDatum(v[i]);
	return PointerGetDatum(construct_md_array(d, NULL, 2, dims, lbs, FLOAT8OID, sizeof(float8),
											  FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

/*
 * Whether the models table has the column centroid_below (added in 0.2.0):
 * a server may run this library before ALTER EXTENSION rfm_kmeans UPDATE,
 * and training must keep working on the older table until then.
 */
static bool
models_have_centroid_below(void)
{
	if (SPI_execute("SELECT 1 FROM pg_catalog.pg_attribute "
					"WHERE attrelid = 'rfm_kmeans.models'::pg_catalog.regclass "
					"AND attname = 'centroid_below' AND NOT attisdropped",
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the definition of rfm_kmeans.models");
	return SPI_processed == 1;
}

void
model_store(const ModelToStore *m)
{
	const Model *mo = m->model;
	Oid			types[17] = {TEXTOID, TEXTARRAYOID, INT4OID, TEXTOID, FLOAT8ARRAYOID,
		FLOAT8ARRAYOID, FLOAT8ARRAYOID, INT8ARRAYOID, FLOAT8OID, INT4OID,
	BOOLOID, INT8OID, INT8OID, TEXTOID, TEXTOID, FLOAT8OID, INT8ARRAYOID};
	Datum		values[17];
	Datum	   *feat = palloc(sizeof(Datum) * mo->d);
	Datum	   *sizes = palloc(sizeof(Datum) * mo->k);
	Datum	   *below = palloc(sizeof(Datum) * mo->k * mo->d);
	int			dims[2] = {mo->k, mo->d};
	int			lbs[2] = {1, 1};
	int			i;
	int			level;
	bool		with_below;

	for (i = 0; i < mo->d; i++)
		feat[i] = CStringGetTextDatum(m->features[i]);
	for (i = 0; i < mo->k; i++)
		sizes[i] = Int64GetDatum(m->sizes[i]);
	for (i = 0; i < mo->k * mo->d; i++)
		below[i] = Int64GetDatum(m->centroid_below[i]);
	values[0] = CStringGetTextDatum(m->name);
	values[1] = PointerGetDatum(construct_array(feat, mo->d, TEXTOID, -1, false, TYPALIGN_INT));
	values[2] = Int32GetDatum(mo->k);
	values[3] = CStringGetTextDatum(m->scaler);
	values[4] = float8_array(mo->offset, mo->d);
	values[5] = float8_array(mo->factor, mo->d);
	values[6] = float8_matrix(mo->centroids, mo->k, mo->d);
	values[7] = PointerGetDatum(construct_array(sizes, mo->k, INT8OID, sizeof(int64),
												FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	values[8] = Float8GetDatum(m->inertia);
	values[9] = Int32GetDatum(m->iterations);
	values[10] = BoolGetDatum(m->converged);
	values[11] = Int64GetDatum(m->n_rows);
	values[12] = Int64GetDatum(m->n_skipped);
	values[13] = CStringGetTextDatum(m->source);
	values[14] = CStringGetTextDatum(m->params_json);
	values[15] = Float8GetDatum(m->mean_distance);
	values[16] = PointerGetDatum(construct_md_array(below, NULL, 2, dims, lbs, INT8OID,
													sizeof(int64), FLOAT8PASSBYVAL,
													TYPALIGN_DOUBLE));

	level = safe_spi_connect(false);
	with_below = models_have_centroid_below();
	/* the model being replaced becomes an earlier version */
	if (SPI_execute_with_args("INSERT INTO rfm_kmeans.model_versions "
							  "SELECT * FROM rfm_kmeans.models WHERE name = $1",
							  1, types, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not keep the earlier version of model \"%s\"", m->name);
	if (SPI_execute_with_args(psprintf(
									   "INSERT INTO rfm_kmeans.models AS m (name, owner, created_at, features, k, scaler, "
									   "scale_offset, scale_factor, centroids, sizes, inertia, iterations, converged, "
									   "n_rows, n_skipped, source_relation, params, mean_distance%s) "
									   "VALUES ($1, current_user, pg_catalog.now(), $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
									   "$12, $13, $14, $15::pg_catalog.jsonb, $16%s) "
									   "ON CONFLICT (name) DO UPDATE SET owner = EXCLUDED.owner, "
									   "created_at = EXCLUDED.created_at, features = EXCLUDED.features, k = EXCLUDED.k, "
									   "scaler = EXCLUDED.scaler, scale_offset = EXCLUDED.scale_offset, "
									   "scale_factor = EXCLUDED.scale_factor, centroids = EXCLUDED.centroids, "
									   "sizes = EXCLUDED.sizes, inertia = EXCLUDED.inertia, "
									   "iterations = EXCLUDED.iterations, converged = EXCLUDED.converged, "
									   "n_rows = EXCLUDED.n_rows, n_skipped = EXCLUDED.n_skipped, "
									   "source_relation = EXCLUDED.source_relation, params = EXCLUDED.params, "
									   "mean_distance = EXCLUDED.mean_distance, %s"
									   "version = m.version + 1",
									   with_below ? ", centroid_below" : "",
									   with_below ? ", $17" : "",
									   with_below ? "centroid_below = EXCLUDED.centroid_below, " : ""),
							  with_below ? 17 : 16, types, values, NULL, false, 0) != SPI_OK_INSERT)
		elog(ERROR, "could not store model \"%s\"", m->name);
	safe_spi_finish(level);
}

/* Copy a float8[] of n elements (no NULLs) into dst. */
static void
read_float8s(Datum arr, double *dst, int n, const char *what)
{
	ArrayType  *a = DatumGetArrayTypeP(arr);
	Datum	   *elems;
	bool	   *nulls;
	int			count,
				i;

	deconstruct_array(a, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE,
					  &elems, &nulls, &count);
	if (count != n)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("model %s has %d values, expected %d", what, count, n)));
	for (i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("model %s contains a null", what)));
		dst[i] = DatumGetFloat8(elems[i]);
	}
}

Model *
model_load(const char *name, MemoryContext mcxt)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	Model	   *m;
	HeapTuple	tup;
	TupleDesc	desc;
	bool		isnull;
	int			i,
				j;
	int			level;

	level = safe_spi_connect(false);
	if (SPI_execute_with_args("SELECT k, pg_catalog.array_length(features, 1), scale_offset, "
							  "scale_factor, centroids, features FROM rfm_kmeans.models WHERE name = $1",
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read rfm_kmeans.models");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("model \"%s\" does not exist", name),
				 errhint("Train it with rfm_kmeans.train(); SELECT name FROM rfm_kmeans.models lists the models.")));
	tup = SPI_tuptable->vals[0];
	desc = SPI_tuptable->tupdesc;
	m = MemoryContextAllocZero(mcxt, sizeof(Model));
	m->k = DatumGetInt32(SPI_getbinval(tup, desc, 1, &isnull));
	m->d = DatumGetInt32(SPI_getbinval(tup, desc, 2, &isnull));
	if (m->k < 1 || m->d < 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("model \"%s\" is malformed", name)));
	m->offset = MemoryContextAlloc(mcxt, sizeof(double) * m->d);
	m->factor = MemoryContextAlloc(mcxt, sizeof(double) * m->d);
	m->centroids = MemoryContextAlloc(mcxt, sizeof(double) * m->k * m->d);
	m->scaled = MemoryContextAlloc(mcxt, sizeof(double) * m->k * m->d);
	read_float8s(SPI_getbinval(tup, desc, 3, &isnull), m->offset, m->d, "scale_offset");
	read_float8s(SPI_getbinval(tup, desc, 4, &isnull), m->factor, m->d, "scale_factor");
	read_float8s(SPI_getbinval(tup, desc, 5, &isnull), m->centroids, m->k * m->d, "centroids");
	for (i = 0; i < m->k; i++)
		for (j = 0; j < m->d; j++)
			m->scaled[i * m->d + j] = (m->centroids[i * m->d + j] - m->offset[j]) / m->factor[j];
	{
		Datum	   *elems;
		bool	   *nulls;
		int			count;

		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 6, &isnull)), TEXTOID, -1,
						  false, TYPALIGN_INT, &elems, &nulls, &count);
		if (count != m->d)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("model \"%s\" is malformed", name)));
		m->features = MemoryContextAlloc(mcxt, sizeof(char *) * m->d);
		for (j = 0; j < m->d; j++)
			m->features[j] = MemoryContextStrdup(mcxt, TextDatumGetCString(elems[j]));
	}
	safe_spi_finish(level);
	return m;
}

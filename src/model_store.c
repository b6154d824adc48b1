/*
 * model_store.c
 *	  Read and write k-means models in rfm_kmeans.models and
 *	  rfm_kmeans.model_versions with SPI. Every statement is
 *	  schema-qualified and takes values as parameters.
 *
 * Writes: PUBLIC may only read the two tables, so that no role can plant
 * rows in another role's model or history. The functions here check the
 * caller's right themselves (the model's owner, or a superuser), as the
 * caller, then run their statements as the tables' owner, the way
 * PostgreSQL runs its own referential-integrity queries: the user id is
 * switched for those statements only (SECURITY_LOCAL_USERID_CHANGE, in a
 * restricted operation), and an error switches it back with the
 * transaction's abort. Each change takes a lock on the model's name first
 * and reads the model's row after it, so two changes of one model happen
 * one after the other and each sees what the other committed.
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "core/sphere.h"
#include "model_store.h"
#include "safe_spi.h"
#include "storage/lmgr.h"
#include "storage/lock.h"
#include "table_watch.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"

/*
 * The fourth field of the advisory lock tag our name locks use: PostgreSQL's
 * pg_advisory_* functions use 1 and 2, so ours never collide with a user's.
 * pg_locks shows them as locktype advisory, objsubid 20251.
 */
#define MODEL_LOCK_CLASS 20251

void
model_check_name(const char *name)
{
	size_t		len = strlen(name);

	if (len == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model name must not be empty")));
	if (len > MODEL_NAME_MAX_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_NAME_TOO_LONG),
				 errmsg("model name is too long"),
				 errdetail("The name has %zu bytes; at most %d are allowed.",
						   len, MODEL_NAME_MAX_BYTES)));
}

/*
 * Serialize the changes of one model: an exclusive transaction-level lock
 * on the name's hash (two names sharing a hash just wait for each other).
 */
static void
lock_model_name(const char *name)
{
	LOCKTAG		tag;
	uint64		h = hash_bytes_extended((const unsigned char *) name, strlen(name), 0);

	SET_LOCKTAG_ADVISORY(tag, MyDatabaseId, (uint32) (h >> 32), (uint32) h, MODEL_LOCK_CLASS);
	(void) LockAcquire(&tag, ExclusiveLock, false, false);
}

static void
owner_error(const char *name, const char *owner)
{
	ereport(ERROR,
			(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
			 errmsg("permission denied for model \"%s\"", name),
			 errdetail("The model belongs to role %s.", owner),
			 errhint("Only the owner of a model or a superuser may replace, roll back or drop it; "
					 "pick another model name.")));
}

/* ERROR 42501 unless owner is the caller, or the caller is a superuser. */
static void
require_owner(const char *name, const char *owner)
{
	if (strcmp(owner, GetUserNameFromId(GetUserId(), false)) != 0 && !superuser())
		owner_error(name, owner);
}

static void
missing_model_error(const char *name)
{
	ereport(ERROR,
			(errcode(ERRCODE_UNDEFINED_OBJECT),
			 errmsg("model \"%s\" does not exist", name),
			 errhint("Train it with rfm_kmeans.train(); SELECT name FROM rfm_kmeans.models lists the models.")));
}

void
model_check_owner(const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	int			level;

	level = safe_spi_connect(SAFE_SPI_DEFAULT);
	if (SPI_execute_with_args("SELECT owner FROM rfm_kmeans.models WHERE name = $1",
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read rfm_kmeans.models");
	if (SPI_processed > 0)
		require_owner(name, SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1));
	safe_spi_finish(level);
}

/*
 * The role that owns rfm_kmeans.models: the writes run as it, inside a
 * restricted operation. Returns the caller's user id and security context
 * to give back to leave_owner().
 */
typedef struct CallerIdentity
{
	Oid			userid;
	int			sec_context;
} CallerIdentity;

static Oid
relation_owner(Oid relid)
{
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	Oid			owner;

	if (!HeapTupleIsValid(tp))
		elog(ERROR, "cache lookup failed for relation %u", relid);
	owner = ((Form_pg_class) GETSTRUCT(tp))->relowner;
	ReleaseSysCache(tp);
	return owner;
}

/*
 * After a write: the invalidation that makes every cached copy of the
 * models (predict's) be read again, here from the next command on, in
 * other sessions once this transaction commits (table_watch.h).
 */
static void
models_changed(void)
{
	Oid			nsp = get_namespace_oid("rfm_kmeans", false);

	CacheInvalidateRelcacheByRelid(get_relname_relid("models", nsp));
}

static CallerIdentity
become_owner(void)
{
	CallerIdentity caller;
	Oid			nsp = get_namespace_oid("rfm_kmeans", false);
	Oid			models = get_relname_relid("models", nsp);

	if (!OidIsValid(models))
		elog(ERROR, "table rfm_kmeans.models is missing");
	GetUserIdAndSecContext(&caller.userid, &caller.sec_context);
	SetUserIdAndSecContext(relation_owner(models), caller.sec_context |
						   SECURITY_LOCAL_USERID_CHANGE | SECURITY_RESTRICTED_OPERATION);
	return caller;
}

static void
leave_owner(CallerIdentity caller)
{
	SetUserIdAndSecContext(caller.userid, caller.sec_context);
}

/*
 * After the name lock: the model's owner and version (NULL owner when the
 * model does not exist), its row locked against changes that bypass our
 * lock. Under REPEATABLE READ, a row changed since the snapshot raises
 * PostgreSQL's own serialization failure (40001) here.
 */
static char *
locked_model(const char *name, int32 *version)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	bool		isnull;

	if (SPI_execute_with_args("SELECT owner::pg_catalog.text, version FROM rfm_kmeans.models "
							  "WHERE name = $1 FOR UPDATE",
							  1, types, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read rfm_kmeans.models");
	if (SPI_processed == 0)
		return NULL;
	*version = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	return SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1);
}

/* The highest version in the model's history, 0 if none. */
static int32
latest_history_version(const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	bool		isnull;
	Datum		v;

	if (SPI_execute_with_args("SELECT pg_catalog.max(version) FROM rfm_kmeans.model_versions "
							  "WHERE name = $1", 1, types, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read rfm_kmeans.model_versions");
	v = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	return isnull ? 0 : DatumGetInt32(v);
}

/* One write statement, which must touch expected rows (-1: any number). */
static void
spi_write(const char *sql, int nargs, Oid *types, Datum *values, const char *nulls,
		  int expect_rc, int64 expect_rows, const char *what, const char *name)
{
	int			rc = SPI_execute_with_args(sql, nargs, types, values, nulls, false, 0);

	if (rc != expect_rc)
		elog(ERROR, "could not %s model \"%s\": %s", what, name, SPI_result_code_string(rc));
	if (expect_rows >= 0 && (int64) SPI_processed != expect_rows)
		ereport(ERROR,
				(errcode(ERRCODE_T_R_SERIALIZATION_FAILURE),
				 errmsg("could not %s model \"%s\": it was changed concurrently", what, name),
				 errhint("Retry the transaction.")));
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
 * Whether the models table has a column (centroid_below: added in 0.2.0,
 * distance_quantiles: in 0.4.0):
 * a server may run this library before ALTER EXTENSION rfm_kmeans UPDATE,
 * and training must keep working on the older table until then.
 */
static bool
models_have_column(const char *column)
{
	if (SPI_execute(psprintf("SELECT 1 FROM pg_catalog.pg_attribute "
							 "WHERE attrelid = 'rfm_kmeans.models'::pg_catalog.regclass "
							 "AND attname = '%s' AND NOT attisdropped", column),
					true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read the definition of rfm_kmeans.models");
	return SPI_processed == 1;
}

/*
 * The last gate before a model is stored: finite numbers, and sizes that
 * add up to the rows. Training refuses data that could break this before
 * it starts (value_range.h), so failing here is a bug, reported as one.
 */
static void
check_storable(const ModelToStore *m)
{
	const Model *mo = m->model;
	int64		total = 0;
	int			i;

	for (i = 0; i < mo->k; i++)
		total += m->sizes[i];
	for (i = 0; i < mo->k * mo->d; i++)
		if (!isfinite(mo->centroids[i]))
			break;
	if (i < mo->k * mo->d || !isfinite(m->inertia) || !isfinite(m->mean_distance) ||
		total != m->n_rows)
		elog(ERROR, "refusing to store model \"%s\": inertia %g, sizes adding up to "
			 INT64_FORMAT " of " INT64_FORMAT " rows", m->name, m->inertia, total, m->n_rows);
}

/*
 * The start of every change: the name lock, then the model's row read
 * (and locked) after it, its owner checked against the caller; from here
 * the change goes on as the tables' owner (*caller says whom to switch
 * back to), in an SPI session (*level). Returns the owner, or NULL when
 * there is no such model (42704 if must_exist); *version is the current
 * version then.
 */
static char *
begin_change(const char *name, bool must_exist, CallerIdentity *caller, int *level,
			 int32 *version)
{
	char	   *owner;

	lock_model_name(name);
	*level = safe_spi_connect(SAFE_SPI_DEFAULT);
	*version = 0;
	*caller = become_owner();
	owner = locked_model(name, version);
	leave_owner(*caller);
	if (owner == NULL && must_exist)
		missing_model_error(name);
	if (owner != NULL)
		require_owner(name, owner);
	*caller = become_owner();
	return owner;
}

void
model_store(const ModelToStore *m)
{
	const Model *mo = m->model;
	Oid			types[21] = {TEXTOID, TEXTARRAYOID, INT4OID, TEXTOID, FLOAT8ARRAYOID,
		FLOAT8ARRAYOID, FLOAT8ARRAYOID, INT8ARRAYOID, FLOAT8OID, INT4OID,
		BOOLOID, INT8OID, INT8OID, TEXTOID, TEXTOID, FLOAT8OID, INT4OID, INT8ARRAYOID, TEXTOID,
		FLOAT8ARRAYOID, TEXTARRAYOID};
	Datum		values[21];
	char		nulls[21];
	Datum	   *feat = palloc(sizeof(Datum) * mo->d);
	Datum	   *sizes = palloc(sizeof(Datum) * mo->k);
	Datum	   *below = palloc(sizeof(Datum) * mo->k * mo->d);
	int			dims[2] = {mo->k, mo->d};
	int			lbs[2] = {1, 1};
	int			i;
	int			level;
	bool		with_below,
				with_quantiles,
				with_categories;
	char	   *owner;
	int32		version = 0;
	CallerIdentity caller;

	check_storable(m);
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
	values[17] = PointerGetDatum(construct_md_array(below, NULL, 2, dims, lbs, INT8OID,
													sizeof(int64), FLOAT8PASSBYVAL,
													TYPALIGN_DOUBLE));
	/* a new model belongs to the caller; a replaced one keeps its owner */
	values[18] = CStringGetTextDatum(GetUserNameFromId(GetUserId(), false));
	memset(nulls, ' ', sizeof(nulls));
	if (m->distance_quantiles)
		values[19] = float8_array(m->distance_quantiles, DISTANCE_QUANTILES);
	else
	{
		values[19] = (Datum) 0;
		nulls[19] = 'n';
	}
	values[20] = (Datum) 0;
	nulls[20] = 'n';
	if (m->categories)
	{
		Datum	   *cat = palloc(sizeof(Datum) * mo->d);
		bool	   *catnull = palloc(sizeof(bool) * mo->d);
		int			lb = 1,
					dim = mo->d;

		for (i = 0; i < mo->d; i++)
		{
			catnull[i] = m->categories[i] == NULL;
			cat[i] = catnull[i] ? (Datum) 0 : CStringGetTextDatum(m->categories[i]);
		}
		values[20] = PointerGetDatum(construct_md_array(cat, catnull, 1, &dim, &lb, TEXTOID,
														-1, false, TYPALIGN_INT));
		nulls[20] = ' ';
	}

	owner = begin_change(m->name, false, &caller, &level, &version);
	with_below = models_have_column("centroid_below");
	with_quantiles = models_have_column("distance_quantiles");
	with_categories = models_have_column("categories");
	if (m->categories && !with_categories)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("model \"%s\" has categorical features, which this version of the extension's tables cannot store",
						m->name),
				 errhint("Run ALTER EXTENSION rfm_kmeans UPDATE.")));
	/* numbers are never reused while the history holds them */
	values[16] = Int32GetDatum(Max(version, latest_history_version(m->name)) + 1);
	if (owner != NULL)
	{
		/* the model being replaced becomes an earlier version */
		spi_write("INSERT INTO rfm_kmeans.model_versions "
				  "SELECT * FROM rfm_kmeans.models WHERE name = $1",
				  1, types, values, NULL, SPI_OK_INSERT, 1, "keep the earlier version of", m->name);
		spi_write(psprintf("UPDATE rfm_kmeans.models SET created_at = pg_catalog.now(), "
						   "features = $2, k = $3, scaler = $4, scale_offset = $5, scale_factor = $6, "
						   "centroids = $7, sizes = $8, inertia = $9, iterations = $10, converged = $11, "
						   "n_rows = $12, n_skipped = $13, source_relation = $14, "
						   "params = $15::pg_catalog.jsonb, mean_distance = $16, version = $17%s%s%s "
						   "WHERE name = $1",
						   with_below ? ", centroid_below = $18" : "",
						   with_quantiles ? ", distance_quantiles = $20" : "",
						   with_categories ? ", categories = $21" : ""),
				  21, types, values, nulls, SPI_OK_UPDATE, 1, "store", m->name);
	}
	else
		spi_write(psprintf("INSERT INTO rfm_kmeans.models (name, owner, created_at, features, k, "
						   "scaler, scale_offset, scale_factor, centroids, sizes, inertia, iterations, "
						   "converged, n_rows, n_skipped, source_relation, params, mean_distance, "
						   "version%s%s%s) VALUES ($1, $19::pg_catalog.name, pg_catalog.now(), $2, $3, "
						   "$4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15::pg_catalog.jsonb, "
						   "$16, $17%s%s%s) ON CONFLICT (name) DO NOTHING",
						   with_below ? ", centroid_below" : "", with_quantiles ? ", distance_quantiles" : "",
						   with_categories ? ", categories" : "",
						   with_below ? ", $18" : "", with_quantiles ? ", $20" : "",
						   with_categories ? ", $21" : ""),
				  21, types, values, nulls, SPI_OK_INSERT, 1, "store", m->name);
	leave_owner(caller);
	safe_spi_finish(level);
	models_changed();
}

int32
model_rollback(const char *name)
{
	Oid			types[3] = {TEXTOID, INT4OID, TEXTOID};
	Datum		values[3];
	CallerIdentity caller;
	int			level;
	int32		version;
	char	   *owner = begin_change(name, true, &caller, &level, &version);
	bool		isnull;

	values[0] = CStringGetTextDatum(name);
	values[2] = CStringGetTextDatum(owner);
	if (SPI_execute_with_args("SELECT version FROM rfm_kmeans.model_versions WHERE name = $1 "
							  "ORDER BY version DESC LIMIT 1 FOR UPDATE",
							  1, types, values, NULL, false, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read rfm_kmeans.model_versions");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("model \"%s\" has no earlier version to roll back to", name)));
	version = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	values[1] = Int32GetDatum(version);
	spi_write("DELETE FROM rfm_kmeans.models WHERE name = $1", 3, types, values, NULL,
			  SPI_OK_DELETE, 1, "roll back", name);
	spi_write("INSERT INTO rfm_kmeans.models SELECT * FROM rfm_kmeans.model_versions "
			  "WHERE name = $1 AND version = $2", 3, types, values, NULL, SPI_OK_INSERT, 1, "roll back", name);
	/* the earlier version comes back under the model's owner */
	spi_write("UPDATE rfm_kmeans.models SET owner = $3::pg_catalog.name WHERE name = $1",
			  3, types, values, NULL, SPI_OK_UPDATE, 1, "roll back", name);
	spi_write("DELETE FROM rfm_kmeans.model_versions WHERE name = $1 AND version = $2",
			  3, types, values, NULL, SPI_OK_DELETE, 1, "roll back", name);
	leave_owner(caller);
	safe_spi_finish(level);
	models_changed();
	return version;
}

void
model_drop(const char *name)
{
	Oid			types[1] = {TEXTOID};
	Datum		values[1] = {CStringGetTextDatum(name)};
	CallerIdentity caller;
	int			level;
	int32		version;

	(void) begin_change(name, true, &caller, &level, &version);
	spi_write("DELETE FROM rfm_kmeans.model_versions WHERE name = $1", 1, types, values, NULL,
			  SPI_OK_DELETE, -1, "drop", name);
	spi_write("DELETE FROM rfm_kmeans.models WHERE name = $1", 1, types, values, NULL,
			  SPI_OK_DELETE, 1, "drop", name);
	leave_owner(caller);
	safe_spi_finish(level);
	models_changed();
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

/*
 * The categories column (NULL: no one-hot feature) as m->categories: d
 * entries, each a one-hot feature's category, named "column=category",
 * or NULL for a number.
 */
static char **
read_categories(Datum v, bool isnull, const Model *m, const char *name, MemoryContext mcxt)
{
	Datum	   *elems;
	bool	   *nulls;
	int			count,
				j;
	char	  **cats;

	if (isnull)
		return NULL;
	deconstruct_array(DatumGetArrayTypeP(v), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &nulls, &count);
	if (count != m->d)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("model \"%s\" is malformed", name)));
	cats = MemoryContextAllocZero(mcxt, sizeof(char *) * m->d);
	for (j = 0; j < m->d; j++)
	{
		size_t		flen = strlen(m->features[j]);

		if (nulls[j])
			continue;
		cats[j] = MemoryContextStrdup(mcxt, TextDatumGetCString(elems[j]));
		/* the feature's name must be column=category, as training wrote it */
		if (flen < strlen(cats[j]) + 2 || m->features[j][flen - strlen(cats[j]) - 1] != '=' ||
			strcmp(m->features[j] + flen - strlen(cats[j]), cats[j]) != 0)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("model \"%s\" is malformed", name)));
	}
	return cats;
}

/* model_load, or NULL when there is no model of that name (missing_ok). */
static Model *
load_model(const char *name, MemoryContext mcxt, bool missing_ok)
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

	level = safe_spi_connect(SAFE_SPI_CATALOG_READ);
	/* categories: from 0.4.0's tables on */
	if (SPI_execute_with_args(psprintf("SELECT k, pg_catalog.array_length(features, 1), scale_offset, "
									   "scale_factor, centroids, features, %s, "
									   "(params->>'distance') IS NOT DISTINCT FROM 'cosine' FROM rfm_kmeans.models "
									   "WHERE name = $1",
									   models_have_column("categories") ? "categories" : "NULL::text[]"),
							  1, types, values, NULL, true, 1) != SPI_OK_SELECT)
		elog(ERROR, "could not read rfm_kmeans.models");
	if (SPI_processed == 0)
	{
		if (!missing_ok)
			missing_model_error(name);
		safe_spi_finish(level);
		return NULL;
	}
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
		Datum		v;

		deconstruct_array(DatumGetArrayTypeP(SPI_getbinval(tup, desc, 6, &isnull)), TEXTOID, -1,
						  false, TYPALIGN_INT, &elems, &nulls, &count);
		if (count != m->d)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_CORRUPTED),
					 errmsg("model \"%s\" is malformed", name)));
		m->features = MemoryContextAlloc(mcxt, sizeof(char *) * m->d);
		for (j = 0; j < m->d; j++)
			m->features[j] = MemoryContextStrdup(mcxt, TextDatumGetCString(elems[j]));
		v = SPI_getbinval(tup, desc, 7, &isnull);
		m->categories = read_categories(v, isnull, m, name, mcxt);
		m->cosine = DatumGetBool(SPI_getbinval(tup, desc, 8, &isnull));
		/* back on the unit sphere after the round trip to original units */
		if (m->cosine)
			km_normalize_rows(m->scaled, m->k, m->d);
	}
	safe_spi_finish(level);
	return m;
}

Model *
model_load(const char *name, MemoryContext mcxt)
{
	return load_model(name, mcxt, false);
}

Model *
model_load_if_exists(const char *name, MemoryContext mcxt)
{
	return load_model(name, mcxt, true);
}

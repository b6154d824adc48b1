/*
 * feature_loader.c
 *	  Stream feature columns of a relation into one packed float8 array,
 *	  through an SPI cursor fetched in batches (never a materialized result).
 */
#include "compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "feature_loader.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#define FETCH_BATCH 10000
#define MAX_FEATURES 1000

char	  **
feature_names(ArrayType *features, int *d)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **names;
	int			i,
				j;

	if (ARR_NDIM(features) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("argument features must be a one-dimensional array")));
	deconstruct_array(features, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, d);
	if (*d < 1 || *d > MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument features must name between 1 and %d columns, got %d",
						MAX_FEATURES, *d)));
	names = palloc(sizeof(char *) * *d);
	for (i = 0; i < *d; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument features must not contain nulls (element %d)", i + 1)));
		names[i] = TextDatumGetCString(elems[i]);
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("column \"%s\" appears twice in argument features", names[i])));
	}
	return names;
}

static void
check_columns(Oid relid, char **names, int d)
{
	int			i;

	for (i = 0; i < d; i++)
	{
		AttrNumber	att = get_attnum(relid, names[i]);
		Oid			type;

		if (att == InvalidAttrNumber || att < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							names[i], get_rel_name(relid)),
					 errhint("Feature names are column names, matched exactly (case-sensitive).")));
		type = get_atttype(relid, att);
		if (TypeCategory(getBaseType(type)) != TYPCATEGORY_NUMERIC)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" is of type %s, not a number",
							names[i], get_rel_name(relid), format_type_be(type))));
	}
}

/* SELECT "a"::float8, "b"::float8 FROM "schema"."rel": identifiers quoted */
static char *
feature_query(Oid relid, char **names, int d)
{
	StringInfoData q;
	int			i;

	initStringInfo(&q);
	appendStringInfoString(&q, "SELECT ");
	for (i = 0; i < d; i++)
		appendStringInfo(&q, "%s%s::pg_catalog.float8", i ? ", " : "",
						 quote_identifier(names[i]));
	appendStringInfo(&q, " FROM %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid)));
	return q.data;
}

/*
 * Grow out->x to hold at least rows rows, doubling, within max_bytes.
 * Returns false past the limit when the caller can fall back.
 */
static bool
reserve_rows(FeatureSet *out, size_t *capacity, size_t rows, Size max_bytes,
			 MemoryContext mcxt, bool can_fall_back)
{
	size_t		row_bytes = sizeof(double) * out->d;
	size_t		want = *capacity ? *capacity : 65536;

	if (rows <= *capacity)
		return true;
	while (want < rows)
		want *= 2;
	if (want * row_bytes > max_bytes)
		want = max_bytes / row_bytes;
	if (want < rows && can_fall_back)
		return false;
	if (want < rows)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("training data needs more than rfm_kmeans.train_memory_limit (%zu kB)",
						max_bytes / 1024),
				 errdetail("%zu rows of %d features take %zu kB.",
						   rows, out->d, rows * row_bytes / 1024),
				 errhint("Raise rfm_kmeans.train_memory_limit, or train on a sample.")));
	if (out->x == NULL)
		out->x = MemoryContextAllocHuge(mcxt, want * row_bytes);
	else
		out->x = repalloc_huge(out->x, want * row_bytes);
	*capacity = want;
	return true;
}

void
load_features(Oid relid, char **names, int d, Size max_bytes, FeatureSet *out,
			  bool *too_big)
{
	MemoryContext mcxt = CurrentMemoryContext;
	SPIPlanPtr	plan;
	Portal		portal;
	size_t		capacity = 0;

	check_columns(relid, names, d);
	out->x = NULL;
	out->n = 0;
	out->d = d;
	out->skipped = 0;
	out->names = names;
	if (too_big)
		*too_big = false;

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	plan = SPI_prepare(feature_query(relid, names, d), 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the feature query: %s", SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	for (;;)
	{
		uint64		i;

		SPI_cursor_fetch(portal, true, FETCH_BATCH);
		if (SPI_processed == 0)
			break;
		if (!reserve_rows(out, &capacity, out->n + SPI_processed, max_bytes, mcxt,
						  too_big != NULL))
		{
			*too_big = true;
			if (out->x)
				pfree(out->x);
			out->x = NULL;
			break;
		}
		for (i = 0; i < SPI_processed; i++)
		{
			HeapTuple	tuple = SPI_tuptable->vals[i];
			double	   *row = out->x + out->n * d;
			bool		skip = false;
			int			j;

			CHECK_FOR_INTERRUPTS();
			for (j = 0; j < d && !skip; j++)
			{
				bool		isnull;
				Datum		v = SPI_getbinval(tuple, SPI_tuptable->tupdesc, j + 1, &isnull);

				if (isnull)
				{
					skip = true;
					break;
				}
				row[j] = DatumGetFloat8(v);
				if (!isfinite(row[j]))
					ereport(ERROR,
							(errcode(ERRCODE_DATA_EXCEPTION),
							 errmsg("column \"%s\" contains %s", names[j],
									isnan(row[j]) ? "NaN" : "an infinite value"),
							 errhint("Filter such rows out, for example with a view.")));
			}
			if (skip)
				out->skipped++;
			else
				out->n++;
		}
		SPI_freetuptable(SPI_tuptable);
	}
	SPI_cursor_close(portal);
	SPI_finish();
}

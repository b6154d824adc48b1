/*
 * predict_row.c
 *	  predict_row(model, record) and assign_row(model, record): score a row
 *	  given whole, its columns matched to the model's features by name and
 *	  encoded as training did (feature_encoding.h): a number cast to float8,
 *	  a category cast to text and set as the 1 of its one-hot features (an
 *	  unseen category: all of them 0). The match of the record's columns is
 *	  made once per query and row type, beside the model predict() keeps.
 */
#include "compat.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_collation.h"
#include "catalog/pg_type.h"
#include "core/kmeans.h"
#include "feature_encoding.h"
#include "feature_loader.h"
#include "miscadmin.h"
#include "parser/parse_coerce.h"
#include "parser/parse_func.h"
#include "predict_cache.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/typcache.h"

/* One column of the model's input: a number or a category's features. */
typedef struct RowInput
{
	const char *column;
	int			first;			/* its first feature */
	int			count;			/* 1, or the one-hot features */
	bool		category;
	AttrNumber	att;			/* in the record, 1-based */
	/* the explicit cast of the record's column to float8 or text */
	CoercionPathType path;
	FmgrInfo	cast;			/* path FUNC: the function; COERCEVIAIO: output */
} RowInput;

typedef struct RowMap
{
	MemoryContext mcxt;			/* the map's own memory, in the model's */
	Oid			type;			/* the record type matched, */
	int32		typmod;			/* and its typmod */
	TupleDesc	desc;			/* NULL: a map of columns given one by one */
	int			n;
	RowInput   *in;
	Datum	   *values;			/* the record deformed */
	bool	   *nulls;
} RowMap;

/* The cast of a value of type from to float8 or text, as CAST(... AS to). */
static void
prepare_cast(RowInput *in, Oid from, Oid to, MemoryContext mcxt)
{
	Oid			func = InvalidOid;
	bool		varlena;

	in->path = find_coercion_pathway(to, getBaseType(from), COERCION_EXPLICIT, &func);
	if (in->path == COERCION_PATH_FUNC)
		fmgr_info_cxt(func, &in->cast, mcxt);
	else if (in->path == COERCION_PATH_COERCEVIAIO)
	{
		getTypeOutputInfo(from, &func, &varlena);
		fmgr_info_cxt(func, &in->cast, mcxt);
	}
	else if (in->path != COERCION_PATH_RELABELTYPE)
		elog(ERROR, "no cast from type %s to %s", format_type_be(from), format_type_be(to));
}

/* A column's value cast as prepared. */
static Datum
cast_value(const RowInput *in, Datum v, bool to_text)
{
	if (in->path == COERCION_PATH_FUNC)
		return FunctionCall1Coll((FmgrInfo *) &in->cast, DEFAULT_COLLATION_OID, v);
	if (in->path == COERCION_PATH_COERCEVIAIO)
	{
		char	   *s = OutputFunctionCall((FmgrInfo *) &in->cast, v);

		return to_text ? PointerGetDatum(cstring_to_text(s)) :
			DirectFunctionCall1(float8in, CStringGetDatum(s));
	}
	return v;
}

/*
 * The model's input columns, matched by name to the n columns names[]
 * (NULL: a dropped column) of types types[]: 42703 when one is missing,
 * 42702 when two columns have its name, 42804 when its type does not fit.
 * Fills map->in and map->n, allocating in map->mcxt.
 */
static void
match_columns(PredictCache *c, RowMap *map, int n, char *const *names, const Oid *types)
{
	Model	   *m = c->model;
	MemoryContext old = MemoryContextSwitchTo(map->mcxt);
	int			j,
				a;

	map->in = palloc0(sizeof(RowInput) * m->d);
	for (j = 0; j < m->d; j++)
	{
		const char *cat = m->categories ? m->categories[j] : NULL;
		char	   *column = feature_column(m->features[j], cat);
		RowInput   *in;
		Oid			atttype = InvalidOid;

		/* the one-hot features of a column follow one another */
		if (cat != NULL && map->n > 0 && map->in[map->n - 1].category &&
			strcmp(map->in[map->n - 1].column, column) == 0)
		{
			map->in[map->n - 1].count++;
			continue;
		}
		in = &map->in[map->n++];
		in->column = column;
		in->first = j;
		in->count = 1;
		in->category = cat != NULL;
		for (a = 0; a < n; a++)
		{
			if (names[a] == NULL || strcmp(names[a], column) != 0)
				continue;
			/* as SQL would refuse t.column, for a row of a join */
			if (in->att != 0)
				ereport(ERROR,
						(errcode(ERRCODE_AMBIGUOUS_COLUMN),
						 errmsg("the row has two columns named \"%s\", a feature of model \"%s\"",
								column, c->name)));
			in->att = a + 1;
			atttype = types[a];
		}
		if (in->att == 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("the row has no column \"%s\", a feature of model \"%s\"", column, c->name),
					 errhint("The row's columns are matched to the model's features by name.")));
		if (in->category ? !is_category_type(atttype) : !is_number_type(atttype))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of the row is of type %s, not %s", column,
							format_type_be(atttype),
							in->category ? "a category (text, character varying, character, boolean or an enum)" :
							"a number"),
					 errdetail("Model \"%s\" was trained on it as %s.", c->name,
							   in->category ? "a category" : "a number")));
		prepare_cast(in, atttype, in->category ? TEXTOID : FLOAT8OID, map->mcxt);
	}
	MemoryContextSwitchTo(old);
}

/* An empty map with its own memory context, in the model's. */
static RowMap *
new_map(PredictCache *c)
{
	MemoryContext mcxt = AllocSetContextCreate(c->mcxt, "rfm_kmeans predict_row",
											   ALLOCSET_SMALL_SIZES);
	RowMap	   *map = MemoryContextAllocZero(mcxt, sizeof(RowMap));

	map->mcxt = mcxt;
	return map;
}

/* c's map replaced by next: one map at a time, so none piles up. */
static RowMap *
replace_map(PredictCache *c, RowMap *next)
{
	if (c->row_map != NULL)
		MemoryContextDelete(((RowMap *) c->row_map)->mcxt);
	c->row_map = next;
	return next;
}

/* The model's input columns matched to the columns of the record type. */
static RowMap *
match_row(PredictCache *c, Oid type, int32 typmod)
{
	RowMap	   *map = new_map(c);
	MemoryContext old = MemoryContextSwitchTo(map->mcxt);
	TupleDesc	desc = lookup_rowtype_tupdesc_copy(type, typmod);
	char	  **names = palloc(sizeof(char *) * Max(desc->natts, 1));
	Oid		   *types = palloc(sizeof(Oid) * Max(desc->natts, 1));
	int			a;

	map->type = type;
	map->typmod = typmod;
	map->desc = desc;			/* a copy, in mcxt */
	map->values = palloc(sizeof(Datum) * Max(desc->natts, 1));
	map->nulls = palloc(sizeof(bool) * Max(desc->natts, 1));
	for (a = 0; a < desc->natts; a++)
	{
		Form_pg_attribute att = TupleDescAttr(desc, a);

		names[a] = att->attisdropped ? NULL : NameStr(att->attname);
		types[a] = att->atttypid;
	}
	MemoryContextSwitchTo(old);
	match_columns(c, map, desc->natts, names, types);
	return map;
}

/* strcmp of a text's bytes (not NUL-terminated) against a C string. */
static int
compare_category(const char *s, size_t len, const char *category)
{
	size_t		clen = strlen(category);
	int			r = memcmp(s, category, Min(len, clen));

	return r != 0 ? r : (len > clen) - (len < clen);
}

/* The one-hot features of a category: 1 for the one it is (binary search). */
static void
set_category(PredictCache *c, const RowInput *in, text *t)
{
	char *const *cats = c->model->categories + in->first;
	const char *s = VARDATA_ANY(t);
	size_t		len = VARSIZE_ANY_EXHDR(t);
	int			lo = 0,
				hi = in->count - 1,
				found = -1,
				i;

	while (lo <= hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			r = compare_category(s, len, cats[mid]);

		if (r == 0)
		{
			found = mid;
			break;
		}
		if (r < 0)
			hi = mid - 1;
		else
			lo = mid + 1;
	}
	/* unseen in training: every one-hot feature 0 */
	for (i = 0; i < in->count; i++)
		predict_set_feature(c, in->first + i, i == found ? 1.0 : 0.0);
}

/* One input column's value v (null if isnull) into c->row. */
static void
encode_input(PredictCache *c, const RowInput *in, Datum v, bool isnull)
{
	if (isnull)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("column \"%s\" of the row must not be null", in->column),
				 errhint("Rows with a missing feature cannot be assigned; filter or impute them first.")));
	v = cast_value(in, v, in->category);
	if (in->category)
		set_category(c, in, DatumGetTextPP(v));
	else
		predict_set_feature(c, in->first, DatumGetFloat8(v));
}

/* Load the model, match the record (argument 1) and put its features in c->row. */
static PredictCache *
encoded_row(FunctionCallInfo fcinfo)
{
	PredictCache *c = cached_model(fcinfo);
	RowMap	   *map;
	HeapTupleHeader th;
	HeapTupleData tuple;
	Oid			type;
	int32		typmod;
	int			i;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument row must not be null")));
	th = PG_GETARG_HEAPTUPLEHEADER(1);
	type = HeapTupleHeaderGetTypeId(th);
	typmod = HeapTupleHeaderGetTypMod(th);
	map = c->row_map;
	if (map == NULL || map->desc == NULL || map->type != type || map->typmod != typmod)
		map = replace_map(c, match_row(c, type, typmod));
	tuple.t_len = HeapTupleHeaderGetDatumLength(th);
	ItemPointerSetInvalid(&tuple.t_self);
	tuple.t_tableOid = InvalidOid;
	tuple.t_data = th;
	heap_deform_tuple(&tuple, map->desc, map->values, map->nulls);
	for (i = 0; i < map->n; i++)
	{
		const RowInput *in = &map->in[i];

		encode_input(c, in, map->values[in->att - 1], map->nulls[in->att - 1]);
	}
	return predict_finish_row(c);
}

/*
 * The model's input columns matched to the columns given one by one after
 * their names (argument 1, a text[]), as predict_row_rewrite.c passes them.
 */
static RowMap *
match_arguments(PredictCache *c, FunctionCallInfo fcinfo)
{
	RowMap	   *map = new_map(c);
	MemoryContext old = MemoryContextSwitchTo(map->mcxt);
	Datum	   *elems;
	bool	   *elem_nulls;
	int			n,
				a;
	char	  **names;
	Oid		   *types;

	/* the map is made once: the names must be the same for every row */
	if (!get_fn_expr_arg_stable(fcinfo->flinfo, 1))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument columns must be a constant")));
	deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT,
					  &elems, &elem_nulls, &n);
	if (n != PG_NARGS() - 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%d column names for %d columns", n, PG_NARGS() - 2)));
	names = palloc(sizeof(char *) * Max(n, 1));
	types = palloc(sizeof(Oid) * Max(n, 1));
	for (a = 0; a < n; a++)
	{
		if (elem_nulls[a])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("column names must not be null")));
		names[a] = TextDatumGetCString(elems[a]);
		types[a] = get_fn_expr_argtype(fcinfo->flinfo, a + 2);
		if (!OidIsValid(types[a]))
			ereport(ERROR,
					(errcode(ERRCODE_INDETERMINATE_DATATYPE),
					 errmsg("could not determine the type of column \"%s\"", names[a])));
	}
	MemoryContextSwitchTo(old);
	match_columns(c, map, n, names, types);
	return map;
}

/*
 * EXECUTE on the function the planner rewrote to this one (name, in this
 * function's schema, taking (text, record)): the executor checked only
 * this one, and a REVOKE on predict_row() must hold for its rewritten form.
 */
static void
check_rewritten_acl(FunctionCallInfo fcinfo, const char *name)
{
	Oid			self = fcinfo->flinfo->fn_oid,
				argtypes[2] = {TEXTOID, RECORDOID},
				func;

	func = LookupFuncName(list_make2(makeString(get_namespace_name(get_func_namespace(self))),
									 makeString(pstrdup(name))),
						  2, argtypes, false);
	if (pg_proc_aclcheck(func, GetUserId(), ACL_EXECUTE) != ACLCHECK_OK)
		aclcheck_error(ACLCHECK_NO_PRIV, OBJECT_FUNCTION, name);
}

/*
 * Load the model, match the columns (arguments 2..) and put their
 * features in c->row; rewritten_from names the function whose EXECUTE
 * privilege the caller needs.
 */
static PredictCache *
encoded_arguments(FunctionCallInfo fcinfo, const char *rewritten_from)
{
	PredictCache *c;
	RowMap	   *map;
	int			i;

	/* once per query: fn_extra is set from the first row on */
	if (fcinfo->flinfo->fn_extra == NULL)
		check_rewritten_acl(fcinfo, rewritten_from);
	c = cached_model(fcinfo);
	map = c->row_map;
	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("argument columns must not be null")));
	/* a call site's columns never change: matched once per model load */
	if (map == NULL || map->desc != NULL)
		map = replace_map(c, match_arguments(c, fcinfo));
	for (i = 0; i < map->n; i++)
	{
		const RowInput *in = &map->in[i];

		encode_input(c, in, PG_GETARG_DATUM(in->att + 1), PG_ARGISNULL(in->att + 1));
	}
	return predict_finish_row(c);
}

/*
 * predict_row(model, row): predict()'s cluster for a whole row (a table's
 * row type, or any record), its columns matched to the model's features by
 * name, categories one-hot encoded. Not strict. Checks: a NULL model, row or
 * feature column (ERRCODE_NULL_VALUE_NOT_ALLOWED); an unknown model
 * (ERRCODE_UNDEFINED_OBJECT); a feature the row lacks
 * (ERRCODE_UNDEFINED_COLUMN) or whose type does not fit
 * (ERRCODE_DATATYPE_MISMATCH); then those of predict().
 */
PG_FUNCTION_INFO_V1(rfm_predict_row);
Datum
rfm_predict_row(PG_FUNCTION_ARGS)
{
	PredictCache *c = encoded_row(fcinfo);

	PG_RETURN_INT32(km_nearest(c->row, c->model->scaled, c->model->k, c->model->d, NULL));
}

/*
 * assign_row(model, row): assign()'s (cluster, distance) for a whole row,
 * matched and encoded as predict_row() does. Not strict. Checks: those of
 * predict_row() and assign().
 */
PG_FUNCTION_INFO_V1(rfm_assign_row);
Datum
rfm_assign_row(PG_FUNCTION_ARGS)
{
	return predict_assignment(fcinfo, encoded_row(fcinfo));
}

/*
 * _predict_row_columns(model, columns text[], VARIADIC "any"): predict_row()
 * with the row's columns given one by one after their names, so no
 * whole-row value is formed. The planner rewrites predict_row(model, t) of
 * a table's row t to it (predict_row_rewrite.c). Checks: EXECUTE on
 * predict_row() (ERRCODE_INSUFFICIENT_PRIVILEGE); those of predict_row();
 * columns a constant with as many names as columns, none NULL
 * (ERRCODE_INVALID_PARAMETER_VALUE, ERRCODE_NULL_VALUE_NOT_ALLOWED).
 */
PG_FUNCTION_INFO_V1(rfm_predict_row_columns);
Datum
rfm_predict_row_columns(PG_FUNCTION_ARGS)
{
	PredictCache *c = encoded_arguments(fcinfo, "predict_row");

	PG_RETURN_INT32(km_nearest(c->row, c->model->scaled, c->model->k, c->model->d, NULL));
}

/*
 * _assign_row_columns(model, columns, VARIADIC "any"): returns assign_row()'s
 * (cluster, distance) of the row given column by column. Checks: those of
 * _predict_row_columns(), with EXECUTE on assign_row().
 */
PG_FUNCTION_INFO_V1(rfm_assign_row_columns);
Datum
rfm_assign_row_columns(PG_FUNCTION_ARGS)
{
	return predict_assignment(fcinfo, encoded_arguments(fcinfo, "assign_row"));
}

/*
 * feature_loader.c
 *	  Stream feature columns of a relation into one packed float8 array.
 *	  The feature query is planned and started as any query of the
 *	  caller's; when its plan is a plain scan of one table of the local
 *	  heap, that table is scanned directly (the same rows, without the
 *	  executor's per-row work); otherwise the query's rows go to our own
 *	  DestReceiver, after being counted when another executor (Citus, a
 *	  foreign data wrapper) would fetch them all first. Either way each
 *	  slot's values are copied straight into the array (never a
 *	  materialized result, no tuple copies), within a memory budget.
 */
#include "compat.h"

#include <math.h>

#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "core/checked_size.h"
#include "core/prefault.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "executor/tuptable.h"
#include "feature_loader.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "nodes/plannodes.h"
#include "parser/parse_coerce.h"
#include "parser/parsetree.h"
#include "safe_spi.h"
#include "tcop/pquery.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"

#define MAX_FEATURES 1000

/*
 * The names of a text[] argument (argname in errors): one-dimensional,
 * 1 to MAX_FEATURES of them, no NULL.
 */
static char **
column_names(ArrayType *a, const char *argname, int *d)
{
	Datum	   *elems;
	bool	   *nulls;
	char	  **names;
	int			i;

	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("argument %s must be a one-dimensional array", argname)));
	deconstruct_array(a, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, d);
	if (*d < 1 || *d > MAX_FEATURES)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("argument %s must name between 1 and %d columns, got %d",
						argname, MAX_FEATURES, *d)));
	names = palloc(sizeof(char *) * *d);
	for (i = 0; i < *d; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("argument %s must not contain nulls (element %d)", argname, i + 1)));
		names[i] = TextDatumGetCString(elems[i]);
	}
	return names;
}

char	  **
feature_names(ArrayType *features, int *d)
{
	char	  **names = column_names(features, "features", d);
	int			i,
				j;

	for (i = 0; i < *d; i++)
		for (j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("column \"%s\" appears twice in argument features", names[i])));
	return names;
}

/*
 * ERROR as a SELECT by the caller would raise it, before any column is
 * looked at: an unknown relation (42P01), no USAGE on its schema (42501).
 * Table and column privileges and row-level security are checked by the
 * read itself.
 */
static void
check_relation_reachable(Oid relid)
{
	Oid			nsp = get_rel_namespace(relid);
	AclResult	acl;

	if (!OidIsValid(nsp))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_TABLE),
				 errmsg("relation with OID %u does not exist", relid)));
	acl = pg_namespace_aclcheck(nsp, GetUserId(), ACL_USAGE);
	if (acl != ACLCHECK_OK)
		aclcheck_error(acl, OBJECT_SCHEMA, get_namespace_name(nsp));
}

/*
 * Whether a column of this type can be a feature: a number (a type of the
 * numeric category, or a domain over one) that has a cast to float8.
 * Excludes oid and the reg* types, and money, which are numeric-looking
 * but cannot be read as float8.
 */
bool
is_number_type(Oid type)
{
	Oid			float8 = FLOAT8OID;

	return TypeCategory(getBaseType(type)) == TYPCATEGORY_NUMERIC &&
		can_coerce_type(1, &type, &float8, COERCION_EXPLICIT);
}

bool
is_category_type(Oid type)
{
	Oid			base = getBaseType(type);
	char		category = TypeCategory(base);
	Oid			text = TEXTOID;

	return (base == TEXTOID || base == VARCHAROID || base == BPCHAROID || base == BOOLOID ||
			category == TYPCATEGORY_ENUM) &&
		can_coerce_type(1, &type, &text, COERCION_EXPLICIT);
}

/* The checks of check_feature_columns; kinds NULL: numbers only. */
static void
check_columns(Oid relid, char **names, int d, AttrNumber *att_out, FeatureKind *kinds)
{
	int			i;

	check_relation_reachable(relid);
	for (i = 0; i < d; i++)
	{
		AttrNumber	att = get_attnum(relid, names[i]);
		Oid			type;

		if (att == InvalidAttrNumber || att < 0)
			ereport(ERROR,
					(errcode(ERRCODE_UNDEFINED_COLUMN),
					 errmsg("column \"%s\" of relation \"%s\" does not exist",
							names[i], get_rel_name(relid)),
					 strchr(names[i], '=') != NULL ?
					 errhint("A model feature named column=value is a one-hot category: score "
							 "such a model with predict_row() or assign_row().") :
					 errhint("Feature names are column names, matched exactly (case-sensitive).")));
		type = get_atttype(relid, att);
		if (kinds != NULL && is_category_type(type))
			kinds[i] = FEATURE_CATEGORY;
		else if (is_number_type(type))
		{
			if (kinds != NULL)
				kinds[i] = FEATURE_NUMBER;
		}
		else if (kinds != NULL)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" is neither a number nor a category",
							names[i], get_rel_name(relid)),
					 errdetail("Its type is %s; features must be of a numeric type that casts to double precision, "
							   "or categories: text, character varying, character, boolean or an enum (one-hot encoded).",
							   format_type_be(type))));
		else
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" is not a number",
							names[i], get_rel_name(relid)),
					 errdetail("Its type is %s; features must be of a numeric type that casts to double precision.",
							   format_type_be(type))));
		if (att_out)
			att_out[i] = att;
	}
}

void
check_feature_columns(Oid relid, char **names, int d, AttrNumber *att_out)
{
	check_columns(relid, names, d, att_out, NULL);
}

void
check_feature_kinds(Oid relid, char **names, int d, FeatureKind *kinds)
{
	check_columns(relid, names, d, NULL, kinds);
}

void
non_finite_column_error(const char *column, double v)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("column \"%s\" contains %s", column,
					isnan(v) ? "NaN" : "an infinite value"),
			 errdetail("Features must be finite numbers."),
			 errhint("Filter such rows out, for example with a view.")));
}

/*
 * rfm_kmeans._check_columns(relation, columns): returns void after the checks
 * that every SQL function reading a relation makes first (drift,
 * cluster_summary, clv_holdout, report_html), so all refuse the same columns
 * with the same errors. Not strict: a NULL argument or element is
 * ERRCODE_NULL_VALUE_NOT_ALLOWED; columns not one-dimensional
 * ERRCODE_ARRAY_SUBSCRIPT_ERROR, not 1 to 1000 names
 * ERRCODE_INVALID_PARAMETER_VALUE; an unknown relation
 * ERRCODE_UNDEFINED_TABLE; no USAGE on its schema
 * ERRCODE_INSUFFICIENT_PRIVILEGE (table privileges are left to the read); a
 * missing column ERRCODE_UNDEFINED_COLUMN, one that is not a number castable
 * to float8 ERRCODE_DATATYPE_MISMATCH.
 */
PG_FUNCTION_INFO_V1(rfm_check_columns);
Datum
rfm_check_columns(PG_FUNCTION_ARGS)
{
	char	  **names;
	int			d;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("arguments relation and columns must not be null")));
	/* a column may be named twice here (a feature also shown in a report) */
	names = column_names(PG_GETARG_ARRAYTYPE_P(1), "columns", &d);
	check_feature_columns(PG_GETARG_OID(0), names, d, NULL);
	PG_RETURN_VOID();
}

/*
 * SELECT "a"::float8, "b"::float8 FROM "schema"."rel": identifiers quoted
 * (or the SQL expressions exprs, when not NULL: feature_encoding.h).
 */
static char *
feature_query(Oid relid, char **names, char **exprs, int d)
{
	StringInfoData q;
	int			i;

	initStringInfo(&q);
	appendStringInfoString(&q, "SELECT ");
	for (i = 0; i < d; i++)
		appendStringInfo(&q, "%s%s::pg_catalog.float8", i ? ", " : "",
						 exprs ? exprs[i] : quote_identifier(names[i]));
	appendStringInfo(&q, " FROM %s",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid)));
	return q.data;
}

/* Bytes of the whole working set with rows rows loaded (SIZE_MAX on overflow). */
static size_t
working_bytes(const LoadBudget *b, int d, size_t rows)
{
	size_t		data = km_size_mul3(rows, (size_t) d, sizeof(double));

	return km_size_add(data, b->extra ? b->extra(b->arg, rows) : 0);
}

/* The most rows whose working set fits the limit. */
static size_t
rows_within(const LoadBudget *b, int d)
{
	size_t		lo = 0,
				hi = b->limit / (sizeof(double) * d) + 1;	/* does not fit */

	while (hi - lo > 1)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (working_bytes(b, d, mid) <= b->limit)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

/* kB, rounded up */
static size_t
kilobytes(size_t bytes)
{
	return bytes / 1024 + (bytes % 1024 != 0);
}

/* ERROR 54000: the working set of at least rows rows passes the limit. */
static void
budget_error(const LoadBudget *b, int d, size_t rows)
{
	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("%s needs more memory than rfm_kmeans.train_memory_limit allows", b->what),
			 errdetail("At least %zu rows of %d features need %zu kB of working memory, "
					   "%zu kB of them for the features; the limit is %zu kB.",
					   rows, d, kilobytes(working_bytes(b, d, rows)),
					   kilobytes(km_size_mul3(rows, (size_t) d, sizeof(double))), b->limit / 1024),
			 errhint("Raise rfm_kmeans.train_memory_limit, or work on a sample.")));
}

/*
 * Grow out->x to hold at least rows rows, by half, while the working set
 * fits the budget. Returns false past the limit when the caller can fall
 * back.
 */
static bool
reserve_rows(FeatureSet *out, size_t *capacity, size_t rows, const LoadBudget *budget,
			 MemoryContext mcxt, bool can_fall_back)
{
	size_t		row_bytes = sizeof(double) * out->d;
	size_t		want = *capacity;

	if (rows <= *capacity)
		return true;
	/*
	 * The first size is the one asked for (the planner's estimate, at
	 * least 64k rows), not more: the pages of all of it are mapped at once.
	 * Then grow by half: large arrays are realloc'd in place (mremap), not
	 * copied.
	 */
	if (want == 0)
		want = Max(rows, 65536);
	while (want < rows)
		want += want / 2;
	if (working_bytes(budget, out->d, want) > budget->limit)
		want = rows_within(budget, out->d);
	if (want < rows && can_fall_back)
		return false;
	if (want < rows)
		budget_error(budget, out->d, rows);
	if (out->x == NULL)
		out->x = MemoryContextAllocHuge(mcxt, want * row_bytes);
	else
		out->x = repalloc_huge(out->x, want * row_bytes);
	*capacity = want;
	return true;
}

/*
 * The receiver the feature query's rows are sent to: it reads each slot's
 * float8 values straight into the packed array (no tuple is copied).
 */
typedef struct FeatureReceiver
{
	DestReceiver pub;
	FeatureSet *out;
	size_t		capacity;		/* rows out->x can hold */
	const LoadBudget *budget;
	MemoryContext mcxt;
	bool		can_fall_back;
	bool		too_big;
	uint64		seen;
	KmPrefault *prefault;		/* mapping out->x's pages meanwhile */
	AttrNumber *query_att;		/* 1 .. d: the feature query's columns */
} FeatureReceiver;

/*
 * Take one row whose features are slot attributes att[0..d-1] (1-based,
 * already deformed): skip it if one is NULL, else append it. Returns false
 * when the array may not grow any more (r->too_big).
 */
static inline bool
take_row(FeatureReceiver *r, TupleTableSlot *slot, const AttrNumber *att)
{
	FeatureSet *out = r->out;
	double	   *row;
	int			j;

	if ((++r->seen & 0xFFFF) == 0)
		CHECK_FOR_INTERRUPTS();
	for (j = 0; j < out->d; j++)
		if (slot->tts_isnull[att[j] - 1])
		{
			out->skipped++;
			return true;
		}
	if (out->n == r->capacity)
		km_prefault_wait(r->prefault);	/* before the array moves */
	if (out->n == r->capacity &&
		!reserve_rows(out, &r->capacity, out->n + 1, r->budget, r->mcxt, r->can_fall_back))
	{
		r->too_big = true;
		return false;
	}
	row = out->x + out->n * out->d;
	for (j = 0; j < out->d; j++)
	{
		double		v = DatumGetFloat8(slot->tts_values[att[j] - 1]);

		if (!isfinite(v))
			non_finite_column_error(out->names[j], v);
		row[j] = v;
		/* the ranges, while the values pass by: the scaler needs them */
		out->lo[j] = v < out->lo[j] ? v : out->lo[j];
		out->hi[j] = v > out->hi[j] ? v : out->hi[j];
	}
	out->n++;
	return true;
}

/* The feature query's rows: its columns are the features, in order. */
static bool
receive_row(TupleTableSlot *slot, DestReceiver *self)
{
	FeatureReceiver *r = (FeatureReceiver *) self;

	slot_getallattrs(slot);
	return take_row(r, slot, r->query_att);	/* false stops the executor */
}

/*
 * Whether the planned feature query reads the rows of one table of the
 * local heap, as they are: a sequential scan without a filter (row-level
 * security would add one), whose output columns are that table's own
 * columns (float8 features need no cast). Then scanning the table itself
 * reads exactly the query's rows, and att gets their attribute numbers.
 * Anything else the planner (and any planner hook: Citus, a foreign data
 * wrapper) made of the query, a view's expansion with quals, a partitioned
 * or inherited table, a cast, is read through the query itself.
 */
static bool
plan_scans_local_table(PlannedStmt *ps, int d, Oid *table, AttrNumber *att)
{
	Plan	   *plan = ps->planTree;
	RangeTblEntry *rte;
	ListCell   *lc;
	int			j = 0;

	if (!IsA(plan, SeqScan) || plan->qual != NIL || plan->initPlan != NIL ||
		ps->subplans != NIL || list_length(plan->targetlist) != d)
		return false;
	rte = rt_fetch(((Scan *) plan)->scanrelid, ps->rtable);
	if (rte->rtekind != RTE_RELATION || rte->relkind != RELKIND_RELATION ||
		rte->tablesample != NULL)
		return false;
	foreach(lc, plan->targetlist)
	{
		TargetEntry *tle = lfirst_node(TargetEntry, lc);
		Var		   *var = (Var *) tle->expr;

		if (!IsA(var, Var) || var->vartype != FLOAT8OID || var->varattno <= 0)
			return false;
		att[j++] = var->varattno;
	}
	*table = rte->relid;
	return true;
}

/*
 * Whether part of the plan runs somewhere else and hands its rows over
 * (a custom scan such as Citus's, a foreign scan): such an executor may
 * fetch every row before the first reaches us, so the rows are counted
 * before they are pulled.
 */
static bool
plan_runs_elsewhere(Plan *plan)
{
	ListCell   *lc;

	if (plan == NULL)
		return false;
	if (IsA(plan, CustomScan) || IsA(plan, ForeignScan))
		return true;
	if (IsA(plan, Append))
		foreach(lc, ((Append *) plan)->appendplans)
			if (plan_runs_elsewhere(lfirst(lc)))
				return true;
	if (IsA(plan, MergeAppend))
		foreach(lc, ((MergeAppend *) plan)->mergeplans)
			if (plan_runs_elsewhere(lfirst(lc)))
				return true;
	if (IsA(plan, SubqueryScan) && plan_runs_elsewhere(((SubqueryScan *) plan)->subplan))
		return true;
	return plan_runs_elsewhere(plan->lefttree) || plan_runs_elsewhere(plan->righttree);
}

/*
 * Read the rows of table by scanning it directly (plan_scans_local_table
 * said this reads what the query would; the query's executor start has
 * checked the caller's privileges): this spares the executor's per-row
 * work (projection, the receiver call), about a fifth of a load. The lock
 * is kept to the end of the transaction, as a query's is.
 */
static void
scan_table(Oid table, const AttrNumber *att, int d, FeatureReceiver *r)
{
	Relation	rel = table_open(table, AccessShareLock);
	TupleTableSlot *slot;
	TableScanDesc scan;
	AttrNumber	last = 0;
	int			j;

	for (j = 0; j < d; j++)
		last = Max(last, att[j]);
	slot = table_slot_create(rel, NULL);
	scan = table_beginscan(rel, GetActiveSnapshot(), 0, NULL);
	while (table_scan_getnextslot(scan, ForwardScanDirection, slot))
	{
		slot_getsomeattrs(slot, last);
		if (!take_row(r, slot, att))
			break;
	}
	table_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	table_close(rel, NoLock);
}

/*
 * The usable rows of relid (every feature non-null), counted by a query of
 * their own, before rows that another executor would fetch all at once are
 * pulled: none is pulled when they would not fit the budget.
 */
static size_t
count_usable_rows(Oid relid, char **names, char **exprs, int d)
{
	StringInfoData q;
	bool		isnull;
	int64		n;
	int			j;

	initStringInfo(&q);
	appendStringInfo(&q, "SELECT pg_catalog.count(*) FROM %s WHERE ",
					 quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
												get_rel_name(relid)));
	for (j = 0; j < d; j++)
		appendStringInfo(&q, "%s%s IS NOT NULL", j ? " AND " : "",
						 exprs ? exprs[j] : quote_identifier(names[j]));
	if (SPI_execute(q.data, true, 1) != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "could not count the rows of relation \"%s\"", get_rel_name(relid));
	n = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	return (size_t) n;
}

static void
receiver_startup(DestReceiver *self, int operation, TupleDesc typeinfo)
{
}

static void
receiver_noop(DestReceiver *self)
{
}

/*
 * The thread populating the array's pages must be done before the array
 * is freed, also when an error frees it: the array's memory context waits
 * for it first.
 */
static void
wait_for_prefault(void *arg)
{
	km_prefault_wait((KmPrefault *) arg);
}

static KmPrefault *
start_prefault(MemoryContext mcxt, void *p, size_t bytes)
{
	KmPrefault *pf = MemoryContextAllocZero(mcxt, sizeof(KmPrefault));
	MemoryContextCallback *cb = MemoryContextAlloc(mcxt, sizeof(MemoryContextCallback));

	cb->func = wait_for_prefault;
	cb->arg = pf;
	MemoryContextRegisterResetCallback(mcxt, cb);
	(void) km_prefault_start(pf, p, bytes);
	return pf;
}

/* Rows the planner expects in relid (0 if unknown): the first allocation. */
static size_t
expected_rows(Oid relid)
{
	HeapTuple	tp = SearchSysCache1(RELOID, ObjectIdGetDatum(relid));
	double		rows = 0;

	if (HeapTupleIsValid(tp))
	{
		rows = ((Form_pg_class) GETSTRUCT(tp))->reltuples;
		ReleaseSysCache(tp);
	}
	return rows > 0 ? (size_t) (rows * 1.02) + 1024 : 0;
}

void
load_features(Oid relid, char **names, char **exprs, int d, const LoadBudget *budget,
			  FeatureSet *out, bool *too_big)
{
	FeatureReceiver r;
	SPIPlanPtr	plan;
	Portal		portal;
	PlannedStmt *ps;
	size_t		expected;
	int			guc_level;
	AttrNumber *att = palloc(sizeof(AttrNumber) * d);
	Oid			table;
	int			j;

	/* encoded features were checked when encoded */
	if (exprs == NULL)
		check_feature_columns(relid, names, d, NULL);
	memset(&r, 0, sizeof(r));
	r.query_att = palloc(sizeof(AttrNumber) * d);
	for (j = 0; j < d; j++)
		r.query_att[j] = j + 1;
	out->x = NULL;
	out->n = 0;
	out->d = d;
	out->skipped = 0;
	out->names = names;
	out->lo = palloc(sizeof(double) * d);
	out->hi = palloc(sizeof(double) * d);
	for (j = 0; j < d; j++)
	{
		out->lo[j] = INFINITY;	/* any first value replaces them */
		out->hi[j] = -INFINITY;
	}

	r.pub.receiveSlot = receive_row;
	r.pub.rStartup = receiver_startup;
	r.pub.rShutdown = receiver_noop;
	r.pub.rDestroy = receiver_noop;
	r.pub.mydest = DestNone;
	r.out = out;
	r.budget = budget;
	r.mcxt = CurrentMemoryContext;
	r.can_fall_back = too_big != NULL;

	/*
	 * The feature query, planned and started as any query of the caller's
	 * (its planner hooks, privileges and row-level security apply), in a
	 * cursor. No JIT for it: it would only compile a trivial projection,
	 * and loading LLVM adds some 50 MB to the backend and tens of
	 * milliseconds.
	 */
	guc_level = safe_spi_connect(SAFE_SPI_NO_JIT);
	plan = SPI_prepare(feature_query(relid, names, exprs, d), 0, NULL);
	if (plan == NULL)
		elog(ERROR, "could not prepare the feature query: %s",
			 SPI_result_code_string(SPI_result));
	portal = SPI_cursor_open(NULL, plan, NULL, NULL, true);
	ps = linitial_node(PlannedStmt, portal->stmts);
	if (plan_runs_elsewhere(ps->planTree) && r.can_fall_back && budget->rows_elsewhere_fall_back)
		r.too_big = true;
	else if (plan_runs_elsewhere(ps->planTree))
	{
		/* counted: past the budget, nothing is pulled (or 54000) */
		if (!reserve_rows(out, &r.capacity, count_usable_rows(relid, names, exprs, d), budget,
						  r.mcxt, r.can_fall_back))
			r.too_big = true;
	}
	else
	{
		/* the first allocation is the planner's estimate, within the budget */
		expected = expected_rows(relid);
		if (expected > 0 &&
			!reserve_rows(out, &r.capacity, Min(expected, rows_within(budget, d)), budget,
						  r.mcxt, true))
			r.capacity = 0;
	}
	/* the scan fills the array while another core maps its pages */
	r.prefault = start_prefault(r.mcxt, out->x, r.capacity * sizeof(double) * d);
	if (!r.too_big && plan_scans_local_table(ps, d, &table, att))
	{
		SPI_cursor_close(portal);
		scan_table(table, att, d, &r);
	}
	else
	{
		if (!r.too_big)
			PortalRunFetch(portal, FETCH_FORWARD, FETCH_ALL, &r.pub);
		SPI_cursor_close(portal);
	}
	safe_spi_finish(guc_level);
	km_prefault_wait(r.prefault);

	if (too_big)
		*too_big = r.too_big;
	if (r.too_big)
	{
		if (out->x)
			pfree(out->x);
		out->x = NULL;
		return;
	}
	/* give back what the estimate or the growth over-allocated */
	if (out->x != NULL && out->n > 0 && r.capacity > out->n + out->n / 64)
		out->x = repalloc_huge(out->x, sizeof(double) * d * out->n);
}

/*
 * predict_row_rewrite.c
 *	  The planner support function of predict_row() and assign_row(): a call
 *	  on a table's whole row, predict_row('m', t), becomes
 *	  _predict_row_columns('m', '{col1,...}', t.col1, ...), every column of
 *	  the row passed as it is, so the executor forms no whole-row value per
 *	  row (about as much work as the scoring itself) and the function reads
 *	  the columns where the scan left them.
 *
 * Every column is passed, not only the model's features: the plan may be
 * cached and outlive the model (a retraining may pick other features or
 * categories), while the row's columns change only with the table, and a
 * change of the table invalidates the plan. The row's columns are matched
 * to the model's features at run time, as for a whole row. Rewritten are a
 * whole-row variable of a table and a ROW(...) (what the whole row of a
 * view or subquery becomes when the planner pulls it up), of at most
 * FUNC_MAX_ARGS - 2 columns, each column named as the record would name
 * it; anything else (a record from a function, a PL/pgSQL variable, a
 * subquery kept whole, a row that an outer join may make NULL, a query
 * with GROUPING SETS) keeps the whole-row call.
 *
 * EXECUTE on predict_row()/assign_row() is checked by the internal
 * functions when they run (predict_row.c), since the executor only checks
 * the function in the plan.
 */
#include "compat.h"

#include "access/htup_details.h"
#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "nodes/makefuncs.h"
#include "nodes/pathnodes.h"
#include "nodes/supportnodes.h"
#include "optimizer/optimizer.h"
#include "parser/parse_func.h"
#include "parser/parsetree.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/typcache.h"

/*
 * Whether the relation rtindex is found under jtnode (*found) on the
 * nullable side of an outer join (nullable: jtnode itself is). The jointree
 * is the parser's here: outer joins are not reduced yet, so this may say
 * nullable of a join the planner later makes inner, never the reverse.
 */
static bool
nullable_side(Node *jtnode, int rtindex, bool nullable, bool *found)
{
	if (jtnode == NULL || *found)
		return false;
	if (IsA(jtnode, RangeTblRef))
	{
		*found = ((RangeTblRef *) jtnode)->rtindex == rtindex;
		return *found && nullable;
	}
	if (IsA(jtnode, FromExpr))
	{
		ListCell   *lc;

		foreach(lc, ((FromExpr *) jtnode)->fromlist)
		{
			bool		r = nullable_side(lfirst(lc), rtindex, nullable, found);

			if (*found)
				return r;
		}
		return false;
	}
	if (IsA(jtnode, JoinExpr))
	{
		JoinExpr   *j = (JoinExpr *) jtnode;
		bool		r;

		r = nullable_side(j->larg, rtindex,
						  nullable || j->jointype == JOIN_RIGHT || j->jointype == JOIN_FULL, found);
		if (*found)
			return r;
		return nullable_side(j->rarg, rtindex,
							 nullable || j->jointype == JOIN_LEFT || j->jointype == JOIN_FULL, found);
	}
	return false;
}

/* The columns of the row argument, with their names; false if none fit. */
static bool
row_columns(PlannerInfo *root, Node *row, List **names, List **columns)
{
	if (IsA(row, Var))
	{
		Var		   *var = (Var *) row;
		RangeTblEntry *rte;
		TupleDesc	desc;
		bool		found = false;
		int			a;

		if (var->varattno != 0 || var->varlevelsup != 0 || root == NULL ||
			var->varno < 1 || var->varno > list_length(root->parse->rtable))
			return false;
		rte = rt_fetch(var->varno, root->parse->rtable);
		if (rte->rtekind != RTE_RELATION || get_rel_type_id(rte->relid) != var->vartype)
			return false;
		/*
		 * A row an outer join may null is NULL as a whole, not a row of
		 * NULLs (its error differs): keep it whole.
		 */
		if (nullable_side((Node *) root->parse->jointree, var->varno, false, &found) || !found)
			return false;
		desc = lookup_rowtype_tupdesc(var->vartype, -1);
		for (a = 0; a < desc->natts; a++)
		{
			Form_pg_attribute att = TupleDescAttr(desc, a);

			if (att->attisdropped)
				continue;
			*names = lappend(*names, makeString(pstrdup(NameStr(att->attname))));
			*columns = lappend(*columns, makeVar(var->varno, att->attnum, att->atttypid,
												 att->atttypmod, att->attcollation, 0));
#if PG_VERSION_NUM >= 160000
			/* nulled by the same outer joins as the row (none, as checked) */
			((Var *) llast(*columns))->varnullingrels = bms_copy(var->varnullingrels);
#endif
		}
		ReleaseTupleDesc(desc);
		return true;
	}
	if (IsA(row, RowExpr))
	{
		RowExpr    *rowexpr = (RowExpr *) row;
		TupleDesc	desc;
		ListCell   *e;
		int			a = 0;

		/*
		 * A pulled-up subquery's or view's row, or ROW(...): the names its
		 * record has, those of colnames for an anonymous record, else those
		 * of its type (one field per attribute, dropped ones included).
		 */
		if (rowexpr->row_typeid == RECORDOID)
		{
			ListCell   *n;

			if (list_length(rowexpr->colnames) != list_length(rowexpr->args))
				return false;
			forboth(n, rowexpr->colnames, e, rowexpr->args)
			{
				*names = lappend(*names, lfirst(n));
				*columns = lappend(*columns, lfirst(e));
			}
			return true;
		}
		desc = lookup_rowtype_tupdesc(rowexpr->row_typeid, -1);
		if (desc->natts != list_length(rowexpr->args))
		{
			ReleaseTupleDesc(desc);
			return false;
		}
		foreach(e, rowexpr->args)
		{
			Form_pg_attribute att = TupleDescAttr(desc, a++);

			if (att->attisdropped)
				continue;
			*names = lappend(*names, makeString(pstrdup(NameStr(att->attname))));
			*columns = lappend(*columns, lfirst(e));
		}
		ReleaseTupleDesc(desc);
		return true;
	}
	return false;
}

/* The names as a text[] constant. */
static Const *
names_array(List *names)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(list_length(names), 1));
	ListCell   *lc;
	int			i = 0;

	foreach(lc, names)
		elems[i++] = CStringGetTextDatum(strVal(lfirst(lc)));
	return makeConst(TEXTARRAYOID, -1, InvalidOid, -1,
					 PointerGetDatum(construct_array(elems, i, TEXTOID, -1, false, TYPALIGN_INT)),
					 false, false);
}

/*
 * rfm_predict_row_support(internal): returns, for SupportRequestSimplify of
 * predict_row() and assign_row(), the call rewritten as the header comment
 * says, or NULL (no rewrite) for a row it does not fit and for any other
 * request. Checks nothing: the rewritten functions check at run time.
 */
PG_FUNCTION_INFO_V1(rfm_predict_row_support);
Datum
rfm_predict_row_support(PG_FUNCTION_ARGS)
{
	Node	   *raw = (Node *) PG_GETARG_POINTER(0);
	SupportRequestSimplify *req;
	FuncExpr   *call;
	List	   *names = NIL,
			   *columns = NIL;
	const char *target;
	Oid			argtypes[3] = {TEXTOID, TEXTARRAYOID, ANYOID};
	Oid			func;
	char	   *schema;

	if (!IsA(raw, SupportRequestSimplify))
		PG_RETURN_POINTER(NULL);
	req = (SupportRequestSimplify *) raw;
	call = req->fcall;
	/*
	 * Under GROUPING SETS the row may be a grouping expression that the
	 * grouping nulls in some sets; its columns are not, so keep it whole.
	 */
	if (req->root != NULL && req->root->parse->groupingSets != NIL)
		PG_RETURN_POINTER(NULL);
	if (list_length(call->args) != 2 ||
		!row_columns(req->root, lsecond(call->args), &names, &columns) ||
		list_length(columns) > FUNC_MAX_ARGS - 2)
		PG_RETURN_POINTER(NULL);
	target = call->funcresulttype == INT4OID ? "_predict_row_columns" : "_assign_row_columns";
	schema = get_namespace_name(get_func_namespace(call->funcid));
	func = LookupFuncName(list_make2(makeString(schema), makeString(pstrdup(target))),
						  3, argtypes, true);
	if (!OidIsValid(func))
		PG_RETURN_POINTER(NULL);
	PG_RETURN_POINTER(makeFuncExpr(func, call->funcresulttype,
								   list_concat(list_make2(linitial(call->args), names_array(names)),
											   columns),
								   call->funccollid, call->inputcollid, COERCE_EXPLICIT_CALL));
}

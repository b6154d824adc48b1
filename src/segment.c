/*
 * segment.c
 *	  rfm_kmeans.segment(r, f, m): the named RFM segment of three 1..5
 *	  scores, by the first matching rule of rfm_kmeans.segment_rules.
 *
 * The rules are read with SPI on the first call and kept in fn_extra, so
 * a query over a million customers reads the table once; they are read
 * again when rfm_kmeans.segment_rules changed (table_watch.h), so the
 * next statement, also of a PL/pgSQL block, sees an edit.
 */
#include "compat.h"

#include "core/rfm_score.h"
#include "executor/spi.h"
#include "safe_spi.h"
#include "table_watch.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/memutils.h"

typedef struct SegmentRules
{
	MemoryContext mcxt;			/* holds this struct and the rules */
	uint64		generation;		/* of rfm_kmeans.segment_rules when read */
	int			n;
	RfmRule    *rules;
	text	  **names;
} SegmentRules;

static int
spi_int(HeapTuple tuple, TupleDesc desc, int col)
{
	bool		isnull;
	Datum		d = SPI_getbinval(tuple, desc, col, &isnull);

	return isnull ? 0 : DatumGetInt32(d);
}

/* Read the rules, in priority order, into a new child context of parent. */
static SegmentRules *
load_rules(MemoryContext parent)
{
	MemoryContext mcxt = AllocSetContextCreate(parent, "rfm_kmeans segment rules",
											   ALLOCSET_SMALL_SIZES);
	uint64		generation = table_watch_start(WATCH_SEGMENT_RULES);
	SegmentRules *sr;
	uint64		i;
	int			level = safe_spi_connect(SAFE_SPI_CATALOG_READ);

	if (SPI_execute("SELECT segment, r_min, r_max, f_min, f_max, m_min, m_max "
					"FROM rfm_kmeans.segment_rules ORDER BY priority",
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read rfm_kmeans.segment_rules");

	sr = MemoryContextAllocZero(mcxt, sizeof(SegmentRules));
	sr->mcxt = mcxt;
	sr->generation = generation;
	sr->n = (int) SPI_processed;
	sr->rules = MemoryContextAllocZero(mcxt, sizeof(RfmRule) * Max(sr->n, 1));
	sr->names = MemoryContextAllocZero(mcxt, sizeof(text *) * Max(sr->n, 1));
	for (i = 0; i < SPI_processed; i++)
	{
		HeapTuple	tuple = SPI_tuptable->vals[i];
		TupleDesc	desc = SPI_tuptable->tupdesc;
		char	   *name = SPI_getvalue(tuple, desc, 1);
		MemoryContext old;

		sr->rules[i].r_min = spi_int(tuple, desc, 2);
		sr->rules[i].r_max = spi_int(tuple, desc, 3);
		sr->rules[i].f_min = spi_int(tuple, desc, 4);
		sr->rules[i].f_max = spi_int(tuple, desc, 5);
		sr->rules[i].m_min = spi_int(tuple, desc, 6);
		sr->rules[i].m_max = spi_int(tuple, desc, 7);
		old = MemoryContextSwitchTo(mcxt);
		sr->names[i] = cstring_to_text(name ? name : "Others");
		MemoryContextSwitchTo(old);
	}
	safe_spi_finish(level);
	return sr;
}

static void
check_score(int value, const char *argname)
{
	if (value < 1 || value > 5)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("segment() argument %s must be between 1 and 5, got %d",
						argname, value)));
}

/*
 * segment(r, f, m), STRICT: returns the name of the first rule of
 * rfm_kmeans.segment_rules, in priority order, whose score ranges hold
 * (r, f, m), or 'Others' when none does. The rules are read once per query
 * and again after a write to the table (table_watch.h). Checks: a score
 * outside 1..5 (ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE).
 */
PG_FUNCTION_INFO_V1(rfm_segment);
Datum
rfm_segment(PG_FUNCTION_ARGS)
{
	int			r = PG_GETARG_INT32(0);
	int			f = PG_GETARG_INT32(1);
	int			m = PG_GETARG_INT32(2);
	SegmentRules *sr = (SegmentRules *) fcinfo->flinfo->fn_extra;
	int			match;

	check_score(r, "r");
	check_score(f, "f");
	check_score(m, "m");
	if (sr != NULL && sr->generation != table_watch_generation(WATCH_SEGMENT_RULES))
	{
		fcinfo->flinfo->fn_extra = NULL;
		MemoryContextDelete(sr->mcxt);
		sr = NULL;
	}
	if (sr == NULL)
	{
		sr = load_rules(fcinfo->flinfo->fn_mcxt);
		fcinfo->flinfo->fn_extra = sr;
	}
	match = rfm_rule_match(sr->rules, (size_t) sr->n, r, f, m);
	if (match < 0)
		PG_RETURN_TEXT_P(cstring_to_text("Others"));
	/* a copy: the cached name must outlive whatever the caller frees */
	PG_RETURN_TEXT_P(DatumGetTextPCopy(PointerGetDatum(sr->names[match])));
}

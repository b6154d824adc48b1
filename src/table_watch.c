/*
 * table_watch.c
 *	  Change counters of the extension's cached tables: see table_watch.h.
 */
#include "compat.h"

#include "catalog/namespace.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "table_watch.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"

static const char *const table_names[WATCH_TABLES] = {"models", "segment_rules"};
static Oid	table_oids[WATCH_TABLES];
uint64		table_watch_generations[WATCH_TABLES];

/*
 * A relcache invalidation: of one relation, or of all of them (InvalidOid,
 * after a cache reset), which may include ours.
 */
static void
relcache_changed(Datum arg, Oid relid)
{
	int			t;

	for (t = 0; t < WATCH_TABLES; t++)
		if (relid == InvalidOid || relid == table_oids[t])
			table_watch_generations[t]++;
}

void
table_watch_init(void)
{
	CacheRegisterRelcacheCallback(relcache_changed, (Datum) 0);
}

uint64
table_watch_start(WatchedTable t)
{
	Oid			nsp = get_namespace_oid("rfm_kmeans", true);

	/* looked up again each time: the extension may have been recreated */
	table_oids[t] = OidIsValid(nsp) ? get_relname_relid(table_names[t], nsp) : InvalidOid;
	return table_watch_generations[t];
}

/*
 * rfm_kmeans._table_changed(): trigger function of segment_rules_changed
 * (AFTER, FOR EACH STATEMENT); sends the relcache invalidation of the
 * trigger's table, which moves its counter here at the next command and in
 * every other backend once the transaction commits; returns NULL. Checks: a
 * call other than as a trigger (ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED);
 * the trigger's timing and level are not checked.
 */
PG_FUNCTION_INFO_V1(rfm_table_changed);
Datum
rfm_table_changed(PG_FUNCTION_ARGS)
{
	TriggerData *trigdata = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("function rfm_kmeans._table_changed() must be called as a trigger")));
	CacheInvalidateRelcacheByRelid(RelationGetRelid(trigdata->tg_relation));
	return PointerGetDatum(NULL);
}

/*
 * table_watch.h
 *	  Change counters of the extension's tables that scalar functions cache
 *	  per query (rfm_kmeans.models for predict/assign/distances,
 *	  rfm_kmeans.segment_rules for segment()).
 *
 * A cache keeps the counter it was filled at and is refilled when the
 * counter moved. The counters move on a relcache invalidation of the
 * table, sent by every write: by the model functions themselves (the only
 * writers of rfm_kmeans.models, model_store.c), and for the rules by a
 * statement-level trigger (rfm_kmeans._table_changed). It reaches this
 * backend at the next command (so the next statement of a PL/pgSQL block
 * sees the change) and other backends when the writer commits.
 */
#ifndef RFM_TABLE_WATCH_H
#define RFM_TABLE_WATCH_H

#include "postgres.h"

typedef enum WatchedTable
{
	WATCH_MODELS = 0,
	WATCH_SEGMENT_RULES,
	WATCH_TABLES
} WatchedTable;

/* Registers the invalidation callback; from _PG_init. */
void		table_watch_init(void);

/*
 * The table's counter, after remembering its OID (looked up by name in
 * schema rfm_kmeans): call it when filling a cache, inside a transaction.
 */
uint64		table_watch_start(WatchedTable t);

/* The counters themselves (read per row by predict(): inline). */
extern uint64 table_watch_generations[WATCH_TABLES];

/* The table's counter now: compare with the one a cache was filled at. */
static inline uint64
table_watch_generation(WatchedTable t)
{
	return table_watch_generations[t];
}

#endif							/* RFM_TABLE_WATCH_H */

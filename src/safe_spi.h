/*
 * safe_spi.h
 *	  SPI sessions for the extension's own queries: search_path is
 *	  pg_catalog, pg_temp while they run, so an object named like a
 *	  built-in in a schema the caller put first is never picked up; JIT
 *	  can be turned off for scans where compiling is pure cost; and reads
 *	  of the extension's own catalog may run inside a query Citus pushed to
 *	  a worker.
 */
#ifndef RFM_SAFE_SPI_H
#define RFM_SAFE_SPI_H

#include "postgres.h"

/* Options of safe_spi_connect. */
#define SAFE_SPI_DEFAULT 0
#define SAFE_SPI_NO_JIT 0x1		/* jit = off */
/*
 * Reads of rfm_kmeans.models or segment_rules, which a scoring function
 * pushed down to a Citus worker makes from inside the worker's query on a
 * shard. Citus refuses any query on a distributed table there unless
 * citus.allow_nested_distributed_execution is on; ours reads a reference
 * table, whose copy on the worker is local and complete, so it is set (when
 * Citus is loaded) for these reads only.
 */
#define SAFE_SPI_CATALOG_READ 0x2

/* SPI_connect with safe settings; returns what safe_spi_finish needs. */
int			safe_spi_connect(int options);

/* SPI_finish, then the caller's settings back. On error, the transaction
 * abort restores them. */
void		safe_spi_finish(int guc_level);

#endif							/* RFM_SAFE_SPI_H */

/*
 * safe_spi.h
 *	  SPI sessions for the extension's own queries: search_path is
 *	  pg_catalog, pg_temp while they run, so an object named like a
 *	  built-in in a schema the caller put first is never picked up, and JIT
 *	  can be turned off for scans where compiling is pure cost.
 */
#ifndef RFM_SAFE_SPI_H
#define RFM_SAFE_SPI_H

#include "postgres.h"

/* SPI_connect with safe settings; returns what safe_spi_finish needs. */
int			safe_spi_connect(bool no_jit);

/* SPI_finish, then the caller's settings back. On error, the transaction
 * abort restores them. */
void		safe_spi_finish(int guc_level);

#endif							/* RFM_SAFE_SPI_H */

/*
 * safe_spi.c
 *	  SPI sessions with a fixed search_path: see safe_spi.h.
 */
#include "compat.h"

#include "executor/spi.h"
#include "safe_spi.h"
#include "utils/guc.h"

int
safe_spi_connect(bool no_jit)
{
	int			level = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp", PGC_USERSET,
							 PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
	if (no_jit)
		(void) set_config_option("jit", "off", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_SAVE, true, 0, false);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	return level;
}

void
safe_spi_finish(int guc_level)
{
	SPI_finish();
	AtEOXact_GUC(true, guc_level);
}

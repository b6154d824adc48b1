/*
 * safe_spi.c
 *	  SPI sessions with a fixed search_path: see safe_spi.h.
 */
#include "compat.h"

#include "executor/spi.h"
#include "safe_spi.h"
#include "utils/guc.h"

#define CITUS_NESTED_GUC "citus.allow_nested_distributed_execution"

static void
set_local(const char *name, const char *value)
{
	(void) set_config_option(name, value, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
}

int
safe_spi_connect(int options)
{
	int			level = NewGUCNestLevel();

	set_local("search_path", "pg_catalog, pg_temp");
	if (options & SAFE_SPI_NO_JIT)
		set_local("jit", "off");
	/* only where Citus defined it: never create a placeholder setting */
	if ((options & SAFE_SPI_CATALOG_READ) && GetConfigOption(CITUS_NESTED_GUC, true, false) != NULL)
		set_local(CITUS_NESTED_GUC, "on");
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

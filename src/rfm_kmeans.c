/*
 * rfm_kmeans.c
 *	  Module entry point of the rfm_kmeans extension.
 */
#include "compat.h"

#include "fmgr.h"
#include "guc.h"
#include "table_watch.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

void
_PG_init(void)
{
	rfm_define_gucs();
	table_watch_init();
}

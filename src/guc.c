/*
 * guc.c
 *	  Settings of rfm_kmeans.
 */
#include "compat.h"

#include <limits.h>

#include "guc.h"
#include "utils/guc.h"

int			rfm_train_memory_limit_kb = 1024 * 1024;	/* 1 GB */

void
rfm_define_gucs(void)
{
	DefineCustomIntVariable("rfm_kmeans.train_memory_limit",
							"Largest feature array memory-mode training may hold.",
							"train() loads the features of every usable row into one array of "
							"rows x features x 8 bytes; past this limit it stops with an error.",
							&rfm_train_memory_limit_kb,
							1024 * 1024, 64, INT_MAX,
							PGC_USERSET, GUC_UNIT_KB,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("rfm_kmeans");
}

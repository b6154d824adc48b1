/*
 * guc.c
 *	  Settings of rfm_kmeans.
 */
#include "compat.h"

#include <limits.h>

#include "guc.h"
#include "core/parallel_for.h"
#include "utils/guc.h"

int			rfm_train_memory_limit_kb = 1024 * 1024;	/* 1 GB */
int			rfm_max_threads = 0;

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
	DefineCustomIntVariable("rfm_kmeans.max_threads",
							"Threads memory-mode training uses for its passes over the rows, and one-pass training for its runs on the sample.",
							"0 (the default) uses 1 + max_parallel_workers_per_gather threads, "
							"at most one per CPU; 1 uses the backend alone. The model does not "
							"depend on it.",
							&rfm_max_threads,
							0, 0, KM_MAX_THREADS,
							PGC_USERSET, 0,
							NULL, NULL, NULL);
	MarkGUCPrefixReserved("rfm_kmeans");
}

/*
 * core_hooks.h
 *	  What the numeric core (src/core/) needs from PostgreSQL: an allocator
 *	  over a memory context, and the threads and interrupt checks of its
 *	  long passes.
 */
#ifndef RFM_CORE_HOOKS_H
#define RFM_CORE_HOOKS_H

#include "postgres.h"

#include "core/kmeans.h"
#include "core/parallel_for.h"

/* Allocations of the core in mcxt; huge allowed; NULL (not ERROR) when out of memory. */
KmAlloc		core_alloc_in(MemoryContext mcxt);

/*
 * The core's threads (rfm_kmeans.max_threads) and interrupt hooks, for
 * KmConfig.parallel and the other passes (scaling, ranks): the helper
 * threads run plain C only, and the backend's own thread polls
 * InterruptPending and handles it once they have stopped.
 */
KmParallel	core_parallel(void);

#endif							/* RFM_CORE_HOOKS_H */

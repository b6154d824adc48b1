/*
 * core_hooks.h
 *	  What the numeric core (src/core/) needs from PostgreSQL: an allocator
 *	  over a memory context, and an interrupt check for its long passes.
 */
#ifndef RFM_CORE_HOOKS_H
#define RFM_CORE_HOOKS_H

#include "postgres.h"

#include "core/kmeans.h"
#include "core/parallel_for.h"

/* Allocations of the core in mcxt; huge allowed; NULL (not ERROR) when out of memory. */
KmAlloc		core_alloc_in(MemoryContext mcxt);

/* KmConfig.check_interrupts: CHECK_FOR_INTERRUPTS (cancel, timeouts). */
void		core_check_interrupts(void *arg);

/*
 * KmConfig's interrupt hooks and thread count (rfm_kmeans.max_threads):
 * the core's helper threads run plain C only, and the backend's own
 * thread polls InterruptPending and handles it once they have stopped.
 */
void		core_set_threads(KmConfig *cfg);

/* The same for the core's other passes (scaling, ranks). */
KmParallel	core_parallel(void);

#endif							/* RFM_CORE_HOOKS_H */

/*
 * core_hooks.c
 *	  The numeric core's allocator and interrupt check: see core_hooks.h.
 */
#include "compat.h"

#include <unistd.h>

#include "core_hooks.h"
#include "guc.h"
#include "miscadmin.h"
#include "optimizer/cost.h"
#include "utils/memutils.h"

static void *
context_alloc(void *ctx, size_t bytes)
{
	return MemoryContextAllocExtended((MemoryContext) ctx, bytes,
									  MCXT_ALLOC_HUGE | MCXT_ALLOC_NO_OOM);
}

static void
context_release(void *ctx, void *p)
{
	pfree(p);
}

KmAlloc
core_alloc_in(MemoryContext mcxt)
{
	KmAlloc		mem = {context_alloc, context_release, mcxt};

	return mem;
}

/* CHECK_FOR_INTERRUPTS (cancel, timeouts), for the core's passes. */
static void
core_check_interrupts(void *arg)
{
	CHECK_FOR_INTERRUPTS();
}

/*
 * Read by the calling thread between items of a parallel loop, and by the
 * one-pass fit's helper threads between chunks (weighted_kmeans.c): only a
 * read of the flag the signal handler sets, which a helper may see a chunk
 * late; acting on it (CHECK_FOR_INTERRUPTS) stays with the calling thread.
 */
static bool
core_interrupt_pending(void *arg)
{
	return InterruptPending != 0;
}

/*
 * Automatic (0): as many threads as a parallel query of this session could
 * use (max_parallel_workers_per_gather workers plus the leader), at most
 * one per CPU.
 */
static int
thread_count(void)
{
	long		cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int			threads = rfm_max_threads;

	if (threads == 0)
	{
		threads = 1 + max_parallel_workers_per_gather;
		if (cpus > 0 && threads > cpus)
			threads = (int) cpus;
	}
	return threads;
}

KmParallel
core_parallel(void)
{
	KmParallel	par = {thread_count(), core_interrupt_pending, core_check_interrupts, NULL};

	return par;
}

/*
 * core_hooks.c
 *	  The numeric core's allocator and interrupt check: see core_hooks.h.
 */
#include "compat.h"

#include "core_hooks.h"
#include "miscadmin.h"
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

void
core_check_interrupts(void *arg)
{
	CHECK_FOR_INTERRUPTS();
}

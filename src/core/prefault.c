/*
 * prefault.c
 *	  Populating an array's pages in the background: see prefault.h.
 */
#define _DEFAULT_SOURCE			/* madvise */

#include "prefault.h"

#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "parallel_for.h"

/* Smaller arrays fault their few pages faster than a thread starts. */
#define PREFAULT_MIN_BYTES (16u << 20)

static void *
populate(void *arg)
{
	KmPrefault *pf = arg;

#ifdef MADV_POPULATE_WRITE
	(void) madvise(pf->start, pf->bytes, MADV_POPULATE_WRITE);
#endif
	return NULL;
}

bool
km_prefault_start(KmPrefault *pf, void *p, size_t bytes)
{
	long		page = sysconf(_SC_PAGESIZE);
	uintptr_t	from,
				to;

	pf->running = false;
#ifndef MADV_POPULATE_WRITE
	(void) p;
	(void) bytes;
	(void) page;
	(void) from;
	(void) to;
	return false;
#else
	if (page <= 0 || bytes < PREFAULT_MIN_BYTES)
		return false;
	from = ((uintptr_t) p + (uintptr_t) page - 1) / (uintptr_t) page * (uintptr_t) page;
	to = ((uintptr_t) p + bytes) / (uintptr_t) page * (uintptr_t) page;
	if (to <= from)
		return false;
	pf->start = (void *) from;
	pf->bytes = to - from;

	pf->running = km_thread_start(&pf->thread, populate, pf);
	return pf->running;
#endif
}

void
km_prefault_wait(KmPrefault *pf)
{
	if (pf->running)
		pthread_join(pf->thread, NULL);
	pf->running = false;
}

/*
 * prefault.h
 *	  Map the pages of a large new array on another thread while the
 *	  caller fills it. Plain C + POSIX threads, no PostgreSQL headers.
 *
 * The first write to each page of a fresh allocation costs a page fault
 * (the kernel finds and zeroes a page); for an array of hundreds of MB
 * that is a sizeable part of loading it. madvise(MADV_POPULATE_WRITE)
 * takes those faults ahead of time without changing the contents, so it
 * can run on another core while the caller writes into the same pages.
 * Where the kernel lacks it (before Linux 5.14) nothing happens.
 */
#ifndef RFM_PREFAULT_H
#define RFM_PREFAULT_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct KmPrefault
{
	pthread_t	thread;
	bool		running;
	void	   *start;			/* whole pages within the array */
	size_t		bytes;
} KmPrefault;

/*
 * Start populating the pages wholly inside [p, p + bytes). Returns false
 * (and pf is not running) when there is nothing to do or no thread.
 */
bool		km_prefault_start(KmPrefault *pf, void *p, size_t bytes);

/* Wait for it to finish; a no-op when it is not running. */
void		km_prefault_wait(KmPrefault *pf);

#endif							/* RFM_PREFAULT_H */

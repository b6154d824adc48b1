/*
 * parallel_for.h
 *	  Run independent items of work on a few threads of the calling
 *	  process. Plain C99 + POSIX threads, no PostgreSQL headers.
 *
 * The helpers only ever run the given task, which must not allocate,
 * report errors or touch anything but its own item's output (in a
 * PostgreSQL backend: no palloc, no elog, no catalog). They start with
 * every signal blocked, so the server's signals reach the calling thread
 * only. The calling thread works on items too and is the only one that
 * calls check_interrupts, and only while no helper runs, so that a
 * check_interrupts that does not return (a longjmp on cancel) never
 * leaves a helper behind.
 *
 * Which thread runs an item is not deterministic; a task that writes its
 * result per item, added up afterwards in item order, gives the same
 * result for any number of threads.
 */
#ifndef RFM_PARALLEL_FOR_H
#define RFM_PARALLEL_FOR_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* The most threads km_parallel_for uses, the caller's included. */
#define KM_MAX_THREADS 64

typedef struct KmParallel
{
	int			threads;		/* threads to use, the caller's included; < 2: caller only */
	/*
	 * whether check_interrupts has something to do; never longjmps, and may
	 * be called from helper threads (a read of a flag)
	 */
	bool		(*interrupt_pending) (void *arg);
	/* may longjmp; NULL: never interrupted */
	void		(*check_interrupts) (void *arg);
	void	   *arg;
} KmParallel;

/* Work on item "item" as thread "worker" (0 is the caller, < threads). */
typedef void (*KmTask) (void *arg, int worker, size_t item);

/*
 * Run task for every item in [0, items), each exactly once, taken in
 * increasing order by whichever thread is free. A helper that cannot be
 * started just leaves more items to the others. par may be NULL (the
 * caller alone, no interrupt checks).
 */
void		km_parallel_for(const KmParallel *par, size_t items, KmTask task, void *arg);

/*
 * Start fn(arg) on a new thread with every signal blocked (the helpers of
 * km_parallel_for start this way). False if it could not be started.
 */
bool		km_thread_start(pthread_t *thread, void *(*fn) (void *), void *arg);

/*
 * par limited to max_threads threads: par itself, or a copy in *buf. For
 * passes that keep per-thread results in fixed arrays.
 */
const KmParallel *km_parallel_capped(const KmParallel *par, int max_threads, KmParallel *buf);

/* par's thread count, clamped to [1, KM_MAX_THREADS] (1 when par is NULL). */
int			km_parallel_threads(const KmParallel *par);

#endif							/* RFM_PARALLEL_FOR_H */

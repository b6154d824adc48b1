/*
 * parallel_for.c
 *	  A parallel loop over independent items: see parallel_for.h.
 *
 * Helpers are started for one loop and joined before it returns: a loop
 * here is a pass over millions of rows, so the tens of microseconds a
 * thread takes to start do not matter, and nothing outlives the call.
 */
#define _POSIX_C_SOURCE 200809L

#include "parallel_for.h"

#include <pthread.h>
#include <signal.h>

typedef struct Loop
{
	size_t		items;
	KmTask		task;
	void	   *arg;
	size_t		next;			/* the next item to take (atomic) */
	int			stop;			/* set by the caller: take no more items (atomic) */
	const KmParallel *par;
} Loop;

typedef struct Helper
{
	Loop	   *loop;
	int			worker;
	pthread_t	thread;
} Helper;

/*
 * Take items until none is left or the caller says stop. The caller
 * (worker 0) polls for an interrupt before each item it would take, its
 * first included: even when the helpers take every item (they may, with
 * more threads than cores), each loop polls at least once.
 */
static void
take_items(Loop *loop, int worker)
{
	const KmParallel *par = loop->par;

	while (!__atomic_load_n(&loop->stop, __ATOMIC_RELAXED))
	{
		size_t		item;

		if (worker == 0 && par->interrupt_pending && par->interrupt_pending(par->arg))
		{
			__atomic_store_n(&loop->stop, 1, __ATOMIC_RELAXED);
			break;
		}
		item = __atomic_fetch_add(&loop->next, 1, __ATOMIC_RELAXED);
		if (item >= loop->items)
			break;
		loop->task(loop->arg, worker, item);
	}
}

static void *
helper_main(void *p)
{
	Helper	   *h = p;

	take_items(h->loop, h->worker);
	return NULL;
}

bool
km_thread_start(pthread_t *thread, void *(*fn) (void *), void *arg)
{
	sigset_t	all,
				old;
	int			rc;

	/* the thread inherits this mask: signals stay with the calling thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(thread, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc == 0;
}

const KmParallel *
km_parallel_capped(const KmParallel *par, int max_threads, KmParallel *buf)
{
	if (par == NULL || par->threads <= max_threads)
		return par;
	*buf = *par;
	buf->threads = max_threads;
	return buf;
}

int
km_parallel_threads(const KmParallel *par)
{
	if (par == NULL || par->threads < 1)
		return 1;
	return par->threads < KM_MAX_THREADS ? par->threads : KM_MAX_THREADS;
}

/* The caller alone, checking for interrupts before every item. */
static void
serial_loop(const KmParallel *par, size_t from, size_t items, KmTask task, void *arg)
{
	size_t		item;

	for (item = from; item < items; item++)
	{
		if (par != NULL && par->check_interrupts)
			par->check_interrupts(par->arg);
		task(arg, 0, item);
	}
}

void
km_parallel_for(const KmParallel *par, size_t items, KmTask task, void *arg)
{
	int			threads = km_parallel_threads(par);
	Helper		helpers[KM_MAX_THREADS];
	Loop		loop;
	int			started,
				t;

	if (threads > 1 && (size_t) threads > items)
		threads = (int) items;
	if (threads < 2)
	{
		serial_loop(par, 0, items, task, arg);
		return;
	}

	loop.items = items;
	loop.task = task;
	loop.arg = arg;
	loop.next = 0;
	loop.par = par;
	for (;;)
	{
		loop.stop = 0;
		started = 0;
		for (t = 1; t < threads; t++)
		{
			helpers[started].loop = &loop;
			helpers[started].worker = t;
			if (!km_thread_start(&helpers[started].thread, helper_main, &helpers[started]))
				break;
			started++;
		}

		take_items(&loop, 0);
		for (t = 0; t < started; t++)
			pthread_join(helpers[t].thread, NULL);

		/*
		 * Every item below next has been done and none runs any more. The
		 * caller stops only for an interrupt: that is checked now, while no
		 * helper runs, even when no item is left.
		 */
		if (!loop.stop)
			return;
		if (par->check_interrupts)
			par->check_interrupts(par->arg);
		if (loop.next >= items)
			return;
		if (started == 0 || (par->interrupt_pending && par->interrupt_pending(par->arg)))
		{
			/*
			 * No helper could start, or the interrupt is held off (the
			 * server holds some while it must not be interrupted): finish
			 * alone rather than restart the helpers for every item.
			 */
			serial_loop(par, loop.next, items, task, arg);
			return;
		}
	}
}

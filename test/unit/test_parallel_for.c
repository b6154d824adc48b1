/*
 * test_parallel_for.c
 *	  The parallel loop: every item runs exactly once on any number of
 *	  threads; a pending interrupt stops the loop and is checked while no
 *	  helper runs, then the remaining items run (polled and checked even
 *	  when the helpers took every item); a check that does not
 *	  return (PostgreSQL's ERROR is a longjmp) leaves no helper behind.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <string.h>

#include "core/parallel_for.h"
#include "tap.h"

#define ITEMS 2000

static int	done[ITEMS];		/* times each item ran */
static int	running;			/* tasks running now (atomic) */
static int	polls;
static bool pending;
static int	checks;
static int	running_at_check;	/* the most tasks seen running at a check */
static int	done_at_check;		/* items done when the check came */
static int	by_caller;			/* items the caller (worker 0) ran */
static jmp_buf escape;
static bool use_escape;

static void
task(void *arg, int worker, size_t item)
{
	volatile double x = 1;
	int			i;

	(void) arg;
	__atomic_add_fetch(&running, 1, __ATOMIC_SEQ_CST);
	if (worker == 0)
		by_caller++;
	/*
	 * Some work, so that threads overlap; the helpers' items take longer,
	 * so that the caller reaches its 10th poll with items left however the
	 * threads are scheduled.
	 */
	for (i = 0; i < (worker == 0 ? 2000 : 200000); i++)
		x = x * 1.0000001;
	__atomic_add_fetch(&done[item], 1, __ATOMIC_SEQ_CST);
	__atomic_sub_fetch(&running, 1, __ATOMIC_SEQ_CST);
}

/* An interrupt arrives at the 10th poll and stays until checked. */
static bool
is_pending(void *arg)
{
	(void) arg;
	if (++polls == 10)
		pending = true;
	return pending;
}

static void
check(void *arg)
{
	int			i,
				n = 0,
				now = __atomic_load_n(&running, __ATOMIC_SEQ_CST);

	(void) arg;
	checks++;
	running_at_check = now > running_at_check ? now : running_at_check;
	for (i = 0; i < ITEMS; i++)
		n += __atomic_load_n(&done[i], __ATOMIC_SEQ_CST);
	done_at_check = n;
	if (pending && use_escape)
	{
		pending = false;
		longjmp(escape, 1);
	}
	pending = false;
}

/*
 * The caller's first poll waits until the helpers have done every item,
 * then an interrupt is pending: as when the helpers take every item
 * before the caller takes one (more threads than cores).
 */
static bool
pending_after_helpers(void *arg)
{
	int			i,
				n;

	(void) arg;
	if (++polls == 1)
	{
		do
		{
			n = 0;
			for (i = 0; i < ITEMS; i++)
				n += __atomic_load_n(&done[i], __ATOMIC_SEQ_CST);
		} while (n < ITEMS);
		pending = true;
	}
	return pending;
}

static void
reset(void)
{
	memset(done, 0, sizeof(done));
	running = polls = checks = running_at_check = done_at_check = by_caller = 0;
	pending = false;
}

static bool
each_once(void)
{
	int			i;

	for (i = 0; i < ITEMS; i++)
		if (done[i] != 1)
			return false;
	return true;
}

/* A check that longjmps: nothing runs any more, and no item ran twice. */
static void
escape_case(int threads)
{
	KmParallel	par = {threads, is_pending, check, NULL};

	reset();
	use_escape = true;
	if (setjmp(escape) == 0)
	{
		km_parallel_for(&par, ITEMS, task, NULL);
		ok(0, "%d threads: the check did not escape", threads);
	}
	else
	{
		int			i,
					ran = 0,
					twice = 0;

		for (i = 0; i < ITEMS; i++)
		{
			ran += done[i] > 0;
			twice += done[i] > 1;
		}
		ok(running_at_check == 0 && __atomic_load_n(&running, __ATOMIC_SEQ_CST) == 0,
		   "%d threads: after the escape no task runs", threads);
		ok(twice == 0 && ran == done_at_check && ran < ITEMS,
		   "%d threads: %d items ran before it, none twice", threads, ran);
	}
}

int
main(void)
{
	int			threads;

	for (threads = 1; threads <= 4; threads++)
	{
		KmParallel	par = {threads, is_pending, check, NULL};

		reset();
		use_escape = false;
		km_parallel_for(&par, ITEMS, task, NULL);
		ok(each_once(), "%d threads: every item ran exactly once", threads);
		if (threads == 1)
			ok(checks == ITEMS, "1 thread: checked before every item (%d)", checks);
		else
		{
			ok(checks == 1 && done_at_check < ITEMS,
			   "%d threads: the interrupt was checked once, with items left (%d done)",
			   threads, done_at_check);
			ok(running_at_check == 0, "%d threads: no task ran during the check", threads);
		}
	}

	for (threads = 2; threads <= 4; threads++)
		escape_case(threads);

	/* the helpers took every item: the caller polled all the same, and checked */
	for (threads = 2; threads <= 4; threads++)
	{
		KmParallel	par = {threads, pending_after_helpers, check, NULL};

		reset();
		use_escape = false;
		km_parallel_for(&par, ITEMS, task, NULL);
		ok(each_once() && by_caller == 0 && polls >= 1 && checks == 1 && done_at_check == ITEMS,
		   "%d threads, the helpers took every item: polled %d times, checked %d",
		   threads, polls, checks);
	}

	/* NULL: the caller alone, no checks */
	reset();
	km_parallel_for(NULL, ITEMS, task, NULL);
	ok(each_once() && checks == 0, "no KmParallel: every item once, no check");
	return tap_done();
}

/*
 * test_alloc.h
 *	  The malloc-backed KmAlloc the unit tests hand to the core.
 */
#ifndef RFM_TEST_ALLOC_H
#define RFM_TEST_ALLOC_H

#include <stdlib.h>

#include "core/kmeans.h"

static void *
t_alloc(void *ctx, size_t bytes)
{
	(void) ctx;
	return malloc(bytes);
}

static void
t_release(void *ctx, void *p)
{
	(void) ctx;
	free(p);
}

static const KmAlloc MEM = {t_alloc, t_release, NULL};

#endif

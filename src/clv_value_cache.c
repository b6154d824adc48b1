/*
 * clv_value_cache.c
 *	  See clv_value_cache.h. Open addressing with linear probing over
 *	  (x, t_cal), grown by doubling at 70% load up to CACHE_MAX
 *	  entries, after which misses are computed without being kept.
 */
#include "clv_value_cache.h"

#include <string.h>

#define CACHE_MIN 1024
#define CACHE_MAX (1u << 19)

typedef struct Entry
{
	double		x;				/* < 0: empty */
	double		t_cal;
	double		value;
} Entry;

typedef struct ClvValueCache
{
	ClvValueContext ctx;
	uint32		capacity;		/* a power of two */
	uint32		used;
	Entry	   *slots;
	Entry	   *missed;			/* the empty slot find() ended on, for store() */
} ClvValueCache;

static uint64
mix(uint64 h)
{
	h ^= h >> 33;
	h *= UINT64CONST(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64CONST(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h;
}

static uint64
hash_summary(double x, double t_cal)
{
	uint64		a,
				c;

	memcpy(&a, &x, sizeof(a));
	memcpy(&c, &t_cal, sizeof(c));
	return mix(a ^ mix(c));
}

static Entry *
new_slots(MemoryContext mcxt, uint32 capacity)
{
	Entry	   *slots = MemoryContextAllocHuge(mcxt, sizeof(Entry) * capacity);
	uint32		i;

	for (i = 0; i < capacity; i++)
		slots[i].x = -1;
	return slots;
}

/* The slot of (x, t_cal): its entry, or the empty slot it would take. */
static Entry *
probe(const ClvValueCache *c, double x, double t_cal)
{
	uint32		mask = c->capacity - 1,
				i = (uint32) hash_summary(x, t_cal) & mask;

	for (;;)
	{
		Entry	   *e = &c->slots[i];

		if (e->x < 0 || (e->x == x && e->t_cal == t_cal))
			return e;
		i = (i + 1) & mask;
	}
}

static void
grow(ClvValueCache *c, MemoryContext mcxt)
{
	Entry	   *old = c->slots;
	uint32		old_capacity = c->capacity,
				i;

	c->capacity *= 2;
	c->slots = new_slots(mcxt, c->capacity);
	for (i = 0; i < old_capacity; i++)
		if (old[i].x >= 0)
			*probe(c, old[i].x, old[i].t_cal) = old[i];
	pfree(old);
}

bool
clv_value_cache_find(void **cache, MemoryContext mcxt, const ClvValueContext *ctx,
					 double x, double t_cal, double *value)
{
	ClvValueCache *c = *cache;
	Entry	   *e;

	if (c == NULL)
	{
		c = MemoryContextAllocZero(mcxt, sizeof(ClvValueCache));
		c->ctx = *ctx;
		c->capacity = CACHE_MIN;
		c->slots = new_slots(mcxt, c->capacity);
		*cache = c;
	}
	else if (memcmp(&c->ctx, ctx, sizeof(*ctx)) != 0)
	{
		/* other parameters (the arguments need not be constants): start over */
		uint32		i;

		c->ctx = *ctx;
		for (i = 0; i < c->capacity; i++)
			c->slots[i].x = -1;
		c->used = 0;
		c->missed = NULL;
	}
	e = probe(c, x, t_cal);
	if (e->x < 0)
	{
		c->missed = e;
		return false;
	}
	*value = e->value;
	return true;
}

void
clv_value_cache_store(void **cache, MemoryContext mcxt,
					  double x, double t_cal, double value)
{
	ClvValueCache *c = *cache;
	Entry	   *e;

	if ((uint64) (c->used + 1) * 10 > (uint64) c->capacity * 7)
	{
		if (c->capacity >= CACHE_MAX)
			return;
		grow(c, mcxt);
		c->missed = probe(c, x, t_cal);
	}
	/* find() missed right before: its empty slot is still free and right */
	e = c->missed;
	if (e == NULL || e->x >= 0)
		return;
	e->x = x;
	e->t_cal = t_cal;
	e->value = value;
	c->used++;
}

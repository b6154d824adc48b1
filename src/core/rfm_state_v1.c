/*
 * rfm_state_v1.c
 *	  0.2.0's rfm() state layout, read only: see rfm_state_v1.h.
 */
#include "rfm_state_v1.h"

#include <string.h>

#define ALIGN8(x) (((x) + 7u) & ~(size_t) 7u)

/* The header of version 1; slots and an arena of RfmKeyEntry follow. */
typedef struct RfmStateV1
{
	int32_t		vl_len_;
	uint8_t		version;
	uint8_t		key_mode;
	uint8_t		has_as_of;
	uint8_t		reserved;
	uint32_t	key_type;
	uint32_t	key_collation;
	uint32_t	slot_count;
	uint32_t	key_count;
	uint32_t	arena_used;
	uint32_t	arena_size;
	uint32_t	last_entry;
	int64_t		rows;
	int64_t		first_ts;
	int64_t		last_ts;
	int64_t		as_of;
	double		sum;
	double		comp;
} RfmStateV1;

static const unsigned char *
arena_of(const RfmStateV1 *v)
{
	return (const unsigned char *) v +
		ALIGN8(sizeof(RfmStateV1) + (size_t) v->slot_count * sizeof(uint32_t));
}

static size_t
entry_bytes(uint32_t len)
{
	return ALIGN8(sizeof(RfmKeyEntry) + (size_t) len);
}

const char *
rfm_state_v1_read(const void *buf, size_t buffer_bytes, RfmState *hdr,
				  uint32_t *key_type, uint32_t *key_collation)
{
	const RfmStateV1 *v = buf;
	const unsigned char *arena;
	uint32_t	pos = 0,
				count = 0;

	if (buffer_bytes < sizeof(RfmStateV1) || v->version != RFM_STATE_V1_VERSION)
		return "not a version 1 state";
	if (v->slot_count > (RFM_STATE_MAX_BYTES >> 2) ||
		ALIGN8(sizeof(RfmStateV1) + (size_t) v->slot_count * 4) + v->arena_size != buffer_bytes)
		return "length does not match its header";
	if (v->arena_used > v->arena_size)
		return "key arena overflows";
	arena = arena_of(v);
	while (pos < v->arena_used)
	{
		RfmKeyEntry e;

		if ((size_t) pos + sizeof(RfmKeyEntry) > v->arena_used)
			return "key arena overflows";
		memcpy(&e, arena + pos, sizeof(RfmKeyEntry));
		if ((size_t) pos + entry_bytes(e.len) > v->arena_used)
			return "key arena overflows";
		pos += (uint32_t) entry_bytes(e.len);
		count++;
	}
	if (count != v->key_count)
		return "key count does not match its keys";
	memset(hdr, 0, sizeof(RfmState));
	hdr->version = RFM_STATE_VERSION;
	hdr->key_mode = v->key_mode;
	hdr->has_as_of = v->has_as_of;
	hdr->rows = v->rows;
	hdr->first_ts = v->first_ts;
	hdr->last_ts = v->last_ts;
	hdr->as_of = v->as_of;
	hdr->sum = v->sum;
	hdr->comp = v->comp;
	*key_type = v->key_type;
	*key_collation = v->key_collation;
	return NULL;
}

bool
rfm_state_v1_next_key(const void *buf, uint32_t *pos, RfmKeyView *key)
{
	const RfmStateV1 *v = buf;
	const RfmKeyEntry *e;

	if (*pos >= v->arena_used)
		return false;
	e = (const RfmKeyEntry *) (arena_of(v) + *pos);
	key->len = e->len;
	key->data = e->data;
	key->has_hash = true;
	key->hash = e->hash;
	*pos += (uint32_t) entry_bytes(e->len);
	return true;
}

/*
 * rfm_state.c
 *	  Arithmetic of the rfm() aggregate state: see rfm_state.h.
 */
#include "rfm_state.h"

#include "ksum.h"
#include "mix64.h"

#include <math.h>
#include <string.h>

#define ENTRY_HEADER ((uint32_t) sizeof(RfmKeyEntry))
#define ALIGN8(x) (((x) + 7u) & ~(size_t) 7u)
#define MIN_SLOTS 8u

static uint32_t *
state_slots(const RfmState *s)
{
	return (uint32_t *) ((char *) s + sizeof(RfmState));
}

static unsigned char *
state_arena(const RfmState *s)
{
	return (unsigned char *) s + ALIGN8(sizeof(RfmState) +
										(size_t) s->slot_count * sizeof(uint32_t));
}

static RfmKeyEntry *
entry_at(const RfmState *s, uint32_t offset)
{
	return (RfmKeyEntry *) (state_arena(s) + offset);
}

static size_t
entry_bytes(uint32_t len)
{
	return ALIGN8((size_t) ENTRY_HEADER + len);
}

size_t
rfm_state_bytes(uint32_t slot_count, uint32_t arena_size)
{
	return ALIGN8(sizeof(RfmState) + (size_t) slot_count * sizeof(uint32_t)) +
		arena_size;
}

size_t
rfm_state_total_bytes(const RfmState *s)
{
	return rfm_state_bytes(s->slot_count, s->arena_size);
}

void
rfm_state_init(RfmState *s, RfmKeyMode mode, uint32_t key_type,
			   uint32_t key_collation)
{
	int32_t		len_word = s->vl_len_;

	memset(s, 0, sizeof(RfmState));
	s->vl_len_ = len_word;
	s->version = RFM_STATE_VERSION;
	s->key_mode = (uint8_t) mode;
	s->key_type = key_type;
	s->key_collation = key_collation;
}

void
rfm_state_add_txn(RfmState *s, int64_t ts, double amount)
{
	if (s->rows == 0 || ts < s->first_ts)
		s->first_ts = ts;
	if (s->rows == 0 || ts > s->last_ts)
		s->last_ts = ts;
	s->rows++;
	rfm_ksum_add(&s->sum, &s->comp, amount);
}

static bool
keys_equal(const RfmKeyEntry *e, const unsigned char *key, uint32_t len,
		   RfmKeyEq eq, void *eq_arg)
{
	if (eq != NULL)
		return eq(e->data, e->len, key, len, eq_arg);
	return e->len == len && memcmp(e->data, key, len) == 0;
}

/*
 * Find the slot holding an equal key, or the empty slot where it belongs.
 */
static uint32_t
find_slot(const RfmState *s, uint64_t hash, const unsigned char *key,
		  uint32_t len, RfmKeyEq eq, void *eq_arg)
{
	uint32_t   *slots = state_slots(s);
	uint32_t	mask = s->slot_count - 1;
	uint32_t	i = (uint32_t) (hash ^ (hash >> 32)) & mask;

	for (;;)
	{
		const RfmKeyEntry *e;

		if (slots[i] == 0)
			return i;
		e = entry_at(s, slots[i] - 1);
		if (e->hash == hash && keys_equal(e, key, len, eq, eq_arg))
			return i;
		i = (i + 1) & mask;
	}
}

RfmAddResult
rfm_state_add_key(RfmState *s, uint64_t hash, const unsigned char *key,
				  uint32_t len, RfmKeyEq eq, void *eq_arg)
{
	uint32_t	slot;
	RfmKeyEntry *e;

	/* Lines of one order usually arrive together: check the last key first. */
	if (s->last_entry != 0)
	{
		e = entry_at(s, s->last_entry - 1);
		if (e->hash == hash && keys_equal(e, key, len, eq, eq_arg))
			return RFM_KEY_EXISTED;
	}
	if (s->slot_count != 0)
	{
		slot = find_slot(s, hash, key, len, eq, eq_arg);
		if (state_slots(s)[slot] != 0)
		{
			s->last_entry = state_slots(s)[slot];
			return RFM_KEY_EXISTED;
		}
	}
	/* keep the load factor at most 1/2 */
	if ((size_t) (s->key_count + 1) * 2 > s->slot_count ||
		entry_bytes(len) > (size_t) s->arena_size - s->arena_used)
		return RFM_KEY_NO_SPACE;

	slot = find_slot(s, hash, key, len, eq, eq_arg);
	e = entry_at(s, s->arena_used);
	e->hash = hash;
	e->len = len;
	e->reserved = 0;
	if (len > 0)
		memcpy(e->data, key, len);
	memset(e->data + len, 0, entry_bytes(len) - ENTRY_HEADER - len);
	state_slots(s)[slot] = s->arena_used + 1;
	s->last_entry = s->arena_used + 1;
	s->arena_used += (uint32_t) entry_bytes(len);
	s->key_count++;
	return RFM_KEY_ADDED;
}

bool
rfm_state_grow_sizes(const RfmState *s, uint32_t extra_keys,
					 size_t extra_bytes, uint32_t *slot_count,
					 uint32_t *arena_size)
{
	uint64_t	keys = (uint64_t) s->key_count + extra_keys;
	uint64_t	need_arena = (uint64_t) s->arena_used + extra_bytes;
	uint64_t	slots = s->slot_count < MIN_SLOTS ? MIN_SLOTS : s->slot_count;
	uint64_t	arena = s->arena_size < 64 ? 64 : s->arena_size;

	while (keys * 2 > slots)
		slots *= 2;
	while (arena < need_arena)
		arena *= 2;
	/* doubling may overshoot the limit where the exact need does not */
	if (rfm_state_bytes(0, 0) + slots * 4 + arena > RFM_STATE_MAX_BYTES)
		arena = need_arena;
	if (slots > UINT32_MAX || arena > UINT32_MAX ||
		rfm_state_bytes(0, 0) + slots * 4 + arena > RFM_STATE_MAX_BYTES)
		return false;
	*slot_count = (uint32_t) slots;
	*arena_size = (uint32_t) arena;
	return true;
}

void
rfm_state_resize(RfmState *dst, uint32_t slot_count, uint32_t arena_size,
				 const RfmState *src)
{
	int32_t		len_word = dst->vl_len_;
	uint32_t	pos = 0;
	const RfmKeyEntry *e;

	memcpy(dst, src, sizeof(RfmState));
	dst->vl_len_ = len_word;
	dst->slot_count = slot_count;
	dst->arena_size = arena_size;
	memset(state_slots(dst), 0, (size_t) slot_count * sizeof(uint32_t));
	memcpy(state_arena(dst), state_arena(src), src->arena_used);
	memset(state_arena(dst) + src->arena_used, 0, arena_size - src->arena_used);

	/* offsets in the arena are unchanged: only the table is rebuilt */
	while ((e = rfm_state_next_key(dst, &pos)) != NULL)
	{
		uint32_t	mask = slot_count - 1;
		uint32_t	i = (uint32_t) (e->hash ^ (e->hash >> 32)) & mask;

		while (state_slots(dst)[i] != 0)
			i = (i + 1) & mask;
		state_slots(dst)[i] = (uint32_t) ((unsigned char *) e - state_arena(dst)) + 1;
	}
}

const RfmKeyEntry *
rfm_state_next_key(const RfmState *s, uint32_t *pos)
{
	const RfmKeyEntry *e;

	if (*pos >= s->arena_used)
		return NULL;
	e = entry_at(s, *pos);
	*pos += (uint32_t) entry_bytes(e->len);
	return e;
}

void
rfm_state_merge_scalars(RfmState *dst, const RfmState *src)
{
	if (src->rows > 0)
	{
		if (dst->rows == 0 || src->first_ts < dst->first_ts)
			dst->first_ts = src->first_ts;
		if (dst->rows == 0 || src->last_ts > dst->last_ts)
			dst->last_ts = src->last_ts;
	}
	dst->rows += src->rows;
	rfm_ksum_merge(&dst->sum, &dst->comp, src->sum, src->comp);
	if (src->has_as_of && !dst->has_as_of)
	{
		dst->has_as_of = 1;
		dst->as_of = src->as_of;
	}
}

double
rfm_state_monetary(const RfmState *s)
{
	return s->sum + s->comp;
}

int64_t
rfm_state_frequency(const RfmState *s)
{
	return s->key_mode == RFM_KEYS_NONE ? s->rows : (int64_t) s->key_count;
}

void
rfm_ksum_add(double *sum, double *comp, double x)
{
	ksum_add(sum, comp, x);
}

void
rfm_ksum_merge(double *sum, double *comp, double osum, double ocomp)
{
	ksum_merge(sum, comp, osum, ocomp);
}

/*
 * A simple word-at-a-time hash: each 8-byte word is folded in with a
 * multiply and rotation, then the whole is avalanched. Quality matters only
 * for speed: equal hashes are always confirmed by comparing the keys.
 */
uint64_t
rfm_hash_bytes(const unsigned char *data, size_t len)
{
	uint64_t	h = UINT64_C(0x9e3779b97f4a7c15) ^ (len * UINT64_C(0xff51afd7ed558ccd));
	size_t		i = 0;

	for (; i + 8 <= len; i += 8)
	{
		uint64_t	w;

		memcpy(&w, data + i, 8);
		h ^= mix64(w);
		h = (h << 27 | h >> 37) * UINT64_C(0x9e3779b97f4a7c15);
	}
	if (i < len)
	{
		uint64_t	w = 0;

		memcpy(&w, data + i, len - i);
		h ^= mix64(w ^ UINT64_C(0x632be59bd9b4e019));
	}
	return mix64(h);
}

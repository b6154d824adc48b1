/*
 * rfm_state_pg.c
 *	  Allocation, growth and merging of rfm() states in PostgreSQL memory.
 *
 * New and grown states are allocated in the current memory context. Inside
 * an aggregate that is the per-row context: the executor copies a returned
 * state that differs from its input into the aggregate context and frees
 * the old one, so nothing leaks and nothing is freed twice.
 */
#include "compat.h"

#include "rfm_state_pg.h"

#include "utils/lsyscache.h"

static void
set_size(RfmState *s, Size bytes)
{
	SET_VARSIZE(s, bytes);
}

RfmState *
rfm_state_new(RfmKeyMode mode, Oid key_type, Oid key_collation)
{
	Size		bytes = rfm_state_bytes(0, 0);
	RfmState   *s = palloc0(bytes);

	set_size(s, bytes);
	rfm_state_init(s, mode, key_type, key_collation);
	return s;
}

RfmState *
rfm_state_copy(const RfmState *s)
{
	Size		bytes = rfm_state_total_bytes(s);
	RfmState   *copy = palloc(bytes);

	memcpy(copy, s, bytes);
	return copy;
}

static RfmState *
rfm_state_grow(const RfmState *s, uint32 extra_keys, Size extra_bytes)
{
	uint32		slots,
				arena;
	Size		bytes;
	RfmState   *bigger;

	if (!rfm_state_grow_sizes(s, extra_keys, extra_bytes, &slots, &arena))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct order keys in one rfm() group"),
				 errdetail("The group already holds %u distinct keys in %zu bytes; the limit is %zu bytes.",
						   s->key_count, rfm_state_total_bytes(s),
						   (Size) RFM_STATE_MAX_BYTES)));
	bytes = rfm_state_bytes(slots, arena);
	bigger = palloc(bytes);
	set_size(bigger, bytes);
	rfm_state_resize(bigger, slots, arena, s);
	return bigger;
}

RfmState *
rfm_state_add_key_grow(RfmState *s, const OrderKey *key,
					   const TypedKeyInfo *typed)
{
	RfmKeyEq	eq = typed ? typed_key_eq_fn() : NULL;
	void	   *arg = (void *) typed;

	if (rfm_state_add_key(s, key->hash, key->data, key->len, eq, arg) != RFM_KEY_NO_SPACE)
		return s;
	s = rfm_state_grow(s, 1, sizeof(RfmKeyEntry) + key->len + 8);
	if (rfm_state_add_key(s, key->hash, key->data, key->len, eq, arg) == RFM_KEY_NO_SPACE)
		elog(ERROR, "rfm_state did not grow enough for a key");
	return s;
}

RfmState *
rfm_state_merge(RfmState *dst, const RfmState *src)
{
	TypedKeyInfo tbuf;
	const TypedKeyInfo *typed = rfm_state_typed_info(dst, &tbuf);
	uint32		pos = 0;
	const RfmKeyEntry *e;

	rfm_state_merge_scalars(dst, src);
	/* make room for all of src's keys at once: at most one regrowth */
	if (src->key_count > 0)
	{
		uint32		slots,
					arena;

		if (rfm_state_grow_sizes(dst, src->key_count, src->arena_used, &slots, &arena) &&
			(slots > dst->slot_count || arena > dst->arena_size))
			dst = rfm_state_grow(dst, src->key_count, src->arena_used);
	}
	while ((e = rfm_state_next_key(src, &pos)) != NULL)
	{
		OrderKey	key;

		key.data = e->data;
		key.len = e->len;
		key.hash = e->hash;
		dst = rfm_state_add_key_grow(dst, &key, typed);
	}
	return dst;
}

const TypedKeyInfo *
rfm_state_typed_info(const RfmState *s, TypedKeyInfo *buf)
{
	if (s->key_mode != RFM_KEYS_TYPED)
		return NULL;
	typed_key_info(buf, s->key_type, s->key_collation);
	return buf;
}

/*
 * Check everything a corrupt or hand-made state could get wrong before any
 * code walks its table or arena.
 */
void
rfm_state_check(const RfmState *s, Size datum_len, int errcode_)
{
	const char *problem = NULL;

	if (datum_len < sizeof(RfmState))
		problem = "too short";
	else if (s->version != RFM_STATE_VERSION)
		problem = "unknown format version";
	else if (s->key_mode > RFM_KEYS_MAX)
		problem = "unknown key mode";
	else if (s->slot_count != 0 && (s->slot_count & (s->slot_count - 1)) != 0)
		problem = "hash table size is not a power of two";
	else if (rfm_state_total_bytes(s) != datum_len)
		problem = "length does not match its header";
	else if (s->arena_used > s->arena_size ||
			 (Size) s->key_count * 2 > s->slot_count)
		problem = "key arena overflows";
	else if (s->rows < 0 || (s->rows > 0 && s->first_ts > s->last_ts))
		problem = "inconsistent transaction counters";
	else if (s->key_mode == RFM_KEYS_NONE && s->key_count != 0)
		problem = "keys in a state without order keys";
	if (problem)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: %s", problem)));
}

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

#include "core/rfm_state_v1.h"

#include "utils/lsyscache.h"

static void
set_size(RfmState *s, Size bytes)
{
	SET_VARSIZE(s, bytes);
}

static RfmState *
state_alloc(const RfmLayout *layout)
{
	Size		bytes = rfm_state_bytes(layout);
	RfmState   *s = palloc(bytes);

	set_size(s, bytes);
	return s;
}

RfmState *
rfm_state_new(RfmKeyMode mode, Oid key_type, Oid key_collation)
{
	RfmLayout	layout;
	RfmState   *s;

	rfm_state_initial_layout(mode, &layout);
	s = state_alloc(&layout);
	rfm_state_init(s, &layout, mode, key_type, key_collation);
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

/* A copy of s with room for extra_keys more keys of extra_bytes in all. */
static RfmState *
rfm_state_grow(const RfmState *s, uint32 extra_keys, Size extra_bytes, uint32 max_len)
{
	RfmLayout	layout;
	RfmState   *bigger;

	if (!rfm_state_grow_layout(s, extra_keys, extra_bytes, max_len, &layout))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many distinct order keys in one rfm() group"),
				 errdetail("The group already holds %u distinct keys in %zu bytes; the limit is %zu bytes.",
						   s->key_count, rfm_state_total_bytes(s),
						   (Size) RFM_STATE_MAX_BYTES)));
	bigger = state_alloc(&layout);
	rfm_state_relayout(bigger, &layout, s);
	return bigger;
}

/*
 * Add a key (hash given: typed keys have their type's, others are hashed
 * by the core when a hash table needs it).
 */
static RfmState *
add_key_grow(RfmState *s, const unsigned char *data, uint32 len, const uint64 *hash,
			 const TypedKeyInfo *typed)
{
	RfmKeyEq	eq = typed ? typed_key_eq_fn() : NULL;
	void	   *arg = (void *) typed;

	if (rfm_state_add_key(s, data, len, hash, eq, arg) != RFM_KEY_NO_SPACE)
		return s;
	s = rfm_state_grow(s, 1, len, len);
	if (rfm_state_add_key(s, data, len, hash, eq, arg) == RFM_KEY_NO_SPACE)
		elog(ERROR, "rfm_state did not grow enough for a key");
	return s;
}

RfmState *
rfm_state_add_key_grow(RfmState *s, const OrderKey *key, const TypedKeyInfo *typed)
{
	return add_key_grow(s, key->data, key->len, typed ? &key->hash : NULL, typed);
}

RfmState *
rfm_state_merge(RfmState *dst, const RfmState *src)
{
	TypedKeyInfo tbuf;
	const TypedKeyInfo *typed = rfm_state_typed_info(dst, &tbuf);
	uint32		pos = 0;
	RfmKeyView	k;
	Size		bytes = 0;
	uint32		max_len = 0;

	rfm_state_merge_scalars(dst, src);
	/* make room for all of src's keys at once: at most one regrowth */
	while (rfm_state_next_key(src, &pos, &k))
	{
		bytes += k.len;
		max_len = Max(max_len, k.len);
	}
	if (src->key_count > 0)
	{
		RfmLayout	layout;

		if (rfm_state_grow_layout(dst, src->key_count, bytes, max_len, &layout) &&
			rfm_state_bytes(&layout) > rfm_state_total_bytes(dst))
			dst = rfm_state_grow(dst, src->key_count, bytes, max_len);
	}
	pos = 0;
	while (rfm_state_next_key(src, &pos, &k))
		dst = add_key_grow(dst, k.data, k.len, k.has_hash ? &k.hash : NULL, typed);
	return dst;
}

/*
 * A state stored by 0.2.0 (layout version 1), rebuilt in the current
 * layout; ERROR if it is not sound.
 */
static RfmState *
upgrade_v1(const RfmState *old)
{
	RfmState	hdr;
	uint32		key_type,
				key_collation,
				pos = 0;
	const char *problem;
	RfmState   *s;
	TypedKeyInfo tbuf;
	const TypedKeyInfo *typed;
	RfmKeyView	k;

	problem = rfm_state_v1_read(old, VARSIZE(old), &hdr, &key_type, &key_collation);
	if (problem == NULL && hdr.key_mode > RFM_KEYS_MAX)
		problem = "unknown key mode";
	if (problem != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid rfm_state: %s", problem)));
	s = rfm_state_new((RfmKeyMode) hdr.key_mode, key_type, key_collation);
	s->has_as_of = hdr.has_as_of;
	s->rows = hdr.rows;
	s->first_ts = hdr.first_ts;
	s->last_ts = hdr.last_ts;
	s->as_of = hdr.as_of;
	s->sum = hdr.sum;
	s->comp = hdr.comp;
	typed = rfm_state_typed_info(s, &tbuf);
	while (rfm_state_v1_next_key(old, &pos, &k))
		s = add_key_grow(s, k.data, k.len, typed ? &k.hash : NULL, typed);
	return s;
}

RfmState *
rfm_state_from_datum(Datum d)
{
	RfmState   *s = (RfmState *) PG_DETOAST_DATUM(d);

	if (likely(VARSIZE(s) >= sizeof(RfmState) && s->version == RFM_STATE_VERSION))
		return s;
	if (VARSIZE(s) >= sizeof(RfmState) && s->version == RFM_STATE_V1_VERSION)
		return upgrade_v1(s);
	return s;					/* rfm_state_check reports it */
}

const TypedKeyInfo *
rfm_state_typed_info(const RfmState *s, TypedKeyInfo *buf)
{
	if (s->key_mode != RFM_KEYS_TYPED)
		return NULL;
	typed_key_info(buf, rfm_state_key_type(s), rfm_state_key_collation(s));
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
	else if ((problem = rfm_state_check_keys(s, datum_len)) != NULL)
		 /* reported below */ ;
	else if (s->rows < 0 || (s->rows > 0 && s->first_ts > s->last_ts))
		problem = "inconsistent transaction counters";
	else if (s->key_mode == RFM_KEYS_NONE && s->key_count != 0)
		problem = "keys in a state without order keys";
	if (problem)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: %s", problem)));
}

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
#define MIN_ARENA 64u
/* A LIST of 64 bytes makes a 128-byte state: 7 bigint keys */
#define LIST_SMALL_SIZE (128u - (uint32_t) sizeof(RfmState))

/* ---------------------------------------------------------------------
 * Where things are
 * --------------------------------------------------------------------- */

static unsigned char *
list_bytes(const RfmState *s)
{
	return (unsigned char *) s + sizeof(RfmState);
}

static RfmTable *
table_of(const RfmState *s)
{
	return (RfmTable *) ((char *) s + sizeof(RfmState));
}

static size_t
slots_offset(void)
{
	return sizeof(RfmState) + sizeof(RfmTable);
}

static size_t
arena_offset(uint32_t slot_count)
{
	return ALIGN8(slots_offset() + (size_t) slot_count * sizeof(uint32_t));
}

static uint32_t *
state_slots(const RfmState *s)
{
	return (uint32_t *) ((char *) s + slots_offset());
}

static unsigned char *
state_arena(const RfmState *s)
{
	return (unsigned char *) s + arena_offset(table_of(s)->slot_count);
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
rfm_state_bytes(const RfmLayout *layout)
{
	if (layout->form == RFM_FORM_LIST)
		return sizeof(RfmState) + layout->list_size;
	return arena_offset(layout->slot_count) + layout->arena_size;
}

size_t
rfm_state_total_bytes(const RfmState *s)
{
	RfmLayout	l = {(RfmForm) s->form, s->list_size, 0, 0};

	if (s->form == RFM_FORM_TABLE)
	{
		l.slot_count = table_of(s)->slot_count;
		l.arena_size = table_of(s)->arena_size;
	}
	return rfm_state_bytes(&l);
}

void
rfm_state_initial_layout(RfmKeyMode mode, RfmLayout *layout)
{
	memset(layout, 0, sizeof(RfmLayout));
	if (mode == RFM_KEYS_TYPED)
		layout->form = RFM_FORM_TABLE;
	else
	{
		layout->form = RFM_FORM_LIST;
		layout->list_size = mode == RFM_KEYS_NONE ? 0 : LIST_SMALL_SIZE;
	}
}

void
rfm_state_init(RfmState *s, const RfmLayout *layout, RfmKeyMode mode,
			   uint32_t key_type, uint32_t key_collation)
{
	int32_t		len_word = s->vl_len_;

	memset(s, 0, rfm_state_bytes(layout));
	s->vl_len_ = len_word;
	s->version = RFM_STATE_VERSION;
	s->key_mode = (uint8_t) mode;
	s->form = (uint8_t) layout->form;
	if (layout->form == RFM_FORM_LIST)
		s->list_size = (uint16_t) layout->list_size;
	else
	{
		RfmTable   *t = table_of(s);

		t->key_type = key_type;
		t->key_collation = key_collation;
		t->slot_count = layout->slot_count;
		t->arena_size = layout->arena_size;
	}
}

uint32_t
rfm_state_key_type(const RfmState *s)
{
	return s->form == RFM_FORM_TABLE ? table_of(s)->key_type : 0;
}

uint32_t
rfm_state_key_collation(const RfmState *s)
{
	return s->form == RFM_FORM_TABLE ? table_of(s)->key_collation : 0;
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

/* ---------------------------------------------------------------------
 * Adding keys
 * --------------------------------------------------------------------- */

/* Equality of short byte strings: bigint keys (8 bytes) in one compare. */
static inline bool
same_bytes(const unsigned char *a, const unsigned char *b, uint32_t len)
{
	if (len == 8)
	{
		uint64_t	x,
					y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	return memcmp(a, b, len) == 0;
}

static RfmAddResult
list_add(RfmState *s, const unsigned char *key, uint32_t len)
{
	unsigned char *list = list_bytes(s);
	uint32_t	pos = 0;

	while (pos < s->list_used)
	{
		uint32_t	elen = list[pos];

		if (elen == len && same_bytes(list + pos + 1, key, len))
			return RFM_KEY_EXISTED;
		pos += 1 + elen;
	}
	if (len > RFM_LIST_MAX_KEY || (uint32_t) s->list_used + 1 + len > s->list_size)
		return RFM_KEY_NO_SPACE;
	list[pos] = (unsigned char) len;
	if (len > 0)
		memcpy(list + pos + 1, key, len);
	s->list_used = (uint16_t) (pos + 1 + len);
	s->key_count++;
	return RFM_KEY_ADDED;
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
	uint32_t	mask = table_of(s)->slot_count - 1;
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

/* Append an entry to the arena (which has room) and point a slot at it. */
static void
table_insert(RfmState *s, uint32_t slot, uint64_t hash, const unsigned char *key,
			 uint32_t len)
{
	RfmTable   *t = table_of(s);
	RfmKeyEntry *e = entry_at(s, t->arena_used);

	e->hash = hash;
	e->len = len;
	e->reserved = 0;
	if (len > 0)
		memcpy(e->data, key, len);
	memset(e->data + len, 0, entry_bytes(len) - ENTRY_HEADER - len);
	state_slots(s)[slot] = t->arena_used + 1;
	t->last_entry = t->arena_used + 1;
	t->arena_used += (uint32_t) entry_bytes(len);
}

static RfmAddResult
table_add(RfmState *s, const unsigned char *key, uint32_t len, uint64_t hash,
		  RfmKeyEq eq, void *eq_arg)
{
	RfmTable   *t = table_of(s);
	uint32_t	slot;
	RfmKeyEntry *e;

	/* Lines of one order usually arrive together: check the last key first. */
	if (t->last_entry != 0)
	{
		e = entry_at(s, t->last_entry - 1);
		if (e->hash == hash && keys_equal(e, key, len, eq, eq_arg))
			return RFM_KEY_EXISTED;
	}
	if (t->slot_count != 0)
	{
		slot = find_slot(s, hash, key, len, eq, eq_arg);
		if (state_slots(s)[slot] != 0)
		{
			t->last_entry = state_slots(s)[slot];
			return RFM_KEY_EXISTED;
		}
	}
	/* keep the load factor at most 1/2 */
	if ((size_t) (s->key_count + 1) * 2 > t->slot_count ||
		entry_bytes(len) > (size_t) t->arena_size - t->arena_used)
		return RFM_KEY_NO_SPACE;
	table_insert(s, find_slot(s, hash, key, len, eq, eq_arg), hash, key, len);
	s->key_count++;
	return RFM_KEY_ADDED;
}

RfmAddResult
rfm_state_add_key(RfmState *s, const unsigned char *key, uint32_t len,
				  const uint64_t *hash, RfmKeyEq eq, void *eq_arg)
{
	if (s->form == RFM_FORM_LIST)
		return list_add(s, key, len);
	return table_add(s, key, len, hash ? *hash : rfm_hash_bytes(key, len), eq, eq_arg);
}

/* ---------------------------------------------------------------------
 * Growing
 * --------------------------------------------------------------------- */

/* Arena bytes of the keys of a LIST once in a TABLE. */
static size_t
list_as_arena(const RfmState *s)
{
	const unsigned char *list = list_bytes(s);
	uint32_t	pos = 0;
	size_t		bytes = 0;

	while (pos < s->list_used)
	{
		bytes += entry_bytes(list[pos]);
		pos += 1 + list[pos];
	}
	return bytes;
}

bool
rfm_state_grow_layout(const RfmState *s, uint32_t extra_keys, size_t extra_bytes,
					  uint32_t max_len, RfmLayout *layout)
{
	uint64_t	keys = (uint64_t) s->key_count + extra_keys;
	uint64_t	need_arena,
				slots,
				arena;

	memset(layout, 0, sizeof(RfmLayout));
	if (s->form == RFM_FORM_LIST && max_len <= RFM_LIST_MAX_KEY &&
		(uint64_t) s->list_used + extra_keys + extra_bytes <= RFM_LIST_MAX_SIZE)
	{
		layout->form = RFM_FORM_LIST;
		layout->list_size = (uint64_t) s->list_used + extra_keys + extra_bytes <= LIST_SMALL_SIZE ?
			LIST_SMALL_SIZE : RFM_LIST_MAX_SIZE;
		return true;
	}
	/* a TABLE: every new key takes its header and at most 7 bytes of padding */
	need_arena = (s->form == RFM_FORM_LIST ? list_as_arena(s) : table_of(s)->arena_used) +
		(uint64_t) extra_keys * (ENTRY_HEADER + 7) + extra_bytes;
	slots = s->form == RFM_FORM_TABLE && table_of(s)->slot_count > MIN_SLOTS ?
		table_of(s)->slot_count : MIN_SLOTS;
	arena = s->form == RFM_FORM_TABLE && table_of(s)->arena_size > MIN_ARENA ?
		table_of(s)->arena_size : MIN_ARENA;
	while (keys * 2 > slots)
		slots *= 2;
	while (arena < need_arena)
		arena *= 2;
	/* doubling may overshoot the limit where the exact need does not */
	if (arena_offset(0) + slots * 4 + arena > RFM_STATE_MAX_BYTES)
		arena = ALIGN8(need_arena);
	if (slots > UINT32_MAX || arena > UINT32_MAX ||
		arena_offset(0) + slots * 4 + arena > RFM_STATE_MAX_BYTES)
		return false;
	layout->form = RFM_FORM_TABLE;
	layout->slot_count = (uint32_t) slots;
	layout->arena_size = (uint32_t) arena;
	return true;
}

/* Point the slots of dst (zeroed) at every entry of its arena. */
static void
rebuild_slots(RfmState *dst)
{
	RfmTable   *t = table_of(dst);
	uint32_t	mask = t->slot_count - 1;
	uint32_t	pos = 0;

	while (pos < t->arena_used)
	{
		const RfmKeyEntry *e = entry_at(dst, pos);
		uint32_t	i = (uint32_t) (e->hash ^ (e->hash >> 32)) & mask;

		while (state_slots(dst)[i] != 0)
			i = (i + 1) & mask;
		state_slots(dst)[i] = pos + 1;
		pos += (uint32_t) entry_bytes(e->len);
	}
}

void
rfm_state_relayout(RfmState *dst, const RfmLayout *layout, const RfmState *src)
{
	int32_t		len_word = dst->vl_len_;

	memset(dst, 0, rfm_state_bytes(layout));
	memcpy(dst, src, sizeof(RfmState));
	dst->vl_len_ = len_word;
	dst->form = (uint8_t) layout->form;
	if (layout->form == RFM_FORM_LIST)
	{
		/* from a LIST only: a TABLE never turns back into a LIST */
		dst->list_size = (uint16_t) layout->list_size;
		memcpy(list_bytes(dst), list_bytes(src), src->list_used);
		return;
	}
	dst->list_used = 0;
	dst->list_size = 0;
	table_of(dst)->slot_count = layout->slot_count;
	table_of(dst)->arena_size = layout->arena_size;
	if (src->form == RFM_FORM_TABLE)
	{
		const RfmTable *st = table_of(src);

		/* offsets in the arena are unchanged: only the table is rebuilt */
		table_of(dst)->key_type = st->key_type;
		table_of(dst)->key_collation = st->key_collation;
		table_of(dst)->arena_used = st->arena_used;
		table_of(dst)->last_entry = st->last_entry;
		memcpy(state_arena(dst), state_arena(src), st->arena_used);
		rebuild_slots(dst);
	}
	else
	{
		uint32_t	pos = 0;
		RfmKeyView	k;

		while (rfm_state_next_key(src, &pos, &k))
		{
			uint64_t	hash = rfm_hash_bytes(k.data, k.len);

			table_insert(dst, find_slot(dst, hash, k.data, k.len, NULL, NULL), hash, k.data, k.len);
		}
	}
}

/* ---------------------------------------------------------------------
 * Reading
 * --------------------------------------------------------------------- */

bool
rfm_state_next_key(const RfmState *s, uint32_t *pos, RfmKeyView *key)
{
	if (s->form == RFM_FORM_LIST)
	{
		const unsigned char *list = list_bytes(s);

		if (*pos >= s->list_used)
			return false;
		key->len = list[*pos];
		key->data = list + *pos + 1;
		key->has_hash = false;
		key->hash = 0;
		*pos += 1 + key->len;
	}
	else
	{
		const RfmKeyEntry *e;

		if (*pos >= table_of(s)->arena_used)
			return false;
		e = entry_at(s, *pos);
		key->len = e->len;
		key->data = e->data;
		key->has_hash = true;
		key->hash = e->hash;
		*pos += (uint32_t) entry_bytes(e->len);
	}
	return true;
}

static const char *
check_list(const RfmState *s, size_t buffer_bytes)
{
	const unsigned char *list = list_bytes(s);
	uint32_t	pos = 0,
				count = 0;

	if (s->key_mode == RFM_KEYS_TYPED)
		return "a key list in a typed state";
	if (sizeof(RfmState) + (size_t) s->list_size != buffer_bytes)
		return "length does not match its header";
	if (s->list_used > s->list_size)
		return "key list overflows";
	while (pos < s->list_used)
	{
		if ((uint32_t) pos + 1 + list[pos] > s->list_used)
			return "key list overflows";
		pos += 1 + list[pos];
		count++;
	}
	return count == s->key_count ? NULL : "key count does not match its keys";
}

/* offset + 1 of an entry: inside the arena, aligned, the entry too */
static bool
entry_ref_ok(const RfmState *s, uint32_t ref)
{
	const RfmTable *t = table_of(s);
	uint32_t	off = ref - 1;

	return ref != 0 && off % 8 == 0 && (size_t) off + ENTRY_HEADER <= t->arena_used &&
		(size_t) off + entry_bytes(entry_at(s, off)->len) <= t->arena_used;
}

static const char *
check_table(const RfmState *s, size_t buffer_bytes)
{
	const RfmTable *t = table_of(s);
	uint32_t	pos = 0,
				count = 0,
				used_slots = 0,
				i;

	if (buffer_bytes < slots_offset())
		return "too short";
	if (t->slot_count != 0 && (t->slot_count & (t->slot_count - 1)) != 0)
		return "hash table size is not a power of two";
	if (t->slot_count > (RFM_STATE_MAX_BYTES >> 2) ||
		arena_offset(t->slot_count) + (size_t) t->arena_size != buffer_bytes)
		return "length does not match its header";
	if (t->arena_used > t->arena_size || (size_t) s->key_count * 2 > t->slot_count)
		return "key arena overflows";
	if ((s->key_mode == RFM_KEYS_TYPED) != (t->key_type != 0))
		return "key type does not match the key mode";
	while (pos < t->arena_used)
	{
		if (!entry_ref_ok(s, pos + 1))
			return "key arena overflows";
		pos += (uint32_t) entry_bytes(entry_at(s, pos)->len);
		count++;
	}
	if (count != s->key_count)
		return "key count does not match its keys";
	for (i = 0; i < t->slot_count; i++)
		if (state_slots(s)[i] != 0)
		{
			if (!entry_ref_ok(s, state_slots(s)[i]))
				return "hash slot outside the key arena";
			used_slots++;
		}
	if (used_slots != count || (t->last_entry != 0 && !entry_ref_ok(s, t->last_entry)))
		return "hash slots do not match the keys";
	return NULL;
}

const char *
rfm_state_check_keys(const RfmState *s, size_t buffer_bytes)
{
	if (buffer_bytes < sizeof(RfmState))
		return "too short";
	if (s->form == RFM_FORM_LIST)
		return check_list(s, buffer_bytes);
	if (s->form == RFM_FORM_TABLE)
		return check_table(s, buffer_bytes);
	return "unknown key form";
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

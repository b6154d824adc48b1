/*
 * rfm_state.h
 *	  The state of the rfm() aggregate as one flat, relocatable buffer:
 *	  transaction counters, a compensated monetary sum and the exact set of
 *	  distinct order keys seen so far.
 *
 * The keys live in one of two forms. A LIST holds up to a few keys as
 * length-prefixed bytes right after the header, searched linearly: most
 * customers have a handful of orders, and a group's state is then one
 * small allocation (128 bytes with up to 7 bigint keys; an aggregate over
 * a million customers keeps a million of them in memory at once). A TABLE
 * is an open-addressing hash table of offsets into a key arena, for groups
 * with more keys, long keys, or keys of the polymorphic overload.
 *
 * Plain C99, no PostgreSQL headers: the glue layer wraps the buffer in a
 * varlena (the first four bytes are its length word) and owns allocation.
 * The buffer never holds pointers, so it can be copied with memcpy, stored
 * in a tuple and shipped to a parallel worker as it is.
 */
#ifndef RFM_STATE_H
#define RFM_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The layout in memory (version 1, 0.2.0's, is read by rfm_state_v1.h). */
#define RFM_STATE_VERSION 2

/* How order keys are compared; fixed by the aggregate overload. */
typedef enum RfmKeyMode
{
	RFM_KEYS_NONE = 0,			/* no order_key: frequency counts rows */
	RFM_KEYS_INT = 1,			/* int4/int8, 8 bytes big-endian */
	RFM_KEYS_TEXT = 2,			/* text bytes, compared bytewise */
	RFM_KEYS_UUID = 3,			/* 16 bytes */
	RFM_KEYS_NUMERIC = 4,		/* normalized decimal string */
	RFM_KEYS_TYPED = 5			/* any hashable type: datum image, type's = */
} RfmKeyMode;

#define RFM_KEYS_MAX RFM_KEYS_TYPED

typedef enum RfmForm
{
	RFM_FORM_LIST = 0,			/* keys as [length byte][bytes], no hashes */
	RFM_FORM_TABLE = 1			/* RfmTable, slots, then an arena of RfmKeyEntry */
} RfmForm;

typedef struct RfmState
{
	int32_t		vl_len_;		/* reserved for the container's length word */
	uint8_t		version;
	uint8_t		key_mode;		/* RfmKeyMode */
	uint8_t		has_as_of;
	uint8_t		form;			/* RfmForm */
	uint32_t	key_count;		/* distinct keys stored */
	uint16_t	list_used;		/* LIST: bytes of the key list in use */
	uint16_t	list_size;		/* LIST: bytes of the key list */
	int64_t		rows;			/* rows with non-NULL ts and amount */
	int64_t		first_ts;		/* microseconds, valid when rows > 0 */
	int64_t		last_ts;
	int64_t		as_of;			/* valid when has_as_of */
	double		sum;			/* monetary, Neumaier-compensated: */
	double		comp;			/* the true sum is sum + comp */
	/* LIST: list_size bytes of keys; TABLE: RfmTable and what follows it */
} RfmState;

/* What follows the header in the TABLE form. */
typedef struct RfmTable
{
	uint32_t	key_type;		/* RFM_KEYS_TYPED: type OID, else 0 */
	uint32_t	key_collation;	/* RFM_KEYS_TYPED: collation OID, else 0 */
	uint32_t	slot_count;		/* hash slots, 0 or a power of two */
	uint32_t	arena_size;		/* bytes of the key arena */
	uint32_t	arena_used;		/* bytes of the key arena in use */
	uint32_t	last_entry;		/* arena offset + 1 of the last key added */
	/* uint32_t slots[slot_count]; then the key arena, 8-byte aligned */
} RfmTable;

/*
 * One key in a TABLE's arena: its 64-bit hash, its length, then its bytes,
 * padded to a multiple of 8 (so an image of the polymorphic overload is
 * aligned for its type).
 */
typedef struct RfmKeyEntry
{
	uint64_t	hash;
	uint32_t	len;
	uint32_t	reserved;
	unsigned char data[];
} RfmKeyEntry;

/* A key as iteration returns it: hash only where the form stores one. */
typedef struct RfmKeyView
{
	const unsigned char *data;
	uint32_t	len;
	bool		has_hash;
	uint64_t	hash;
} RfmKeyView;

/* Equality of two keys with equal hashes, for RFM_KEYS_TYPED. */
typedef bool (*RfmKeyEq) (const unsigned char *a, uint32_t alen,
						  const unsigned char *b, uint32_t blen, void *arg);

typedef enum RfmAddResult
{
	RFM_KEY_ADDED,
	RFM_KEY_EXISTED,
	RFM_KEY_NO_SPACE			/* grow with rfm_state_grow_layout + relayout */
} RfmAddResult;

/* Sizes of a state: its form and, for that form, its key storage. */
typedef struct RfmLayout
{
	RfmForm		form;
	uint32_t	list_size;		/* LIST */
	uint32_t	slot_count;		/* TABLE */
	uint32_t	arena_size;		/* TABLE */
} RfmLayout;

/* Largest state the glue layer may allocate (PostgreSQL's 1 GB varlena). */
#define RFM_STATE_MAX_BYTES ((size_t) 0x3FFFFFFF)

/* Longest key a LIST holds, and the largest LIST (a 256-byte state). */
#define RFM_LIST_MAX_KEY 255u
#define RFM_LIST_MAX_SIZE (256u - (uint32_t) sizeof(RfmState))

/* Bytes of a state of the given layout, and of an existing state. */
size_t		rfm_state_bytes(const RfmLayout *layout);
size_t		rfm_state_total_bytes(const RfmState *s);

/*
 * The layout of a new state: a LIST with room for a first key (none for
 * RFM_KEYS_NONE), or an empty TABLE for RFM_KEYS_TYPED.
 */
void		rfm_state_initial_layout(RfmKeyMode mode, RfmLayout *layout);

/* Fill a new state (a buffer of rfm_state_bytes(layout) bytes). */
void		rfm_state_init(RfmState *s, const RfmLayout *layout, RfmKeyMode mode,
						   uint32_t key_type, uint32_t key_collation);

/* The key type and collation of a typed state (0 otherwise). */
uint32_t	rfm_state_key_type(const RfmState *s);
uint32_t	rfm_state_key_collation(const RfmState *s);

/* Record one transaction (timestamp in microseconds, finite amount). */
void		rfm_state_add_txn(RfmState *s, int64_t ts, double amount);

/*
 * Record a key. hash is needed only by a TABLE: NULL computes
 * rfm_hash_bytes (every mode but RFM_KEYS_TYPED, which must give it).
 * RFM_KEY_NO_SPACE leaves the state unchanged: the caller allocates
 * rfm_state_bytes of rfm_state_grow_layout's layout, copies with
 * rfm_state_relayout and adds again.
 */
RfmAddResult rfm_state_add_key(RfmState *s, const unsigned char *key, uint32_t len,
							   const uint64_t *hash, RfmKeyEq eq, void *eq_arg);

/*
 * A layout that fits extra_keys more keys of extra_bytes bytes in all, the
 * longest max_len bytes. Returns false if the state would exceed
 * RFM_STATE_MAX_BYTES.
 */
bool		rfm_state_grow_layout(const RfmState *s, uint32_t extra_keys,
								  size_t extra_bytes, uint32_t max_len,
								  RfmLayout *layout);

/*
 * Copy src into dst (a buffer of rfm_state_bytes(layout)), which has
 * room for every key of src: a LIST into a LIST or a TABLE, a TABLE into
 * a TABLE.
 */
void		rfm_state_relayout(RfmState *dst, const RfmLayout *layout,
							   const RfmState *src);

/* Merge src's counters and sum into dst (keys are merged by the caller). */
void		rfm_state_merge_scalars(RfmState *dst, const RfmState *src);

/*
 * Iterate over the keys: start with *pos = 0; returns false at the end.
 * Keys come in the order they were added.
 */
bool		rfm_state_next_key(const RfmState *s, uint32_t *pos, RfmKeyView *key);

/*
 * Whether the key storage is sound: sizes within the buffer, every key
 * inside its list or arena, key_count keys, no LIST in typed mode. For
 * states from outside (a stored value), before anything walks them.
 */
const char *rfm_state_check_keys(const RfmState *s, size_t buffer_bytes);

/* The monetary sum, compensation folded in. */
double		rfm_state_monetary(const RfmState *s);

/* Number of distinct keys for key modes, rows for RFM_KEYS_NONE. */
int64_t		rfm_state_frequency(const RfmState *s);

/* 64-bit hash of a byte string, used for every non-typed key mode. */
uint64_t	rfm_hash_bytes(const unsigned char *data, size_t len);

/* Neumaier compensated summation step and merge. */
void		rfm_ksum_add(double *sum, double *comp, double x);
void		rfm_ksum_merge(double *sum, double *comp, double osum, double ocomp);

#endif							/* RFM_STATE_H */

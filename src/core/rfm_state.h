/*
 * rfm_state.h
 *	  The state of the rfm() aggregate as one flat, relocatable buffer:
 *	  transaction counters, a compensated monetary sum and the exact set of
 *	  distinct order keys seen so far (an open-addressing hash table of
 *	  offsets into a key arena).
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

#define RFM_STATE_VERSION 1

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

typedef struct RfmState
{
	int32_t		vl_len_;		/* reserved for the container's length word */
	uint8_t		version;
	uint8_t		key_mode;		/* RfmKeyMode */
	uint8_t		has_as_of;
	uint8_t		reserved;
	uint32_t	key_type;		/* RFM_KEYS_TYPED: type OID, else 0 */
	uint32_t	key_collation;	/* RFM_KEYS_TYPED: collation OID, else 0 */
	uint32_t	slot_count;		/* hash slots, 0 or a power of two */
	uint32_t	key_count;		/* distinct keys stored */
	uint32_t	arena_used;		/* bytes of the key arena in use */
	uint32_t	arena_size;		/* bytes of the key arena */
	uint32_t	last_entry;		/* arena offset + 1 of the last key added */
	int64_t		rows;			/* rows with non-NULL ts and amount */
	int64_t		first_ts;		/* microseconds, valid when rows > 0 */
	int64_t		last_ts;
	int64_t		as_of;			/* valid when has_as_of */
	double		sum;			/* monetary, Neumaier-compensated: */
	double		comp;			/* the true sum is sum + comp */
	/* uint32_t slots[slot_count]; then the key arena, 8-byte aligned */
} RfmState;

/*
 * One key in the arena: its 64-bit hash, its length, then its bytes,
 * padded to a multiple of 8.
 */
typedef struct RfmKeyEntry
{
	uint64_t	hash;
	uint32_t	len;
	uint32_t	reserved;
	unsigned char data[];
} RfmKeyEntry;

/* Equality of two keys with equal hashes, for RFM_KEYS_TYPED. */
typedef bool (*RfmKeyEq) (const unsigned char *a, uint32_t alen,
						  const unsigned char *b, uint32_t blen, void *arg);

typedef enum RfmAddResult
{
	RFM_KEY_ADDED,
	RFM_KEY_EXISTED,
	RFM_KEY_NO_SPACE			/* grow with rfm_state_grow_sizes + resize */
} RfmAddResult;

/* Largest state the glue layer may allocate (PostgreSQL's 1 GB varlena). */
#define RFM_STATE_MAX_BYTES ((size_t) 0x3FFFFFFF)

/* Bytes of a state with the given table and arena sizes. */
size_t		rfm_state_bytes(uint32_t slot_count, uint32_t arena_size);
size_t		rfm_state_total_bytes(const RfmState *s);

/* Fill an empty state (buffer of rfm_state_bytes(0, 0) bytes). */
void		rfm_state_init(RfmState *s, RfmKeyMode mode, uint32_t key_type,
						   uint32_t key_collation);

/* Record one transaction (timestamp in microseconds, finite amount). */
void		rfm_state_add_txn(RfmState *s, int64_t ts, double amount);

/*
 * Record a key. RFM_KEY_NO_SPACE leaves the state unchanged: the caller
 * allocates rfm_state_bytes(new sizes), copies with rfm_state_resize and
 * adds again.
 */
RfmAddResult rfm_state_add_key(RfmState *s, uint64_t hash,
							   const unsigned char *key, uint32_t len,
							   RfmKeyEq eq, void *eq_arg);

/*
 * Sizes that fit extra_keys more keys of extra_bytes bytes in all. Returns
 * false if the result would exceed RFM_STATE_MAX_BYTES.
 */
bool		rfm_state_grow_sizes(const RfmState *s, uint32_t extra_keys,
								 size_t extra_bytes, uint32_t *slot_count,
								 uint32_t *arena_size);

/* Copy src into dst (a buffer of rfm_state_bytes(slots, arena)), rehashing. */
void		rfm_state_resize(RfmState *dst, uint32_t slot_count,
							 uint32_t arena_size, const RfmState *src);

/* Merge src's counters and sum into dst (keys are merged by the caller). */
void		rfm_state_merge_scalars(RfmState *dst, const RfmState *src);

/*
 * Iterate over the keys: start with *pos = 0; returns NULL at the end.
 */
const RfmKeyEntry *rfm_state_next_key(const RfmState *s, uint32_t *pos);

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

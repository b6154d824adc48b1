/*
 * rfm_state_pg.h
 *	  The rfm_kmeans.rfm_state type in PostgreSQL: allocation, growth and
 *	  merging of the core's flat state inside varlenas.
 */
#ifndef RFM_STATE_PG_H
#define RFM_STATE_PG_H

#include "postgres.h"

#include "core/rfm_state.h"
#include "order_key.h"

/*
 * A state argument, detoasted; one stored in 0.2.0's layout comes back
 * rebuilt in the current one (a new palloc'd state).
 */
RfmState   *rfm_state_from_datum(Datum d);

#define PG_GETARG_RFM_STATE(n) rfm_state_from_datum(PG_GETARG_DATUM(n))

/* A new empty state, palloc'd in the current memory context. */
RfmState   *rfm_state_new(RfmKeyMode mode, Oid key_type, Oid key_collation);

/* A palloc'd copy of a state in the current memory context. */
RfmState   *rfm_state_copy(const RfmState *s);

/*
 * Add a key, growing the state when it is full. Returns the state to keep:
 * s itself, or a larger copy in the current memory context.
 */
RfmState   *rfm_state_add_key_grow(RfmState *s, const OrderKey *key,
								   const TypedKeyInfo *typed);

/* Merge src into dst (already checked compatible); returns the state to keep. */
RfmState   *rfm_state_merge(RfmState *dst, const RfmState *src);

/* Type info for a state in RFM_KEYS_TYPED mode (NULL otherwise). */
const TypedKeyInfo *rfm_state_typed_info(const RfmState *s, TypedKeyInfo *buf);

/* ERROR unless the structure of a state is sound (used by I/O and combine). */
void		rfm_state_check(const RfmState *s, Size datum_len, int errcode_);

#endif							/* RFM_STATE_PG_H */

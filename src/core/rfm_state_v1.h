/*
 * rfm_state_v1.h
 *	  Reading rfm() states in 0.2.0's layout (version 1: one hash table for
 *	  every state), so values stored before the upgrade still read: the
 *	  glue layer rebuilds them in the current layout.
 *
 * Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_STATE_V1_H
#define RFM_STATE_V1_H

#include "rfm_state.h"

#define RFM_STATE_V1_VERSION 1

/*
 * Check a version 1 buffer of buffer_bytes bytes and copy its counters into
 * hdr (form and key storage left for the caller) and its key type and
 * collation. Returns NULL or what is wrong.
 */
const char *rfm_state_v1_read(const void *buf, size_t buffer_bytes, RfmState *hdr,
							  uint32_t *key_type, uint32_t *key_collation);

/* Iterate over a checked version 1 buffer's keys, as rfm_state_next_key. */
bool		rfm_state_v1_next_key(const void *buf, uint32_t *pos, RfmKeyView *key);

#endif							/* RFM_STATE_V1_H */

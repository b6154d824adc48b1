/*
 * kmeans_step_io.h
 *	  The text and binary forms of a KmStepState (the kmeans_state type):
 *	  writing them, and reading them back with every malformed input
 *	  rejected by an error text rather than read past. The glue layer turns
 *	  an error into an ERROR with its SQLSTATE; the fuzz target checks that
 *	  accepted input round-trips exactly. Plain C99, no PostgreSQL headers.
 *
 *	  Text: "version k d rows inertia comp", then k*d centroids, k counts,
 *	  k*d sums and k*d compensations, and for version 2 (a state that
 *	  scales its rows) d offsets, d factors and the compensated sum of the
 *	  rows' distances (2 values); doubles with 17 significant
 *	  digits (so they read back exactly). Binary, in network byte order as
 *	  PostgreSQL's send functions write: version (1 byte), k, d (4 bytes),
 *	  rows (8), inertia, comp, then the same arrays (8 bytes a value).
 */
#ifndef RFM_KMEANS_STEP_IO_H
#define RFM_KMEANS_STEP_IO_H

#include <stddef.h>
#include <stdint.h>

#include "kmeans_step.h"

/*
 * Every reader returns NULL on success, else what is wrong, for a message.
 * Text errors name the field ("k", "sum", "trailing data"); the count check
 * is its own message, KM_STEP_BAD_COUNTS.
 */
#define KM_STEP_BAD_COUNTS "cluster counts do not add up to rows"

/* Version, k and d of a text form, read first to size the state. */
const char *km_step_text_header(const char *in, int *version, int *k, int *d);

/* The whole text form into s, sized and initialized for its version, k and d. */
const char *km_step_from_text(const char *in, KmStepState *s);

/* Bytes the text form of s needs, the terminating NUL included. */
size_t		km_step_text_size(const KmStepState *s);

/* Write the text form of s into out (km_step_text_size() bytes). */
void		km_step_to_text(const KmStepState *s, char *out);

/* Version, k and d of a binary form of len bytes. */
const char *km_step_binary_header(const uint8_t *in, size_t len, int *version, int *k,
								  int *d);

/* The whole binary form into s, sized and initialized for its version, k and d. */
const char *km_step_from_binary(const uint8_t *in, size_t len, KmStepState *s);

/* Bytes of the binary form of s. */
size_t		km_step_binary_size(const KmStepState *s);

/* Write the binary form of s into out (km_step_binary_size() bytes). */
void		km_step_to_binary(const KmStepState *s, uint8_t *out);

/* Counts non-negative and adding up to rows; NULL or KM_STEP_BAD_COUNTS. */
const char *km_step_check_counts(const KmStepState *s);

#endif							/* RFM_KMEANS_STEP_IO_H */

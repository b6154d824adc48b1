/*
 * onepass_summary.h
 *	  The summary of a relation's feature rows that train(mode => 'onepass')
 *	  builds in one scan, as the state of an aggregate. It holds:
 *	  - the distinct rows with the `budget` smallest keys (a 64-bit hash of
 *	    the row's values, ties broken by the values), each with its
 *	    multiplicity: a uniform sample of the distinct rows;
 *	  - per feature, exact sums of the values and of their squares (integer
 *	    sums of the significands, one per binary exponent), the minimum and
 *	    the maximum: the scaler, exactly, whatever the rows;
 *	  - the number of rows, and of the rows skipped for a NULL feature.
 *	  Its content depends only on the multiset of rows added: adding them in
 *	  any order, or merging summaries of any split of them in any order,
 *	  gives the same summary, byte for byte in its binary form. Memory is
 *	  km_summary_bytes(d, budget), whatever the number of rows.
 *
 *	  The working layout lives in one allocation (the first 4 bytes are
 *	  reserved for a container's length word). Plain C99 (plus
 *	  unsigned __int128 where the compiler has it), no PostgreSQL headers.
 */
#ifndef RFM_ONEPASS_SUMMARY_H
#define RFM_ONEPASS_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "scaler.h"

/*
 * The layout in memory: 3 counts skipped rows; 2 (0.6.0's lazy sample,
 * without that count) and 1 (0.4.0's heap), which 0.4.0 to 0.6.0 stored as
 * the value itself, are read by km_summary_from_stored
 */
#define KM_SUMMARY_VERSION 3
/*
 * A value of the server's type after 0.6.0: the length word, this version
 * word where the layout has its own, then the binary form (no room, no
 * lookup table: summary_value.h); 0.4.0 to 0.6.0 stored the layout
 */
#define KM_SUMMARY_FLAT_VERSION 4
/* the binary (and text) form: 2 holds the skipped rows; 1 (0.4.0 to 0.6.0) is read */
#define KM_SUMMARY_BINARY_VERSION 2
#define KM_SUMMARY_MAX_FEATURES 100
#define KM_SUMMARY_MIN_BUDGET 16
#define KM_SUMMARY_MAX_BUDGET (1 << 22)
/* the most bytes a summary may take (a PostgreSQL value: 1 GB - 1) */
#define KM_SUMMARY_MAX_BYTES ((size_t) 0x3FFFFFFF)
/*
 * The most rows, added and skipped, a summary may count: far past any
 * relation, and two such summaries merge without overflow (the binary
 * reader refuses more)
 */
#define KM_SUMMARY_MAX_ROWS (INT64_C(1) << 61)
/* binary exponents of a double (2047, infinities and NaN, excluded) */
#define KM_SUMMARY_EXPONENTS 2047

typedef struct KmSummary
{
	int32_t		vl_len_;		/* reserved for the container's length word */
	int32_t		version;
	int32_t		d;
	int32_t		budget;			/* most sample entries */
	int64_t		rows;			/* rows added */
	int32_t		entries;		/* sample entries in use */
	int32_t		table_size;		/* slots of the lookup table (a power of 2) */
	uint64_t	cutoff;			/* the sample's largest key once it is full,
								 * else UINT64_MAX: most rows stop there */
	/*
	 * Rows the aggregate skipped for a NULL feature (km_summary_skip): with
	 * rows, every row it saw, so that train() needs no count(*) beside it.
	 * Last, so that versions 1 and 2 (without it) share the fields above.
	 */
	int64_t		skipped;
	/*
	 * Where the sample's arrays begin (bytes from the start) and how many
	 * entries they hold: computed once by km_summary_init, read for every
	 * row that enters the sample
	 */
	uint32_t	keys_at,
				counts_at,
				values_at,
				table_at;
	int32_t		capacity;
	/*
	 * Whether the entries are in canonical order (then at most the budget):
	 * a summary read from its binary form, or merged from sorted ones, is
	 * merged by one pass over both and written out as it stands
	 */
	bool		sorted;
	/* whether the lookup table must be rebuilt before its next use */
	bool		table_stale;
	/*
	 * Then, at offsets km_summary.c computes: double min[d], max[d]; the
	 * moment groups, d x KM_SUMMARY_EXPONENTS; the sample's keys, counts
	 * and values (2 budget, 2 budget, 2 budget x d: up to budget candidates
	 * wait beside the sample between selections); the lookup table from
	 * hash to entry (table_size).
	 */
} KmSummary;

/*
 * Bytes of a summary of d features keeping budget rows; 0 if out of range.
 * Room for twice the budget between selections, less where that would
 * pass KM_SUMMARY_MAX_BYTES (down to budget + 16); above it when even that
 * does not fit.
 */
size_t		km_summary_bytes(int d, int budget);

/*
 * Bytes of a summary of an earlier layout (version 1: 0.4.0's and 0.5.0's;
 * 2: 0.6.0's); 0 if out of range or another version.
 */
size_t		km_summary_stored_bytes(int version, int d, int budget);

/*
 * Rebuild a summary stored in an earlier layout (len bytes; its version, d
 * and budget in the header, which versions 1 and 2 share with this one up
 * to cutoff) into s (km_summary_bytes(d, budget) bytes), with no skipped
 * rows (they were not counted): NULL on success, else what is wrong.
 */
const char *km_summary_from_stored(const KmSummary *old, size_t len, KmSummary *s);

/* Initialize s (km_summary_bytes(d, budget) bytes, zeroed or not). */
void		km_summary_init(KmSummary *s, int d, int budget);

/*
 * Add one row of d finite values (-0.0 counts as 0.0). The caller checks
 * finiteness; rows with a NULL feature are the caller's to skip.
 */
void		km_summary_add(KmSummary *s, const double *row);

/* Count one row skipped for a NULL feature (rows with one are not added). */
void		km_summary_skip(KmSummary *s);

/*
 * km_summary_add with the row's key given instead of its hash: for tests
 * of rows with equal keys (64-bit hash collisions, too rare to meet).
 */
void		km_summary_add_keyed(KmSummary *s, const double *row, uint64_t key);

/*
 * Add every row src holds to dst (same d and budget): in one pass over both
 * samples when both are in canonical order (read from a binary form,
 * canonicalized or merged so), else entry by entry.
 */
void		km_summary_merge(KmSummary *dst, const KmSummary *src);

/* Feature j's smallest and largest value (rows > 0). */
double		km_summary_min(const KmSummary *s, int j);
double		km_summary_max(const KmSummary *s, int j);

/*
 * The scaler train() would fit on the rows (scaler.h's conventions: the
 * center of the range, the moments about it from the exact sums), and the
 * mean over features of the variance of the scaled rows. rows > 0.
 */
double		km_summary_scaler(const KmSummary *s, KmScale kind, double *offset,
							  double *factor);

/*
 * Put the sample's entries in canonical order (ascending key), which
 * km_summary_sample and km_summary_to_binary write them in. The summary
 * stays the same summary (adding and merging go on as before).
 */
void		km_summary_canonicalize(KmSummary *s);

/*
 * The sample (canonicalized first: until then entries may exceed the
 * budget): entries x d values into values, each entry's multiplicity into
 * counts. Returns the entries.
 */
int			km_summary_sample(const KmSummary *s, double *values, int64_t *counts);

/* The key the sample orders rows by (for tests): a hash of the values' bits. */
uint64_t	km_summary_row_key(const double *row, int d);

/* Whether the sample holds every distinct row (then it is the data). */
bool		km_summary_complete(const KmSummary *s);

/* Bytes of the binary form of s (canonicalized first). */
size_t		km_summary_binary_size(const KmSummary *s);

/* Write the binary form of s (canonicalized first; network byte order) into out. */
void		km_summary_to_binary(const KmSummary *s, uint8_t *out);

/*
 * d and budget of a binary form of len bytes, to size the summary; NULL on
 * success, else what is wrong.
 */
const char *km_summary_binary_header(const uint8_t *in, size_t len, int *d, int *budget);

/*
 * Read a binary form into s (sized by km_summary_binary_header): NULL on
 * success, else what is wrong. Every field is checked (counts adding up,
 * values finite and within their feature's range, keys strictly
 * ascending, a sample that is not full holding every row), so that an
 * accepted form is one km_summary_to_binary could have written.
 */
const char *km_summary_from_binary(const uint8_t *in, size_t len, KmSummary *s);

/*
 * Add the summary a binary form holds to dst (of the form's d and budget),
 * as km_summary_merge would (the form's sample is in canonical order),
 * without reading it into a summary of its own:
 * NULL on success, else what is wrong (every check of
 * km_summary_from_binary; a form found wrong part way through has left
 * part of it in dst).
 */
const char *km_summary_merge_binary(KmSummary *dst, const uint8_t *in, size_t len);

/* Every check of km_summary_from_binary, with no summary: NULL if accepted. */
const char *km_summary_check_binary(const uint8_t *in, size_t len);

/*
 * The rows and skipped rows of a binary form (its header only), to bound a
 * merge beforehand: NULL on success, else what is wrong.
 */
const char *km_summary_binary_rows(const uint8_t *in, size_t len, int64_t *rows, int64_t *skipped);

#endif							/* RFM_ONEPASS_SUMMARY_H */

/*
 * summary_value.h
 *	  How a value of rfm_kmeans.kmeans_summary_state is held.
 *
 *	  Flat (stored, in tuples, between processes): the version word
 *	  KM_SUMMARY_FLAT_VERSION after the length word, then the binary form
 *	  of core/onepass_summary.h (the used moment groups and the sample in
 *	  canonical order: some 0.5 MB for train()'s 16,384 rows of 3 features).
 *
 *	  Working: an expanded object holding the summary's working layout
 *	  (km_summary_bytes: room for candidates and a lookup table, some 1.9
 *	  MB for the same), made once per aggregate, changed in place row after
 *	  row, and flattened only when the state leaves the aggregate: a partial
 *	  state crossing a parallel worker's tuple queue, the result, a Citus
 *	  worker's text.
 */
#ifndef RFM_SUMMARY_VALUE_H
#define RFM_SUMMARY_VALUE_H

#include "core/onepass_summary.h"
#include "utils/expandeddatum.h"

typedef struct SummaryObject
{
	ExpandedObjectHeader hdr;
	KmSummary  *summary;		/* in hdr.eoh_context */
	/* the flat size, valid while rows and skipped are these */
	Size		flat_size;
	int64		flat_rows,
				flat_skipped;
} SummaryObject;

/*
 * A new empty summary of d features keeping sample_size rows, in mcxt.
 * Checks: sample_size outside 16..4194304 (ERRCODE_INVALID_PARAMETER_VALUE),
 * d outside 1..100 or over 1 GB (ERRCODE_PROGRAM_LIMIT_EXCEEDED).
 */
KmSummary  *summary_new(int d, int sample_size, MemoryContext mcxt);

/*
 * The summary value d holds, to read: an expanded object's own (*fresh
 * false: not to be freed or changed by the caller) or, for a flat value,
 * one read into mcxt (*fresh true). Checks: a corrupted value
 * (ERRCODE_DATA_CORRUPTED), a value stored by 0.4.0 to 0.6.0 too large for
 * this version (ERRCODE_PROGRAM_LIMIT_EXCEEDED).
 */
KmSummary  *summary_read(Datum d, MemoryContext mcxt, bool *fresh);

extern const ExpandedObjectMethods summary_object_methods;

/*
 * The header of d when d is a read-write expanded object, else NULL
 * (inline: the transition functions ask for every row)
 */
static inline ExpandedObjectHeader *
rw_expanded_header(Datum d)
{
	Pointer		p = DatumGetPointer(d);
	varatt_expanded ptr;

	if (!VARATT_IS_EXTERNAL_EXPANDED_RW(p))
		return NULL;
	memcpy(&ptr, VARDATA_EXTERNAL(p), sizeof(ptr));
	return ptr.eohptr;
}

/* d as this module's read-write expanded object, or NULL if it is not one. */
static inline SummaryObject *
summary_object_rw(Datum d)
{
	ExpandedObjectHeader *h = rw_expanded_header(d);

	return h != NULL && h->eoh_methods == &summary_object_methods ? (SummaryObject *) h : NULL;
}

/*
 * The summary of an aggregate's state d when d is a read-write expanded
 * object, else NULL. Without summary_object_rw's check of the methods: a
 * state of this type is expanded only by this module (one load less for
 * every row).
 */
static inline KmSummary *
summary_of_rw_state(Datum d)
{
	ExpandedObjectHeader *h = rw_expanded_header(d);

	Assert(h == NULL || h->eoh_methods == &summary_object_methods);
	return h != NULL ? ((SummaryObject *) h)->summary : NULL;
}

/*
 * A new read-write expanded object in a new child context of parent (where
 * nodeAgg adopts it without a copy: the aggregate's context), its summary
 * still to be set, allocated in o->hdr.eoh_context.
 */
SummaryObject *summary_object_new(MemoryContext parent);

/*
 * The binary form inside d when d is a flat value of this version (its
 * length in *len; *detoasted, if not NULL afterwards, is the detoasted
 * copy to free), else NULL: an expanded object, or a value stored by 0.4.0
 * to 0.6.0 (see summary_read).
 */
const uint8_t *summary_flat_binary(Datum d, size_t *len, struct varlena **detoasted);

/*
 * The flat value of a binary form of this version already checked
 * (km_summary_check_binary: one km_summary_to_binary could have written),
 * palloc'd: the header, then a copy of the bytes.
 */
struct varlena *summary_flat_of_binary(const uint8_t *in, size_t len);

/* A copy of s into mcxt. */
KmSummary  *summary_copy(const KmSummary *s, MemoryContext mcxt);

/* The flat value of s (canonicalized first), palloc'd. */
struct varlena *summary_flat(KmSummary *s);

/*
 * A summary read from a binary form into mcxt (code: the SQLSTATE of a bad
 * form, with its reason).
 */
KmSummary  *summary_from_binary(const uint8_t *in, size_t len, int code, MemoryContext mcxt);

#endif							/* RFM_SUMMARY_VALUE_H */

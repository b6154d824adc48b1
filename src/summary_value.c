/*
 * summary_value.c
 *	  The two forms of a kmeans_summary_state value (summary_value.h): the
 *	  flat one, compact and portable, and the expanded object an aggregate
 *	  works on. Keeping the working layout out of flat values is what makes
 *	  a partial state cheap to move: a parallel worker sends its summary's
 *	  used part through the tuple queue instead of its whole working room,
 *	  and nodeAgg adopts the object instead of copying it.
 */
#include "compat.h"

#include "summary_value.h"

#include "fmgr.h"
#include "utils/memutils.h"

/* length word, version word, then the binary form */
#define FLAT_HEADER_BYTES (VARHDRSZ + sizeof(int32))

static Size summary_get_flat_size(ExpandedObjectHeader *eohptr);
static void summary_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size);

const ExpandedObjectMethods summary_object_methods = {
	summary_get_flat_size,
	summary_flatten_into
};

KmSummary *
summary_new(int d, int sample_size, MemoryContext mcxt)
{
	size_t		bytes;
	KmSummary  *s;

	if (sample_size < KM_SUMMARY_MIN_BUDGET || sample_size > KM_SUMMARY_MAX_BUDGET)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("kmeans_summary() argument sample_size must be between %d and %d, got %d",
						KM_SUMMARY_MIN_BUDGET, KM_SUMMARY_MAX_BUDGET, sample_size)));
	bytes = km_summary_bytes(d, sample_size);
	if (bytes == 0)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans_summary() supports 1 to %d features, got %d",
						KM_SUMMARY_MAX_FEATURES, d)));
	/* the working layout stays within what one value may hold */
	if (bytes > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a kmeans_summary of %d features and sample_size %d needs %zu MB, over the 1 GB a value may hold",
						d, sample_size, bytes >> 20),
				 errhint("Lower sample_size.")));
	s = MemoryContextAllocHuge(mcxt, bytes);
	km_summary_init(s, d, sample_size);
	SET_VARSIZE(s, bytes);
	return s;
}

KmSummary *
summary_from_binary(const uint8_t *in, size_t len, int code, MemoryContext mcxt)
{
	const char *err;
	int			d,
				budget;
	KmSummary  *s;

	if ((err = km_summary_binary_header(in, len, &d, &budget)) != NULL)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid kmeans_summary_state: %s", err)));
	/* what summary_new refuses, so is this */
	if (km_summary_bytes(d, budget) == 0 || km_summary_bytes(d, budget) > MaxAllocSize)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid kmeans_summary_state: %d features and sample size %d need more than 1 GB",
						d, budget)));
	s = MemoryContextAllocHuge(mcxt, km_summary_bytes(d, budget));
	if ((err = km_summary_from_binary(in, len, s)) != NULL)
		ereport(ERROR,
				(errcode(code),
				 errmsg("invalid kmeans_summary_state: %s", err)));
	SET_VARSIZE(s, km_summary_bytes(d, budget));
	return s;
}

/*
 * A summary stored by 0.4.0 to 0.6.0 (the working layout was the value:
 * version 1, its sample in a heap; 2, without the skipped rows), rebuilt
 * into mcxt.
 */
static KmSummary *
summary_from_stored(const KmSummary *old, MemoryContext mcxt)
{
	KmSummary  *now;
	const char *err;
	size_t		bytes;

	if (VARSIZE(old) < offsetof(KmSummary, skipped) ||
		km_summary_stored_bytes(old->version, old->d, old->budget) != VARSIZE(old))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid kmeans_summary_state")));
	bytes = km_summary_bytes(old->d, old->budget);
	/* this version's layout may hold more candidates: near 1 GB it may not fit */
	if (bytes > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a kmeans_summary_state stored by version 0.4.0 to 0.6.0 of %d features and sample_size %d needs %zu MB in this version, over the 1 GB a value may hold",
						old->d, old->budget, bytes >> 20),
				 errhint("Compute the summary again with a smaller sample_size.")));
	now = MemoryContextAllocHuge(mcxt, bytes);
	if ((err = km_summary_from_stored(old, VARSIZE(old), now)) != NULL)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid kmeans_summary_state: %s", err)));
	SET_VARSIZE(now, bytes);
	return now;
}

KmSummary *
summary_read(Datum d, MemoryContext mcxt, bool *fresh)
{
	struct varlena *v;
	KmSummary  *s;
	int32		version;

	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
	{
		ExpandedObjectHeader *eoh = DatumGetEOHP(d);

		if (eoh->eoh_methods == &summary_object_methods)
		{
			*fresh = false;
			return ((SummaryObject *) eoh)->summary;
		}
	}
	v = (struct varlena *) PG_DETOAST_DATUM(d);
	if (VARSIZE(v) < FLAT_HEADER_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid kmeans_summary_state")));
	memcpy(&version, (char *) v + VARHDRSZ, sizeof(version));
	if (version == KM_SUMMARY_FLAT_VERSION)
		s = summary_from_binary((const uint8_t *) v + FLAT_HEADER_BYTES,
								VARSIZE(v) - FLAT_HEADER_BYTES, ERRCODE_DATA_CORRUPTED, mcxt);
	else if (version == 1 || version == 2)
		s = summary_from_stored((const KmSummary *) v, mcxt);
	else
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid kmeans_summary_state")));
	if ((Pointer) v != DatumGetPointer(d))
		pfree(v);
	*fresh = true;
	return s;
}

const uint8_t *
summary_flat_binary(Datum d, size_t *len, struct varlena **detoasted)
{
	struct varlena *v;
	int32		version;

	*detoasted = NULL;
	if (VARATT_IS_EXTERNAL_EXPANDED(DatumGetPointer(d)))
		return NULL;
	v = (struct varlena *) PG_DETOAST_DATUM(d);
	if ((Pointer) v != DatumGetPointer(d))
		*detoasted = v;
	if (VARSIZE(v) < FLAT_HEADER_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_CORRUPTED),
				 errmsg("invalid kmeans_summary_state")));
	memcpy(&version, (char *) v + VARHDRSZ, sizeof(version));
	if (version != KM_SUMMARY_FLAT_VERSION)
		return NULL;
	*len = VARSIZE(v) - FLAT_HEADER_BYTES;
	return (const uint8_t *) v + FLAT_HEADER_BYTES;
}

struct varlena *
summary_flat_of_binary(const uint8_t *in, size_t len)
{
	int32		version = KM_SUMMARY_FLAT_VERSION;
	struct varlena *out;

	if (len > MaxAllocSize - FLAT_HEADER_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans_summary_state of %zu bytes is too large", len)));
	out = palloc(FLAT_HEADER_BYTES + len);
	SET_VARSIZE(out, FLAT_HEADER_BYTES + len);
	memcpy((char *) out + VARHDRSZ, &version, sizeof(version));
	memcpy((char *) out + FLAT_HEADER_BYTES, in, len);
	return out;
}

KmSummary *
summary_copy(const KmSummary *s, MemoryContext mcxt)
{
	size_t		bytes = km_summary_bytes(s->d, s->budget);
	KmSummary  *copy = MemoryContextAllocHuge(mcxt, bytes);

	memcpy(copy, s, bytes);
	return copy;
}

SummaryObject *
summary_object_new(MemoryContext parent)
{
	/* the summary is one large chunk of its own: small blocks for the rest */
	MemoryContext cxt = AllocSetContextCreate(parent, "kmeans_summary_state",
											  ALLOCSET_SMALL_SIZES);
	SummaryObject *o = MemoryContextAllocZero(cxt, sizeof(SummaryObject));

	EOH_init_header(&o->hdr, &summary_object_methods, cxt);
	return o;
}

/* Bytes of the flat value of s, canonicalized first (ERRCODE_PROGRAM_LIMIT_EXCEEDED over 1 GB). */
static Size
flat_size(KmSummary *s)
{
	size_t		len;

	km_summary_canonicalize(s);
	len = km_summary_binary_size(s);
	if (len > MaxAllocSize - FLAT_HEADER_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("kmeans_summary_state of %zu bytes is too large to output", len)));
	return FLAT_HEADER_BYTES + len;
}

/* The flat value of s (canonicalized, of size bytes) into out. */
static void
flat_write(const KmSummary *s, void *out, Size size)
{
	int32		version = KM_SUMMARY_FLAT_VERSION;

	SET_VARSIZE(out, size);
	memcpy((char *) out + VARHDRSZ, &version, sizeof(version));
	km_summary_to_binary(s, (uint8_t *) out + FLAT_HEADER_BYTES);
}

struct varlena *
summary_flat(KmSummary *s)
{
	Size		size = flat_size(s);
	struct varlena *out = palloc(size);

	flat_write(s, out, size);
	return out;
}

/*
 * The expanded object's methods. The size is asked for before each
 * flattening (and may be asked for alone): computed once for the rows the
 * summary holds.
 */
static Size
summary_get_flat_size(ExpandedObjectHeader *eohptr)
{
	SummaryObject *o = (SummaryObject *) eohptr;
	KmSummary  *s = o->summary;

	if (o->flat_size == 0 || o->flat_rows != s->rows || o->flat_skipped != s->skipped)
	{
		o->flat_size = flat_size(s);
		o->flat_rows = s->rows;
		o->flat_skipped = s->skipped;
	}
	return o->flat_size;
}

static void
summary_flatten_into(ExpandedObjectHeader *eohptr, void *result, Size allocated_size)
{
	SummaryObject *o = (SummaryObject *) eohptr;

	Assert(allocated_size == o->flat_size);
	flat_write(o->summary, result, allocated_size);
}

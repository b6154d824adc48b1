/*
 * rfm_state_io.c
 *	  Text and binary input/output of rfm_kmeans.rfm_state.
 *
 * Citus ships partial aggregate states between nodes as text, so the text
 * form is complete and portable: fields in a fixed order, doubles with 17
 * significant digits (exact round trip), keys in hex. Input rebuilds the
 * state key by key (never a raw memcpy), so hash tables and hashes are
 * always this machine's own, and validates every field.
 *
 * The forms are independent of the layout in memory (RFM_STATE_FORMAT is
 * theirs, RFM_STATE_VERSION the layout's).
 *
 * Text form:
 *	 1 <mode> <key_type> <collation> <rows> <first_ts> <last_ts> <has_as_of>
 *	 <as_of> <sum> <comp> <key_count> x<hex> ...
 */
#include "compat.h"

#include <math.h>

#include "datatype/timestamp.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "rfm_state_pg.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/syscache.h"
#include "utils/typcache.h"

/* The version of the text and binary forms. */
#define RFM_STATE_FORMAT 1

typedef struct Tokens
{
	char	   *p;
} Tokens;

static void
text_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
			 errmsg("invalid input syntax for type rfm_state: %s", what)));
}

/* The next space-separated token, NUL-terminated in place; NULL at end. */
static char *
next_token(Tokens *t, Size *len)
{
	char	   *start;

	while (*t->p == ' ')
		t->p++;
	if (*t->p == '\0')
		return NULL;
	start = t->p;
	while (*t->p != ' ' && *t->p != '\0')
		t->p++;
	*len = t->p - start;
	if (*t->p == ' ')
		*t->p++ = '\0';
	return start;
}

static int64
read_int64(Tokens *t, const char *field, int64 min, int64 max)
{
	Size		len;
	char	   *tok = next_token(t, &len);
	char	   *end;
	long long	v;

	if (tok == NULL)
		text_error(field);
	errno = 0;
	v = strtoll(tok, &end, 10);
	if (errno != 0 || *end != '\0' || end == tok || v < min || v > max)
		text_error(field);
	return (int64) v;
}

static double
read_double(Tokens *t, const char *field)
{
	Size		len;
	char	   *tok = next_token(t, &len);
	char	   *end;
	double		v;

	if (tok == NULL)
		text_error(field);
	errno = 0;
	v = strtod(tok, &end);
	if (*end != '\0' || end == tok || !isfinite(v))
		text_error(field);
	return v;
}

/*
 * A typed state names a type that exists and can be hashed, and, for a
 * collatable type, an existing collation (hashing text needs one).
 */
static void
check_key_type(Oid type, Oid collation, int errcode_)
{
	TypeCacheEntry *tc;

	if (!SearchSysCacheExists1(TYPEOID, ObjectIdGetDatum(type)))
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: order_key type %u does not exist", type)));
	tc = lookup_type_cache(type, TYPECACHE_HASH_EXTENDED_PROC | TYPECACHE_EQ_OPR);
	if (!OidIsValid(tc->hash_extended_proc) || !OidIsValid(tc->eq_opr))
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: order_key type %s has no hash operator class",
						format_type_be(type))));
	if (type_is_collatable(type) ?
		!SearchSysCacheExists1(COLLOID, ObjectIdGetDatum(collation)) :
		OidIsValid(collation))
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: collation %u does not fit order_key type %s",
						collation, format_type_be(type))));
}

/* Add a key read from outside; a duplicate means the input was forged. */
static RfmState *
add_read_key(RfmState *s, const OrderKey *key, const TypedKeyInfo *typed,
			 int errcode_)
{
	uint32		before = s->key_count;

	s = rfm_state_add_key_grow(s, key, typed);
	if (s->key_count == before)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: duplicate order key")));
	return s;
}

/* Header fields shared by both input functions, then checked together. */
static void
check_header(const RfmState *s, uint32 key_type, uint32 key_collation, int64 key_count,
			 int errcode_)
{
	if (s->key_mode == RFM_KEYS_NONE && key_count != 0)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: keys in a state without order keys")));
	if (s->rows > 0 && (s->first_ts > s->last_ts ||
						TIMESTAMP_NOT_FINITE(s->first_ts) ||
						TIMESTAMP_NOT_FINITE(s->last_ts)))
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: first_ts after last_ts")));
	if (s->rows == 0 && (s->first_ts != 0 || s->last_ts != 0 || key_count != 0 ||
						 s->sum != 0 || s->comp != 0))
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: counters of an empty state must be zero")));
	if (key_count > s->rows)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: more order keys than rows")));
	if (!s->has_as_of ? s->as_of != 0 :
		(TIMESTAMP_NOT_FINITE(s->as_of) || (s->rows > 0 && s->last_ts > s->as_of)))
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: as_of is inconsistent")));
	if (s->key_mode == RFM_KEYS_TYPED)
		check_key_type(key_type, key_collation, errcode_);
	else if (key_type != 0 || key_collation != 0)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: key type given for untyped keys")));
}

/* A new state with hdr's counters, once they are checked. */
static RfmState *
new_checked_state(const RfmState *hdr, uint32 key_type, uint32 key_collation,
				  int64 key_count, int errcode_)
{
	RfmState   *s;

	check_header(hdr, key_type, key_collation, key_count, errcode_);
	s = rfm_state_new((RfmKeyMode) hdr->key_mode, key_type, key_collation);
	s->has_as_of = hdr->has_as_of;
	s->rows = hdr->rows;
	s->first_ts = hdr->first_ts;
	s->last_ts = hdr->last_ts;
	s->as_of = hdr->as_of;
	s->sum = hdr->sum;
	s->comp = hdr->comp;
	return s;
}

/*
 * rfm_state_in(cstring): input function of rfm_state, STRICT (STABLE: typed
 * keys go through their type's input function); returns the state rebuilt key
 * by key from the text form. Bad syntax, an unknown version or key mode,
 * inconsistent counters or as_of, an unknown or unhashable key type or a
 * wrong collation, a non-canonical or duplicate key, trailing data:
 * ERRCODE_INVALID_TEXT_REPRESENTATION; too many keys:
 * ERRCODE_PROGRAM_LIMIT_EXCEEDED; a typed key's own input function may raise
 * its errors.
 */
PG_FUNCTION_INFO_V1(rfm_state_in);
Datum
rfm_state_in(PG_FUNCTION_ARGS)
{
	Tokens		t;
	RfmState   *s;
	TypedKeyInfo tbuf;
	const TypedKeyInfo *typed;
	RfmState	hdr;
	uint32		key_type,
				key_collation;
	int64		key_count,
				i;
	Size		len;
	char	   *tok;

	t.p = pstrdup(PG_GETARG_CSTRING(0));
	if (read_int64(&t, "version", 0, 255) != RFM_STATE_FORMAT)
		text_error("unknown version");
	memset(&hdr, 0, sizeof(hdr));
	hdr.key_mode = (uint8) read_int64(&t, "key mode", 0, RFM_KEYS_MAX);
	key_type = (uint32) read_int64(&t, "key type", 0, PG_UINT32_MAX);
	key_collation = (uint32) read_int64(&t, "collation", 0, PG_UINT32_MAX);
	hdr.rows = read_int64(&t, "rows", 0, PG_INT64_MAX);
	hdr.first_ts = read_int64(&t, "first_ts", PG_INT64_MIN, PG_INT64_MAX);
	hdr.last_ts = read_int64(&t, "last_ts", PG_INT64_MIN, PG_INT64_MAX);
	hdr.has_as_of = (uint8) read_int64(&t, "has_as_of", 0, 1);
	hdr.as_of = read_int64(&t, "as_of", PG_INT64_MIN, PG_INT64_MAX);
	hdr.sum = read_double(&t, "sum");
	hdr.comp = read_double(&t, "comp");
	key_count = read_int64(&t, "key count", 0, PG_INT32_MAX);
	s = new_checked_state(&hdr, key_type, key_collation, key_count,
						  ERRCODE_INVALID_TEXT_REPRESENTATION);

	typed = rfm_state_typed_info(s, &tbuf);
	for (i = 0; i < key_count; i++)
	{
		OrderKey	key;

		tok = next_token(&t, &len);
		if (tok == NULL || tok[0] != 'x')
			text_error("missing order key");
		order_key_read_text(&key, s, typed, tok + 1, len - 1);
		s = add_read_key(s, &key, typed, ERRCODE_INVALID_TEXT_REPRESENTATION);
	}
	if (next_token(&t, &len) != NULL)
		text_error("trailing data");
	PG_RETURN_POINTER(s);
}

/*
 * rfm_state_out(state): output function of rfm_state, STRICT (STABLE: typed
 * keys are written by their type's output function); returns the text form,
 * doubles with 17 significant digits, keys in hex. Checks: a damaged state
 * (ERRCODE_DATA_CORRUPTED).
 */
PG_FUNCTION_INFO_V1(rfm_state_out);
Datum
rfm_state_out(PG_FUNCTION_ARGS)
{
	RfmState   *s = PG_GETARG_RFM_STATE(0);
	StringInfoData out;
	TypedKeyInfo tbuf;
	const TypedKeyInfo *typed;
	uint32		pos = 0;
	RfmKeyView	k;

	rfm_state_check(s, VARSIZE(s), ERRCODE_DATA_CORRUPTED);
	typed = rfm_state_typed_info(s, &tbuf);
	initStringInfo(&out);
	appendStringInfo(&out, "%d %d %u %u " INT64_FORMAT " " INT64_FORMAT " " INT64_FORMAT " %d " INT64_FORMAT " %.17g %.17g %u",
					 RFM_STATE_FORMAT, s->key_mode, rfm_state_key_type(s), rfm_state_key_collation(s),
					 s->rows, s->first_ts, s->last_ts, s->has_as_of, s->as_of,
					 s->sum, s->comp, s->key_count);
	while (rfm_state_next_key(s, &pos, &k))
	{
		appendStringInfoChar(&out, ' ');
		order_key_write_text(&out, s, typed, &k);
	}
	PG_RETURN_CSTRING(out.data);
}

/*
 * rfm_state_send(state): send function of rfm_state, STRICT; returns the
 * binary form (bytea, network byte order), typed keys by their type's send
 * function. Checks: a damaged state (ERRCODE_DATA_CORRUPTED).
 */
PG_FUNCTION_INFO_V1(rfm_state_send);
Datum
rfm_state_send(PG_FUNCTION_ARGS)
{
	RfmState   *s = PG_GETARG_RFM_STATE(0);
	StringInfoData buf;
	TypedKeyInfo tbuf;
	const TypedKeyInfo *typed;
	uint32		pos = 0;
	RfmKeyView	k;

	rfm_state_check(s, VARSIZE(s), ERRCODE_DATA_CORRUPTED);
	typed = rfm_state_typed_info(s, &tbuf);
	pq_begintypsend(&buf);
	pq_sendbyte(&buf, RFM_STATE_FORMAT);
	pq_sendbyte(&buf, s->key_mode);
	pq_sendint32(&buf, rfm_state_key_type(s));
	pq_sendint32(&buf, rfm_state_key_collation(s));
	pq_sendint64(&buf, s->rows);
	pq_sendint64(&buf, s->first_ts);
	pq_sendint64(&buf, s->last_ts);
	pq_sendbyte(&buf, s->has_as_of);
	pq_sendint64(&buf, s->as_of);
	pq_sendfloat8(&buf, s->sum);
	pq_sendfloat8(&buf, s->comp);
	pq_sendint32(&buf, s->key_count);
	while (rfm_state_next_key(s, &pos, &k))
		order_key_write_binary(&buf, s, typed, &k);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

static void
binary_error(const char *what)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid binary rfm_state: %s", what)));
}

/*
 * rfm_state_recv(internal): receive function of rfm_state, STRICT; returns
 * the state rebuilt key by key from the binary form, with the header checks
 * of rfm_state_in. A malformed message (version, key mode, has_as_of,
 * counters, a key length, a non-canonical or duplicate key, trailing bytes)
 * is ERRCODE_INVALID_BINARY_REPRESENTATION; one that ends early,
 * ERRCODE_PROTOCOL_VIOLATION; too many keys, ERRCODE_PROGRAM_LIMIT_EXCEEDED;
 * a typed key's receive function may raise its own errors.
 */
PG_FUNCTION_INFO_V1(rfm_state_recv);
Datum
rfm_state_recv(PG_FUNCTION_ARGS)
{
	StringInfo	in = (StringInfo) PG_GETARG_POINTER(0);
	RfmState   *s;
	TypedKeyInfo tbuf;
	const TypedKeyInfo *typed;
	RfmState	hdr;
	uint32		key_type,
				key_collation;
	int			version,
				mode,
				has_as_of;
	int64		key_count,
				i;

	version = pq_getmsgbyte(in);
	if (version != RFM_STATE_FORMAT)
		binary_error("unknown version");
	mode = pq_getmsgbyte(in);
	if (mode < 0 || mode > RFM_KEYS_MAX)
		binary_error("unknown key mode");
	memset(&hdr, 0, sizeof(hdr));
	hdr.key_mode = (uint8) mode;
	key_type = pq_getmsgint(in, 4);
	key_collation = pq_getmsgint(in, 4);
	hdr.rows = pq_getmsgint64(in);
	hdr.first_ts = pq_getmsgint64(in);
	hdr.last_ts = pq_getmsgint64(in);
	has_as_of = pq_getmsgbyte(in);
	if (has_as_of != 0 && has_as_of != 1)
		binary_error("has_as_of must be 0 or 1");
	hdr.has_as_of = (uint8) has_as_of;
	hdr.as_of = pq_getmsgint64(in);
	hdr.sum = pq_getmsgfloat8(in);
	hdr.comp = pq_getmsgfloat8(in);
	key_count = (uint32) pq_getmsgint(in, 4);
	if (hdr.rows < 0 || !isfinite(hdr.sum) || !isfinite(hdr.comp))
		binary_error("counters out of range");
	s = new_checked_state(&hdr, key_type, key_collation, key_count,
						  ERRCODE_INVALID_BINARY_REPRESENTATION);

	typed = rfm_state_typed_info(s, &tbuf);
	for (i = 0; i < key_count; i++)
	{
		OrderKey	key;

		order_key_read_binary(&key, s, typed, in);
		s = add_read_key(s, &key, typed, ERRCODE_INVALID_BINARY_REPRESENTATION);
	}
	if (in->cursor != in->len)
		binary_error("trailing bytes");
	PG_RETURN_POINTER(s);
}

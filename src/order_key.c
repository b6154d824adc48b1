/*
 * order_key.c
 *	  Canonical bytes, hashes and portable forms of rfm() order keys.
 *
 * The concrete overloads (int, bigint, text, uuid, numeric) turn a key into
 * bytes whose equality is the type's equality, so counting distinct keys
 * needs no type lookup (Citus calls transition functions without fn_expr).
 * The polymorphic overload keeps the datum's image and asks the type's hash
 * operator class, through the type cache, for hash and equality.
 */
#include "compat.h"

#include "order_key.h"

#include "fmgr.h"
#include "libpq/pqformat.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/typcache.h"
#include "utils/uuid.h"

void
order_key_from_int64(OrderKey *key, int64 value)
{
	uint64		u = (uint64) value;
	int			i;

	/* big-endian, so the bytes are the same on every machine */
	for (i = 7; i >= 0; i--)
	{
		key->buf[i] = (unsigned char) (u & 0xFF);
		u >>= 8;
	}
	key->data = key->buf;
	key->len = 8;
	key->hash = 0;				/* the state hashes the bytes if it needs to */
}

void
order_key_from_bytes(OrderKey *key, const void *data, Size len)
{
	if (len > RFM_STATE_MAX_BYTES / 2)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("order_key of %zu bytes is too long", len)));
	key->data = data;
	key->len = (uint32) len;
	key->hash = 0;				/* the state hashes the bytes if it needs to */
}

/*
 * numeric_normalize drops trailing zeroes, so 1.0 and 1.00 (equal under
 * numeric's =) get the same bytes. The string lives in the current context.
 */
void
order_key_from_numeric(OrderKey *key, Datum value)
{
	char	   *s = numeric_normalize(DatumGetNumeric(value));

	order_key_from_bytes(key, s, strlen(s));
}

void
typed_key_info(TypedKeyInfo *info, Oid type, Oid collation)
{
	TypeCacheEntry *tc = lookup_type_cache(type,
										   TYPECACHE_HASH_EXTENDED_PROC_FINFO |
										   TYPECACHE_EQ_OPR_FINFO);

	if (!OidIsValid(tc->hash_extended_proc) || !OidIsValid(tc->eq_opr))
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_FUNCTION),
				 errmsg("could not identify a hash function for order_key type %s",
						format_type_be(type)),
				 errhint("rfm() counts distinct order keys with the type's default hash operator class; "
						 "cast the order key to text or bigint.")));
	info->type = type;
	info->collation = collation;
	info->typlen = tc->typlen;
	info->typbyval = tc->typbyval;
	info->hash_finfo = &tc->hash_extended_proc_finfo;
	info->eq_finfo = &tc->eq_opr_finfo;
}

void
order_key_from_datum(OrderKey *key, const TypedKeyInfo *info, Datum value)
{
	if (info->typbyval)
	{
		memcpy(key->buf, &value, sizeof(Datum));
		key->data = key->buf;
		key->len = sizeof(Datum);
	}
	else if (info->typlen == -1)
	{
		struct varlena *v = PG_DETOAST_DATUM(value);

		key->data = (unsigned char *) v;
		key->len = VARSIZE(v);
	}
	else if (info->typlen == -2)
	{
		key->data = (unsigned char *) DatumGetCString(value);
		key->len = strlen(DatumGetCString(value)) + 1;
	}
	else
	{
		key->data = (unsigned char *) DatumGetPointer(value);
		key->len = info->typlen;
	}
	key->hash = DatumGetUInt64(FunctionCall2Coll(info->hash_finfo, info->collation,
												 value, UInt64GetDatum(0)));
}

/* A Datum for an image stored in a state (8-byte aligned there). */
Datum
typed_key_datum(const TypedKeyInfo *info, const unsigned char *image)
{
	Datum		d;

	if (info->typbyval)
	{
		memcpy(&d, image, sizeof(Datum));
		return d;
	}
	return PointerGetDatum(image);
}

static bool
typed_key_eq(const unsigned char *a, uint32 alen, const unsigned char *b,
			 uint32 blen, void *arg)
{
	const TypedKeyInfo *info = (const TypedKeyInfo *) arg;

	(void) alen;
	(void) blen;
	return DatumGetBool(FunctionCall2Coll(info->eq_finfo, info->collation,
										  typed_key_datum(info, a),
										  typed_key_datum(info, b)));
}

RfmKeyEq
typed_key_eq_fn(void)
{
	return typed_key_eq;
}

/*
 * Validate canonical bytes read from outside: they must be exactly what the
 * transition function would have produced for some key.
 */
static void
check_canonical_key(const RfmState *s, const OrderKey *key, int errcode_)
{
	const char *problem = NULL;

	switch ((RfmKeyMode) s->key_mode)
	{
		case RFM_KEYS_INT:
			if (key->len != 8)
				problem = "an integer key must have 8 bytes";
			break;
		case RFM_KEYS_UUID:
			if (key->len != UUID_LEN)
				problem = "a uuid key must have 16 bytes";
			break;
		case RFM_KEYS_TEXT:
			if (!pg_verifymbstr((const char *) key->data, key->len, true))
				problem = "a text key must be valid in the database encoding";
			break;
		case RFM_KEYS_NUMERIC:
			{
				char	   *s_in = pnstrdup((const char *) key->data, key->len);
				Datum		n;
				char	   *norm;

				if (strspn(s_in, "0123456789.-NaInfity") != key->len ||
					key->len == 0)
				{
					problem = "a numeric key must be a normalized number";
					break;
				}
				n = DirectFunctionCall3(numeric_in, CStringGetDatum(s_in),
										ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1));
				norm = numeric_normalize(DatumGetNumeric(n));
				if (strcmp(norm, s_in) != 0)
					problem = "a numeric key must be a normalized number";
				break;
			}
		default:
			problem = "this state has no order keys";
	}
	if (problem)
		ereport(ERROR,
				(errcode(errcode_),
				 errmsg("invalid rfm_state: %s", problem)));
}

void
order_key_write_text(StringInfo out, const RfmState *s,
					 const TypedKeyInfo *info, const RfmKeyView *e)
{
	const unsigned char *bytes = e->data;
	Size		len = e->len;
	Size		i;

	if (s->key_mode == RFM_KEYS_TYPED)
	{
		Oid			typoutput;
		bool		isvarlena;
		char	   *str;

		getTypeOutputInfo(info->type, &typoutput, &isvarlena);
		str = OidOutputFunctionCall(typoutput, typed_key_datum(info, e->data));
		bytes = (unsigned char *) str;
		len = strlen(str);
	}
	appendStringInfoChar(out, 'x');
	for (i = 0; i < len; i++)
		appendStringInfo(out, "%02x", bytes[i]);
}

static int
hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

void
order_key_read_text(OrderKey *key, const RfmState *s,
					const TypedKeyInfo *info, const char *hex, Size hexlen)
{
	Size		len = hexlen / 2;
	unsigned char *bytes;
	Size		i;

	if (hexlen % 2 != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
				 errmsg("invalid rfm_state: odd number of hex digits in an order key")));
	bytes = palloc(len + 1);
	for (i = 0; i < len; i++)
	{
		int			hi = hex_digit(hex[2 * i]);
		int			lo = hex_digit(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid rfm_state: bad hex digit in an order key")));
		bytes[i] = (unsigned char) (hi << 4 | lo);
	}
	bytes[len] = '\0';

	if (s->key_mode == RFM_KEYS_TYPED)
	{
		Oid			typinput,
					typioparam;

		if (strlen((char *) bytes) != len)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_TEXT_REPRESENTATION),
					 errmsg("invalid rfm_state: order key text contains a zero byte")));
		getTypeInputInfo(info->type, &typinput, &typioparam);
		order_key_from_datum(key, info,
							 OidInputFunctionCall(typinput, (char *) bytes, typioparam, -1));
		return;
	}
	order_key_from_bytes(key, bytes, len);
	check_canonical_key(s, key, ERRCODE_INVALID_TEXT_REPRESENTATION);
}

void
order_key_write_binary(StringInfo out, const RfmState *s,
					   const TypedKeyInfo *info, const RfmKeyView *e)
{
	if (s->key_mode == RFM_KEYS_TYPED)
	{
		Oid			typsend;
		bool		isvarlena;
		bytea	   *b;

		getTypeBinaryOutputInfo(info->type, &typsend, &isvarlena);
		b = OidSendFunctionCall(typsend, typed_key_datum(info, e->data));
		pq_sendint32(out, VARSIZE(b) - VARHDRSZ);
		pq_sendbytes(out, VARDATA(b), VARSIZE(b) - VARHDRSZ);
		return;
	}
	pq_sendint32(out, e->len);
	pq_sendbytes(out, (const char *) e->data, e->len);
}

void
order_key_read_binary(OrderKey *key, const RfmState *s,
					  const TypedKeyInfo *info, StringInfo in)
{
	int32		len = pq_getmsgint(in, 4);
	const char *bytes;

	if (len < 0 || len > in->len - in->cursor)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("invalid rfm_state: order key length %d out of range", len)));
	bytes = pq_getmsgbytes(in, len);

	if (s->key_mode == RFM_KEYS_TYPED)
	{
		Oid			typreceive,
					typioparam;
		StringInfoData buf;

		getTypeBinaryInputInfo(info->type, &typreceive, &typioparam);
		initStringInfo(&buf);
		appendBinaryStringInfo(&buf, bytes, len);
		order_key_from_datum(key, info,
							 OidReceiveFunctionCall(typreceive, &buf, typioparam, -1));
		return;
	}
	{
		unsigned char *copy = palloc(len + 1);

		memcpy(copy, bytes, len);
		order_key_from_bytes(key, copy, len);
	}
	check_canonical_key(s, key, ERRCODE_INVALID_BINARY_REPRESENTATION);
}

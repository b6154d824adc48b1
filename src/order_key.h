/*
 * order_key.h
 *	  Order keys of rfm(): their canonical bytes and hashes, and the
 *	  support for keys of any type with a hash operator class.
 */
#ifndef RFM_ORDER_KEY_H
#define RFM_ORDER_KEY_H

#include "postgres.h"

#include "core/rfm_state.h"
#include "fmgr.h"
#include "lib/stringinfo.h"

/* A key ready to add to a state; data may point into a temporary buffer. */
typedef struct OrderKey
{
	const unsigned char *data;
	uint32		len;
	uint64		hash;			/* RFM_KEYS_TYPED only: the type's hash */
	unsigned char buf[16];		/* storage for small fixed-size keys */
} OrderKey;

/* Canonical bytes of a key of a concrete overload's type. */
void		order_key_from_int64(OrderKey *key, int64 value);
void		order_key_from_bytes(OrderKey *key, const void *data, Size len);
void		order_key_from_numeric(OrderKey *key, Datum value);

/*
 * Keys of any hashable type (RFM_KEYS_TYPED): the key is the datum's image
 * (the Datum itself for pass-by-value types, its detoasted bytes otherwise),
 * hashed with the type's extended hash function and compared with the
 * type's equality operator.
 */
typedef struct TypedKeyInfo
{
	Oid			type;
	Oid			collation;
	int16		typlen;
	bool		typbyval;
	FmgrInfo   *hash_finfo;		/* in the type cache */
	FmgrInfo   *eq_finfo;
} TypedKeyInfo;

/* Look up a type's hash support; ERROR 42883 if it has none. */
void		typed_key_info(TypedKeyInfo *info, Oid type, Oid collation);
void		order_key_from_datum(OrderKey *key, const TypedKeyInfo *info, Datum value);
Datum		typed_key_datum(const TypedKeyInfo *info, const unsigned char *image);
RfmKeyEq	typed_key_eq_fn(void);

/* Portable forms of a key for the state type's I/O functions. */
void		order_key_write_text(StringInfo out, const RfmState *s,
								 const TypedKeyInfo *info, const RfmKeyView *e);
void		order_key_read_text(OrderKey *key, const RfmState *s,
								const TypedKeyInfo *info, const char *hex, Size hexlen);
void		order_key_write_binary(StringInfo out, const RfmState *s,
								   const TypedKeyInfo *info, const RfmKeyView *e);
void		order_key_read_binary(OrderKey *key, const RfmState *s,
								  const TypedKeyInfo *info, StringInfo in);

#endif							/* RFM_ORDER_KEY_H */

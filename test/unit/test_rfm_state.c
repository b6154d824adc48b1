/*
 * test_rfm_state.c
 *	  Unit tests of the rfm() state: exact distinct counting (including
 *	  forced hash collisions), growth, merging, compensated summation.
 */
#include <stdlib.h>
#include <string.h>

#include "core/rfm_state.h"
#include "tap.h"

/* A state in malloc'd memory, grown the way the glue layer grows it. */
static RfmState *
new_state(RfmKeyMode mode)
{
	RfmState   *s = calloc(1, rfm_state_bytes(0, 0));

	rfm_state_init(s, mode, 0, 0);
	return s;
}

static RfmState *
add_key(RfmState *s, uint64_t hash, const void *key, uint32_t len)
{
	RfmAddResult r = rfm_state_add_key(s, hash, key, len, NULL, NULL);

	if (r == RFM_KEY_NO_SPACE)
	{
		uint32_t	slots,
					arena;
		RfmState   *bigger;

		if (!rfm_state_grow_sizes(s, 1, sizeof(RfmKeyEntry) + len + 8, &slots, &arena))
			abort();
		bigger = calloc(1, rfm_state_bytes(slots, arena));
		rfm_state_resize(bigger, slots, arena, s);
		free(s);
		s = bigger;
		r = rfm_state_add_key(s, hash, key, len, NULL, NULL);
		if (r == RFM_KEY_NO_SPACE)
			abort();
	}
	return s;
}

static RfmState *
add_u64(RfmState *s, uint64_t v)
{
	return add_key(s, rfm_hash_bytes((unsigned char *) &v, 8), &v, 8);
}

static void
test_distinct_counting(void)
{
	RfmState   *s = new_state(RFM_KEYS_INT);
	uint64_t	i;

	/* 10,000 keys, each seen three times in scattered order */
	for (i = 0; i < 30000; i++)
		s = add_u64(s, (i * 7919) % 10000);
	is_int(s->key_count, 10000, "30,000 insertions of 10,000 keys count 10,000");
	ok(s->slot_count >= 2 * s->key_count, "load factor stays at most 1/2");
	free(s);
}

static void
test_forced_collisions(void)
{
	RfmState   *s = new_state(RFM_KEYS_TEXT);
	char		buf[32];
	int			i;

	/* every key gets the same hash: only the bytes tell them apart */
	for (i = 0; i < 500; i++)
	{
		snprintf(buf, sizeof(buf), "order-%d", i % 250);
		s = add_key(s, 42, buf, (uint32_t) strlen(buf));
	}
	is_int(s->key_count, 250, "250 distinct keys sharing one hash count 250");

	/* keys that are prefixes of each other, the empty key */
	s = add_key(s, 42, "order-1", 7);
	s = add_key(s, 42, "order-10", 8);
	s = add_key(s, 42, "", 0);
	s = add_key(s, 42, "", 0);
	is_int(s->key_count, 251, "the empty key counts once, prefixes are not confused");
	free(s);
}

static void
test_merge_and_resize(void)
{
	RfmState   *a = new_state(RFM_KEYS_INT);
	RfmState   *b = new_state(RFM_KEYS_INT);
	const RfmKeyEntry *e;
	uint32_t	pos = 0;
	uint64_t	i;

	for (i = 0; i < 1000; i++)
		a = add_u64(a, i);
	for (i = 500; i < 1500; i++)
		b = add_u64(b, i);
	while ((e = rfm_state_next_key(b, &pos)) != NULL)
		a = add_key(a, e->hash, e->data, e->len);
	is_int(a->key_count, 1500, "union of [0,1000) and [500,1500) has 1,500 keys");
	is_int(rfm_state_frequency(a), 1500, "frequency of a keyed state is its key count");
	free(a);
	free(b);
}

static void
test_transactions(void)
{
	RfmState   *a = new_state(RFM_KEYS_NONE);
	RfmState   *b = new_state(RFM_KEYS_NONE);
	RfmState   *empty = new_state(RFM_KEYS_NONE);

	rfm_state_add_txn(a, 100, 1.5);
	rfm_state_add_txn(a, 50, 2.5);
	rfm_state_add_txn(b, 300, -1.0);
	is_int(a->first_ts, 50, "first_ts is the minimum");
	is_int(a->last_ts, 100, "last_ts is the maximum");
	rfm_state_merge_scalars(a, empty);
	is_int(a->first_ts, 50, "merging an empty state changes nothing");
	rfm_state_merge_scalars(empty, a);
	is_int(empty->first_ts, 50, "merging into an empty state copies first_ts");
	rfm_state_merge_scalars(a, b);
	is_int(a->rows, 3, "rows add up");
	is_int(a->last_ts, 300, "merged last_ts");
	is_close(rfm_state_monetary(a), 3.0, 0, "merged sum");
	is_int(rfm_state_frequency(a), 3, "frequency without keys counts rows");
	free(a);
	free(b);
	free(empty);
}

static void
test_compensated_sum(void)
{
	double		sum = 0,
				comp = 0,
				naive = 0;
	int			i;

	/* 1e16 + 1 + 1 + ... : naive summation loses every 1 */
	rfm_ksum_add(&sum, &comp, 1e16);
	naive = 1e16;
	for (i = 0; i < 1000; i++)
	{
		rfm_ksum_add(&sum, &comp, 1.0);
		naive += 1.0;
	}
	rfm_ksum_add(&sum, &comp, -1e16);
	naive -= 1e16;
	is_close(sum + comp, 1000.0, 0, "compensated sum keeps 1,000 small terms");
	ok(naive != 1000.0, "while naive summation does not (%g)", naive);

	/* merging two compensated partial sums */
	{
		double		s1 = 0,
					c1 = 0,
					s2 = 0,
					c2 = 0;

		rfm_ksum_add(&s1, &c1, 1e16);
		for (i = 0; i < 500; i++)
			rfm_ksum_add(&s1, &c1, 1.0);
		for (i = 0; i < 500; i++)
			rfm_ksum_add(&s2, &c2, 1.0);
		rfm_ksum_add(&s2, &c2, -1e16);
		rfm_ksum_merge(&s1, &c1, s2, c2);
		is_close(s1 + c1, 1000.0, 0, "merged partial sums stay exact");
	}
}

static void
test_hash(void)
{
	unsigned char a[17] = "abcdefghijklmnop";
	unsigned char b[17] = "abcdefghijklmnoq";

	ok(rfm_hash_bytes(a, 16) != rfm_hash_bytes(b, 16), "one different byte changes the hash");
	ok(rfm_hash_bytes(a, 15) != rfm_hash_bytes(a, 16), "length is part of the hash");
	ok(rfm_hash_bytes(a, 0) == rfm_hash_bytes(b, 0), "empty input hashes the same");
}

int
main(void)
{
	test_distinct_counting();
	test_forced_collisions();
	test_merge_and_resize();
	test_transactions();
	test_compensated_sum();
	test_hash();
	return tap_done();
}

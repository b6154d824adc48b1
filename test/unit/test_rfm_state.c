/*
 * test_rfm_state.c
 *	  Unit tests of the rfm() state: exact distinct counting in both forms
 *	  (a key list, a hash table, including forced hash collisions), growth
 *	  from one form to the other, merging, the structure checks, reading
 *	  0.2.0's layout, compensated summation.
 */
#include <stdlib.h>
#include <string.h>

#include "core/rfm_state.h"
#include "core/rfm_state_v1.h"
#include "tap.h"

/* A state in malloc'd memory. */
static RfmState *
new_state(RfmKeyMode mode)
{
	RfmLayout	l;
	RfmState   *s;

	rfm_state_initial_layout(mode, &l);
	s = calloc(1, rfm_state_bytes(&l));
	rfm_state_init(s, &l, mode, mode == RFM_KEYS_TYPED ? 25 : 0, 0);
	return s;
}

static RfmState *
grow(RfmState *s, uint32_t keys, size_t bytes, uint32_t max_len)
{
	RfmLayout	l;
	RfmState   *bigger;

	if (!rfm_state_grow_layout(s, keys, bytes, max_len, &l))
		abort();
	bigger = calloc(1, rfm_state_bytes(&l));
	rfm_state_relayout(bigger, &l, s);
	free(s);
	return bigger;
}

/* Add a key the way the glue layer does; hash only for typed states. */
static RfmState *
add_key(RfmState *s, const uint64_t *hash, const void *key, uint32_t len)
{
	if (rfm_state_add_key(s, key, len, hash, NULL, NULL) == RFM_KEY_NO_SPACE)
	{
		s = grow(s, 1, len, len);
		if (rfm_state_add_key(s, key, len, hash, NULL, NULL) == RFM_KEY_NO_SPACE)
			abort();
	}
	return s;
}

static RfmState *
add_u64(RfmState *s, uint64_t v)
{
	return add_key(s, NULL, &v, 8);
}

/* The keys of s, in order, each as <len><bytes>, into buf. */
static size_t
dump_keys(const RfmState *s, unsigned char *buf)
{
	uint32_t	pos = 0;
	RfmKeyView	k;
	size_t		n = 0;

	while (rfm_state_next_key(s, &pos, &k))
	{
		buf[n++] = (unsigned char) k.len;
		memcpy(buf + n, k.data, k.len);
		n += k.len;
	}
	return n;
}

static void
test_list_form(void)
{
	RfmState   *s = new_state(RFM_KEYS_INT);
	RfmState   *none = new_state(RFM_KEYS_NONE);
	uint64_t	i;
	unsigned char before[512],
				after[512];
	size_t		nb;

	is_int(rfm_state_total_bytes(none), 64, "a state without order keys is 64 bytes");
	is_int(rfm_state_total_bytes(s), 128, "a new keyed state is 128 bytes, a key list");
	for (i = 0; i < 7; i++)
		s = add_u64(s, i % 3 == 2 ? i - 1 : i);
	is_int(s->key_count, 5, "7 additions of 5 distinct keys count 5");
	for (i = 100; i < 102; i++)
		s = add_u64(s, i);
	is_int(rfm_state_total_bytes(s), 128, "7 bigint keys still fit 128 bytes");
	ok(s->form == RFM_FORM_LIST, "as a list");
	s = add_u64(s, 200);
	is_int(rfm_state_total_bytes(s), 256, "the 8th key makes the list 256 bytes");
	ok(s->form == RFM_FORM_LIST && s->key_count == 8, "still a list, 8 keys");
	for (i = 300; i < 313; i++)
		s = add_u64(s, i);
	ok(s->form == RFM_FORM_LIST && s->key_count == 21 && rfm_state_total_bytes(s) == 256,
	   "21 bigint keys fill the 256-byte list");
	nb = dump_keys(s, before);
	s = add_u64(s, 400);
	ok(s->form == RFM_FORM_TABLE, "the 22nd bigint key turns the list into a hash table");
	is_int(s->key_count, 22, "with every key");
	dump_keys(s, after);
	ok(memcmp(before, after, nb) == 0, "the keys keep their order across the change");
	for (i = 0; i < 7; i++)
		s = add_u64(s, i);
	is_int(s->key_count, 24, "keys from the list are found in the table (2 and 5 are new)");
	ok(rfm_state_check_keys(s, rfm_state_total_bytes(s)) == NULL, "the table is sound");
	free(s);
	free(none);

	/* a key longer than a list entry holds goes to a table at once */
	{
		unsigned char long_key[300];

		memset(long_key, 'k', sizeof(long_key));
		s = new_state(RFM_KEYS_TEXT);
		s = add_key(s, NULL, "A", 1);
		s = add_key(s, NULL, long_key, sizeof(long_key));
		ok(s->form == RFM_FORM_TABLE && s->key_count == 2, "a 300-byte key: a table with both keys");
		s = add_key(s, NULL, "A", 1);
		is_int(s->key_count, 2, "and the first key is still found");
		free(s);
	}
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
	ok(s->form == RFM_FORM_TABLE, "in a hash table");
	ok(rfm_state_check_keys(s, rfm_state_total_bytes(s)) == NULL, "which is sound");
	free(s);
}

static void
test_forced_collisions(void)
{
	/* a typed state takes the caller's hashes (equality here: the bytes) */
	RfmState   *s = new_state(RFM_KEYS_TYPED);
	uint64_t	h = 42;
	char		buf[32];
	int			i;

	/* every key gets the same hash: only the bytes tell them apart */
	for (i = 0; i < 500; i++)
	{
		snprintf(buf, sizeof(buf), "order-%d", i % 250);
		s = add_key(s, &h, buf, (uint32_t) strlen(buf));
	}
	is_int(s->key_count, 250, "250 distinct keys sharing one hash count 250");

	/* keys that are prefixes of each other, the empty key */
	s = add_key(s, &h, "order-1", 7);
	s = add_key(s, &h, "order-10", 8);
	s = add_key(s, &h, "", 0);
	s = add_key(s, &h, "", 0);
	is_int(s->key_count, 251, "the empty key counts once, prefixes are not confused");
	ok(rfm_state_key_type(s) == 25, "a typed state keeps its key type");
	free(s);

	/* the same in a list */
	s = new_state(RFM_KEYS_TEXT);
	s = add_key(s, NULL, "ab", 2);
	s = add_key(s, NULL, "a", 1);
	s = add_key(s, NULL, "", 0);
	s = add_key(s, NULL, "", 0);
	s = add_key(s, NULL, "ab", 2);
	ok(s->form == RFM_FORM_LIST && s->key_count == 3, "a list: prefixes and the empty key");
	free(s);
}

/* Merge b into a key by key, as the glue layer's rfm_state_merge does. */
static RfmState *
merge(RfmState *a, const RfmState *b)
{
	uint32_t	pos = 0;
	RfmKeyView	k;

	rfm_state_merge_scalars(a, b);
	while (rfm_state_next_key(b, &pos, &k))
		a = add_key(a, a->key_mode == RFM_KEYS_TYPED ? &k.hash : NULL, k.data, k.len);
	return a;
}

static void
test_merge(void)
{
	RfmState   *a = new_state(RFM_KEYS_INT);
	RfmState   *b = new_state(RFM_KEYS_INT);
	RfmState   *small = new_state(RFM_KEYS_INT);
	RfmState   *small2 = new_state(RFM_KEYS_INT);
	uint64_t	i;

	for (i = 0; i < 1000; i++)
		a = add_u64(a, i);
	for (i = 500; i < 1500; i++)
		b = add_u64(b, i);
	a = merge(a, b);
	is_int(a->key_count, 1500, "union of [0,1000) and [500,1500) has 1,500 keys");
	is_int(rfm_state_frequency(a), 1500, "frequency of a keyed state is its key count");
	/* lists into a table, a table into a list, lists into a list */
	for (i = 1498; i < 1503; i++)
		small = add_u64(small, i);
	a = merge(a, small);
	is_int(a->key_count, 1503, "a list merged into a table adds its 3 new keys");
	small2 = add_u64(small2, 1502);
	small2 = add_u64(small2, 7);
	small2 = merge(small2, small);
	ok(small2->form == RFM_FORM_LIST && small2->key_count == 6, "two lists merge into a list (6 keys)");
	small2 = merge(small2, b);
	ok(small2->form == RFM_FORM_TABLE && small2->key_count == 1004, "a table merged into a list: 1,004 keys");
	free(a);
	free(b);
	free(small);
	free(small2);
}

static void
test_check_keys(void)
{
	RfmState   *s = new_state(RFM_KEYS_TEXT);
	RfmState   *t;
	size_t		bytes;
	uint64_t	i;

	s = add_key(s, NULL, "abc", 3);
	s = add_key(s, NULL, "de", 2);
	bytes = rfm_state_total_bytes(s);
	ok(rfm_state_check_keys(s, bytes) == NULL, "a sound list passes");
	ok(rfm_state_check_keys(s, bytes - 8) != NULL, "a list of the wrong length fails");
	((unsigned char *) s)[sizeof(RfmState)] = 200;
	ok(rfm_state_check_keys(s, bytes) != NULL, "an entry past the list fails");
	((unsigned char *) s)[sizeof(RfmState)] = 3;
	s->key_count = 3;
	ok(rfm_state_check_keys(s, bytes) != NULL, "a wrong key count fails");
	s->key_count = 2;
	s->list_used = 100;
	ok(rfm_state_check_keys(s, bytes) != NULL, "list_used past the list fails");
	s->list_used = 7;
	s->key_mode = RFM_KEYS_TYPED;
	ok(rfm_state_check_keys(s, bytes) != NULL, "a typed state cannot be a list");
	s->key_mode = RFM_KEYS_TEXT;
	s->form = 7;
	ok(rfm_state_check_keys(s, bytes) != NULL, "an unknown form fails");
	free(s);

	t = new_state(RFM_KEYS_INT);
	for (i = 0; i < 40; i++)
		t = add_u64(t, i);
	bytes = rfm_state_total_bytes(t);
	ok(t->form == RFM_FORM_TABLE && rfm_state_check_keys(t, bytes) == NULL, "a sound table passes");
	{
		RfmTable   *tab = (RfmTable *) (t + 1);
		uint32_t   *slots = (uint32_t *) (tab + 1);
		uint32_t	j,
					saved;

		for (j = 0; slots[j] == 0; j++)
			;
		saved = slots[j];
		slots[j] = tab->arena_size + 1;
		ok(rfm_state_check_keys(t, bytes) != NULL, "a slot past the arena fails");
		slots[j] = saved + 4;
		ok(rfm_state_check_keys(t, bytes) != NULL, "a slot inside an entry fails");
		slots[j] = saved;
		tab->arena_used += 8;
		ok(rfm_state_check_keys(t, bytes) != NULL, "arena_used past the last key fails");
		tab->arena_used -= 8;
		tab->key_type = 25;
		ok(rfm_state_check_keys(t, bytes) != NULL, "a key type in an untyped state fails");
		tab->key_type = 0;
		tab->slot_count = 48;
		ok(rfm_state_check_keys(t, bytes) != NULL, "a table size that is not a power of two fails");
	}
	free(t);
}

/*
 * A state in 0.2.0's layout (version 1), written byte by byte: an 88-byte
 * header, 8 empty slots, then the arena.
 */
static unsigned char *
v1_state(size_t *bytes, const char **keys, int n)
{
	size_t		arena_used = 0,
				arena_at = 88 + 32;
	unsigned char *b;
	uint32_t	u;
	int64_t		v;
	double		d;
	int			i;

	for (i = 0; i < n; i++)
		arena_used += (16 + strlen(keys[i]) + 7) & ~(size_t) 7;
	*bytes = arena_at + arena_used;
	b = calloc(1, *bytes);
	b[4] = 1;					/* version */
	b[5] = RFM_KEYS_TEXT;
	b[6] = 1;					/* has_as_of */
	u = 8;
	memcpy(b + 16, &u, 4);		/* slot_count */
	u = (uint32_t) n;
	memcpy(b + 20, &u, 4);		/* key_count */
	u = (uint32_t) arena_used;
	memcpy(b + 24, &u, 4);		/* arena_used */
	memcpy(b + 28, &u, 4);		/* arena_size */
	v = 7;
	memcpy(b + 40, &v, 8);		/* rows */
	v = 100;
	memcpy(b + 48, &v, 8);		/* first_ts */
	v = 200;
	memcpy(b + 56, &v, 8);		/* last_ts */
	v = 300;
	memcpy(b + 64, &v, 8);		/* as_of */
	d = 12.5;
	memcpy(b + 72, &d, 8);		/* sum */
	for (i = 0; i < n; i++)
	{
		uint64_t	h = rfm_hash_bytes((const unsigned char *) keys[i], strlen(keys[i]));
		uint32_t	len = (uint32_t) strlen(keys[i]);

		memcpy(b + arena_at, &h, 8);
		memcpy(b + arena_at + 8, &len, 4);
		memcpy(b + arena_at + 16, keys[i], len);
		arena_at += (16 + len + 7) & ~(size_t) 7;
	}
	return b;
}

static void
test_v1(void)
{
	const char *keys[] = {"536365", "536366", "C536367"};
	size_t		bytes;
	unsigned char *b = v1_state(&bytes, keys, 3);
	RfmState	hdr;
	uint32_t	kt,
				kc,
				pos = 0;
	RfmKeyView	k;
	int			n = 0,
				same = 1;

	ok(rfm_state_v1_read(b, bytes, &hdr, &kt, &kc) == NULL, "a version 1 state reads");
	ok(hdr.rows == 7 && hdr.first_ts == 100 && hdr.last_ts == 200 && hdr.as_of == 300 &&
	   hdr.has_as_of == 1 && hdr.sum == 12.5 && hdr.key_mode == RFM_KEYS_TEXT &&
	   hdr.version == RFM_STATE_VERSION && kt == 0,
	   "with its counters");
	while (rfm_state_v1_next_key(b, &pos, &k))
	{
		same &= k.len == strlen(keys[n]) && memcmp(k.data, keys[n], k.len) == 0;
		n++;
	}
	ok(n == 3 && same, "and its 3 keys in order");
	ok(rfm_state_v1_read(b, bytes - 8, &hdr, &kt, &kc) != NULL, "a wrong length fails");
	b[20] = 4;
	ok(rfm_state_v1_read(b, bytes, &hdr, &kt, &kc) != NULL, "a wrong key count fails");
	b[20] = 3;
	b[24] = 200;
	ok(rfm_state_v1_read(b, bytes, &hdr, &kt, &kc) != NULL, "arena_used past the arena fails");
	b[4] = 2;
	ok(rfm_state_v1_read(b, bytes, &hdr, &kt, &kc) != NULL, "another version is refused");
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
	test_list_form();
	test_distinct_counting();
	test_forced_collisions();
	test_merge();
	test_check_keys();
	test_v1();
	test_transactions();
	test_compensated_sum();
	test_hash();
	return tap_done();
}

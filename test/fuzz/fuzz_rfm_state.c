/*
 * fuzz_rfm_state.c
 *	  libFuzzer target for the rfm() state: arbitrary sequences of keys,
 *	  short and long, added to two states that grow from a key list to a
 *	  hash table and are then merged, and to a typed state whose keys all
 *	  share 4 hashes (collisions are the rule). Oracle: the distinct counts
 *	  equal a naive count, the structure checks pass, and growth, the
 *	  change of form and merging never lose or duplicate a key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rfm_state.h"

#define LONG_TAIL 256

static void
fail(const char *what)
{
	fprintf(stderr, "oracle failed: %s\n", what);
	abort();
}

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
grow_add(RfmState *s, const uint64_t *hash, const unsigned char *key, uint32_t len)
{
	if (rfm_state_add_key(s, key, len, hash, NULL, NULL) == RFM_KEY_NO_SPACE)
	{
		RfmLayout	l;
		RfmState   *b;

		if (!rfm_state_grow_layout(s, 1, len, len, &l))
			fail("cannot grow a small state");
		b = calloc(1, rfm_state_bytes(&l));
		rfm_state_relayout(b, &l, s);
		free(s);
		s = b;
		if (rfm_state_add_key(s, key, len, hash, NULL, NULL) == RFM_KEY_NO_SPACE)
			fail("no space after growing");
	}
	if (rfm_state_check_keys(s, rfm_state_total_bytes(s)) != NULL)
		fail("a grown state fails its structure check");
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	RfmState   *a = new_state(RFM_KEYS_TEXT);
	RfmState   *b = new_state(RFM_KEYS_TEXT);
	RfmState   *c = new_state(RFM_KEYS_TYPED);
	unsigned char seen[256][4 + LONG_TAIL];
	uint32_t	seen_len[256];
	int			n_seen = 0;
	size_t		i = 0;
	uint32_t	pos = 0;
	RfmKeyView	k;

	/*
	 * each record: 1 byte control (bit 2: state a or b, bit 3: a long key,
	 * bits 0-1: length 0..3), then the key's bytes
	 */
	while (i < size)
	{
		uint8_t		ctl = data[i++];
		uint32_t	len = ctl & 3;
		unsigned char key[4 + LONG_TAIL] = {0};
		uint64_t	hash;
		int			j,
					known = 0;

		if (i + len > size)
			break;
		memcpy(key, data + i, len);
		i += len;
		if (ctl & 8)
		{
			memset(key + len, 0xAB, LONG_TAIL);
			len += LONG_TAIL;
		}
		hash = len > 0 ? key[0] % 4 : 99;
		if (ctl & 4)
			a = grow_add(a, NULL, key, len);
		else
			b = grow_add(b, NULL, key, len);
		c = grow_add(c, &hash, key, len);
		for (j = 0; j < n_seen; j++)
			if (seen_len[j] == len && memcmp(seen[j], key, len) == 0)
				known = 1;
		if (!known && n_seen < 256)
		{
			memcpy(seen[n_seen], key, len);
			seen_len[n_seen++] = len;
		}
	}
	/* merge b into a, key by key, as the combine function does */
	while (rfm_state_next_key(b, &pos, &k))
		a = grow_add(a, NULL, k.data, k.len);
	if (n_seen < 256 && ((int) a->key_count != n_seen || (int) c->key_count != n_seen))
		fail("distinct count differs from a naive count");
	free(a);
	free(b);
	free(c);
	return 0;
}

/*
 * fuzz_rfm_state.c
 *	  libFuzzer target for the rfm() state: arbitrary sequences of keys
 *	  (with forced hash collisions) added to two states that are then
 *	  merged. Oracle: the distinct count equals a naive count, and growth,
 *	  resizing and merging never lose or duplicate a key.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rfm_state.h"

static void
fail(const char *what)
{
	fprintf(stderr, "oracle failed: %s\n", what);
	abort();
}

static RfmState *
grow_add(RfmState *s, uint64_t hash, const unsigned char *key, uint32_t len)
{
	if (rfm_state_add_key(s, hash, key, len, NULL, NULL) == RFM_KEY_NO_SPACE)
	{
		uint32_t	slots,
					arena;
		RfmState   *b;

		if (!rfm_state_grow_sizes(s, 1, sizeof(RfmKeyEntry) + len + 8, &slots, &arena))
			fail("cannot grow a small state");
		b = calloc(1, rfm_state_bytes(slots, arena));
		rfm_state_resize(b, slots, arena, s);
		free(s);
		s = b;
		if (rfm_state_add_key(s, hash, key, len, NULL, NULL) == RFM_KEY_NO_SPACE)
			fail("no space after growing");
	}
	return s;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	RfmState   *a = calloc(1, rfm_state_bytes(0, 0));
	RfmState   *b = calloc(1, rfm_state_bytes(0, 0));
	unsigned char seen[256][4];
	uint8_t		seen_len[256];
	int			n_seen = 0;
	size_t		i = 0;
	uint32_t	pos = 0;
	const RfmKeyEntry *e;

	rfm_state_init(a, RFM_KEYS_TEXT, 0, 0);
	rfm_state_init(b, RFM_KEYS_TEXT, 0, 0);
	/* each record: 1 byte control (target state, length 0..3), then the key */
	while (i < size)
	{
		uint8_t		ctl = data[i++];
		uint32_t	len = ctl & 3;
		unsigned char key[4] = {0};
		/* a hash from one byte of the key: collisions are the rule */
		uint64_t	hash;
		int			j,
					known = 0;

		if (i + len > size)
			break;
		memcpy(key, data + i, len);
		i += len;
		hash = len > 0 ? key[0] % 4 : 99;
		if (ctl & 4)
			a = grow_add(a, hash, key, len);
		else
			b = grow_add(b, hash, key, len);
		for (j = 0; j < n_seen; j++)
			if (seen_len[j] == len && memcmp(seen[j], key, len) == 0)
				known = 1;
		if (!known && n_seen < 256)
		{
			memcpy(seen[n_seen], key, 4);
			seen_len[n_seen++] = (uint8_t) len;
		}
	}
	/* merge b into a, key by key, as the combine function does */
	while ((e = rfm_state_next_key(b, &pos)) != NULL)
		a = grow_add(a, e->hash, e->data, e->len);
	if (n_seen < 256 && (int) a->key_count != n_seen)
		fail("distinct count differs from a naive count");
	free(a);
	free(b);
	return 0;
}

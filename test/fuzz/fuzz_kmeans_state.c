/*
 * fuzz_kmeans_state.c
 *	  libFuzzer target for the kmeans_state text and binary forms: the
 *	  first byte picks the form, the rest is the input. Oracles: malformed
 *	  input is rejected with an error text (ASan/UBSan catch any read past
 *	  the input); accepted binary input re-encodes to exactly the same
 *	  bytes; accepted text re-reads to exactly the same state and re-prints
 *	  to the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/kmeans_step_io.h"

static void
fail(const char *what)
{
	fprintf(stderr, "oracle failed: %s\n", what);
	abort();
}

/* A zeroed state for k x d, as the server allocates one; NULL if too big. */
static KmStepState *
new_state(int version, int k, int d)
{
	size_t		bytes = km_step_bytes(k, d, version);
	KmStepState *s;

	if (bytes == 0 || bytes > (1 << 20))
		return NULL;			/* valid but too big to be worth fuzzing */
	s = calloc(1, bytes);
	s->version = (uint8_t) version;
	s->k = k;
	s->d = d;
	return s;
}

static void
binary_case(const uint8_t *in, size_t len)
{
	KmStepState *s;
	uint8_t    *out;
	int			version,
				k,
				d;

	if (km_step_binary_header(in, len, &version, &k, &d) != NULL ||
		(s = new_state(version, k, d)) == NULL)
		return;
	if (km_step_from_binary(in, len, s) == NULL)
	{
		size_t		n = km_step_binary_size(s);

		if (n != len)
			fail("binary size differs from the accepted input");
		out = malloc(n);
		km_step_to_binary(s, out);
		if (memcmp(out, in, n) != 0)
			fail("accepted binary input does not re-encode to the same bytes");
		free(out);
	}
	free(s);
}

static void
text_case(const uint8_t *data, size_t len)
{
	char	   *in = malloc(len + 1);
	KmStepState *s,
			   *again;
	int			version,
				k,
				d;

	memcpy(in, data, len);
	in[len] = '\0';
	if (km_step_text_header(in, &version, &k, &d) == NULL && (s = new_state(version, k, d)) != NULL)
	{
		if (km_step_from_text(in, s) == NULL)
		{
			size_t		cap = km_step_text_size(s);
			char	   *out = malloc(cap);
			char	   *out2;

			km_step_to_text(s, out);
			if (strlen(out) + 1 > cap)
				fail("text longer than km_step_text_size");
			again = new_state(version, k, d);
			if (km_step_from_text(out, again) != NULL)
				fail("printed text is not accepted");
			if (memcmp(s, again, km_step_bytes(k, d, version)) != 0)
				fail("printed text reads back to another state");
			out2 = malloc(cap);
			km_step_to_text(again, out2);
			if (strcmp(out, out2) != 0)
				fail("text does not print the same twice");
			free(out);
			free(out2);
			free(again);
		}
		free(s);
	}
	free(in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		binary_case(data + 1, size - 1);
	else
		text_case(data + 1, size - 1);
	return 0;
}

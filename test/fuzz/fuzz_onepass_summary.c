/*
 * fuzz_onepass_summary.c
 *	  libFuzzer target for the binary form of the one-pass summary
 *	  (kmeans_summary_state; its text form is base64 of it). Oracles:
 *	  malformed input is rejected with an error text (ASan/UBSan catch any
 *	  read past the input); an accepted form writes back exactly the same
 *	  bytes (a version 1 form: as this version, with 0 skipped rows), and
 *	  after adding a row and merging a copy of itself (within
 *	  KM_SUMMARY_MAX_ROWS, as the combine function), still reads back (the
 *	  summary it became is one the reader accepts). Checking alone
 *	  (km_summary_check_binary) accepts exactly what reading does, and
 *	  merging straight from the form gives what reading then merging gives.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/onepass_summary.h"

static void
fail(const char *what)
{
	fprintf(stderr, "oracle failed: %s\n", what);
	abort();
}

static KmSummary *
read_summary(const uint8_t *in, size_t len)
{
	int			d,
				budget;
	KmSummary  *s;

	if (km_summary_binary_header(in, len, &d, &budget) != NULL ||
		km_summary_bytes(d, budget) > (8 << 20))
		return NULL;			/* rejected, or valid but too big to be worth fuzzing */
	s = malloc(km_summary_bytes(d, budget));
	if (km_summary_from_binary(in, len, s) != NULL)
	{
		free(s);
		return NULL;
	}
	return s;
}

static uint8_t *
write_summary(KmSummary *s, size_t *len)
{
	uint8_t    *out;

	km_summary_canonicalize(s);
	*len = km_summary_binary_size(s);
	out = malloc(*len ? *len : 1);
	km_summary_to_binary(s, out);
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t len)
{
	KmSummary  *s,
			   *again,
			   *via_form;
	uint8_t    *out,
			   *out2;
	size_t		n,
				n2;
	double		row[KM_SUMMARY_MAX_FEATURES];
	int			j,
				d,
				budget;
	bool		checked;

	if (km_summary_binary_header(in, len, &d, &budget) == NULL &&
		km_summary_bytes(d, budget) > (8 << 20))
		return 0;
	/* checking alone judges as reading */
	checked = km_summary_check_binary(in, len) == NULL;
	s = read_summary(in, len);
	if (checked != (s != NULL))
		fail("km_summary_check_binary and km_summary_from_binary disagree");
	if (s == NULL)
		return 0;
	out = write_summary(s, &n);
	if (in[0] == 1)
	{
		/* version 1 (no skipped rows) writes back as this version with 0 skipped */
		if (n != len + 8 || out[0] != KM_SUMMARY_BINARY_VERSION || memcmp(out + 1, in + 1, 16) != 0 ||
			memcmp(out + 17, "\0\0\0\0\0\0\0\0", 8) != 0 || memcmp(out + 25, in + 17, len - 17) != 0)
			fail("an accepted version 1 form does not write back as the same summary");
	}
	else if (n != len || memcmp(out, in, n) != 0)
		fail("an accepted form does not write back the same bytes");
	free(out);

	/* it keeps working as a summary: add a row, merge itself */
	for (j = 0; j < s->d; j++)
		row[j] = s->rows > 0 ? km_summary_min(s, j) : 0.5 * j;
	if (s->rows + s->skipped < KM_SUMMARY_MAX_ROWS)
		km_summary_add(s, row);
	again = read_summary(in, len);
	/*
	 * as the combine function: only while the rows stay within the bound;
	 * merging straight from the form gives what reading then merging gives
	 */
	if (s->rows + s->skipped <= KM_SUMMARY_MAX_ROWS - (again->rows + again->skipped))
	{
		via_form = malloc(km_summary_bytes(s->d, s->budget));
		memcpy(via_form, s, km_summary_bytes(s->d, s->budget));
		km_summary_merge(s, again);
		if (km_summary_merge_binary(via_form, in, len) != NULL)
			fail("a form read is refused when merged straight from it");
		out = write_summary(s, &n);
		out2 = write_summary(via_form, &n2);
		if (n != n2 || memcmp(out, out2, n) != 0)
			fail("merging straight from a form differs from reading then merging");
		free(out);
		free(out2);
		free(via_form);
	}
	out = write_summary(s, &n);
	free(again);
	again = read_summary(out, n);
	if (again == NULL)
		fail("a summary that took rows writes a form the reader rejects");
	free(again);
	free(out);
	free(s);
	return 0;
}

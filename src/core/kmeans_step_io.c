/*
 * kmeans_step_io.c
 *	  Text and binary forms of a k-means step state: see kmeans_step_io.h.
 */
#include "kmeans_step_io.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------------
 * Text
 * --------------------------------------------------------------------- */

/* The next space-separated token: its start and length, or NULL at the end. */
static const char *
next_token(const char **p, size_t *len)
{
	const char *start;

	while (**p == ' ')
		(*p)++;
	if (**p == '\0')
		return NULL;
	start = *p;
	while (**p != ' ' && **p != '\0')
		(*p)++;
	*len = (size_t) (*p - start);
	return start;
}

/* The token as a C string in buf (tokens longer than any number fail). */
static const char *
token_text(const char **p, char *buf, size_t cap)
{
	size_t		len;
	const char *tok = next_token(p, &len);

	if (tok == NULL || len >= cap)
		return NULL;
	memcpy(buf, tok, len);
	buf[len] = '\0';
	return buf;
}

static bool
read_int(const char **p, int64_t lo, int64_t hi, int64_t *out)
{
	char		buf[64];
	const char *tok = token_text(p, buf, sizeof(buf));
	char	   *end;
	long long	v;

	if (tok == NULL)
		return false;
	errno = 0;
	v = strtoll(tok, &end, 10);
	if (errno != 0 || end == tok || *end != '\0' || v < lo || v > hi)
		return false;
	*out = (int64_t) v;
	return true;
}

static bool
read_double(const char **p, double *out)
{
	char		buf[512];
	const char *tok = token_text(p, buf, sizeof(buf));
	char	   *end;
	double		v;

	if (tok == NULL)
		return false;
	v = strtod(tok, &end);
	if (end == tok || *end != '\0' || !isfinite(v))
		return false;
	*out = v;
	return true;
}

/* Version, k and d, leaving *p after them. */
static const char *
read_text_header(const char **p, int *version, int *k, int *d)
{
	int64_t		v;

	if (!read_int(p, 0, 255, &v))
		return "version";
	if (v != KM_STEP_VERSION && v != KM_STEP_VERSION_SCALED)
		return "unknown version";
	*version = (int) v;
	if (!read_int(p, 1, KM_STEP_MAX_K, &v))
		return "k";
	*k = (int) v;
	if (!read_int(p, 1, KM_STEP_MAX_D, &v))
		return "d";
	*d = (int) v;
	return NULL;
}

const char *
km_step_text_header(const char *in, int *version, int *k, int *d)
{
	return read_text_header(&in, version, k, d);
}

/* A scaler's factors must be positive (they divide), distances too. */
static const char *
check_scaler(const KmStepState *s)
{
	const double *scaler = km_step_scaler(s);
	int			j;

	for (j = 0; scaler && j < s->d; j++)
		if (!(scaler[s->d + j] > 0))
			return "scale factor";
	if (scaler && !(km_step_distance_sum(s)[0] >= 0))
		return "distance sum";
	return NULL;
}

const char *
km_step_from_text(const char *in, KmStepState *s)
{
	const char *p = in;
	size_t		kd = (size_t) s->k * s->d;
	size_t		i;
	int			version,
				k,
				d;
	const char *err = read_text_header(&p, &version, &k, &d);

	if (err != NULL)
		return err;
	if (version != s->version || k != s->k || d != s->d)
		return "k";
	if (!read_int(&p, 0, INT64_MAX, &s->rows))
		return "rows";
	if (!read_double(&p, &s->inertia))
		return "inertia";
	if (!read_double(&p, &s->inertia_comp))
		return "inertia compensation";
	for (i = 0; i < kd; i++)
		if (!read_double(&p, &km_step_centroids(s)[i]))
			return "centroid";
	for (i = 0; i < (size_t) s->k; i++)
		if (!read_int(&p, 0, INT64_MAX, &km_step_counts(s)[i]))
			return "count";
	for (i = 0; i < kd; i++)
		if (!read_double(&p, &km_step_sums(s)[i]))
			return "sum";
	for (i = 0; i < kd; i++)
		if (!read_double(&p, &km_step_comps(s)[i]))
			return "sum compensation";
	for (i = 0; i < km_step_tail_values(s); i++)
		if (!read_double(&p, &km_step_scaler(s)[i]))
			return i < 2 * (size_t) s->d ? "scaler" : "distance sum";
	while (*p == ' ')
		p++;
	if (*p != '\0')
		return "trailing data";
	if ((err = check_scaler(s)) != NULL)
		return err;
	return km_step_check_counts(s);
}

/* Longest "%.17g" of a finite double, and of an int64, plus a space. */
#define DOUBLE_CHARS 26
#define INT_CHARS 22

size_t
km_step_text_size(const KmStepState *s)
{
	size_t		kd = (size_t) s->k * s->d;

	return 3 * INT_CHARS + INT_CHARS + 2 * DOUBLE_CHARS + 3 * kd * DOUBLE_CHARS +
		(size_t) s->k * INT_CHARS + km_step_tail_values(s) * DOUBLE_CHARS + 1;
}

void
km_step_to_text(const KmStepState *s, char *out)
{
	size_t		kd = (size_t) s->k * s->d;
	size_t		i;
	char	   *p = out;

	p += sprintf(p, "%d %d %d %lld %.17g %.17g", s->version, s->k, s->d, (long long) s->rows,
				 s->inertia, s->inertia_comp);
	for (i = 0; i < kd; i++)
		p += sprintf(p, " %.17g", km_step_centroids(s)[i]);
	for (i = 0; i < (size_t) s->k; i++)
		p += sprintf(p, " %lld", (long long) km_step_counts(s)[i]);
	for (i = 0; i < kd; i++)
		p += sprintf(p, " %.17g", km_step_sums(s)[i]);
	for (i = 0; i < kd; i++)
		p += sprintf(p, " %.17g", km_step_comps(s)[i]);
	for (i = 0; i < km_step_tail_values(s); i++)
		p += sprintf(p, " %.17g", km_step_scaler(s)[i]);
}

/* ---------------------------------------------------------------------
 * Binary
 * --------------------------------------------------------------------- */

typedef struct Reader
{
	const uint8_t *p;
	size_t		left;
} Reader;

static bool
get_u64(Reader *r, int bytes, uint64_t *out)
{
	uint64_t	v = 0;
	int			i;

	if (r->left < (size_t) bytes)
		return false;
	for (i = 0; i < bytes; i++)
		v = (v << 8) | r->p[i];
	r->p += bytes;
	r->left -= (size_t) bytes;
	*out = v;
	return true;
}

static const char *
get_double(Reader *r, double *out)
{
	uint64_t	bits;

	if (!get_u64(r, 8, &bits))
		return "truncated";
	memcpy(out, &bits, sizeof(*out));
	return isfinite(*out) ? NULL : "non-finite value";
}

static bool
get_int64(Reader *r, int64_t *out)
{
	uint64_t	v;

	if (!get_u64(r, 8, &v))
		return false;
	*out = (int64_t) v;
	return true;
}

/* Version, k and d, leaving r after them. */
static const char *
read_binary_header(Reader *r, int *version, int *k, int *d)
{
	uint64_t	v;

	if (!get_u64(r, 1, &v))
		return "truncated";
	if (v != KM_STEP_VERSION && v != KM_STEP_VERSION_SCALED)
		return "unknown version";
	*version = (int) v;
	if (!get_u64(r, 4, &v))
		return "truncated";
	*k = (int) (int32_t) (uint32_t) v;
	if (!get_u64(r, 4, &v))
		return "truncated";
	*d = (int) (int32_t) (uint32_t) v;
	if (km_step_bytes(*k, *d, *version) == 0)
		return "centroids out of range";
	return NULL;
}

const char *
km_step_binary_header(const uint8_t *in, size_t len, int *version, int *k, int *d)
{
	Reader		r = {in, len};

	return read_binary_header(&r, version, k, d);
}

const char *
km_step_from_binary(const uint8_t *in, size_t len, KmStepState *s)
{
	Reader		r = {in, len};
	size_t		kd = (size_t) s->k * s->d;
	size_t		i;
	int			version,
				k,
				d;
	const char *err = read_binary_header(&r, &version, &k, &d);

	if (err != NULL)
		return err;
	if (version != s->version || k != s->k || d != s->d)
		return "centroids out of range";
	if (!get_int64(&r, &s->rows))
		return "truncated";
	if (s->rows < 0)
		return "negative rows";
	if ((err = get_double(&r, &s->inertia)) != NULL ||
		(err = get_double(&r, &s->inertia_comp)) != NULL)
		return err;
	for (i = 0; i < kd; i++)
		if ((err = get_double(&r, &km_step_centroids(s)[i])) != NULL)
			return err;
	for (i = 0; i < (size_t) s->k; i++)
		if (!get_int64(&r, &km_step_counts(s)[i]))
			return "truncated";
	for (i = 0; i < kd; i++)
		if ((err = get_double(&r, &km_step_sums(s)[i])) != NULL)
			return err;
	for (i = 0; i < kd; i++)
		if ((err = get_double(&r, &km_step_comps(s)[i])) != NULL)
			return err;
	for (i = 0; i < km_step_tail_values(s); i++)
		if ((err = get_double(&r, &km_step_scaler(s)[i])) != NULL)
			return err;
	if (r.left != 0)
		return "trailing bytes";
	if ((err = check_scaler(s)) != NULL)
		return err;
	return km_step_check_counts(s);
}

size_t
km_step_binary_size(const KmStepState *s)
{
	size_t		kd = (size_t) s->k * s->d;

	return 1 + 4 + 4 + 8 + 8 + 8 + 8 * (3 * kd + (size_t) s->k) +
		8 * km_step_tail_values(s);
}

static uint8_t *
put_u64(uint8_t *p, int bytes, uint64_t v)
{
	int			i;

	for (i = bytes - 1; i >= 0; i--)
	{
		p[i] = (uint8_t) (v & 0xFF);
		v >>= 8;
	}
	return p + bytes;
}

static uint8_t *
put_double(uint8_t *p, double v)
{
	uint64_t	bits;

	memcpy(&bits, &v, sizeof(bits));
	return put_u64(p, 8, bits);
}

void
km_step_to_binary(const KmStepState *s, uint8_t *out)
{
	size_t		kd = (size_t) s->k * s->d;
	size_t		i;
	uint8_t    *p = out;

	p = put_u64(p, 1, s->version);
	p = put_u64(p, 4, (uint32_t) s->k);
	p = put_u64(p, 4, (uint32_t) s->d);
	p = put_u64(p, 8, (uint64_t) s->rows);
	p = put_double(p, s->inertia);
	p = put_double(p, s->inertia_comp);
	for (i = 0; i < kd; i++)
		p = put_double(p, km_step_centroids(s)[i]);
	for (i = 0; i < (size_t) s->k; i++)
		p = put_u64(p, 8, (uint64_t) km_step_counts(s)[i]);
	for (i = 0; i < kd; i++)
		p = put_double(p, km_step_sums(s)[i]);
	for (i = 0; i < kd; i++)
		p = put_double(p, km_step_comps(s)[i]);
	for (i = 0; i < km_step_tail_values(s); i++)
		p = put_double(p, km_step_scaler(s)[i]);
}

const char *
km_step_check_counts(const KmStepState *s)
{
	int64_t		total = 0;
	int			c;

	for (c = 0; c < s->k; c++)
	{
		int64_t		n = km_step_counts(s)[c];

		if (n < 0 || n > s->rows - total)
			return KM_STEP_BAD_COUNTS;
		total += n;
	}
	return total == s->rows ? NULL : KM_STEP_BAD_COUNTS;
}

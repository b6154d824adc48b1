/*
 * kmeans_step.c
 *	  One Lloyd step as a combinable state: see kmeans_step.h.
 */
#include "kmeans_step.h"

#include <math.h>
#include <string.h>

#include "kmeans.h"
#include "ksum.h"

size_t
km_step_bytes(int k, int d)
{
	size_t		kd;

	if (k < 1 || k > KM_STEP_MAX_K || d < 1 || d > KM_STEP_MAX_D)
		return 0;
	kd = (size_t) k * d;
	return sizeof(KmStepState) + kd * sizeof(double) * 3 + (size_t) k * sizeof(int64_t);
}

double *
km_step_centroids(const KmStepState *s)
{
	return (double *) ((char *) s + sizeof(KmStepState));
}

int64_t *
km_step_counts(const KmStepState *s)
{
	return (int64_t *) (km_step_centroids(s) + (size_t) s->k * s->d);
}

double *
km_step_sums(const KmStepState *s)
{
	return (double *) (km_step_counts(s) + s->k);
}

double *
km_step_comps(const KmStepState *s)
{
	return km_step_sums(s) + (size_t) s->k * s->d;
}

void
km_step_init(KmStepState *s, int k, int d, const double *centroids)
{
	int32_t		len_word = s->vl_len_;
	size_t		bytes = km_step_bytes(k, d);

	memset(s, 0, bytes);
	s->vl_len_ = len_word;
	s->version = KM_STEP_VERSION;
	s->k = k;
	s->d = d;
	memcpy(km_step_centroids(s), centroids, sizeof(double) * k * d);
}

bool
km_step_add(KmStepState *s, const double *row)
{
	double		d2;
	int			c = km_nearest(row, km_step_centroids(s), s->k, s->d, &d2);
	double	   *sums = km_step_sums(s) + (size_t) c * s->d;
	double	   *comps = km_step_comps(s) + (size_t) c * s->d;
	int			j;

	/* nothing is added when a total would overflow */
	if (!(s->inertia + d2 < INFINITY))
		return false;
	for (j = 0; j < s->d; j++)
		if (!isfinite(sums[j] + row[j]))
			return false;
	for (j = 0; j < s->d; j++)
		ksum_add(&sums[j], &comps[j], row[j]);
	km_step_counts(s)[c]++;
	s->rows++;
	ksum_add(&s->inertia, &s->inertia_comp, d2);
	return true;
}

bool
km_step_finite(const KmStepState *s)
{
	size_t		kd = (size_t) s->k * s->d;
	size_t		i;

	if (!isfinite(s->inertia) || !isfinite(s->inertia_comp))
		return false;
	for (i = 0; i < kd; i++)
		if (!isfinite(km_step_sums(s)[i]) || !isfinite(km_step_comps(s)[i]))
			return false;
	return true;
}

bool
km_step_merge(KmStepState *dst, const KmStepState *src)
{
	size_t		kd;
	size_t		i;

	if (dst->k != src->k || dst->d != src->d)
		return false;
	kd = (size_t) dst->k * dst->d;
	if (memcmp(km_step_centroids(dst), km_step_centroids(src), sizeof(double) * kd) != 0)
		return false;
	for (i = 0; i < kd; i++)
	{
		ksum_merge(&km_step_sums(dst)[i], &km_step_comps(dst)[i],
				   km_step_sums(src)[i], km_step_comps(src)[i]);
	}
	for (i = 0; i < (size_t) dst->k; i++)
		km_step_counts(dst)[i] += km_step_counts(src)[i];
	dst->rows += src->rows;
	ksum_merge(&dst->inertia, &dst->inertia_comp, src->inertia, src->inertia_comp);
	return true;
}

void
km_step_means(const KmStepState *s, double *out)
{
	int			c,
				j;

	for (c = 0; c < s->k; c++)
	{
		int64_t		n = km_step_counts(s)[c];

		for (j = 0; j < s->d; j++)
		{
			size_t		cj = (size_t) c * s->d + j;

			out[cj] = n == 0 ? km_step_centroids(s)[cj] :
				(km_step_sums(s)[cj] + km_step_comps(s)[cj]) / (double) n;
		}
	}
}

double
km_step_inertia(const KmStepState *s)
{
	return s->inertia + s->inertia_comp;
}

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
km_step_bytes(int k, int d, int version)
{
	size_t		kd;

	if (k < 1 || k > KM_STEP_MAX_K || d < 1 || d > KM_STEP_MAX_D ||
		(version != KM_STEP_VERSION && version != KM_STEP_VERSION_SCALED))
		return 0;
	kd = (size_t) k * d;
	return sizeof(KmStepState) + kd * sizeof(double) * 3 + (size_t) k * sizeof(int64_t) +
		(version == KM_STEP_VERSION_SCALED ? (2 * (size_t) d + 2) * sizeof(double) : 0);
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

double *
km_step_scaler(const KmStepState *s)
{
	return s->version == KM_STEP_VERSION_SCALED ? km_step_comps(s) + (size_t) s->k * s->d : NULL;
}

double *
km_step_distance_sum(const KmStepState *s)
{
	return s->version == KM_STEP_VERSION_SCALED ? km_step_scaler(s) + 2 * (size_t) s->d : NULL;
}

size_t
km_step_tail_values(const KmStepState *s)
{
	return s->version == KM_STEP_VERSION_SCALED ? 2 * (size_t) s->d + 2 : 0;
}

void
km_step_init(KmStepState *s, int k, int d, const double *centroids, const double *scaler)
{
	int32_t		len_word = s->vl_len_;
	int			version = scaler ? KM_STEP_VERSION_SCALED : KM_STEP_VERSION;
	size_t		bytes = km_step_bytes(k, d, version);

	memset(s, 0, bytes);
	s->vl_len_ = len_word;
	s->version = (uint8_t) version;
	s->k = k;
	s->d = d;
	memcpy(km_step_centroids(s), centroids, sizeof(double) * k * d);
	if (scaler)
		memcpy(km_step_scaler(s), scaler, sizeof(double) * 2 * d);
}

/*
 * Called for every row of an aggregate: the layout is resolved once here,
 * and the nearest centroid searched inline (the same search and ties as
 * km_nearest). A row whose every squared distance overflows is refused
 * before anything is added; a sum that overflows once added is reported.
 */
bool
km_step_add(KmStepState *s, const double *row)
{
	int			k = s->k,
				d = s->d;
	const double *centroids = (const double *) (s + 1);
	int64_t    *counts = (int64_t *) (centroids + (size_t) k * d);
	double	   *sums = (double *) (counts + k);
	double	   *comps = sums + (size_t) k * d;
	double	   *scaler = s->version == KM_STEP_VERSION_SCALED ? comps + (size_t) k * d : NULL;
	double		scaled[KM_STEP_MAX_D];
	double		best_d = INFINITY;
	int			best = 0,
				c,
				j;

	if (scaler)
	{
		for (j = 0; j < d; j++)
			scaled[j] = (row[j] - scaler[j]) / scaler[d + j];
		row = scaled;
	}
	for (c = 0; c < k; c++)
	{
		const double *cen = centroids + (size_t) c * d;
		double		t = 0;

		for (j = 0; j < d; j++)
		{
			double		diff = row[j] - cen[j];

			t += diff * diff;
		}
		if (t < best_d)
		{
			best_d = t;
			best = c;
		}
	}
	if (!(best_d < INFINITY))
		return false;
	sums += (size_t) best * d;
	comps += (size_t) best * d;
	for (j = 0; j < d; j++)
		ksum_add(&sums[j], &comps[j], row[j]);
	counts[best]++;
	s->rows++;
	ksum_add(&s->inertia, &s->inertia_comp, best_d);
	if (scaler)					/* the distances too: their sum follows the scaler */
		ksum_add(&scaler[2 * d], &scaler[2 * d + 1], sqrt(best_d));
	if (!isfinite(s->inertia))
		return false;
	for (j = 0; j < d; j++)
		if (!isfinite(sums[j]))
			return false;
	return true;
}

bool
km_step_finite(const KmStepState *s)
{
	size_t		kd = (size_t) s->k * s->d;
	size_t		i;

	if (!isfinite(s->inertia) || !isfinite(s->inertia_comp))
		return false;
	if (km_step_distance_sum(s) &&
		(!isfinite(km_step_distance_sum(s)[0]) || !isfinite(km_step_distance_sum(s)[1])))
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

	if (dst->k != src->k || dst->d != src->d || dst->version != src->version)
		return false;
	kd = (size_t) dst->k * dst->d;
	if (memcmp(km_step_centroids(dst), km_step_centroids(src), sizeof(double) * kd) != 0)
		return false;
	if (km_step_scaler(dst) &&
		memcmp(km_step_scaler(dst), km_step_scaler(src), sizeof(double) * 2 * dst->d) != 0)
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
	if (km_step_distance_sum(dst))
		ksum_merge(&km_step_distance_sum(dst)[0], &km_step_distance_sum(dst)[1],
				   km_step_distance_sum(src)[0], km_step_distance_sum(src)[1]);
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
km_step_mean_distance(const KmStepState *s)
{
	const double *sum = km_step_distance_sum(s);

	return sum && s->rows > 0 ? (sum[0] + sum[1]) / (double) s->rows : NAN;
}

double
km_step_inertia(const KmStepState *s)
{
	return s->inertia + s->inertia_comp;
}

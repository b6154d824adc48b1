/*
 * train_onepass.h
 *	  train()'s one-pass mode (train_onepass.c): one kmeans_summary() scan
 *	  of the relation, then weighted k-means on its sample.
 */
#ifndef RFM_TRAIN_ONEPASS_H
#define RFM_TRAIN_ONEPASS_H

#include "postgres.h"

#include "model_store.h"
#include "train_checks.h"
#include "train_options.h"

/*
 * Train in one scan: fills model (scaler and centroids in original units,
 * allocated by the caller) and out (sizes, inertia and centroid ranks
 * estimated from the sample, exact when it holds every distinct row;
 * sizes, inertia and mean distance exact after refine passes).
 */
void		train_onepass(const TrainOptions *o, Model *model, TrainOutcome *out);

#endif							/* RFM_TRAIN_ONEPASS_H */

/*
 * kmeans_aggregate.h
 *	  train()'s aggregate mode (kmeans_aggregate.c): every pass over the
 *	  data is one SQL query, one kmeans_step() aggregate per Lloyd iteration.
 */
#ifndef RFM_KMEANS_AGGREGATE_H
#define RFM_KMEANS_AGGREGATE_H

#include "postgres.h"

#include "model_store.h"
#include "train_checks.h"
#include "train_options.h"

/*
 * Train with one aggregate query per Lloyd iteration: fills model (scaler
 * and centroids in original units, allocated by the caller) and out.
 */
void		train_aggregate(const TrainOptions *o, Model *model, TrainOutcome *out);

#endif							/* RFM_KMEANS_AGGREGATE_H */

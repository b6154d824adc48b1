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

/*
 * One-pass mode's refinement: from the scaled centers (updated in place),
 * up to steps aggregate-mode Lloyd iterations, stopping once the squared
 * shift is within tol_abs (then *converged), and one more scan for the
 * exact sizes, inertia and mean distance of the final centers (into out).
 * Returns the iterations run.
 */
int			refine_aggregate(const TrainOptions *o, const Model *model, double *centers,
							 int steps, double tol_abs, bool *converged, TrainOutcome *out);

#endif							/* RFM_KMEANS_AGGREGATE_H */

/*
 * cluster_ids.h
 *	  Stable cluster numbers across retrainings: a retrained model's
 *	  clusters take the numbers of the previous version's nearest ones.
 */
#ifndef RFM_CLUSTER_IDS_H
#define RFM_CLUSTER_IDS_H

#include "postgres.h"

#include "model_store.h"
#include "train_checks.h"

/*
 * Above this many clusters (on either side) numbers are not matched: the
 * matching costs k^3 steps (0.1 s at 500) and is not interruptible.
 */
#define MAX_MATCHED_K 500

/*
 * Renumber the clusters of model (and out's sizes and centroid ranks) to
 * match prev's: the one-to-one matching of new to previous centroids with
 * the least total Euclidean distance in the new model's scaled space
 * (core/matching.h). A new cluster matched to a previous one whose number
 * is below the new k takes that number; the others take the free numbers
 * in ascending order, by the number they matched (k grew: in their
 * order). Returns false, changing nothing, when the features differ or
 * either k passes MAX_MATCHED_K.
 */
bool		keep_cluster_ids(const Model *prev, char **features, char **categories, Model *model,
							 TrainOutcome *out);

#endif							/* RFM_CLUSTER_IDS_H */

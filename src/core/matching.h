/*
 * matching.h
 *	  Minimum-cost one-to-one matching (the assignment problem), exactly:
 *	  the Hungarian method with potentials (Kuhn, Munkres; the O(n^2 m)
 *	  shortest augmenting path form). train() uses it to number a retrained
 *	  model's clusters like the version it replaces. Plain C99, no
 *	  PostgreSQL headers.
 */
#ifndef RFM_MATCHING_H
#define RFM_MATCHING_H

#include <stddef.h>

/*
 * cost is n x m (row-major, finite). Matches min(n, m) pairs, each row and
 * each column at most once, with the smallest total cost: match[i] is the
 * column of row i, or -1 when n > m left row i out. Ties go to the
 * matching the algorithm meets first, always the same for the same costs.
 * work holds km_matching_bytes(n, m) bytes. Returns the total cost.
 */
double		km_min_cost_matching(const double *cost, int n, int m, int *match, void *work);

/* Bytes of work km_min_cost_matching needs. */
size_t		km_matching_bytes(int n, int m);

#endif							/* RFM_MATCHING_H */

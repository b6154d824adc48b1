/*
 * assign_kernel.h
 *	  The inner loop of a Lloyd pass: every row to its nearest center, with
 *	  the clusters' counts and sums accumulated on the way. An AVX2 version
 *	  (4 rows at a time) runs where the CPU has AVX2, a scalar one
 *	  elsewhere; both give identical labels, counts and sums (same
 *	  arithmetic, same order of additions). Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_ASSIGN_KERNEL_H
#define RFM_ASSIGN_KERNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Rows are accumulated into KM_LANES interleaved copies of the sums (row i
 * into copy i % KM_LANES), so consecutive rows of one cluster do not wait
 * on each other's additions; the caller adds the copies up in lane order.
 */
#define KM_LANES 4

/* The widest d the vector kernel takes; wider rows use the scalar one. */
#define KM_KERNEL_MAX_D 8

/*
 * Label rows [0, n) of the row-major n x d x with their nearest of the k
 * centers (k x d; lowest index on ties), add each row into
 * lane_sums[((i % KM_LANES) * k + label) * d + j] and
 * lane_counts[(i % KM_LANES) * k + label]. labels[i] is read (the previous
 * label) and written. Returns how many labels changed, or n when first.
 * n must be a multiple of KM_LANES except for the last call of a pass, and
 * every call starts at a multiple of KM_LANES of the whole array. When
 * lane_dist2 and lane_dist are not NULL, each row's squared distance to its
 * center and that distance are added to lane_dist2[i % KM_LANES] and
 * lane_dist[i % KM_LANES], in row order.
 */
size_t		km_assign_rows(const double *x, size_t n, int d, const double *centers, int k,
						   int32_t *labels, bool first, double *lane_sums,
						   int64_t *lane_counts, double *lane_dist2, double *lane_dist);

/* Whether km_assign_rows uses the vector kernel on this CPU (for tests). */
bool		km_assign_vectorized(int d);

/* The scalar kernel alone, for comparing the two in tests. */
size_t		km_assign_rows_scalar(const double *x, size_t n, int d, const double *centers,
								  int k, int32_t *labels, bool first, double *lane_sums,
								  int64_t *lane_counts, double *lane_dist2, double *lane_dist);

#endif							/* RFM_ASSIGN_KERNEL_H */

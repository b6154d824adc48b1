/*
 * clv_fit.h
 *	  Fitting the CLV models to the distinct customers of a fit state:
 *	  BG/NBD (r, alpha, a, b) and Gamma-Gamma (p, q, v) by maximum
 *	  likelihood (clv_mle.h), from a few starting points.
 *
 * A likelihood pass computes the terms that depend on x once per distinct
 * x (the customers come sorted by x), then adds up the customers in blocks
 * on the threads of par, the blocks' sums added in block order: the fit is
 * the same for any number of threads. Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_CLV_FIT_H
#define RFM_CLV_FIT_H

#include <stddef.h>
#include <stdint.h>

#include "clv_mle.h"
#include "clv_points.h"
#include "parallel_for.h"

/* log-parameters stay within +-CLV_FIT_LOG_BOUND: parameters in [1e-10, 1e10] */
#define CLV_FIT_LOG_BOUND 23.025850929940457

typedef struct ClvFitInput
{
	const ClvPoint *points;		/* sorted (clv_points_sorted), counts > 0 */
	size_t		n;
	const KmParallel *par;		/* threads and interrupts; may be NULL */
	int			max_iter;
} ClvFitInput;

typedef struct ClvFitResult
{
	double		params[CLV_MLE_MAX_DIM];	/* r, alpha, a, b or p, q, v */
	double		log_likelihood; /* the sum over customers */
	int64_t		customers;
	int			iterations;		/* over every starting point tried */
	ClvMleStatus status;
	int			bound_index;	/* CLV_MLE_AT_BOUND: which parameter */
} ClvFitResult;

/* Bytes of the workspace a fit of these points needs. */
size_t		clv_fit_workspace_bytes(const ClvPoint *points, size_t n);

void		bgnbd_fit(const ClvFitInput *in, void *workspace, ClvFitResult *res);
void		gamma_gamma_fit(const ClvFitInput *in, void *workspace, ClvFitResult *res);

#endif							/* RFM_CLV_FIT_H */

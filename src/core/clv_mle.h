/*
 * clv_mle.h
 *	  Maximum likelihood for the CLV models: a damped Newton method
 *	  (Levenberg-Marquardt) on a log-likelihood of at most 4 parameters,
 *	  in log-parameters (so every parameter stays positive), inside a box
 *	  |theta_i| <= bound (so none overflows). Each step must raise the
 *	  likelihood: a step that lands on NaN, Infinity or a lower value is
 *	  retried shorter and closer to gradient ascent, never taken.
 *	  Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_CLV_MLE_H
#define RFM_CLV_MLE_H

#include <stdbool.h>

#define CLV_MLE_MAX_DIM 4

/*
 * A log-likelihood with its gradient and Hessian (row-major, upper
 * triangle), as the models add them up over customers.
 */
typedef struct ClvAccum
{
	double		ll;
	double		grad[CLV_MLE_MAX_DIM];
	double		hess[CLV_MLE_MAX_DIM * CLV_MLE_MAX_DIM];
} ClvAccum;

/*
 * The log-likelihood at theta; with grad and hess not NULL, also its
 * gradient and Hessian (dim x dim, row-major, upper triangle needed).
 * Anything not finite means theta is outside the domain.
 */
typedef double (*ClvObjective) (void *arg, const double *theta, double *grad, double *hess);

typedef enum ClvMleStatus
{
	CLV_MLE_CONVERGED = 0,
	CLV_MLE_AT_BOUND,			/* the maximum lies beyond a parameter's bound */
	CLV_MLE_MAX_ITER,			/* iterations ran out */
	CLV_MLE_STALLED,			/* no step raised the likelihood, gradient not zero */
	CLV_MLE_NOT_FINITE			/* the likelihood at the start was not finite */
} ClvMleStatus;

typedef struct ClvMleOptions
{
	int			max_iter;
	double		bound;			/* |theta_i| <= bound */
	/* called before each iteration; may longjmp (PostgreSQL interrupts) */
	void		(*on_iteration) (void *arg);
	void	   *arg;
} ClvMleOptions;

typedef struct ClvMleResult
{
	double		theta[CLV_MLE_MAX_DIM];
	double		ll;
	int			iterations;
	ClvMleStatus status;
	int			bound_index;	/* CLV_MLE_AT_BOUND: the parameter held at its bound */
} ClvMleResult;

void		clv_mle_maximize(int dim, ClvObjective f, void *arg, const double *start,
							 const ClvMleOptions *opt, ClvMleResult *res);

#endif							/* RFM_CLV_MLE_H */

/*
 * clv_mle.c
 *	  Damped Newton maximization of a log-likelihood: see clv_mle.h.
 *
 * Each iteration solves (A + mu s I) step = g on the free parameters,
 * where A is minus the Hessian, g the gradient and s the largest |A_ii|:
 * mu = 0 is Newton's step, a large mu a short gradient step. The step is
 * taken only if the likelihood at its end is finite and not lower; else mu
 * grows tenfold and the step is solved again. After a step taken, mu
 * shrinks tenfold. A parameter at its bound whose gradient points outward
 * is held there (projected Newton); if the maximum lies beyond a bound the
 * fit ends there, at the best likelihood in the box.
 */
#include "clv_mle.h"

#include <math.h>
#include <string.h>

#define MAX_TRIES 40
/* a step this short in every log-parameter ends the fit */
#define STEP_TOL 1e-10
/* a Newton decrement this small (relative to |ll|) is rounding */
#define DECREMENT_TOL 1e-13
/*
 * A limit is probed only beyond this |log-parameter| (ln 100): a flat slope
 * toward a bound has carried the parameter far out by then, and a fit in
 * the interior pays no probe.
 */
#define PROBE_FROM 4.6

/* Cholesky factor of the n x n m (row-major) in place; false if not positive definite. */
static bool
cholesky(double *m, int n)
{
	int			i,
				j,
				k;

	for (j = 0; j < n; j++)
	{
		double		d = m[j * n + j];

		for (k = 0; k < j; k++)
			d -= m[j * n + k] * m[j * n + k];
		if (!(d > 0) || !isfinite(d))
			return false;
		d = sqrt(d);
		m[j * n + j] = d;
		for (i = j + 1; i < n; i++)
		{
			double		v = m[i * n + j];

			for (k = 0; k < j; k++)
				v -= m[i * n + k] * m[j * n + k];
			m[i * n + j] = v / d;
		}
	}
	return true;
}

/* Solve L L' x = b with the factor of cholesky(). */
static void
cholesky_solve(const double *l, int n, const double *b, double *x)
{
	int			i,
				k;

	for (i = 0; i < n; i++)
	{
		double		v = b[i];

		for (k = 0; k < i; k++)
			v -= l[i * n + k] * x[k];
		x[i] = v / l[i * n + i];
	}
	for (i = n - 1; i >= 0; i--)
	{
		double		v = x[i];

		for (k = i + 1; k < n; k++)
			v -= l[k * n + i] * x[k];
		x[i] = v / l[i * n + i];
	}
}

static bool
all_finite(const double *v, int n)
{
	int			i;

	for (i = 0; i < n; i++)
		if (!isfinite(v[i]))
			return false;
	return true;
}

/*
 * The free parameters (not held at a bound) into idx; their count.
 */
static int
free_parameters(int dim, const double *theta, const double *g, double bound, int *idx)
{
	int			i,
				nf = 0;

	for (i = 0; i < dim; i++)
		if (!((theta[i] >= bound && g[i] > 0) || (theta[i] <= -bound && g[i] < 0)))
			idx[nf++] = i;
	return nf;
}

/* The free part of -H (symmetric from H's upper triangle) plus mu s I. */
static void
damped_matrix(int dim, const double *h, const int *idx, int nf, double mu, double *m)
{
	double		s = 0;
	int			i,
				j;

	for (i = 0; i < nf; i++)
		s = fmax(s, fabs(h[idx[i] * dim + idx[i]]));
	if (!(s > 0))
		s = 1;
	for (i = 0; i < nf; i++)
		for (j = 0; j < nf; j++)
		{
			int			a = idx[i] < idx[j] ? idx[i] : idx[j],
						b = idx[i] < idx[j] ? idx[j] : idx[i];

			m[i * nf + j] = -h[a * dim + b] + (i == j ? mu * s : 0);
		}
}

/* g' A^-1 g on the free parameters, or +Infinity if A is not positive definite */
static double
newton_decrement(int dim, const double *g, const double *h, const int *idx, int nf)
{
	double		m[CLV_MLE_MAX_DIM * CLV_MLE_MAX_DIM],
				gf[CLV_MLE_MAX_DIM] = {0},
				x[CLV_MLE_MAX_DIM],
				d = 0;
	int			i;

	damped_matrix(dim, h, idx, nf, 0, m);
	if (!cholesky(m, nf))
		return INFINITY;
	for (i = 0; i < nf; i++)
		gf[i] = g[idx[i]];
	cholesky_solve(m, nf, gf, x);
	for (i = 0; i < nf; i++)
		d += gf[i] * x[i];
	return d;
}

/* The iterate of one maximization. */
typedef struct NewtonState
{
	double		theta[CLV_MLE_MAX_DIM];
	double		g[CLV_MLE_MAX_DIM];
	double		h[CLV_MLE_MAX_DIM * CLV_MLE_MAX_DIM];
	double		ll;
} NewtonState;

/* theta's likelihood, gradient and Hessian into st; false if any is not finite */
static bool
evaluate(int dim, ClvObjective f, void *arg, NewtonState *st)
{
	st->ll = f(arg, st->theta, st->g, st->h);
	return isfinite(st->ll) && all_finite(st->g, dim) && all_finite(st->h, dim * dim);
}

/*
 * Damped Newton iterations from st until convergence, a stall or
 * res->iterations reaching max_iter; the status into res.
 */
static void
newton(int dim, ClvObjective f, void *arg, const ClvMleOptions *opt, NewtonState *st,
	   ClvMleResult *res)
{
	double		mu = 0;
	int			idx[CLV_MLE_MAX_DIM],
				nf,
				i;

	res->status = CLV_MLE_MAX_ITER;
	while (res->iterations < opt->max_iter)
	{
		double		next[CLV_MLE_MAX_DIM],
					next_ll = -INFINITY,
					step = 0;
		bool		taken = false;
		int			tries;

		if (opt->on_iteration)
			opt->on_iteration(opt->arg);
		res->iterations++;
		nf = free_parameters(dim, st->theta, st->g, opt->bound, idx);
		if (nf == 0)
		{
			res->status = CLV_MLE_AT_BOUND;
			return;
		}
		for (tries = 0; tries < MAX_TRIES && !taken; tries++)
		{
			double		m[CLV_MLE_MAX_DIM * CLV_MLE_MAX_DIM],
						gf[CLV_MLE_MAX_DIM] = {0},
						delta[CLV_MLE_MAX_DIM] = {0};

			damped_matrix(dim, st->h, idx, nf, mu, m);
			if (!cholesky(m, nf))
			{
				mu = mu == 0 ? 1e-8 : mu * 10;
				continue;
			}
			for (i = 0; i < nf; i++)
				gf[i] = st->g[idx[i]];
			cholesky_solve(m, nf, gf, delta);
			memcpy(next, st->theta, sizeof(double) * dim);
			step = 0;
			for (i = 0; i < nf; i++)
			{
				int			j = idx[i];

				next[j] = fmin(fmax(st->theta[j] + delta[i], -opt->bound), opt->bound);
				step = fmax(step, fabs(next[j] - st->theta[j]));
			}
			if (step == 0)
				break;
			next_ll = f(arg, next, NULL, NULL);
			if (isfinite(next_ll) && next_ll >= st->ll)
				taken = true;
			else
				mu = mu == 0 ? 1e-6 : mu * 10;
		}
		if (!taken)
		{
			/* nowhere higher: a maximum, unless the gradient says otherwise */
			res->status = newton_decrement(dim, st->g, st->h, idx, nf) <=
				DECREMENT_TOL * (1 + fabs(st->ll)) ? CLV_MLE_CONVERGED : CLV_MLE_STALLED;
			return;
		}
		{
			NewtonState moved = *st;

			memcpy(moved.theta, next, sizeof(double) * dim);
			if (!evaluate(dim, f, arg, &moved))
			{
				res->status = CLV_MLE_STALLED;
				return;
			}
			*st = moved;
		}
		mu = mu < 1e-12 ? 0 : mu / 10;
		/* a short step ends the fit at a maximum, not a short damped step elsewhere */
		if (step <= STEP_TOL)
		{
			nf = free_parameters(dim, st->theta, st->g, opt->bound, idx);
			if (nf == 0 || newton_decrement(dim, st->g, st->h, idx, nf) <=
				DECREMENT_TOL * (1 + fabs(st->ll)))
			{
				res->status = CLV_MLE_CONVERGED;
				return;
			}
		}
	}
}

/*
 * Where Newton stopped: is the likelihood as high at the bound of a
 * parameter already far out toward it, the others unchanged? Then the "maximum" found is a flat
 * slope toward a limit (BG/NBD's NBD limit as a -> 0 or b -> infinity,
 * where d ll / d ln a vanishes like a): the index of that parameter and
 * the bound's sign, or -1.
 */
static int
limit_at_bound(int dim, ClvObjective f, void *arg, const ClvMleOptions *opt,
			   const NewtonState *st, double *sign)
{
	int			i;

	for (i = 0; i < dim; i++)
	{
		double		probe[CLV_MLE_MAX_DIM],
					ll;
		double		toward = st->theta[i] < 0 ? -1 : 1;

		/* only toward the bound of a parameter already far out that way */
		if (fabs(st->theta[i]) < PROBE_FROM || fabs(st->theta[i]) >= opt->bound)
			continue;
		memcpy(probe, st->theta, sizeof(double) * dim);
		probe[i] = toward * opt->bound;
		ll = f(arg, probe, NULL, NULL);
		if (isfinite(ll) && ll >= st->ll - DECREMENT_TOL * (1 + fabs(st->ll)))
		{
			*sign = toward;
			return i;
		}
	}
	return -1;
}

void
clv_mle_maximize(int dim, ClvObjective f, void *arg, const double *start,
				 const ClvMleOptions *opt, ClvMleResult *res)
{
	NewtonState st;
	int			i;

	memset(res, 0, sizeof(*res));
	memset(&st, 0, sizeof(st));
	res->bound_index = -1;
	for (i = 0; i < dim; i++)
		st.theta[i] = fmin(fmax(start[i], -opt->bound), opt->bound);
	if (!evaluate(dim, f, arg, &st))
	{
		memcpy(res->theta, st.theta, sizeof(double) * dim);
		res->ll = st.ll;
		res->status = CLV_MLE_NOT_FINITE;
		return;
	}
	newton(dim, f, arg, opt, &st, res);
	/*
	 * Wherever Newton stopped (converged, or stalled on a likelihood flat to
	 * rounding, or out of iterations on a slow slope), a likelihood as high
	 * at a bound means there is no interior maximum: go on from the bound.
	 */
	{
		double		sign = 0;
		int			k = limit_at_bound(dim, f, arg, opt, &st, &sign);

		if (k >= 0)
		{
			NewtonState at_bound = st;

			/* (as high within rounding, as limit_at_bound() found) */
			at_bound.theta[k] = sign * opt->bound;
			if (evaluate(dim, f, arg, &at_bound))
			{
				st = at_bound;
				newton(dim, f, arg, opt, &st, res);
				if (fabs(st.theta[k]) >= opt->bound)
				{
					res->status = CLV_MLE_AT_BOUND;
					res->bound_index = k;
				}
			}
		}
	}
	/* converged with a parameter held at its bound: the maximum is beyond it */
	if (res->status == CLV_MLE_CONVERGED || res->status == CLV_MLE_AT_BOUND)
	{
		for (i = 0; i < dim; i++)
			if ((st.theta[i] >= opt->bound && st.g[i] > 0) || (st.theta[i] <= -opt->bound && st.g[i] < 0))
			{
				res->status = CLV_MLE_AT_BOUND;
				res->bound_index = i;
				break;
			}
	}
	memcpy(res->theta, st.theta, sizeof(double) * dim);
	res->ll = st.ll;
}

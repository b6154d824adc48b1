/*
 * clv_fit.c
 *	  Likelihood passes and starting points of the CLV fits: see clv_fit.h.
 */
#include "clv_fit.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgnbd.h"
#include "gamma_gamma.h"

#define BLOCK_POINTS 4096

typedef enum Model
{
	MODEL_BGNBD,
	MODEL_GAMMA_GAMMA
} Model;

typedef union XTerms
{
	BgnbdXTerms bg;
	GammaGammaXTerms gg;
} XTerms;

/* The workspace: runs of equal x, their terms, the blocks' sums. */
typedef struct Pass
{
	const ClvFitInput *in;
	Model		model;
	int			dim;
	size_t		runs;
	size_t	   *run_start;		/* runs + 1: run k is [run_start[k], run_start[k+1]) */
	XTerms	   *xterms;			/* runs */
	size_t		blocks;
	size_t	   *block_run;		/* the run of each block's first point */
	ClvAccum   *block_sum;		/* blocks */
	/*
	 * BG/NBD: the distinct times (t_x and t_cal of every point), each
	 * point's two indexes into them, and ln(alpha + time) of the current
	 * pass: summaries on a day grid share a few hundred times, so the
	 * logs are taken once per time, not twice per point.
	 */
	size_t		n_times;
	double	   *times;			/* 2 n (the distinct ones first) */
	double	   *log_times;		/* n_times used */
	uint32_t   *time_index;		/* 2 n: point i's t_x at 2i, t_cal at 2i + 1 */
	/* the current pass */
	double		params[CLV_MLE_MAX_DIM];
	int			want_derivatives;
	int			iterations;
} Pass;

static size_t
count_runs(const ClvPoint *points, size_t n)
{
	size_t		i,
				runs = n > 0;

	for (i = 1; i < n; i++)
		runs += points[i].x != points[i - 1].x;
	return runs;
}

static size_t
align8(size_t bytes)
{
	return (bytes + 7) & ~(size_t) 7;
}

size_t
clv_fit_workspace_bytes(const ClvPoint *points, size_t n)
{
	size_t		runs = count_runs(points, n),
				blocks = (n + BLOCK_POINTS - 1) / BLOCK_POINTS;

	return align8(sizeof(size_t) * (runs + 1)) + align8(sizeof(XTerms) * runs) +
		align8(sizeof(size_t) * blocks) + align8(sizeof(ClvAccum) * blocks) +
		2 * align8(sizeof(double) * 2 * n) + align8(sizeof(uint32_t) * 2 * n);
}

static int
compare_doubles(const void *a, const void *b)
{
	double		x = *(const double *) a,
				y = *(const double *) b;

	return (x > y) - (x < y);
}

/* The index of v in the sorted distinct times[0 .. n) (v is there). */
static uint32_t
time_position(const double *times, size_t n, double v)
{
	size_t		lo = 0,
				hi = n;

	while (hi - lo > 1)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (times[mid] <= v)
			lo = mid;
		else
			hi = mid;
	}
	return (uint32_t) lo;
}

/* BG/NBD: the distinct times and each point's indexes into them. */
static void
index_times(Pass *p)
{
	const ClvPoint *pts = p->in->points;
	size_t		n = p->in->n,
				i,
				m = 0;

	for (i = 0; i < n; i++)
	{
		p->times[2 * i] = pts[i].u;
		p->times[2 * i + 1] = pts[i].v;
	}
	qsort(p->times, 2 * n, sizeof(double), compare_doubles);
	for (i = 0; i < 2 * n; i++)
		if (m == 0 || p->times[i] != p->times[m - 1])
			p->times[m++] = p->times[i];
	p->n_times = m;
	for (i = 0; i < n; i++)
	{
		p->time_index[2 * i] = time_position(p->times, m, pts[i].u);
		p->time_index[2 * i + 1] = time_position(p->times, m, pts[i].v);
	}
}

static void
pass_setup(Pass *p, const ClvFitInput *in, Model model, void *workspace)
{
	char	   *w = workspace;
	size_t		i,
				k = 0,
				b;

	memset(p, 0, sizeof(*p));
	p->in = in;
	p->model = model;
	p->dim = model == MODEL_BGNBD ? 4 : 3;
	p->runs = count_runs(in->points, in->n);
	p->blocks = (in->n + BLOCK_POINTS - 1) / BLOCK_POINTS;
	p->run_start = (size_t *) w;
	w += align8(sizeof(size_t) * (p->runs + 1));
	p->xterms = (XTerms *) w;
	w += align8(sizeof(XTerms) * p->runs);
	p->block_run = (size_t *) w;
	w += align8(sizeof(size_t) * p->blocks);
	p->block_sum = (ClvAccum *) w;
	w += align8(sizeof(ClvAccum) * p->blocks);
	p->times = (double *) w;
	w += align8(sizeof(double) * 2 * in->n);
	p->log_times = (double *) w;
	w += align8(sizeof(double) * 2 * in->n);
	p->time_index = (uint32_t *) w;
	if (model == MODEL_BGNBD)
		index_times(p);
	for (i = 0; i < in->n; i++)
		if (i == 0 || in->points[i].x != in->points[i - 1].x)
			p->run_start[k++] = i;
	p->run_start[p->runs] = in->n;
	for (b = 0, k = 0; b < p->blocks; b++)
	{
		while (p->run_start[k + 1] <= b * BLOCK_POINTS)
			k++;
		p->block_run[b] = k;
	}
}

/* One block of customers, on any thread: no allocation, no lgamma. */
static void
pass_block(void *arg, int worker, size_t b)
{
	Pass	   *p = arg;
	const ClvPoint *pts = p->in->points;
	size_t		from = b * BLOCK_POINTS,
				to = from + BLOCK_POINTS < p->in->n ? from + BLOCK_POINTS : p->in->n,
				run = p->block_run[b],
				i;
	ClvAccum   *acc = &p->block_sum[b];
	BgnbdParams bg = {p->params[0], p->params[1], p->params[2], p->params[3]};
	GammaGammaParams gg = {p->params[0], p->params[1], p->params[2]};

	(void) worker;
	memset(acc, 0, sizeof(*acc));
	for (i = from; i < to; i++)
	{
		while (i >= p->run_start[run + 1])
			run++;
		if (p->model == MODEL_BGNBD)
			bgnbd_accumulate_logs(&bg, &p->xterms[run].bg, pts[i].x, pts[i].u, pts[i].v,
								  p->log_times[p->time_index[2 * i]],
								  p->log_times[p->time_index[2 * i + 1]],
								  (double) pts[i].count, p->want_derivatives, acc);
		else
			gamma_gamma_accumulate(&gg, &p->xterms[run].gg, pts[i].x, pts[i].u,
								   (double) pts[i].count, p->want_derivatives, acc);
	}
}

/* The objective of clv_mle.h: the log-likelihood in log-parameters. */
static double
objective(void *arg, const double *theta, double *grad, double *hess)
{
	Pass	   *p = arg;
	ClvAccum	total;
	size_t		k,
				b;
	int			i,
				j,
				dim = p->dim;

	for (i = 0; i < dim; i++)
	{
		p->params[i] = exp(theta[i]);
		if (!(p->params[i] > 0) || !isfinite(p->params[i]))
			return NAN;
	}
	p->want_derivatives = grad != NULL;
	/* the x-terms here, on the calling thread: lgamma is not thread-safe */
	for (k = 0; k < p->runs; k++)
	{
		int			x = p->in->points[p->run_start[k]].x;

		if (p->model == MODEL_BGNBD)
		{
			BgnbdParams bg = {p->params[0], p->params[1], p->params[2], p->params[3]};

			bgnbd_x_terms(&bg, x, &p->xterms[k].bg);
		}
		else
		{
			GammaGammaParams gg = {p->params[0], p->params[1], p->params[2]};

			gamma_gamma_x_terms(&gg, x, &p->xterms[k].gg);
		}
	}
	if (p->model == MODEL_BGNBD)
		for (k = 0; k < p->n_times; k++)
			p->log_times[k] = log(p->params[1] + p->times[k]);
	km_parallel_for(p->in->par, p->blocks, pass_block, p);
	memset(&total, 0, sizeof(total));
	for (b = 0; b < p->blocks; b++)
	{
		total.ll += p->block_sum[b].ll;
		for (i = 0; i < CLV_MLE_MAX_DIM; i++)
			total.grad[i] += p->block_sum[b].grad[i];
		for (i = 0; i < CLV_MLE_MAX_DIM * CLV_MLE_MAX_DIM; i++)
			total.hess[i] += p->block_sum[b].hess[i];
	}
	if (grad != NULL)
	{
		/* to log-parameters: d/dln p = p d/dp, d2/dln p dln q = p q H + [p = q] p g */
		for (i = 0; i < dim; i++)
		{
			grad[i] = p->params[i] * total.grad[i];
			for (j = 0; j < dim; j++)
			{
				int			lo = i < j ? i : j,
							hi = i < j ? j : i;

				hess[i * dim + j] = p->params[i] * p->params[j] * total.hess[lo * CLV_MLE_MAX_DIM + hi] +
					(i == j ? p->params[i] * total.grad[i] : 0);
			}
		}
	}
	return total.ll;
}

static void
on_iteration(void *arg)
{
	Pass	   *p = arg;

	p->iterations++;
	if (p->in->par && p->in->par->check_interrupts)
		p->in->par->check_interrupts(p->in->par->arg);
}

/* Whether result a is better than b: a fit that ended well, then the likelihood. */
static bool
better(const ClvMleResult *a, const ClvMleResult *b)
{
	bool		a_ok = a->status == CLV_MLE_CONVERGED || a->status == CLV_MLE_AT_BOUND,
				b_ok = b->status == CLV_MLE_CONVERGED || b->status == CLV_MLE_AT_BOUND;

	if (!isfinite(b->ll))
		return isfinite(a->ll);
	if (!isfinite(a->ll))
		return false;
	if (a_ok != b_ok)
		return a_ok;
	return a->ll > b->ll;
}

/* Run from each start until one converges; keep the best. */
static void
fit_from(Pass *p, const double starts[][CLV_MLE_MAX_DIM], int n_starts, ClvFitResult *res)
{
	ClvMleOptions opt = {p->in->max_iter, CLV_FIT_LOG_BOUND, on_iteration, p};
	ClvMleResult best,
				cur;
	int			s,
				i;
	size_t		k;

	memset(&best, 0, sizeof(best));
	best.ll = -INFINITY;
	best.status = CLV_MLE_NOT_FINITE;
	for (s = 0; s < n_starts; s++)
	{
		clv_mle_maximize(p->dim, objective, p, starts[s], &opt, &cur);
		if (s == 0 || better(&cur, &best))
			best = cur;
		if (best.status == CLV_MLE_CONVERGED)
			break;
	}
	memset(res, 0, sizeof(*res));
	for (i = 0; i < p->dim; i++)
		res->params[i] = exp(best.theta[i]);
	res->log_likelihood = best.ll;
	res->iterations = p->iterations;
	res->status = best.status;
	res->bound_index = best.bound_index;
	for (k = 0; k < p->in->n; k++)
		res->customers += p->in->points[k].count;
}

void
bgnbd_fit(const ClvFitInput *in, void *workspace, ClvFitResult *res)
{
	Pass		p;
	double		sx = 0,
				st = 0,
				rows = 0,
				alpha0;
	size_t		k;

	pass_setup(&p, in, MODEL_BGNBD, workspace);
	for (k = 0; k < in->n; k++)
	{
		sx += (double) in->points[k].count * in->points[k].x;
		st += (double) in->points[k].count * in->points[k].v;
		rows += (double) in->points[k].count;
	}
	/* r / alpha is the mean purchase rate: start alpha at r t_cal / x on average */
	alpha0 = fmin(fmax((st / rows) / fmax(sx / rows, 0.1), 1e-6), 1e6);
	{
		const double starts[3][CLV_MLE_MAX_DIM] = {
			{0, log(alpha0), 0, 0},
			{0, 0, 0, 0},
			{log(0.1), log(alpha0 / 10), log(0.5), log(5.0)}
		};

		fit_from(&p, starts, 3, res);
	}
}

void
gamma_gamma_fit(const ClvFitInput *in, void *workspace, ClvFitResult *res)
{
	Pass		p;
	double		sm = 0,
				rows = 0,
				mean_m;
	size_t		k;

	pass_setup(&p, in, MODEL_GAMMA_GAMMA, workspace);
	for (k = 0; k < in->n; k++)
	{
		sm += (double) in->points[k].count * in->points[k].u;
		rows += (double) in->points[k].count;
	}
	/* p v / (q - 1) is the mean spend: start there with p = 1, q = 2 */
	mean_m = fmin(fmax(sm / rows, 1e-6), 1e6);
	{
		const double starts[3][CLV_MLE_MAX_DIM] = {
			{0, log(2.0), log(mean_m)},
			{0, 0, 0},
			{log(5.0), log(3.0), log(2 * mean_m / 5)}
		};

		fit_from(&p, starts, 3, res);
	}
}

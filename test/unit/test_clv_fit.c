/*
 * test_clv_fit.c
 *	  The CLV fits on data simulated from the models with known parameters:
 *	  BG/NBD and Gamma-Gamma recover them within sampling error and reach a
 *	  likelihood at least that of the true parameters; the fit is the same
 *	  bit for bit on 1 and 3 threads and whatever the order of the
 *	  customers; data with no dropout (the NBD limit) end at a bound with
 *	  finite parameters; the optimizer alone on a known concave function.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/bgnbd.h"
#include "core/clv_fit.h"
#include "core/clv_mle.h"
#include "core/clv_points.h"
#include "core/gamma_gamma.h"
#include "tap.h"

static uint64_t rng_state = 12345;

static double
uniform(void)
{
	uint64_t	z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	z ^= z >> 31;
	return ((double) (z >> 11) + 0.5) / 9007199254740992.0;
}

static double
normal(void)
{
	return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

/* Gamma(shape, rate 1): Marsaglia & Tsang, boosted below shape 1 */
static double
gamma_draw(double shape)
{
	double		d,
				c;

	if (shape < 1)
		return gamma_draw(shape + 1) * pow(uniform(), 1 / shape);
	d = shape - 1.0 / 3;
	c = 1 / sqrt(9 * d);
	for (;;)
	{
		double		z = normal(),
					v = pow(1 + c * z, 3);

		if (v > 0 && log(uniform()) < 0.5 * z * z + d - d * v + d * log(v))
			return d * v;
	}
}

/* A BG/NBD customer observed for t_cal (no_dropout: nobody ever drops out). */
static void
simulate_bgnbd(const BgnbdParams *p, double t_cal, int no_dropout, int *x, double *t_x)
{
	double		lambda = gamma_draw(p->r) / p->alpha,
				ga = gamma_draw(p->a),
				drop = ga / (ga + gamma_draw(p->b)),
				t = 0;

	*x = 0;
	*t_x = 0;
	for (;;)
	{
		t += -log(uniform()) / lambda;
		if (t > t_cal)
			return;
		(*x)++;
		*t_x = t;
		if (!no_dropout && uniform() < drop)
			return;
	}
}

static ClvPoints *
add(ClvPoints *s, int x, double u, double v)
{
	if (!clv_points_add(s, x, u, v, 1))
	{
		uint32_t	cap = clv_points_grow_capacity(s, 1);
		ClvPoints  *b = calloc(1, clv_points_bytes(cap));

		clv_points_init(b, (ClvPointsKind) s->kind, cap);
		clv_points_copy(b, s);
		free(s);
		s = b;
		if (!clv_points_add(s, x, u, v, 1))
			abort();
	}
	return s;
}

static ClvPoints *
new_points(ClvPointsKind kind)
{
	ClvPoints  *s = calloc(1, clv_points_bytes(0));

	clv_points_init(s, kind, 0);
	return s;
}

static void
fit(const ClvPoints *s, int bgnbd, int threads, ClvFitResult *res)
{
	ClvPoint   *pts = malloc(sizeof(ClvPoint) * s->n);
	void	   *ws;
	KmParallel	par = {threads, NULL, NULL, NULL};
	ClvFitInput in;

	clv_points_sorted(s, pts);
	ws = malloc(clv_fit_workspace_bytes(pts, s->n));
	in.points = pts;
	in.n = s->n;
	in.par = &par;
	in.max_iter = 100;
	if (bgnbd)
		bgnbd_fit(&in, ws, res);
	else
		gamma_gamma_fit(&in, ws, res);
	free(ws);
	free(pts);
}

/* the summed log-likelihood of a point set at given BG/NBD parameters */
static double
bgnbd_total(const ClvPoints *s, const BgnbdParams *p)
{
	const ClvPoint *slots = clv_points_slots(s);
	double		ll = 0;
	uint32_t	i;

	for (i = 0; i < s->capacity; i++)
		if (slots[i].count)
			ll += slots[i].count * bgnbd_log_likelihood(p, slots[i].x, slots[i].u, slots[i].v);
	return ll;
}

static void
test_bgnbd_recovery(void)
{
	BgnbdParams truth = {0.25, 4.4, 0.8, 2.4};
	ClvPoints  *s = new_points(CLV_POINTS_BGNBD);
	ClvFitResult one,
				three;
	BgnbdParams fitted;
	int			i;

	for (i = 0; i < 40000; i++)
	{
		int			x;
		double		t_x,
					t_cal = 20 + 40 * uniform();

		/* times on a grid of days (in weeks), as real summaries are */
		t_cal = floor(t_cal * 7) / 7;
		simulate_bgnbd(&truth, t_cal, 0, &x, &t_x);
		t_x = floor(t_x * 7) / 7;
		s = add(s, x, t_x, t_cal);
	}
	fit(s, 1, 1, &one);
	fit(s, 1, 3, &three);
	fitted = (BgnbdParams) {one.params[0], one.params[1], one.params[2], one.params[3]};
	ok(one.status == CLV_MLE_CONVERGED, "BG/NBD fit converged (%d iterations)", one.iterations);
	diag("fitted r %.4f alpha %.4f a %.4f b %.4f over %u distinct summaries",
		 fitted.r, fitted.alpha, fitted.a, fitted.b, s->n);
	ok(fabs(fitted.r / truth.r - 1) < 0.15 && fabs(fitted.alpha / truth.alpha - 1) < 0.2 &&
	   fabs(fitted.a / truth.a - 1) < 0.3 && fabs(fitted.b / truth.b - 1) < 0.4,
	   "the parameters of the simulation are recovered within sampling error");
	ok(one.log_likelihood >= bgnbd_total(s, &truth), "at a likelihood no lower than the true parameters'");
	is_close(one.log_likelihood, bgnbd_total(s, &fitted), 1e-9, "and the reported likelihood is the sum at the fit");
	ok(memcmp(one.params, three.params, sizeof(one.params)) == 0 &&
	   one.log_likelihood == three.log_likelihood,
	   "1 and 3 threads: the same fit bit for bit");
	is_int(one.customers, 40000, "every customer counted");
	free(s);
}

static void
test_nbd_limit(void)
{
	BgnbdParams truth = {0.5, 3, 1, 1};
	ClvPoints  *s = new_points(CLV_POINTS_BGNBD);
	ClvFitResult res;
	int			i;

	/*
	 * Nobody ever drops out, and every buyer buys again at the end: with
	 * t_x = t_cal, a customer's likelihood is the NBD's times
	 * E[(1 - p)^(x-1)], p ~ Beta(a, b), highest as p -> 0. The BG/NBD
	 * likelihood then has no interior maximum: it rises toward its NBD
	 * limit (a -> 0 or b -> infinity). (Merely simulated without dropout,
	 * a sample can still have one, at a small a.)
	 */
	for (i = 0; i < 5000; i++)
	{
		int			x;
		double		t_x,
					t_cal = 52;

		simulate_bgnbd(&truth, t_cal, 1, &x, &t_x);
		s = add(s, x, x > 0 ? t_cal : 0, t_cal);
	}
	fit(s, 1, 2, &res);
	ok(res.status == CLV_MLE_AT_BOUND && (res.bound_index == 2 || res.bound_index == 3),
	   "no dropout: the fit ends at the bound of a or b (status %d, index %d)", res.status, res.bound_index);
	ok(isfinite(res.params[0]) && isfinite(res.params[1]) && isfinite(res.params[2]) &&
	   isfinite(res.params[3]) && isfinite(res.log_likelihood),
	   "with finite parameters and likelihood (r %.4g alpha %.4g a %.4g b %.4g)",
	   res.params[0], res.params[1], res.params[2], res.params[3]);
	free(s);
}

static void
test_gamma_gamma_recovery(void)
{
	GammaGammaParams truth = {6.25, 3.74, 15.44};
	ClvPoints  *s = new_points(CLV_POINTS_GAMMA_GAMMA);
	const ClvPoint *slots;
	ClvFitResult res;
	double		ll_truth = 0;
	int			i;
	uint32_t	k;

	for (i = 0; i < 20000; i++)
	{
		double		nu = gamma_draw(truth.q) / truth.v,
					sum = 0;
		int			x = 1 + (int) (uniform() * 8),
					j;

		for (j = 0; j < x; j++)
			sum += gamma_draw(truth.p) / nu;
		s = add(s, x, sum / x, 0);
	}
	fit(s, 0, 2, &res);
	slots = clv_points_slots(s);
	for (k = 0; k < s->capacity; k++)
		if (slots[k].count)
			ll_truth += slots[k].count * gamma_gamma_log_likelihood(&truth, slots[k].x, slots[k].u);
	ok(res.status == CLV_MLE_CONVERGED, "Gamma-Gamma fit converged");
	diag("fitted p %.4f q %.4f v %.4f", res.params[0], res.params[1], res.params[2]);
	ok(fabs(res.params[0] / truth.p - 1) < 0.15 && fabs(res.params[1] / truth.q - 1) < 0.25 &&
	   fabs(res.params[2] / truth.v - 1) < 0.35,
	   "the parameters of the simulation are recovered within sampling error");
	ok(res.log_likelihood >= ll_truth, "at a likelihood no lower than the true parameters'");
	free(s);
}

/* -(x-1)^2 - 4 (y+2)^2 in log-space, maximum at theta = (0, ln 2) */
static double
bowl(void *arg, const double *th, double *g, double *h)
{
	double		x = exp(th[0]),
				y = exp(th[1]);

	(void) arg;
	if (g)
	{
		/* d/dln x = x d/dx */
		g[0] = -2 * (x - 1) * x;
		g[1] = -8 * (y - 2) * y;
		h[0] = -2 * x * x - 2 * (x - 1) * x;
		h[1] = 0;
		h[2] = 0;
		h[3] = -8 * y * y - 8 * (y - 2) * y;
	}
	return -(x - 1) * (x - 1) - 4 * (y - 2) * (y - 2);
}

/* rises forever as ln x grows: the maximum is beyond any bound */
static double
ramp(void *arg, const double *th, double *g, double *h)
{
	(void) arg;
	if (g)
	{
		g[0] = exp(-th[0]);
		h[0] = -exp(-th[0]);
	}
	return -exp(-th[0]);
}

static void
test_optimizer(void)
{
	ClvMleOptions opt = {100, 20, NULL, NULL};
	ClvMleResult res;
	double		start[2] = {3, -4};

	clv_mle_maximize(2, bowl, NULL, start, &opt, &res);
	ok(res.status == CLV_MLE_CONVERGED && fabs(exp(res.theta[0]) - 1) < 1e-9 &&
	   fabs(exp(res.theta[1]) - 2) < 1e-9,
	   "damped Newton finds a known maximum from far away (%d iterations)", res.iterations);
	start[0] = 0;
	clv_mle_maximize(1, ramp, NULL, start, &opt, &res);
	ok(res.status == CLV_MLE_AT_BOUND && res.bound_index == 0 && res.theta[0] == 20,
	   "a likelihood rising forever ends at the bound, flagged");
}

int
main(void)
{
	test_optimizer();
	test_bgnbd_recovery();
	test_nbd_limit();
	test_gamma_gamma_recovery();
	return tap_done();
}

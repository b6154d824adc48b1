/*
 * clv_common.h
 *	  What the CLV functions share in PostgreSQL: checking a customer's
 *	  (x, t_x, t_cal) and the parameters, reading the parameter composites
 *	  (bgnbd_params, gamma_gamma_params) once per query, and the time unit.
 */
#ifndef RFM_CLV_COMMON_H
#define RFM_CLV_COMMON_H

#include "postgres.h"

#include "core/bgnbd.h"
#include "core/gamma_gamma.h"
#include "fmgr.h"
#include "utils/timestamp.h"

/* ERROR 22023 naming the argument unless (x, t_x, t_cal) is a valid customer. */
void		clv_check_customer(const char *fname, double x, double t_x, double t_cal);

/*
 * The parameters in a bgnbd_params / gamma_gamma_params argument: ERROR
 * 22023 naming the field unless each is finite and > 0 (22004 if NULL).
 * The last composite read is cached in flinfo->fn_extra under slot
 * (0 or 1), so a constant argument is taken apart once per query.
 */
void		clv_get_bgnbd(FunctionCallInfo fcinfo, int argno, int slot, BgnbdParams *out);
void		clv_get_gamma_gamma(FunctionCallInfo fcinfo, int argno, int slot, GammaGammaParams *out);

/*
 * A pointer kept in flinfo->fn_extra beside the parameter cache, for a
 * function's own per-query cache (NULL until it sets it; in fn_mcxt).
 */
void	  **clv_function_cache(FunctionCallInfo fcinfo);

/*
 * An interval in microseconds, days of 24 hours and months of 30 days:
 * ERROR 22023 naming the argument unless it is at least 1 microsecond.
 */
int64		clv_interval_usecs(const char *fname, const char *argname, const Interval *unit);

#endif							/* RFM_CLV_COMMON_H */

/*
 * rfm_score.h
 *	  Quantile scoring of one RFM feature and matching of segment rules.
 *	  Plain C99, no PostgreSQL headers.
 */
#ifndef RFM_SCORE_H
#define RFM_SCORE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum RfmBreaksProblem
{
	RFM_BREAKS_OK = 0,
	RFM_BREAKS_EMPTY,
	RFM_BREAKS_NOT_FINITE,
	RFM_BREAKS_DESCENDING
} RfmBreaksProblem;

/*
 * Check quantile breaks: at least one, all finite, non-decreasing (equal
 * neighbours are allowed: they are what a heavily tied feature produces).
 * On a problem, *where is the 0-based index of the offending element.
 */
RfmBreaksProblem rfm_breaks_check(const double *breaks, size_t n, size_t *where);

/*
 * Score of value against n checked breaks: 1 + the number of breaks strictly
 * below value, so 1..n+1; reversed (n+1 .. 1) when lower values are better.
 * The score depends on the value alone, so equal values always share it.
 */
int			rfm_score_value(double value, const double *breaks, size_t n,
							bool higher_is_better);

/* One segment rule: inclusive score ranges. */
typedef struct RfmRule
{
	int			r_min,
				r_max,
				f_min,
				f_max,
				m_min,
				m_max;
} RfmRule;

/* Index of the first rule that matches (r, f, m), or -1. */
int			rfm_rule_match(const RfmRule *rules, size_t n, int r, int f, int m);

#endif							/* RFM_SCORE_H */

/*
 * rfm_score.c
 *	  Quantile scoring and segment rule matching: see rfm_score.h.
 */
#include "rfm_score.h"

#include <math.h>

RfmBreaksProblem
rfm_breaks_check(const double *breaks, size_t n, size_t *where)
{
	size_t		i;

	*where = 0;
	if (n == 0)
		return RFM_BREAKS_EMPTY;
	for (i = 0; i < n; i++)
	{
		*where = i;
		if (!isfinite(breaks[i]))
			return RFM_BREAKS_NOT_FINITE;
		if (i > 0 && breaks[i] < breaks[i - 1])
			return RFM_BREAKS_DESCENDING;
	}
	*where = 0;
	return RFM_BREAKS_OK;
}

int
rfm_score_value(double value, const double *breaks, size_t n,
				bool higher_is_better)
{
	size_t		lo = 0,
				hi = n;

	/* binary search for the number of breaks strictly below value */
	while (lo < hi)
	{
		size_t		mid = lo + (hi - lo) / 2;

		if (breaks[mid] < value)
			lo = mid + 1;
		else
			hi = mid;
	}
	return higher_is_better ? (int) lo + 1 : (int) (n - lo) + 1;
}

static bool
in_range(int v, int lo, int hi)
{
	return v >= lo && v <= hi;
}

int
rfm_rule_match(const RfmRule *rules, size_t n, int r, int f, int m)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		if (in_range(r, rules[i].r_min, rules[i].r_max) &&
			in_range(f, rules[i].f_min, rules[i].f_max) &&
			in_range(m, rules[i].m_min, rules[i].m_max))
			return (int) i;
	}
	return -1;
}

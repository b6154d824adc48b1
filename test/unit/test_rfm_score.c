/*
 * test_rfm_score.c
 *	  Unit tests of quantile scoring and segment rule matching.
 */
#include "core/rfm_score.h"
#include "tap.h"

static void
test_scores(void)
{
	double		q[4] = {10, 20, 30, 40};
	double		tied[4] = {1, 1, 1, 2};

	is_int(rfm_score_value(5, q, 4, true), 1, "below every break scores 1");
	is_int(rfm_score_value(10, q, 4, true), 1, "equal to the first break scores 1");
	is_int(rfm_score_value(10.5, q, 4, true), 2, "just above the first break scores 2");
	is_int(rfm_score_value(40, q, 4, true), 4, "equal to the last break scores 4");
	is_int(rfm_score_value(41, q, 4, true), 5, "above every break scores 5");
	is_int(rfm_score_value(5, q, 4, false), 5, "lower is better: smallest scores 5");
	is_int(rfm_score_value(41, q, 4, false), 1, "lower is better: largest scores 1");
	is_int(rfm_score_value(1, tied, 4, true), 1, "a value equal to tied breaks scores 1");
	is_int(rfm_score_value(2, tied, 4, true), 4, "tied breaks skip scores, never split a value");
	is_int(rfm_score_value(3, tied, 4, true), 5, "above tied breaks");
	is_int(rfm_score_value(7, q, 1, true), 1, "one break: scores 1..2");
}

static void
test_breaks_check(void)
{
	double		ok4[4] = {1, 2, 2, 3};
	double		desc[3] = {1, 3, 2};
	double		inf[2] = {1, INFINITY};
	size_t		where;

	is_int(rfm_breaks_check(ok4, 4, &where), RFM_BREAKS_OK, "non-decreasing breaks are fine");
	is_int(rfm_breaks_check(ok4, 0, &where), RFM_BREAKS_EMPTY, "no breaks is an error");
	is_int(rfm_breaks_check(desc, 3, &where), RFM_BREAKS_DESCENDING, "descending breaks are an error");
	is_int(where, 2, "the offending element is named");
	is_int(rfm_breaks_check(inf, 2, &where), RFM_BREAKS_NOT_FINITE, "infinite break is an error");
	is_int(where, 1, "the infinite element is named");
}

static void
test_rules(void)
{
	RfmRule		rules[3] = {
		{4, 5, 4, 5, 4, 5},
		{3, 5, 1, 5, 1, 5},
		{1, 1, 1, 1, 1, 1},
	};

	is_int(rfm_rule_match(rules, 3, 5, 5, 5), 0, "first matching rule wins");
	is_int(rfm_rule_match(rules, 3, 4, 4, 3), 1, "m below the first rule's range falls through");
	is_int(rfm_rule_match(rules, 3, 1, 1, 1), 2, "exact single-cell rule");
	is_int(rfm_rule_match(rules, 3, 2, 1, 1), -1, "no rule: -1");
	is_int(rfm_rule_match(rules, 0, 5, 5, 5), -1, "empty rule set: -1");
}

int
main(void)
{
	test_scores();
	test_breaks_check();
	test_rules();
	return tap_done();
}

/*
 * rfm_score_sql.c
 *	  rfm_kmeans.rfm_score(value, breaks, higher_is_better): a 1..5 score
 *	  from quantile breaks. Ties never split: the score is a function of the
 *	  value alone, unlike NTILE, which cuts a run of equal values in two.
 */
#include "compat.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "core/rfm_score.h"
#include "fmgr.h"
#include "utils/array.h"

/*
 * The breaks as a plain C array in the current memory context; ERROR on a
 * NULL, empty, multidimensional or NULL-containing array.
 */
static double *
breaks_from_array(ArrayType *arr, int *n)
{
	Datum	   *elems;
	bool	   *nulls;
	double	   *breaks;
	int			i;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("rfm_score() argument breaks must be one-dimensional")));
	deconstruct_array(arr, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &elems, &nulls, n);
	breaks = palloc(sizeof(double) * Max(*n, 1));
	for (i = 0; i < *n; i++)
	{
		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("rfm_score() argument breaks must not contain nulls (element %d)",
							i + 1)));
		breaks[i] = DatumGetFloat8(elems[i]);
	}
	return breaks;
}

static void
check_breaks(const double *breaks, int n)
{
	size_t		where;

	switch (rfm_breaks_check(breaks, (size_t) n, &where))
	{
		case RFM_BREAKS_OK:
			return;
		case RFM_BREAKS_EMPTY:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rfm_score() argument breaks must not be empty"),
					 errhint("Pass quantile cut points, for example percentile_cont(ARRAY[0.2,0.4,0.6,0.8]) WITHIN GROUP (ORDER BY value).")));
			break;
		case RFM_BREAKS_NOT_FINITE:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rfm_score() argument breaks must be finite (element %zu)",
							where + 1)));
			break;
		case RFM_BREAKS_DESCENDING:
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("rfm_score() argument breaks must be in ascending order (element %zu is %g, after %g)",
							where + 1, breaks[where], breaks[where - 1])));
			break;
	}
}

/*
 * rfm_score(value, breaks, higher_is_better): returns the 1..n+1 score of
 * value against n ascending quantile breaks (1 + the number of breaks below
 * value, reversed when higher_is_better is false), equal values sharing a
 * score. Not strict: a NULL value gives NULL, once the breaks are checked.
 * Checks: NULL breaks, higher_is_better or element
 * (ERRCODE_NULL_VALUE_NOT_ALLOWED); breaks of more than one dimension
 * (ERRCODE_ARRAY_SUBSCRIPT_ERROR), empty, not finite or descending
 * (ERRCODE_INVALID_PARAMETER_VALUE); a NaN value (ERRCODE_DATA_EXCEPTION).
 */
PG_FUNCTION_INFO_V1(rfm_score);
Datum
rfm_score(PG_FUNCTION_ARGS)
{
	double		value;
	double	   *breaks;
	int			n;

	if (PG_ARGISNULL(1))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("rfm_score() argument breaks must not be null")));
	if (PG_ARGISNULL(2))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("rfm_score() argument higher_is_better must not be null")));
	breaks = breaks_from_array(PG_GETARG_ARRAYTYPE_P(1), &n);
	check_breaks(breaks, n);
	/* a customer without a value has no score */
	if (PG_ARGISNULL(0))
		PG_RETURN_NULL();
	value = PG_GETARG_FLOAT8(0);
	if (isnan(value))
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("rfm_score() argument value must not be NaN")));
	PG_RETURN_INT32(rfm_score_value(value, breaks, (size_t) n, PG_GETARG_BOOL(2)));
}

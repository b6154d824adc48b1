/*
 * cosine.c
 *	  The cosine distance's row normalization, for training and scoring
 *	  (see cosine.h), and rfm_kmeans._unit_vector() for aggregate mode's
 *	  queries.
 */
#include "compat.h"

#include "catalog/pg_type.h"
#include "core/sphere.h"
#include "cosine.h"
#include "fmgr.h"
#include "utils/array.h"

void
unit_rows(double *x, size_t n, int d, const char *what)
{
	size_t		zero = km_normalize_rows(x, n, d);

	if (zero != KM_NO_ZERO_ROW)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s has every feature zero after scaling: its cosine distance is undefined", what),
				 errdetail("With distance => 'cosine' a row is a direction, and an all-zero row has none."),
				 errhint("Filter such rows out, or train with scale => 'none' if the raw values are never all zero.")));
}

void
unit_centroids(double *next, const double *prev, int k, int d)
{
	int			c;

	for (c = 0; c < k; c++)
	{
		double	   *row = next + (size_t) c * d;

		if (km_normalize_rows(row, 1, d) != KM_NO_ZERO_ROW)
			memcpy(row, prev + (size_t) c * d, sizeof(double) * d);
	}
}

/*
 * _unit_vector(float8[]): the array scaled to unit length; aggregate mode
 * wraps its scaled rows in it. Strict. Checks: an all-zero row
 * (ERRCODE_DATA_EXCEPTION), a NULL element (ERRCODE_NULL_VALUE_NOT_ALLOWED).
 */
PG_FUNCTION_INFO_V1(rfm_unit_vector);
Datum
rfm_unit_vector(PG_FUNCTION_ARGS)
{
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P_COPY(0);
	int			n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));

	if (ARR_HASNULL(a) || ARR_ELEMTYPE(a) != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("_unit_vector() takes a float8[] without NULLs")));
	if (n > 0)
		unit_rows((double *) ((char *) a + ARR_OVERHEAD_NONULLS(ARR_NDIM(a))), 1, n, "a row");
	PG_RETURN_ARRAYTYPE_P(a);
}

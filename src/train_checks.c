/*
 * train_checks.c
 *	  The checks shared by training and evaluation: no usable row, k above
 *	  the rows, values whose k-means arithmetic would overflow, and what
 *	  km_fit or km_metrics returned (see train_checks.h).
 */
#include "compat.h"

#include "core/kmeans.h"
#include "core/value_range.h"
#include "train_checks.h"
#include "utils/lsyscache.h"

void
no_usable_row_error(Oid relid, int64 skipped)
{
	ereport(ERROR,
			(errcode(ERRCODE_DATA_EXCEPTION),
			 errmsg("relation \"%s\" has no row with all features non-null",
					get_rel_name(relid)),
			 errdetail_plural(INT64_FORMAT " row was skipped for a null feature.",
							  INT64_FORMAT " rows were skipped for a null feature.",
							  (unsigned long) skipped, skipped)));
}

void
k_above_rows_error(const char *argname, int k, size_t rows)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("invalid value for argument \"%s\": %d", argname, k),
			 errdetail("%s must be at most the number of usable rows, %zu.", argname, rows)));
}

void
fit_status_check(KmStatus status, size_t rows)
{
	if (status == KM_NO_MEMORY)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory"),
				 errdetail("k-means on %zu rows could not allocate its working memory.", rows)));
	if (status == KM_OVERFLOW)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("value out of range: overflow"),
				 errdetail("The k-means run on %zu rows produced a result that is not finite.", rows)));
	if (status != KM_OK)
		elog(ERROR, "k-means rejected its arguments");
}

void
check_value_range(char **names, int d, const double *lo, const double *hi,
				  const double *offset, const double *factor,
				  const double *centroids, int k, size_t n, const char *scaler)
{
	double	   *box_lo = palloc(sizeof(double) * d);
	double	   *box_hi = palloc(sizeof(double) * d);
	int			j;

	km_scaled_box(lo, hi, offset, factor, d, box_lo, box_hi);
	if (centroids != NULL)
		km_box_include(box_lo, box_hi, d, centroids, (size_t) k);
	j = km_box_unsafe_feature(box_lo, box_hi, d, n);
	if (j >= 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("values of column \"%s\" are out of range for k-means", names[j]),
				 errdetail("The column spans %g to %g, and scaled by %s %g to %g, where the "
						   "squared distances or sums of %zu rows would exceed the range of type "
						   "double precision.", lo[j], hi[j], scaler, box_lo[j], box_hi[j], n),
				 errhint("Rescale the column, for example divide it by a power of ten, "
						 "or train with scale => 'zscore' or 'minmax'.")));
	pfree(box_lo);
	pfree(box_hi);
}

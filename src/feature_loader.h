/*
 * feature_loader.h
 *	  Stream feature columns of a relation into one packed float8 array.
 */
#ifndef RFM_FEATURE_LOADER_H
#define RFM_FEATURE_LOADER_H

#include "postgres.h"

#include "access/attnum.h"
#include "utils/array.h"

typedef struct FeatureSet
{
	double	   *x;				/* n x d, row-major, in the current context */
	size_t		n;				/* usable rows (no NULL feature) */
	int			d;
	int64		skipped;		/* rows with a NULL feature */
	double	   *lo;				/* d: each column's minimum over the rows, */
	double	   *hi;				/* and maximum (when n > 0) */
	char	  **names;			/* d column names */
} FeatureSet;

/* The column names of a text[] argument, checked (ERROR on bad input). */
char	  **feature_names(ArrayType *features, int *d);

/*
 * ERROR unless every name is a numeric column of relid (42703, 42804);
 * their attribute numbers go to att_out[0..d-1] unless it is NULL.
 */
void		check_feature_columns(Oid relid, char **names, int d, AttrNumber *att_out);

/*
 * Check that every name is a numeric column of relid (42703, 42804), then
 * read them as the caller (privileges and row-level security apply): by
 * scanning the table directly when that gives the same rows and values,
 * else through a query. ERROR on NaN/Infinity (naming the column).
 * When the array would pass max_bytes: ERROR 54000, or, if too_big is not
 * NULL, stop reading, set *too_big and return (out->x is then freed).
 */
void		load_features(Oid relid, char **names, int d, Size max_bytes,
						  FeatureSet *out, bool *too_big);

#endif							/* RFM_FEATURE_LOADER_H */

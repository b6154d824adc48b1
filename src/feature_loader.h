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
 * ERROR unless the caller may reach relid (its schema's USAGE, 42501, as
 * a SELECT would check first) and every name is a column of it (42703) of
 * a numeric type that casts to float8 (42804); their attribute numbers go
 * to att_out[0..d-1] unless it is NULL.
 */
void		check_feature_columns(Oid relid, char **names, int d, AttrNumber *att_out);

/* What a feature column holds: a number, or a category (one-hot encoded). */
typedef enum FeatureKind
{
	FEATURE_NUMBER,
	FEATURE_CATEGORY
} FeatureKind;

/* Whether a column of this type is a number: numeric, with a cast to float8. */
bool		is_number_type(Oid type);

/* Whether a column of this type is a category: text, varchar, char, boolean, an enum. */
bool		is_category_type(Oid type);

/*
 * check_feature_columns for train() and kmeans(), which also take
 * categories: kinds[i] gets what column i holds; ERROR 42804 for a column
 * that is neither.
 */
void		check_feature_kinds(Oid relid, char **names, int d, FeatureKind *kinds);

/* ERROR 22000: column holds a NaN or infinite value (v). */
void		non_finite_column_error(const char *column, double v);

/*
 * The memory a reader of the features may use: the feature array (rows x d
 * x 8 bytes) plus what the work on it needs for that many rows (extra),
 * within limit bytes. what names the work in the error.
 */
typedef struct LoadBudget
{
	size_t		limit;
	size_t		(*extra) (const void *arg, size_t rows);	/* NULL: nothing */
	const void *arg;
	const char *what;
	/*
	 * When the rows would be pulled from other servers (a distributed or
	 * foreign table) and the caller can fall back: do not pull them, fall
	 * back (set *too_big) whatever their size.
	 */
	bool		rows_elsewhere_fall_back;
} LoadBudget;

/*
 * Check that every name is a numeric column of relid (42703, 42804), then
 * read them (or, when exprs is not NULL, the d SQL expressions exprs, named
 * names in errors, already checked: feature_encoding.h) as the caller (privileges and row-level security apply): by
 * scanning the table directly when that gives the same rows and values,
 * else through a query. ERROR on NaN/Infinity (naming the column).
 * When the working set would pass the budget: ERROR 54000 naming both
 * sizes, or, if too_big is not NULL, stop reading, set *too_big and return
 * (out->x is then freed).
 */
void		load_features(Oid relid, char **names, char **exprs, int d,
						  const LoadBudget *budget, FeatureSet *out, bool *too_big);

#endif							/* RFM_FEATURE_LOADER_H */

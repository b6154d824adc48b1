/*
 * feature_encoding.h
 *	  Categorical features: a text, varchar, char, boolean or enum column
 *	  among train()'s features becomes one 0/1 feature per category seen in
 *	  training (one-hot encoding), named "column=category". The model stores
 *	  each feature's category (NULL for a number), so scoring
 *	  (predict_row, assign_row) encodes a row the same way.
 *
 * Categories are the column's values cast to text, distinct, in byte order
 * (COLLATE "C"), from the usable rows (no NULL feature: rows with a NULL
 * category are skipped, as rows with a NULL number are). One-hot features
 * are not scaled (offset 0, factor 1), whatever the scale option, as
 * BigQuery ML standardizes numerical features only.
 */
#ifndef RFM_FEATURE_ENCODING_H
#define RFM_FEATURE_ENCODING_H

#include "postgres.h"

#include "model_store.h"

/* At most this many categories per column. */
#define MAX_CATEGORIES 1000

typedef struct FeatureEncoding
{
	int			d;				/* encoded features */
	char	  **names;			/* d: the column, or "column=category" */
	char	  **exprs;			/* d: SQL of the feature's value (float8, or NULL) */
	char	  **categories;		/* d: the category, NULL for a number; NULL: none */
	char	   *usable;			/* SQL: every column non-null (one test a column) */
} FeatureEncoding;

/*
 * Encode the n columns of relid: every name a numeric or categorical column
 * (42703, 42804), the categories read as the caller would read them (a
 * query: privileges, row-level security, Citus). ERROR 54000 past
 * MAX_CATEGORIES in a column or 1000 encoded features, 22023 for a
 * categorical column with no value in the usable rows.
 */
void		encode_features(Oid relid, char **columns, int n, FeatureEncoding *enc);

/*
 * Whether two models' features stand for the same things: the same
 * category (or none) for each of the d features; NULL arrays have none.
 * Names alone may collide (a number column named "c=x").
 */
bool		same_categories(char *const *a, char *const *b, int d);

/* One-hot features (categories[j] not NULL) unscaled: offset 0, factor 1. */
void		keep_one_hot_unscaled(char *const *categories, int d, double *offset, double *factor);

/*
 * The column a model feature comes from: its name, or for a one-hot
 * feature its name without "=category".
 */
char	   *feature_column(const char *name, const char *category);

/*
 * The SQL of a stored model's features over relid, encoded as training
 * did, after checking its columns (42703, 42804); NULL for a model of
 * numbers only (read them by name).
 */
char	  **model_feature_exprs(Oid relid, const Model *m);

#endif							/* RFM_FEATURE_ENCODING_H */

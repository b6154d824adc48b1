/*
 * feature_encoding.c
 *	  One-hot encoding of categorical features: see feature_encoding.h.
 */
#include "compat.h"

#include "executor/spi.h"
#include "feature_encoding.h"
#include "feature_loader.h"
#include "lib/stringinfo.h"
#include "safe_spi.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

/* Encoded features at most (the limit on features). */
#define MAX_ENCODED_FEATURES 1000

/* The SQL of a category's text: the explicit cast, compared bytewise. */
static char *
category_text(const char *column)
{
	return psprintf("(CAST(%s AS pg_catalog.text) COLLATE \"C\")", quote_identifier(column));
}

/* The SQL of a one-hot feature: 1 for the category, 0 for another, NULL for NULL. */
static char *
one_hot_expr(const char *column, const char *category)
{
	return psprintf("((%s = %s)::pg_catalog.int4)", category_text(column),
					quote_literal_cstr(category));
}

/*
 * The distinct categories of column in the usable rows (usable: their
 * condition), in byte order, copied into mcxt; ERROR past MAX_CATEGORIES.
 */
static char **
read_categories(const char *rel, const char *relname, const char *column, const char *usable,
				MemoryContext mcxt, int *count)
{
	char	  **cats;
	uint64		i;

	if (SPI_execute(psprintf("SELECT DISTINCT %s AS v FROM %s WHERE %s ORDER BY 1 LIMIT %d",
							 category_text(column), rel, usable, MAX_CATEGORIES + 1),
					true, 0) != SPI_OK_SELECT)
		elog(ERROR, "could not read the categories of column \"%s\"", column);
	if (SPI_processed > MAX_CATEGORIES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("column \"%s\" of relation \"%s\" has more than %d categories",
						column, relname, MAX_CATEGORIES),
				 errhint("Group rare values (for example with a CASE in a view), or leave the column out.")));
	cats = MemoryContextAlloc(mcxt, sizeof(char *) * Max(SPI_processed, 1));
	for (i = 0; i < SPI_processed; i++)
		cats[i] = MemoryContextStrdup(mcxt, SPI_getvalue(SPI_tuptable->vals[i],
														 SPI_tuptable->tupdesc, 1));
	*count = (int) SPI_processed;
	return cats;
}

void
encode_features(Oid relid, char **columns, int n, FeatureEncoding *enc)
{
	FeatureKind *kinds = palloc(sizeof(FeatureKind) * n);
	char	  **cats[MAX_ENCODED_FEATURES];
	int			counts[MAX_ENCODED_FEATURES];
	MemoryContext mcxt = CurrentMemoryContext;
	char	   *rel;
	StringInfoData usable;
	bool		any = false;
	int			level,
				d = 0,
				j,
				c;

	Assert(n <= MAX_ENCODED_FEATURES);
	check_feature_kinds(relid, columns, n, kinds);
	for (j = 0; j < n; j++)
		any |= kinds[j] == FEATURE_CATEGORY;
	initStringInfo(&usable);
	for (j = 0; j < n; j++)
		appendStringInfo(&usable, "%s%s IS NOT NULL", j ? " AND " : "", quote_identifier(columns[j]));
	enc->usable = usable.data;
	enc->categories = NULL;
	if (!any)
	{
		enc->d = n;
		enc->names = columns;
		enc->exprs = palloc(sizeof(char *) * n);
		for (j = 0; j < n; j++)
			enc->exprs[j] = (char *) quote_identifier(columns[j]);
		return;
	}

	/* the categories, from the rows training will use */
	rel = quote_qualified_identifier(get_namespace_name(get_rel_namespace(relid)),
									 get_rel_name(relid));
	level = safe_spi_connect(SAFE_SPI_DEFAULT);
	for (j = 0; j < n; j++)
	{
		counts[j] = 1;
		cats[j] = NULL;
		if (kinds[j] == FEATURE_CATEGORY)
			cats[j] = read_categories(rel, get_rel_name(relid), columns[j], usable.data, mcxt,
									  &counts[j]);
		if (counts[j] == 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("relation \"%s\" has no row with all features non-null",
							get_rel_name(relid)),
					 errdetail("Column \"%s\" is a category and has no value to encode.", columns[j])));
		d += counts[j];
		if (d > MAX_ENCODED_FEATURES)
			ereport(ERROR,
					(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
					 errmsg("the features encode to more than %d features", MAX_ENCODED_FEATURES),
					 errdetail("Column \"%s\" adds %d one-hot features.", columns[j], counts[j])));
	}
	safe_spi_finish(level);

	enc->d = d;
	enc->names = palloc(sizeof(char *) * d);
	enc->exprs = palloc(sizeof(char *) * d);
	enc->categories = palloc0(sizeof(char *) * d);
	d = 0;
	for (j = 0; j < n; j++)
	{
		if (cats[j] == NULL)
		{
			enc->names[d] = columns[j];
			enc->exprs[d++] = (char *) quote_identifier(columns[j]);
			continue;
		}
		for (c = 0; c < counts[j]; c++)
		{
			/* a NULL category skips the row, as a NULL number does */
			enc->names[d] = psprintf("%s=%s", columns[j], cats[j][c]);
			enc->exprs[d] = one_hot_expr(columns[j], cats[j][c]);
			enc->categories[d++] = cats[j][c];
		}
	}
}

bool
same_categories(char *const *a, char *const *b, int d)
{
	int			j;

	for (j = 0; j < d; j++)
	{
		const char *x = a ? a[j] : NULL,
				   *y = b ? b[j] : NULL;

		if ((x == NULL) != (y == NULL) || (x != NULL && strcmp(x, y) != 0))
			return false;
	}
	return true;
}

void
keep_one_hot_unscaled(char *const *categories, int d, double *offset, double *factor)
{
	int			j;

	if (categories == NULL)
		return;
	for (j = 0; j < d; j++)
		if (categories[j] != NULL)
		{
			offset[j] = 0;
			factor[j] = 1;
		}
}

char *
feature_column(const char *name, const char *category)
{
	size_t		len = strlen(name);

	if (category == NULL)
		return pstrdup(name);
	/* name is column || '=' || category */
	Assert(len > strlen(category));
	return pnstrdup(name, len - strlen(category) - 1);
}

char	  **
model_feature_exprs(Oid relid, const Model *m)
{
	char	  **columns;
	int		   *column_of;		/* d: each feature's index in columns */
	char	  **exprs;
	FeatureKind *kinds;
	int			n = 0,
				j;

	if (m->categories == NULL)
		return NULL;
	/* the source columns, one per number or run of one-hot features */
	columns = palloc(sizeof(char *) * m->d);
	column_of = palloc(sizeof(int) * m->d);
	for (j = 0; j < m->d; j++)
	{
		char	   *column = feature_column(m->features[j], m->categories[j]);

		if (m->categories[j] == NULL || j == 0 || m->categories[j - 1] == NULL ||
			strcmp(columns[n - 1], column) != 0)
			columns[n++] = column;
		column_of[j] = n - 1;
	}
	kinds = palloc(sizeof(FeatureKind) * n);
	check_feature_kinds(relid, columns, n, kinds);
	exprs = palloc(sizeof(char *) * m->d);
	for (j = 0; j < m->d; j++)
	{
		const char *column = columns[column_of[j]];

		if ((m->categories[j] != NULL) != (kinds[column_of[j]] == FEATURE_CATEGORY))
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("column \"%s\" of relation \"%s\" is %s, but the model took it as %s",
							column, get_rel_name(relid),
							kinds[column_of[j]] == FEATURE_CATEGORY ? "a category" : "a number",
							m->categories[j] != NULL ? "a category" : "a number")));
		exprs[j] = m->categories[j] == NULL ? (char *) quote_identifier(column) :
			one_hot_expr(column, m->categories[j]);
	}
	return exprs;
}

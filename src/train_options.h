/*
 * train_options.h
 *	  The options of train(), kmeans() and elbow(): parsing and validation,
 *	  with one error per option that names it and the value it refused.
 */
#ifndef RFM_TRAIN_OPTIONS_H
#define RFM_TRAIN_OPTIONS_H

#include "postgres.h"

#include "core/kmeans.h"
#include "core/scaler.h"
#include "fmgr.h"
#include "utils/array.h"

/* k, n_init, max_iter: their ranges */
#define MAX_K 10000
#define MAX_N_INIT 1000
#define MAX_MAX_ITER 1000000

/* one-pass mode's sample_size: its default and range */
#define DEFAULT_SAMPLE_SIZE 16384
#define MIN_SAMPLE_SIZE 16
#define MAX_SAMPLE_SIZE 4194304
#define MAX_REFINE 1000

typedef enum TrainMode
{
	TRAIN_MEMORY,				/* every row in memory, every pass there */
	TRAIN_AGGREGATE,			/* one kmeans_step() query per pass */
	TRAIN_ONEPASS				/* one kmeans_summary() query, then in memory */
} TrainMode;

typedef struct TrainOptions
{
	char	   *model;
	Oid			relid;
	char	  **features;		/* d: encoded (feature_encoding.h) */
	int			d;
	char	  **exprs;			/* d: each feature's SQL */
	char	  **categories;		/* d: one-hot features' categories, or NULL */
	char	   *usable;			/* SQL: every feature column non-null */
	int			k;
	KmInit		init;
	const char *init_name;
	ArrayType  *init_centroids;
	int			n_init;
	int			max_iter;
	double		tol;
	int64		seed;
	KmScale		scale;
	const char *scale_name;
	bool		verbose;
	TrainMode	mode;
	bool		may_fall_back;	/* mode unset: memory, else one-pass */
	int			refine;			/* one-pass: exact Lloyd passes after it */
	int			sample_size;	/* one-pass: the summary's sample of rows */
	bool		keep_ids;		/* number clusters like the version replaced */
	bool		cosine;			/* distance => 'cosine': spherical k-means */
	const char *distance_name;
	bool		n_init_given;	/* n_init not left to its default */
	int			seedings;		/* one-pass: Lloyd from the best of these (KmConfig) */
} TrainOptions;

/* ERROR 22004 when argument argno (named name) is NULL. */
void		require_argument(FunctionCallInfo fcinfo, int argno, const char *name);

/* An init / scale option by name; ERROR 22023 for any other name. */
KmInit		parse_init_option(const char *name);
KmScale		parse_scale_option(const char *name);

/* ERROR 22023 unless min <= value <= max, naming the option and value. */
void		check_int_option(const char *name, int value, int min, int max);

/* The same for an argument (k, k_min, k_max). */
void		check_int_argument(const char *name, int value, int min, int max);

/* ERROR 22023 unless tol is finite and >= 0. */
void		check_tol_option(double tol);

/*
 * One-pass mode, n_init not given, k-means++: one run, from the best of this
 * many seedings (KmConfig.seedings: the one whose centers have the lowest
 * inertia on the sample), as scikit-learn's MiniBatchKMeans picks its start.
 * Four seedings cost about one Lloyd run on the 16,384 sampled rows, and in
 * the benchmarks found the better local optima that memory mode's single
 * run finds only by the luck of the seed, as four full runs did at some
 * twice the time (0.6.0).
 */
#define ONEPASS_SEEDINGS 4

/* n_init when not given: scikit-learn's 'auto', 10 runs for random, else 1. */
int			default_n_init(KmInit init);

/*
 * The arguments of train() (base 1: the model name first) or kmeans()
 * (base 0: the relation first), in the SQL signature's order, checked.
 */
void		parse_train_options(FunctionCallInfo fcinfo, TrainOptions *o, int base);

/* The k x d starting centroids in original units, scaled like the data. */
double	   *explicit_centroids(const TrainOptions *o, const double *offset,
							   const double *factor);

/* The options as the jsonb stored with a model (params). */
char	   *train_params_json(const TrainOptions *o);

#endif							/* RFM_TRAIN_OPTIONS_H */

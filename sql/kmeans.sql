-- train / predict / assign / distances / centroids / drop_model on data
-- whose answer is known by construction, checked against plain SQL.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET extra_float_digits = 0;

\i sql/helpers/error_of.psql

-- three well separated groups of 1,000 points; group g sits around
-- (10 g, -5 g), so every centroid is its group's mean
CREATE TABLE pts AS
SELECT i, i % 3 AS grp,
       (i % 3) * 10 + (i % 7) * 0.1 AS a,
       (i % 3) * -5.0 + (i % 5) * 0.1 AS b
FROM generate_series(1, 3000) i;
INSERT INTO pts VALUES (3001, NULL, NULL, 1), (3002, NULL, 2, NULL);

SELECT model, k, n_rows, n_skipped, converged, round(inertia::numeric, 6) AS inertia
FROM rfm_kmeans.train('groups', 'pts', ARRAY['a', 'b'], 3);

-- each centroid equals its group's mean computed in plain SQL
SELECT c.size, round(c.centroid[1]::numeric, 9) AS a, round(c.centroid[2]::numeric, 9) AS b,
       abs(c.centroid[1] - g.ma) < 1e-9 AND abs(c.centroid[2] - g.mb) < 1e-9 AS equals_group_mean
FROM rfm_kmeans.centroids('groups') c
JOIN (SELECT grp, avg(a) AS ma, avg(b) AS mb FROM pts WHERE grp IS NOT NULL GROUP BY grp) g
  ON abs(c.centroid[1] - g.ma) < 1
ORDER BY a;

-- inertia equals the sum of squared scaled distances recomputed in SQL
SELECT abs(m.inertia - s.ss) < 1e-9 * s.ss AS inertia_matches
FROM rfm_kmeans.models m,
     (SELECT sum(((p.a - mm.scale_offset[1]) / mm.scale_factor[1] - (c.centroid[1] - mm.scale_offset[1]) / mm.scale_factor[1]) ^ 2
               + ((p.b - mm.scale_offset[2]) / mm.scale_factor[2] - (c.centroid[2] - mm.scale_offset[2]) / mm.scale_factor[2]) ^ 2) AS ss
      FROM pts p, rfm_kmeans.models mm, rfm_kmeans.centroids('groups') c
      WHERE mm.name = 'groups' AND p.grp IS NOT NULL
        AND c.cluster = rfm_kmeans.predict('groups', p.a, p.b)) s
WHERE m.name = 'groups';

-- the scaler is the population mean and standard deviation
SELECT abs(m.scale_offset[1] - s.ma) < 1e-12 AND abs(m.scale_factor[1] - s.sa) < 1e-12
   AND abs(m.scale_offset[2] - s.mb) < 1e-12 AND abs(m.scale_factor[2] - s.sb) < 1e-12 AS zscore_scaler
FROM rfm_kmeans.models m,
     (SELECT avg(a) ma, stddev_pop(a) sa, avg(b) mb, stddev_pop(b) sb FROM pts WHERE a IS NOT NULL AND b IS NOT NULL) s
WHERE m.name = 'groups';

-- every point is assigned to the cluster of its group, at its distance
SELECT count(DISTINCT (grp, rfm_kmeans.predict('groups', a, b))) AS group_cluster_pairs,
       count(*) FILTER (WHERE (rfm_kmeans.assign('groups', a, b)).cluster <> rfm_kmeans.predict('groups', a, b)) AS assign_predict_disagree
FROM pts WHERE grp IS NOT NULL;
SELECT bool_and(abs((rfm_kmeans.assign('groups', a, b)).distance
                    - (rfm_kmeans.distances('groups', a, b))[rfm_kmeans.predict('groups', a, b) + 1]) = 0)
         AS distance_is_nearest_entry,
       bool_and((rfm_kmeans.assign('groups', a, b)).distance
                = (SELECT min(x) FROM unnest(rfm_kmeans.distances('groups', a, b)) x)) AS distance_is_minimum
FROM pts WHERE grp IS NOT NULL;

-- the fixed-arity overloads (2 to 4 features) equal the VARIADIC ones
SELECT bool_and(rfm_kmeans.predict('groups', a, b) = rfm_kmeans.predict('groups', VARIADIC ARRAY[a, b])
                AND rfm_kmeans.assign('groups', a, b) = rfm_kmeans.assign('groups', VARIADIC ARRAY[a, b])
                AND rfm_kmeans.distances('groups', a, b) = rfm_kmeans.distances('groups', VARIADIC ARRAY[a, b]))
         AS fixed_equals_variadic
FROM pts WHERE grp IS NOT NULL;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.predict('groups', 1, 2, 3)$$) AS fixed_wrong_count;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.assign('groups', 1, NULL::float8)$$) AS fixed_null_feature;

-- distances by hand for one point: scaled Euclidean distance
SELECT abs((rfm_kmeans.distances('groups', 0, 0))[c.cluster + 1]
           - sqrt(((0 - m.scale_offset[1]) / m.scale_factor[1] - (c.centroid[1] - m.scale_offset[1]) / m.scale_factor[1]) ^ 2
                + ((0 - m.scale_offset[2]) / m.scale_factor[2] - (c.centroid[2] - m.scale_offset[2]) / m.scale_factor[2]) ^ 2)) < 1e-12
         AS distance_by_hand
FROM rfm_kmeans.models m, rfm_kmeans.centroids('groups') c WHERE m.name = 'groups';

-- the models table holds what predict needs and how the model was made
SELECT name, owner = current_user AS mine, features, k, scaler, sizes, iterations >= 1 AS iterated,
       n_rows, n_skipped, source_relation, params
FROM rfm_kmeans.models;

-- explicit initial centroids in original units, scale 'none', fixed iterations
SELECT model, n_rows, iterations, converged
FROM rfm_kmeans.train('fixed', 'pts', ARRAY['a', 'b'], 2,
                      init_centroids => ARRAY[[0, 0], [20, -10]]::float8[], scale => 'none',
                      max_iter => 3, tol => 0);
SELECT cluster, size FROM rfm_kmeans.centroids('fixed');

-- verbose: a NOTICE per iteration, in both modes
SELECT model, iterations FROM rfm_kmeans.train('verbose', 'pts', ARRAY['a', 'b'], 2, verbose => true,
                                               init_centroids => ARRAY[[0, 0], [20, -10]]::float8[], scale => 'none');
SELECT model, iterations FROM rfm_kmeans.train('verbose', 'pts', ARRAY['a', 'b'], 2, verbose => true, mode => 'aggregate',
                                               init_centroids => ARRAY[[0, 0], [20, -10]]::float8[], scale => 'none');

-- k >= 8 trains with Hamerly's bounds: the stored sizes still count every
-- row's nearest centroid (predict), as without pruning
SELECT model, k FROM rfm_kmeans.train('k9', 'pts', ARRAY['a', 'b'], 9, scale => 'none');
SELECT (SELECT sizes FROM rfm_kmeans.models WHERE name = 'k9') =
       (SELECT array_agg(coalesce(n, 0) ORDER BY c) FROM generate_series(0, 8) c
        LEFT JOIN (SELECT rfm_kmeans.predict('k9', a, b) AS c, count(*) AS n FROM pts
                   WHERE grp IS NOT NULL GROUP BY 1) t USING (c)) AS pruned_sizes_match;

-- minmax and random init
SELECT model, converged FROM rfm_kmeans.train('mm', 'pts', ARRAY['a', 'b'], 3, scale => 'minmax', init => 'random', seed => 7);
SELECT scale_offset, scale_factor FROM rfm_kmeans.models WHERE name = 'mm';

-- replacing a model: the next query sees the new one (keep_ids => false:
-- numbered as init_centroids gives them, not like the version replaced)
SELECT rfm_kmeans.predict('fixed', 20, -10) AS before;
SELECT model FROM rfm_kmeans.train('fixed', 'pts', ARRAY['a', 'b'], 2,
                                   init_centroids => ARRAY[[20, -10], [0, 0]]::float8[], scale => 'none',
                                   keep_ids => false);
SELECT rfm_kmeans.predict('fixed', 20, -10) AS after_replace;

-- a failed training leaves the previous model untouched
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('fixed', 'pts', ARRAY['a', 'nope'], 2)$$) AS failed;
SELECT array(SELECT round(c::numeric, 9) FROM unnest(centroids) c) AS centroids FROM rfm_kmeans.models WHERE name = 'fixed';

-- fewer distinct points than k: a warning, and the empty clusters show
CREATE TABLE two_points AS SELECT (i % 2)::float8 AS x FROM generate_series(1, 10) i;
SELECT model, n_rows FROM rfm_kmeans.train('dup', 'two_points', ARRAY['x'], 3);
SELECT cluster, size FROM rfm_kmeans.centroids('dup') ORDER BY size DESC, cluster;

-- views, quoted identifiers, numeric and integer columns
CREATE TABLE "Odd ""Name""; x" ("Spaced col" numeric, "int col" integer);
INSERT INTO "Odd ""Name""; x" SELECT i % 10, i % 3 FROM generate_series(1, 100) i;
CREATE VIEW odd_view AS SELECT * FROM "Odd ""Name""; x";
SELECT model, n_rows FROM rfm_kmeans.train('odd', '"Odd ""Name""; x"', ARRAY['Spaced col', 'int col'], 2);
SELECT model, n_rows FROM rfm_kmeans.train('odd_view', 'odd_view', ARRAY['Spaced col', 'int col'], 2);
SELECT source_relation FROM rfm_kmeans.models WHERE name = 'odd';

-- errors
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'no_such_table', ARRAY['a'], 2)$$) AS unknown_relation;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['nope'], 2)$$) AS unknown_column;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['A'], 2)$$) AS column_names_are_exact;
CREATE TABLE texty AS SELECT 'x'::text AS t, 1.0::float8 AS v, '2020-01-01'::date AS dt;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'texty', ARRAY['dt'], 1)$$) AS neither_number_nor_category;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a'], 0)$$) AS k_zero;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a'], -1)$$) AS k_negative;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'two_points', ARRAY['x'], 11)$$) AS k_above_rows;
CREATE TABLE empty_t (x float8);
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'empty_t', ARRAY['x'], 1)$$) AS empty_input;
CREATE TABLE nan_t AS SELECT 'NaN'::float8 AS x UNION ALL SELECT 1;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'nan_t', ARRAY['x'], 1)$$) AS nan_value;
CREATE TABLE inf_t AS SELECT 'Infinity'::float8 AS x;
CREATE TABLE nan_t2 AS SELECT 'NaN'::float8 AS x UNION ALL SELECT 1;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'inf_t', ARRAY['x'], 1)$$) AS infinite_value;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a'], 2, init => 'smart')$$) AS bad_init;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a'], 2, scale => 'log')$$) AS bad_scale;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a'], 2, mode => 'gpu')$$) AS bad_mode;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a'], 2, max_iter => 0)$$) AS bad_max_iter;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a'], 2, n_init => 0)$$) AS bad_n_init;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a'], 2, tol => -1)$$) AS bad_tol;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a'], 2, tol => 'NaN')$$) AS nan_tol;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a', 'b'], 2, init_centroids => ARRAY[1, 2]::float8[])$$) AS bad_init_centroids;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a', 'a'], 2)$$) AS duplicate_feature;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY[]::text[], 2)$$) AS no_features;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'pts', ARRAY['a', NULL], 2)$$) AS null_feature_name;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train(NULL, 'pts', ARRAY['a'], 2)$$) AS null_model;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('', 'pts', ARRAY['a'], 2)$$) AS empty_model_name;
CREATE TABLE big AS SELECT i::float8 AS x, (i % 7)::float8 AS y FROM generate_series(1, 10000) i;
-- one thread: the threads' scratch is part of the working set and the
-- errors below name its size
SET rfm_kmeans.max_threads = 1;
SET rfm_kmeans.train_memory_limit = '64kB';
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'big', ARRAY['x', 'y'], 2, mode => 'memory')$$) AS memory_limit;
-- without an explicit mode, training falls back to aggregate mode
SELECT model, n_rows, converged FROM rfm_kmeans.train('fallback', 'big', ARRAY['x', 'y'], 2);
SELECT params->>'mode' AS mode_used, sizes[1] + sizes[2] AS rows_in_clusters, sizes[1] > 4000 AND sizes[2] > 4000 AS balanced
FROM rfm_kmeans.models WHERE name = 'fallback';
-- the limit counts the whole working set, not the features only: 10,000
-- rows of 2 features take 157 kB, and k = 8 prunes with bounds of 16 bytes
-- a row plus labels of 4 (195 kB more), so 256 kB are enough for k = 2
-- but not for k = 8
SET rfm_kmeans.train_memory_limit = '256kB';
SELECT model, n_rows FROM rfm_kmeans.train('ws2', 'big', ARRAY['x', 'y'], 2, mode => 'memory');
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('ws8', 'big', ARRAY['x', 'y'], 8, mode => 'memory')$$) AS working_set_limit;
SELECT model, n_rows FROM rfm_kmeans.train('ws8', 'big', ARRAY['x', 'y'], 8);
SELECT name, params->>'mode' AS mode FROM rfm_kmeans.models WHERE name IN ('ws2', 'ws8') ORDER BY name;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.elbow('big', ARRAY['x', 'y'], 2, 8)$$) AS elbow_working_set;
SELECT pg_temp.err_detail($$SELECT * FROM rfm_kmeans.evaluate('ws8', 'big')$$) AS evaluate_fits;
SELECT rfm_kmeans.drop_model('ws2'), rfm_kmeans.drop_model('ws8');
RESET rfm_kmeans.train_memory_limit;
RESET rfm_kmeans.max_threads;
SELECT count(*) AS no_model_e FROM rfm_kmeans.models WHERE name = 'e';

SELECT pg_temp.err_detail($$SELECT rfm_kmeans.predict('no_such_model', 1, 2)$$) AS unknown_model;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.predict('groups', 1)$$) AS too_few_features;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.assign('groups', 1, 2, 3)$$) AS too_many_features;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.predict('groups', 1, NULL)$$) AS null_feature;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.distances('groups', 1, 'NaN')$$) AS nan_feature;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.predict(NULL, 1, 2)$$) AS null_model_name;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.centroids('no_such_model')$$) AS centroids_unknown;
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.drop_model('no_such_model')$$) AS drop_unknown;

-- aggregate mode from the same explicit init reaches the same centroids
SELECT model FROM rfm_kmeans.train('agg', 'pts', ARRAY['a', 'b'], 3, mode => 'aggregate',
                                   init_centroids => ARRAY[[0, 0], [1, 1], [30, -20]]::float8[], max_iter => 20, tol => 0);
SELECT model FROM rfm_kmeans.train('mem', 'pts', ARRAY['a', 'b'], 3, mode => 'memory',
                                   init_centroids => ARRAY[[0, 0], [1, 1], [30, -20]]::float8[], max_iter => 20, tol => 0);
SELECT (SELECT max(abs(a.c - m.c)) FROM unnest((SELECT centroids FROM rfm_kmeans.models WHERE name = 'agg')) WITH ORDINALITY a(c, i)
        JOIN unnest((SELECT centroids FROM rfm_kmeans.models WHERE name = 'mem')) WITH ORDINALITY m(c, i) USING (i)) < 1e-9
         AS same_centroids,
       (SELECT sizes FROM rfm_kmeans.models WHERE name = 'agg') = (SELECT sizes FROM rfm_kmeans.models WHERE name = 'mem')
         AS same_sizes;
-- aggregate mode with its own k-means++ and random inits finds the groups
SELECT model, k, n_rows FROM rfm_kmeans.train('aggpp', 'pts', ARRAY['a', 'b'], 3, mode => 'aggregate');
SELECT sizes FROM rfm_kmeans.models WHERE name = 'aggpp';
SELECT model FROM rfm_kmeans.train('aggrnd', 'pts', ARRAY['a', 'b'], 3, mode => 'aggregate', init => 'random', n_init => 2);
SELECT sizes FROM rfm_kmeans.models WHERE name = 'aggrnd';
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.train('e', 'nan_t2', ARRAY['x'], 1, mode => 'aggregate')$$) AS aggregate_nan;

-- threads: 40,000 rows (ten blocks) on 1 and on 3 threads, k = 4 (plain
-- passes) and k = 9 (pruned), k-means++ with two runs: the same model
CREATE TABLE thr AS SELECT (i % 13) + (i % 7) * 0.37 AS a, ((i * 7919) % 101) * 0.1 AS b
FROM generate_series(1, 40000) i;
CREATE FUNCTION pg_temp.train_threads(n int, k int) RETURNS text LANGUAGE plpgsql AS $f$
BEGIN
	PERFORM set_config('rfm_kmeans.max_threads', n::text, true);
	PERFORM rfm_kmeans.train('thr' || n, 'thr', ARRAY['a', 'b'], k, n_init => 2);
	RETURN (SELECT m.centroids::text || m.sizes::text || m.inertia::text
	        FROM rfm_kmeans.models m WHERE m.name = 'thr' || n);
END
$f$;
SELECT k, pg_temp.train_threads(1, k) = pg_temp.train_threads(3, k) AS same_on_1_and_3_threads
FROM unnest(ARRAY[4, 9]) k;
RESET rfm_kmeans.max_threads;
SELECT rfm_kmeans.drop_model('thr1'), rfm_kmeans.drop_model('thr3');

-- the loader reads a plain table of float8 features directly, anything else
-- through a query: the same model either way. A dropped column, features
-- out of their physical order, a NULL feature, a view (a query) over it.
CREATE TABLE ds (id int, junk text, a float8, b float8);
INSERT INTO ds SELECT i, 'x', (i % 17) * 1.5, ((i * 31) % 23) - 4.0 FROM generate_series(1, 5000) i;
INSERT INTO ds VALUES (0, 'n', NULL, 1);
ALTER TABLE ds DROP COLUMN junk;
CREATE VIEW ds_view AS SELECT * FROM ds;
SELECT n_rows, n_skipped FROM rfm_kmeans.train('ds_t', 'ds', ARRAY['b', 'a'], 3, seed => 1);
SELECT n_rows, n_skipped FROM rfm_kmeans.train('ds_v', 'ds_view', ARRAY['b', 'a'], 3, seed => 1);
SELECT (SELECT centroids::text || sizes::text || inertia::text FROM rfm_kmeans.models WHERE name = 'ds_t') =
       (SELECT centroids::text || sizes::text || inertia::text FROM rfm_kmeans.models WHERE name = 'ds_v')
       AS table_equals_view;
-- a parent table's rows include its children's, as in SELECT
CREATE TABLE ds_child () INHERITS (ds);
INSERT INTO ds_child SELECT i, 100, 100 FROM generate_series(1, 100) i;
SELECT n_rows, n_skipped FROM rfm_kmeans.train('ds_t', 'ds', ARRAY['b', 'a'], 3, seed => 1);
SELECT rfm_kmeans.drop_model('ds_t'), rfm_kmeans.drop_model('ds_v');
DROP TABLE ds CASCADE;

SELECT rfm_kmeans.drop_model('mm');
SELECT name FROM rfm_kmeans.models ORDER BY name;

DROP VIEW odd_view;
DROP TABLE thr, nan_t2, big, pts, two_points, "Odd ""Name""; x", texty, empty_t, nan_t, inf_t;

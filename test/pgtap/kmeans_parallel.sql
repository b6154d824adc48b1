-- kmeans_step() under parallel query, aggregate mode against memory mode,
-- and determinism when the physical row order changes.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(23);

-- 300,000 points in 5 blobs of 3 features (deterministic)
CREATE TABLE blobs AS
SELECT i AS id,
       (i % 5) * 4 + rfm_data.u(i, 1, 3) * 3 AS a,
       (i % 5) * -2 + rfm_data.u(i, 2, 3) * 3 AS b,
       ((i % 5) = 2)::int * 6 + rfm_data.u(i, 3, 3) * 3 AS c
FROM generate_series(1, 300000) i;
ANALYZE blobs;


SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;

\set step 'SELECT (rfm_kmeans.kmeans_step(ARRAY[a, b, c], ARRAY[[0,0,0],[4,-2,0],[8,-4,6],[12,-6,0],[16,-8,0]]::float8[])).* FROM blobs'
SELECT matches(tap_helpers.plan_of(:'step'),
               'Finalize Aggregate.*Gather.*Partial Aggregate',
               'kmeans_step runs as Finalize / Gather / Partial Aggregate');
SELECT matches(tap_helpers.plan_of(:'step', true), 'Workers Launched: [12]', 'parallel workers ran it');
CREATE TEMP TABLE par AS :step;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE ser AS :step;
SELECT is((SELECT sizes FROM par), (SELECT sizes FROM ser), 'parallel sizes equal serial sizes');
SELECT ok((SELECT max(abs(p - s)) FROM unnest((SELECT centroids FROM par)) WITH ORDINALITY x(p, i)
           JOIN unnest((SELECT centroids FROM ser)) WITH ORDINALITY y(s, i) USING (i)) < 1e-12,
          'parallel centroids equal serial centroids');
SELECT ok(abs((SELECT inertia FROM par) - (SELECT inertia FROM ser)) < 1e-9 * (SELECT inertia FROM ser),
          'parallel inertia equals serial inertia');
-- and plain SQL: cluster means of the rows nearest each initial centroid
SELECT is((SELECT sizes FROM ser),
          (SELECT array_agg(n ORDER BY cl) FROM
             (SELECT cl, count(*) AS n FROM
                (SELECT (SELECT c0.i - 1 FROM unnest(ARRAY[0,4,8,12,16]) WITH ORDINALITY c0(x, i),
                                               LATERAL (SELECT ARRAY[0,-2,-4,-6,-8]) yb(ys),
                                               LATERAL (SELECT ARRAY[0,0,6,0,0]) zc(zs)
                         ORDER BY (a - c0.x) ^ 2 + (b - yb.ys[c0.i]) ^ 2 + (c - zc.zs[c0.i]) ^ 2, c0.i LIMIT 1) AS cl
                 FROM blobs) s GROUP BY cl) t),
          'sizes equal a plain-SQL nearest-centroid count');

-- aggregate mode (parallel allowed) reaches memory mode's centroids from the same init
SET max_parallel_workers_per_gather = 2;
SELECT lives_ok($$SELECT rfm_kmeans.train('agg', 'blobs', ARRAY['a','b','c'], 5, mode => 'aggregate',
                  init_centroids => ARRAY[[0,0,0],[1,1,1],[8,-4,6],[12,-6,0],[20,-8,0]]::float8[], max_iter => 20, tol => 0)$$,
                'aggregate-mode training');
SELECT lives_ok($$SELECT rfm_kmeans.train('mem', 'blobs', ARRAY['a','b','c'], 5, mode => 'memory',
                  init_centroids => ARRAY[[0,0,0],[1,1,1],[8,-4,6],[12,-6,0],[20,-8,0]]::float8[], max_iter => 20, tol => 0)$$,
                'memory-mode training');
SELECT ok((SELECT max(abs(x - y)) FROM unnest((SELECT centroids FROM rfm_kmeans.models WHERE name = 'agg')) WITH ORDINALITY a(x, i)
           JOIN unnest((SELECT centroids FROM rfm_kmeans.models WHERE name = 'mem')) WITH ORDINALITY m(y, i) USING (i)) < 1e-9,
          'aggregate mode and memory mode reach the same centroids (1e-9)');

-- from k-means++ and random draws too: aggregate mode computes the scaler
-- exactly (the same bits as memory mode) and draws the same initial points,
-- so both modes train the same model
CREATE FUNCTION pg_temp.same_model(a text, b text) RETURNS boolean LANGUAGE sql AS $f$
	SELECT x.scale_offset = y.scale_offset AND x.scale_factor = y.scale_factor AND x.sizes = y.sizes
	       AND x.iterations = y.iterations AND x.centroid_below = y.centroid_below
	       AND abs(x.inertia - y.inertia) <= 1e-12 * y.inertia
	       AND abs(x.mean_distance - y.mean_distance) <= 1e-12 * y.mean_distance
	       AND (SELECT max(abs(p - q) / (1 + abs(q))) FROM unnest(x.centroids) WITH ORDINALITY u(p, i)
	            JOIN unnest(y.centroids) WITH ORDINALITY v(q, i) USING (i)) < 1e-9
	FROM rfm_kmeans.models x, rfm_kmeans.models y WHERE x.name = a AND y.name = b
$f$;
SELECT rfm_kmeans.train('agg_pp', 'blobs', ARRAY['a','b','c'], 5, seed => 3, n_init => 2, mode => 'aggregate');
SELECT rfm_kmeans.train('mem_pp', 'blobs', ARRAY['a','b','c'], 5, seed => 3, n_init => 2, mode => 'memory');
SELECT ok(pg_temp.same_model('agg_pp', 'mem_pp'),
          'k-means++ (zscore): aggregate mode trains memory mode''s model (scaler bits, sizes, inertia, mean distance)');
SELECT rfm_kmeans.train('agg_rnd', 'blobs', ARRAY['a','c'], 4, init => 'random', scale => 'minmax', seed => 8, mode => 'aggregate');
SELECT rfm_kmeans.train('mem_rnd', 'blobs', ARRAY['a','c'], 4, init => 'random', scale => 'minmax', seed => 8, mode => 'memory');
SELECT ok(pg_temp.same_model('agg_rnd', 'mem_rnd'), 'random init (minmax): the same model in both modes');
-- the mean distance the final step reports, against plain SQL
SELECT ok(abs((SELECT mean_distance FROM rfm_kmeans.models WHERE name = 'agg_pp') -
              (SELECT avg(sqrt(d2)) FROM (SELECT (SELECT min(((b.a - m.scale_offset[1]) / m.scale_factor[1] - (c[1] - m.scale_offset[1]) / m.scale_factor[1]) ^ 2
                                                         + ((b.b - m.scale_offset[2]) / m.scale_factor[2] - (c[2] - m.scale_offset[2]) / m.scale_factor[2]) ^ 2
                                                         + ((b.c - m.scale_offset[3]) / m.scale_factor[3] - (c[3] - m.scale_offset[3]) / m.scale_factor[3]) ^ 2)
                                                  FROM generate_subscripts(m.centroids, 1) g(i),
                                                       LATERAL (SELECT ARRAY[m.centroids[g.i][1], m.centroids[g.i][2], m.centroids[g.i][3]]) cc(c)) AS d2
                                          FROM blobs b, rfm_kmeans.models m WHERE m.name = 'agg_pp') s)) < 1e-9,
          'aggregate mode''s mean distance equals plain SQL''s (scaled units)');

-- the same data in another physical order gives the same model
SELECT lives_ok($$SELECT rfm_kmeans.train('order1', 'blobs', ARRAY['a','b','c'], 5, seed => 11, n_init => 3)$$, 'train on blobs');
CREATE TABLE blobs_shuffled AS SELECT * FROM blobs ORDER BY md5(id::text);
CREATE INDEX ON blobs_shuffled (c);
CLUSTER blobs_shuffled USING blobs_shuffled_c_idx;
SELECT rfm_kmeans.train('order2', 'blobs_shuffled', ARRAY['a','b','c'], 5, seed => 11, n_init => 3);
SELECT ok((SELECT max(abs(x - y)) FROM unnest((SELECT centroids FROM rfm_kmeans.models WHERE name = 'order1')) WITH ORDINALITY a(x, i)
           JOIN unnest((SELECT centroids FROM rfm_kmeans.models WHERE name = 'order2')) WITH ORDINALITY m(y, i) USING (i)) < 1e-9,
          'shuffled and clustered rows give the same centroids (1e-9)');
SELECT is((SELECT sizes FROM rfm_kmeans.models WHERE name = 'order2'),
          (SELECT sizes FROM rfm_kmeans.models WHERE name = 'order1'),
          'and exactly the same cluster sizes');

-- memory mode on 1, 2 or 4 threads (rfm_kmeans.max_threads): the same model,
-- bit for bit, with k-means++ (several runs) and with k = 9 (pruned passes)
CREATE TEMP TABLE by_threads (threads int, k int, centroids float8[], sizes bigint[],
                              inertia float8, iterations int, offsets float8[], factors float8[]);
CREATE FUNCTION pg_temp.train_on(n_threads int, n_clusters int) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
	PERFORM set_config('rfm_kmeans.max_threads', n_threads::text, true);
	PERFORM rfm_kmeans.train('thr', 'blobs', ARRAY['a','b','c'], n_clusters, seed => 5, n_init => 2);
	INSERT INTO by_threads SELECT n_threads, n_clusters, m.centroids, m.sizes, m.inertia, m.iterations,
	       m.scale_offset, m.scale_factor
	FROM rfm_kmeans.models m WHERE m.name = 'thr';
END
$f$;
SELECT pg_temp.train_on(t, k) FROM (VALUES (1), (2), (4)) t(t), (VALUES (5), (9)) k(k);
SELECT is((SELECT count(*) FROM (SELECT DISTINCT k, centroids::text, sizes, inertia::text, iterations,
                                        offsets::text, factors::text FROM by_threads) d),
          2::bigint, '1, 2 and 4 threads train the same models (centroids, sizes, inertia, scaler)');
SELECT is((SELECT count(DISTINCT threads) FROM by_threads), 3::bigint, 'with each thread count');
RESET rfm_kmeans.max_threads;
SELECT is(current_setting('rfm_kmeans.max_threads'), '0', 'max_threads defaults to 0 (automatic)');
SELECT throws_ok($$SET rfm_kmeans.max_threads = -1$$, '22023', NULL, 'max_threads below 0 is rejected');
SELECT throws_ok($$SET rfm_kmeans.max_threads = 65$$, '22023', NULL, 'max_threads above 64 is rejected');
-- kmeans() (one-shot) and elbow() also run on threads: the same results
SET rfm_kmeans.max_threads = 1;
CREATE TEMP TABLE one_thread AS SELECT * FROM rfm_kmeans.elbow('blobs', ARRAY['a','b','c'], 2, 4);
SET rfm_kmeans.max_threads = 2;
SELECT results_eq($$SELECT * FROM rfm_kmeans.elbow('blobs', ARRAY['a','b','c'], 2, 4)$$,
                  $$SELECT * FROM one_thread$$, 'elbow() on 2 threads equals elbow() on 1');
RESET rfm_kmeans.max_threads;

-- a database still on 0.2.0's SQL (library updated, ALTER EXTENSION UPDATE
-- not run yet) has neither _moment_term() nor the scaling kmeans_step():
-- aggregate mode falls back to numeric moments, SQL scaling and one more
-- scan for the mean distance. Its scaler may differ from memory mode's in
-- the last bit (so k-means++ may draw other points); from the same initial
-- centroids it trains memory mode's model
ALTER EXTENSION rfm_kmeans DROP FUNCTION rfm_kmeans._moment_term(float8, float8, float8, float8, float8, integer);
DROP FUNCTION rfm_kmeans._moment_term(float8, float8, float8, float8, float8, integer);
DO $d$
DECLARE f regprocedure;
BEGIN
	FOR f IN SELECT p.oid FROM pg_proc p WHERE p.pronamespace = 'rfm_kmeans'::regnamespace
	         AND p.proname = 'kmeans_step' AND p.pronargs > 2 LOOP
		EXECUTE format('ALTER EXTENSION rfm_kmeans DROP AGGREGATE %s', f);
		EXECUTE format('DROP AGGREGATE %s', f);
	END LOOP;
END
$d$;
SELECT rfm_kmeans.train('agg_old', 'blobs', ARRAY['a','b','c'], 5, mode => 'aggregate',
       init_centroids => ARRAY[[0,0,0],[1,1,1],[8,-4,6],[12,-6,0],[20,-8,0]]::float8[], max_iter => 20, tol => 0);
SELECT ok((SELECT max(abs(x.scale_offset[i] - y.scale_offset[i]) / y.scale_factor[i] + abs(x.scale_factor[i] / y.scale_factor[i] - 1))
           FROM rfm_kmeans.models x, rfm_kmeans.models y, generate_series(1, 3) i
           WHERE x.name = 'agg_old' AND y.name = 'mem') < 1e-13,
          'older SQL: the scaler from numeric moments (1e-13)');
SELECT ok((SELECT x.sizes = y.sizes AND x.centroid_below = y.centroid_below
                  AND abs(x.mean_distance / y.mean_distance - 1) < 1e-9
                  AND (SELECT max(abs(p - q)) FROM unnest(x.centroids) WITH ORDINALITY u(p, i)
                       JOIN unnest(y.centroids) WITH ORDINALITY v(q, i) USING (i)) < 1e-9
           FROM rfm_kmeans.models x, rfm_kmeans.models y WHERE x.name = 'agg_old' AND y.name = 'mem'),
          'older SQL: memory mode''s sizes, centroids, rows below them and mean distance');

SELECT * FROM finish();
ROLLBACK;

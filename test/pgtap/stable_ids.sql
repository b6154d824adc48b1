-- Retraining keeps cluster numbers (the minimum-total-distance matching of
-- new to previous centroids), cluster_moves() says how far each moved, a
-- warm start (init => 'previous') converges at once on unchanged data, and
-- the errors of both.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(21);

-- 5 blobs of 2 features, a shuffled copy, and a drifted copy (every blob
-- moved and resized)
CREATE TABLE ids_pts AS
SELECT i, (i % 5) * 4 + rfm_data.u(i, 1, 3) AS a, (i % 5) * -2 + rfm_data.u(i, 2, 3) AS b
FROM generate_series(1, 5000) i;
CREATE TABLE ids_shuffled AS SELECT * FROM ids_pts ORDER BY md5(i::text);
CREATE TABLE ids_drifted AS
SELECT i, a + 0.6 * ((i % 5) - 2) + 0.3, b - 0.4 * (i % 3) AS b FROM ids_pts WHERE i % 5 <> 1 OR i % 2 = 0;
ALTER TABLE ids_drifted RENAME COLUMN "?column?" TO a;

\set f 'ARRAY[''a'', ''b'']'
-- whether model m's numbering has the least total distance to its previous
-- version among all 120 renumberings (in m's scaled space)
CREATE FUNCTION pg_temp.numbering_is_optimal(m text) RETURNS boolean LANGUAGE sql AS $$
	WITH cur AS (SELECT * FROM rfm_kmeans.models WHERE name = m),
	prev AS (SELECT v.* FROM rfm_kmeans.model_versions v, cur WHERE v.name = cur.name ORDER BY v.version DESC LIMIT 1),
	dist AS (SELECT c, p, sqrt(((cur.centroids[c + 1][1] - prev.centroids[p + 1][1]) / cur.scale_factor[1]) ^ 2
	                           + ((cur.centroids[c + 1][2] - prev.centroids[p + 1][2]) / cur.scale_factor[2]) ^ 2) AS d
	         FROM cur, prev, generate_series(0, 4) c, generate_series(0, 4) p),
	perms AS (SELECT ARRAY[p0, p1, p2, p3, p4] AS perm
	          FROM generate_series(0, 4) p0, generate_series(0, 4) p1, generate_series(0, 4) p2,
	               generate_series(0, 4) p3, generate_series(0, 4) p4
	          WHERE cardinality(ARRAY(SELECT DISTINCT unnest(ARRAY[p0, p1, p2, p3, p4]))) = 5),
	totals AS (SELECT perm, (SELECT sum(d) FROM dist WHERE dist.p = perm[dist.c + 1]) AS total FROM perms)
	SELECT (SELECT total FROM totals WHERE perm = ARRAY[0, 1, 2, 3, 4]) <= (SELECT min(total) FROM totals) * (1 + 1e-12)
$$;
CREATE FUNCTION pg_temp.centroids_of(m text) RETURNS float8[] LANGUAGE sql AS $$
	SELECT centroids FROM rfm_kmeans.models WHERE name = m
$$;
CREATE FUNCTION pg_temp.close(x float8[], y float8[]) RETURNS boolean LANGUAGE sql AS $$
	SELECT bool_and(abs(a - b) <= 1e-9 * (1 + abs(a))) FROM unnest(x, y) u(a, b)
$$;

SELECT lives_ok($$SELECT rfm_kmeans.train('ids', 'ids_pts', ARRAY['a', 'b'], 5)$$, 'version 1');
CREATE TEMP TABLE v1 AS SELECT pg_temp.centroids_of('ids') AS c;

-- the same data from another start: every number kept
SELECT lives_ok($$SELECT rfm_kmeans.train('ids', 'ids_pts', ARRAY['a', 'b'], 5, init => 'random', seed => 7)$$, 'retrained from a random start');
SELECT ok(pg_temp.close(pg_temp.centroids_of('ids'), (SELECT c FROM v1)), 'the same data: every cluster keeps its number');
SELECT ok(pg_temp.close(pg_temp.centroids_of('ids'),
                        (SELECT array_agg(centroid ORDER BY cluster) FROM rfm_kmeans.kmeans('ids_pts', ARRAY['a', 'b'], 5))),
          'and equals kmeans()''s clusters from the default start, in order');
-- with keep_ids => false, the fit's own order (as kmeans() returns it)
SELECT lives_ok($$SELECT rfm_kmeans.train('ids', 'ids_pts', ARRAY['a', 'b'], 5, init => 'random', seed => 7, keep_ids => false)$$, 'keep_ids => false');
SELECT ok(pg_temp.close(pg_temp.centroids_of('ids'),
                        (SELECT array_agg(centroid ORDER BY cluster)
                         FROM rfm_kmeans.kmeans('ids_pts', ARRAY['a', 'b'], 5, init => 'random', seed => 7))),
          'keep_ids => false: numbered as the fit found them (kmeans() with the same options)');
SELECT is((SELECT params->>'keep_ids' FROM rfm_kmeans.models WHERE name = 'ids'), 'false', 'params say keep_ids false');
SELECT isnt(pg_temp.centroids_of('ids'), (SELECT c FROM v1), 'which here is another numbering than version 1''s');

-- retrained (numbered like the keep_ids => false version before it), then shuffled rows
SELECT lives_ok($$SELECT rfm_kmeans.train('ids', 'ids_pts', ARRAY['a', 'b'], 5)$$, 'retrained with the defaults');
SELECT ok(pg_temp.numbering_is_optimal('ids'), 'numbered by the least total distance to the previous version (all 120 numberings compared)');
CREATE TEMP TABLE v_now AS SELECT pg_temp.centroids_of('ids') AS c;
SELECT lives_ok($$SELECT rfm_kmeans.train('ids', 'ids_shuffled', ARRAY['a', 'b'], 5, init => 'random', seed => 3)$$, 'shuffled rows, another start');
SELECT ok(pg_temp.close(pg_temp.centroids_of('ids'), (SELECT c FROM v_now)), 'shuffled: every cluster keeps its number');

-- drifted data: numbers follow the matching
SELECT lives_ok($$SELECT rfm_kmeans.train('ids', 'ids_drifted', ARRAY['a', 'b'], 5, init => 'random', seed => 11)$$, 'drifted data');
SELECT ok(pg_temp.numbering_is_optimal('ids'), 'drifted: numbered by the least total distance to the previous version');
SELECT ok((SELECT bool_and(moved > 0 AND moved < 1) FROM rfm_kmeans.cluster_moves('ids')),
          'cluster_moves(): every centroid moved a little (scaled units)');
SELECT is((SELECT array_agg(previous_size ORDER BY cluster) FROM rfm_kmeans.cluster_moves('ids')),
          (SELECT sizes FROM rfm_kmeans.model_versions WHERE name = 'ids' ORDER BY version DESC LIMIT 1),
          'cluster_moves(): the previous sizes, by number');

-- a warm start on unchanged data: one iteration, the same model
SELECT lives_ok($$SELECT rfm_kmeans.train('ids', 'ids_drifted', ARRAY['a', 'b'], 5, init => 'previous')$$, 'init => ''previous''');
SELECT ok((SELECT iterations = 1 AND converged FROM rfm_kmeans.models WHERE name = 'ids')
          AND pg_temp.close(pg_temp.centroids_of('ids'),
                            (SELECT centroids FROM rfm_kmeans.model_versions WHERE name = 'ids' ORDER BY version DESC LIMIT 1)),
          'warm start on unchanged data: converged in one iteration to the same centroids');

-- errors
SELECT throws_ok($$SELECT rfm_kmeans.train('no_such', 'ids_pts', ARRAY['a', 'b'], 5, init => 'previous')$$, '42704', NULL,
                 'a warm start without a previous model');
SELECT throws_ok($$SELECT rfm_kmeans.train('ids', 'ids_pts', ARRAY['a', 'b'], 4, init => 'previous')$$, '22023', NULL,
                 'a warm start with another k');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.kmeans('ids_pts', ARRAY['a', 'b'], 5, init => 'previous')$$, '22023', NULL,
                 'init => ''previous'' in kmeans(), which has no model');

SELECT * FROM finish();
ROLLBACK;

-- Anomalies: the distance distribution kept with a model (against
-- percentile_disc over the training rows' distances, in every mode),
-- anomaly_score() against the share of training rows at least as far out
-- computed in plain SQL, detect_anomalies() against a plain-SQL filter, and
-- the errors.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(22);

-- 20,000 points in 4 blobs of 3 features, values rounded (about 12,000
-- distinct rows), and 20 far-out points
CREATE TABLE an_pts AS
SELECT i, round(((i % 4) * 5 + rfm_data.u(i, 1, 9) * 3)::numeric, 2)::float8 AS a,
       round(((i % 4) * -3 + rfm_data.u(i, 2, 9) * 3)::numeric, 2)::float8 AS b,
       round((rfm_data.u(i, 3, 9) * 4)::numeric, 1)::float8 AS c
FROM generate_series(1, 20000) i
UNION ALL
SELECT 20000 + i, 40 + i, 30 - i, 10 * i FROM generate_series(1, 20) i;
ANALYZE an_pts;
\set f 'ARRAY[''a'', ''b'', ''c'']'

-- the training rows' own distances, and the exact quantiles of them
CREATE FUNCTION pg_temp.own_distances(m text) RETURNS TABLE (i int, d float8) LANGUAGE sql AS $$
	SELECT i, (rfm_kmeans.assign(m, a, b, c)).distance FROM an_pts
$$;
-- the distance of rank max(1, ceil(j n / 1000)), j = 0 .. 1000, in integers
CREATE FUNCTION pg_temp.exact_quantiles(m text) RETURNS float8[] LANGUAGE sql AS $$
	SELECT array_agg(s.d ORDER BY j)
	FROM generate_series(0, 1000) j
	JOIN (SELECT d, row_number() OVER (ORDER BY d) AS rn, count(*) OVER () AS n FROM pg_temp.own_distances(m)) s
	  ON s.rn = greatest(1, (j * s.n + 999) / 1000)
$$;
-- the largest relative difference of the stored quantiles from the exact ones
CREATE FUNCTION pg_temp.quantile_error(m text) RETURNS float8 LANGUAGE sql AS $$
	SELECT max(abs(s - e) / greatest(e, 1e-300))
	FROM rfm_kmeans.models, unnest(distance_quantiles, pg_temp.exact_quantiles(m)) u(s, e) WHERE name = m
$$;
-- the largest difference of anomaly_score() from the exact share, over
-- every 97th training row and the far-out ones
CREATE FUNCTION pg_temp.score_error(m text) RETURNS float8 LANGUAGE sql AS $$
	WITH own AS (SELECT * FROM pg_temp.own_distances(m)),
	probe AS (SELECT p.i, rfm_kmeans.anomaly_score(m, p.a, p.b, p.c) AS score,
	                 (rfm_kmeans.assign(m, p.a, p.b, p.c)).distance AS d
	          FROM an_pts p WHERE p.i % 97 = 0 OR p.i > 20000)
	SELECT max(abs(score - (SELECT count(*) FROM own WHERE own.d >= probe.d)::float8 / (SELECT count(*) FROM own)))
	FROM probe
$$;

SELECT lives_ok($$SELECT rfm_kmeans.train('an_mem', 'an_pts', ARRAY['a', 'b', 'c'], 4, mode => 'memory')$$, 'memory mode');
SELECT is((SELECT cardinality(distance_quantiles) FROM rfm_kmeans.models WHERE name = 'an_mem'), 1001, '1,001 distance quantiles kept');
SELECT cmp_ok(pg_temp.quantile_error('an_mem'), '<=', 1e-6::float8, 'memory mode: the quantiles of every row''s distance (float precision)');
SELECT cmp_ok(pg_temp.score_error('an_mem'), '<=', (0.001 + 1.0 / 20020)::float8, 'anomaly_score(): the share of training rows at least as far out, to 1e-3');

-- from 2^19 rows on, memory mode finds the quantiles by counting the
-- distances' bits (a radix selection) instead of by a quickselect: the same
-- check on 600,000 rows with many ties (values on a grid of 0.01)
CREATE TABLE an_big AS
SELECT i, round((rfm_data.u(i, 1, 5) * 10)::numeric, 2)::float8 AS a,
       round((rfm_data.u(i, 2, 5) * 10 + (i % 3) * 8)::numeric, 2)::float8 AS b,
       round((rfm_data.u(i, 3, 5) * 2)::numeric, 2)::float8 AS c
FROM generate_series(1, 600000) i;
SELECT lives_ok($$SELECT rfm_kmeans.train('an_big', 'an_big', ARRAY['a', 'b', 'c'], 3, mode => 'memory')$$, 'memory mode, 600,000 rows');
SELECT cmp_ok((WITH own AS (SELECT (rfm_kmeans.assign('an_big', a, b, c)).distance AS d FROM an_big),
                    ranked AS (SELECT d, row_number() OVER (ORDER BY d) AS rn FROM own),
                    exact AS (SELECT array_agg(r.d ORDER BY j) AS q FROM generate_series(0, 1000) j
                              JOIN ranked r ON r.rn = greatest(1, (j * 600000 + 999) / 1000))
               SELECT max(abs(s - e) / greatest(e, 1e-300))
               FROM rfm_kmeans.models, exact, unnest(distance_quantiles, exact.q) u(s, e) WHERE name = 'an_big'),
              '<=', 1e-6::float8, 'memory mode, 600,000 rows: the quantiles of every row''s distance (float precision)');
DROP TABLE an_big;

SELECT lives_ok($$SELECT rfm_kmeans.train('an_agg', 'an_pts', ARRAY['a', 'b', 'c'], 4, mode => 'aggregate')$$, 'aggregate mode');
SELECT cmp_ok(pg_temp.quantile_error('an_agg'), '<=', 1e-12::float8,
              'aggregate mode: percentile_disc of every row''s distance (to the last bits of the centroids'' round trip to original units)');
SELECT cmp_ok(pg_temp.score_error('an_agg'), '<=', (0.001 + 1.0 / 20020)::float8, 'and its scores to 1e-3');

SELECT lives_ok($$SELECT rfm_kmeans.train('an_op', 'an_pts', ARRAY['a', 'b', 'c'], 4, mode => 'onepass', sample_size => 65536)$$,
                'one-pass mode, the sample holding every distinct row');
SELECT cmp_ok(pg_temp.quantile_error('an_op'), '<=', 1e-12::float8, 'one-pass with a complete sample: the exact quantiles');
SELECT lives_ok($$SELECT rfm_kmeans.train('an_ref', 'an_pts', ARRAY['a', 'b', 'c'], 4, mode => 'onepass', sample_size => 512, refine => 1)$$,
                'one-pass on a sample of 512, refined');
SELECT cmp_ok(pg_temp.quantile_error('an_ref'), '<=', 1e-12::float8,
              'refined: percentile_disc of every row''s distance');
SELECT lives_ok($$SELECT rfm_kmeans.train('an_est', 'an_pts', ARRAY['a', 'b', 'c'], 4, mode => 'onepass', sample_size => 4096)$$,
                'one-pass on a sample of 4,096');
SELECT cmp_ok(pg_temp.score_error('an_est'), '<=', 0.03::float8, 'its scores estimated from the sample, within 0.03');

-- detect_anomalies: the rows whose score is below contamination, i.e.
-- (scores being 1 - quantiles below / 1000) farther than quantile 901
SELECT set_eq($$SELECT (row_data->>'i')::int FROM rfm_kmeans.detect_anomalies('an_agg', 'an_pts', 0.1)$$,
              $$SELECT i FROM pg_temp.own_distances('an_agg')
                WHERE d > (SELECT distance_quantiles[902] FROM rfm_kmeans.models WHERE name = 'an_agg')$$,
              'detect_anomalies(): the rows farther out than the 0.901 quantile of the training distances');
SELECT ok((SELECT count(*) BETWEEN 0.098 * 20020 AND 0.1 * 20020 FROM rfm_kmeans.detect_anomalies('an_agg', 'an_pts', 0.1)),
          'about a tenth of the training rows at contamination 0.1');
SELECT ok((SELECT bool_and((row_data->>'i')::int IN (SELECT i FROM rfm_kmeans.detect_anomalies('an_mem', 'an_pts', 0.01) x2(r, c, d, s), LATERAL (SELECT (r->>'i')::int) y(i)))
           FROM (SELECT to_jsonb(p) AS row_data FROM an_pts p WHERE i > 20000) far),
          'the 20 far-out points are among the anomalies at contamination 0.01');

-- errors
SELECT throws_ok($$SELECT * FROM rfm_kmeans.detect_anomalies('an_mem', 'an_pts', 0)$$, '22023', NULL, 'contamination 0');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.detect_anomalies('an_mem', 'an_pts', 0.6)$$, '22023', NULL, 'contamination above 0.5');
SELECT throws_ok($$SELECT rfm_kmeans.anomaly_score('no_such', 1, 2, 3)$$, '42704', NULL, 'anomaly_score() of an unknown model');
UPDATE rfm_kmeans.models SET distance_quantiles = NULL WHERE name = 'an_mem';
SELECT throws_ok($$SELECT rfm_kmeans.anomaly_score('an_mem', 1, 2, 3)$$, '55000', NULL, 'a model without a distance distribution (trained before 0.4.0)');

SELECT * FROM finish();
ROLLBACK;

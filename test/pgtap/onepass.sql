-- train(..., mode => 'onepass'): one kmeans_summary() scan, the same model
-- whatever the row order, the split across parallel workers, or the shape of
-- the relation (partitioned table, view); quality against memory mode with
-- both inertias computed exactly by evaluate(); the statistics exact when
-- the sample holds every distinct row or after refine passes; the default's
-- fallback; the caller's row-level security; errors.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(62);

-- 60,000 points in 5 blobs of 3 features (deterministic), about 40,000 distinct
CREATE TABLE op AS
SELECT i AS id,
       (i % 5) * 4 + round((rfm_data.u(i, 1, 5) * 3)::numeric, 3)::float8 AS a,
       (i % 5) * -2 + round((rfm_data.u(i, 2, 5) * 3)::numeric, 3)::float8 AS b,
       ((i % 5) = 2)::int * 6 + round((rfm_data.u(i, 3, 5) * 3)::numeric, 2)::float8 AS c
FROM generate_series(1, 60000) i;
ANALYZE op;
-- the same rows in another physical order, and clustered by another column
CREATE TABLE op_shuffled AS SELECT * FROM op ORDER BY md5(id::text);
CREATE TABLE op_clustered AS SELECT * FROM op;
CREATE INDEX ON op_clustered (c, b);
CLUSTER op_clustered USING op_clustered_c_b_idx;
-- partitioned in 4, and a view
CREATE TABLE op_parts (id int, a float8, b float8, c float8) PARTITION BY HASH (id);
CREATE TABLE op_p0 PARTITION OF op_parts FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE op_p1 PARTITION OF op_parts FOR VALUES WITH (MODULUS 4, REMAINDER 1);
CREATE TABLE op_p2 PARTITION OF op_parts FOR VALUES WITH (MODULUS 4, REMAINDER 2);
CREATE TABLE op_p3 PARTITION OF op_parts FOR VALUES WITH (MODULUS 4, REMAINDER 3);
INSERT INTO op_parts SELECT * FROM op_shuffled;
CREATE VIEW op_view AS SELECT id, a, b, c FROM op WHERE id > 0;
ANALYZE op_shuffled, op_clustered, op_parts;

\set f 'ARRAY[''a'', ''b'', ''c'']'
-- a model's whole content as text: every float8 in shortest exact form
CREATE FUNCTION pg_temp.model_bits(m text) RETURNS text LANGUAGE sql AS $$
	SELECT concat_ws('|', centroids::text, sizes::text, scale_offset::text, scale_factor::text,
	                  inertia::text, mean_distance::text, n_rows, iterations)
	FROM rfm_kmeans.models WHERE name = m
$$;

SET max_parallel_workers_per_gather = 0;
SELECT is((SELECT n_rows FROM rfm_kmeans.train('op', 'op', :f, 5, mode => 'onepass', sample_size => 4096)),
          60000::bigint, 'one-pass training reads every row');
SELECT is((SELECT params->>'mode' FROM rfm_kmeans.models WHERE name = 'op'), 'onepass', 'and says so in its params');
SELECT is((SELECT (params->>'sample_size')::int FROM rfm_kmeans.models WHERE name = 'op'), 4096, 'with its sample size');
SELECT is((SELECT params->>'n_init' || ' ' || (params->>'seedings') FROM rfm_kmeans.models WHERE name = 'op'), '1 4',
          'n_init not given: one run from the best of 4 seedings');
SELECT lives_ok($$SELECT rfm_kmeans.train('op_n4', 'op', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096, n_init => 4)$$,
                'n_init given');
SELECT is((SELECT params->>'n_init' || ' ' || (params->>'seedings') FROM rfm_kmeans.models WHERE name = 'op_n4'), '4 1',
          'n_init given: that many full runs, one seeding each');

-- the same model, bit for bit, whatever the order, shape or workers
SELECT lives_ok($$SELECT rfm_kmeans.train('op_shuffled', 'op_shuffled', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)$$, 'shuffled');
SELECT is(pg_temp.model_bits('op_shuffled'), pg_temp.model_bits('op'), 'shuffled rows: the same model, bit for bit');
SELECT lives_ok($$SELECT rfm_kmeans.train('op_clustered', 'op_clustered', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)$$, 'clustered');
SELECT is(pg_temp.model_bits('op_clustered'), pg_temp.model_bits('op'), 'CLUSTERed rows: the same model, bit for bit');
SELECT lives_ok($$SELECT rfm_kmeans.train('op_parts', 'op_parts', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)$$, 'partitioned');
SELECT is(pg_temp.model_bits('op_parts'), pg_temp.model_bits('op'), 'a partitioned table: the same model, bit for bit');
SELECT lives_ok($$SELECT rfm_kmeans.train('op_view', 'op_view', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)$$, 'view');
SELECT is(pg_temp.model_bits('op_view'), pg_temp.model_bits('op'), 'a view: the same model, bit for bit');
-- the fit's seedings (4 by default) on one thread, then on three
SET rfm_kmeans.max_threads = 1;
SELECT lives_ok($$SELECT rfm_kmeans.train('op_t1', 'op', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)$$, '1 thread');
SET rfm_kmeans.max_threads = 3;
SELECT lives_ok($$SELECT rfm_kmeans.train('op_t3', 'op', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)$$, '3 threads');
RESET rfm_kmeans.max_threads;
SELECT is(pg_temp.model_bits('op_t3'), pg_temp.model_bits('op_t1'),
          'the fit on 1 thread and on 3 (rfm_kmeans.max_threads): the same model, bit for bit');

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
\set summary 'SELECT md5(rfm_kmeans.kmeans_summary(4096, a, b, c)::text) FROM op_shuffled'
SELECT matches(tap_helpers.plan_of(:'summary'), 'Finalize Aggregate.*Gather.*Partial Aggregate',
               'kmeans_summary() runs as Finalize / Gather / Partial Aggregate');
SELECT matches(tap_helpers.plan_of(:'summary', true), 'Workers Launched: [12]', 'parallel workers ran it');
CREATE TEMP TABLE sum2 AS :summary;
SELECT lives_ok($$SELECT rfm_kmeans.train('op_2w', 'op_shuffled', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)$$, '2 workers');
SELECT is(pg_temp.model_bits('op_2w'), pg_temp.model_bits('op'), '2 parallel workers: the same model, bit for bit');
SET max_parallel_workers_per_gather = 1;
CREATE TEMP TABLE sum1 AS :summary;
SELECT lives_ok($$SELECT rfm_kmeans.train('op_1w', 'op_parts', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)$$, '1 worker');
SELECT is(pg_temp.model_bits('op_1w'), pg_temp.model_bits('op'), '1 parallel worker on the partitioned table: the same model, bit for bit');
SET enable_partitionwise_aggregate = on;
SELECT lives_ok($$SELECT rfm_kmeans.train('op_pw', 'op_parts', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)$$, 'partitionwise');
SELECT is(pg_temp.model_bits('op_pw'), pg_temp.model_bits('op'), 'partitionwise aggregation: the same model, bit for bit');
RESET enable_partitionwise_aggregate;
SET max_parallel_workers_per_gather = 0;
CREATE TEMP TABLE sum0 AS :summary;
SELECT is((SELECT md5 FROM sum2), (SELECT md5 FROM sum0), 'the summary state, 2 workers and serial: the same bytes');
SELECT is((SELECT md5 FROM sum1), (SELECT md5 FROM sum0), 'and with 1 worker');

-- quality, both inertias computed exactly over every row
SELECT lives_ok($$SELECT rfm_kmeans.train('op_mem', 'op', ARRAY['a', 'b', 'c'], 5, mode => 'memory')$$, 'memory mode');
SELECT cmp_ok((SELECT inertia FROM rfm_kmeans.evaluate('op', 'op')), '<=',
              1.01 * (SELECT inertia FROM rfm_kmeans.evaluate('op_mem', 'op')),
              'one-pass inertia (a sample of 4,096 of ~40,000 distinct rows) within 1% of memory mode''s');
-- the estimated statistics: sizes add up to the rows
SELECT is((SELECT sum(s) FROM rfm_kmeans.models, unnest(sizes) s WHERE name = 'op'), 60000::numeric,
          'estimated sizes add up to the rows');

-- a sample holding every distinct row: statistics exact
SELECT lives_ok($$SELECT rfm_kmeans.train('op_all', 'op', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 65536)$$, 'a sample size of 65,536 holds every distinct row');
SELECT is((SELECT sizes FROM rfm_kmeans.models WHERE name = 'op_all'),
          (SELECT array_agg(n ORDER BY p) FROM (SELECT rfm_kmeans.predict('op_all', a, b, c) p, count(*) n FROM op GROUP BY 1) s),
          'then the sizes are the rows predict() puts in each cluster');
SELECT ok((SELECT abs(m.inertia - e.inertia) <= 1e-9 * e.inertia FROM rfm_kmeans.models m, rfm_kmeans.evaluate('op_all', 'op') e
           WHERE m.name = 'op_all'), 'and the inertia is evaluate()''s, to 1e-9');

-- refine: exact passes; the statistics then exact
SELECT lives_ok($$SELECT rfm_kmeans.train('op_ref', 'op', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 256, refine => 3)$$, 'refine => 3');
SELECT is((SELECT sizes FROM rfm_kmeans.models WHERE name = 'op_ref'),
          (SELECT array_agg(n ORDER BY p) FROM (SELECT rfm_kmeans.predict('op_ref', a, b, c) p, count(*) n FROM op GROUP BY 1) s),
          'refined: the sizes are exact');
SELECT ok((SELECT abs(m.inertia - e.inertia) <= 1e-9 * e.inertia FROM rfm_kmeans.models m, rfm_kmeans.evaluate('op_ref', 'op') e
           WHERE m.name = 'op_ref'), 'and the inertia');

-- the default past the memory limit
SET rfm_kmeans.train_memory_limit = '256kB';
SELECT lives_ok($$SELECT rfm_kmeans.train('op_default', 'op', ARRAY['a', 'b', 'c'], 5)$$, 'the default past the memory limit');
SELECT is((SELECT params->>'mode' FROM rfm_kmeans.models WHERE name = 'op_default'), 'onepass', 'falls back to one-pass mode');
RESET rfm_kmeans.train_memory_limit;

-- the caller's row-level security applies to the summary's scan
CREATE ROLE rfm_op_reader;
CREATE TABLE op_rls AS SELECT * FROM op;
ALTER TABLE op_rls ENABLE ROW LEVEL SECURITY;
CREATE POLICY odd_only ON op_rls FOR SELECT TO rfm_op_reader USING (id % 2 = 1);
GRANT SELECT ON op_rls TO rfm_op_reader;
SET ROLE rfm_op_reader;
SELECT is((SELECT n_rows FROM rfm_kmeans.train('op_rls', 'op_rls', ARRAY['a', 'b', 'c'], 5, mode => 'onepass')),
          30000::bigint, 'row-level security: the role''s 30,000 rows only');
RESET ROLE;

-- rows with a NULL feature: skipped, and counted by the summary itself
-- (no count(*) beside it), serially and by parallel workers whose states
-- are combined; 3 features as arguments, 5 as an array
CREATE TABLE op_nulls AS
SELECT id, CASE WHEN id % 7 = 0 THEN NULL ELSE a END AS a, b, CASE WHEN id % 11 = 0 THEN NULL ELSE c END AS c
FROM op_shuffled;
ALTER TABLE op_nulls ADD COLUMN e float8, ADD COLUMN g float8;
UPDATE op_nulls SET e = a + b, g = b - c;
ANALYZE op_nulls;
\set nulls_counted 'SELECT (count(*) FILTER (WHERE a IS NOT NULL AND c IS NOT NULL), count(*) FILTER (WHERE a IS NULL OR c IS NULL))::text FROM op_nulls'
SELECT is((SELECT (n_rows, n_skipped)::text FROM rfm_kmeans.train('op_n0', 'op_nulls', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)),
          (:nulls_counted), 'NULL features, serial: usable and skipped rows as plain SQL counts them');
SELECT is((SELECT (n_rows, n_skipped)::text FROM rfm_kmeans.train('op_n5', 'op_nulls', ARRAY['a', 'b', 'c', 'e', 'g'], 5, mode => 'onepass', sample_size => 4096)),
          (:nulls_counted), 'and with 5 features (an array a row)');
SET max_parallel_workers_per_gather = 2;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SELECT is((SELECT (n_rows, n_skipped)::text FROM rfm_kmeans.train('op_n2', 'op_nulls', ARRAY['a', 'b', 'c'], 5, mode => 'onepass', sample_size => 4096)),
          (:nulls_counted), 'NULL features, 2 parallel workers: the same counts');
SELECT is(pg_temp.model_bits('op_n2'), pg_temp.model_bits('op_n0'), 'and the same model, bit for bit');
SELECT is((SELECT (n_rows, n_skipped)::text FROM rfm_kmeans.train('op_n52', 'op_nulls', ARRAY['a', 'b', 'c', 'e', 'g'], 5, mode => 'onepass', sample_size => 4096)),
          (:nulls_counted), 'and with 5 features');
SET max_parallel_workers_per_gather = 0;
-- every row skipped: the error counts them
CREATE TABLE op_all_null AS SELECT id, NULL::float8 AS a, b FROM op LIMIT 1234;
CREATE FUNCTION pg_temp.error_of(q text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE state text; detail text;
BEGIN
	EXECUTE q;
	RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, detail = PG_EXCEPTION_DETAIL;
	RETURN state || ': ' || detail;
END $f$;
SELECT is(pg_temp.error_of($$SELECT rfm_kmeans.train('x', 'op_all_null', ARRAY['a', 'b'], 2, mode => 'onepass')$$),
          '22000: 1234 rows were skipped for a null feature.', 'every row with a NULL feature: 22000, counting the 1,234 skipped');

-- errors
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'op', ARRAY['a'], 2, mode => 'bogus')$$, '22023', NULL, 'an unknown mode');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'op', ARRAY['a'], 2, mode => 'onepass', sample_size => 8)$$, '22023', NULL, 'sample_size below 16');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'op', ARRAY['a'], 2, mode => 'onepass', refine => -1)$$, '22023', NULL, 'a negative refine');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'op', ARRAY['a'], 2, mode => 'memory', refine => 2)$$, '22023', NULL, 'refine with memory mode');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'op', ARRAY['a'], 20, mode => 'onepass', sample_size => 16)$$, '22023', NULL, 'sample_size below k');
-- a state counting 2^60 skipped rows beside its own (through its text form)
CREATE TEMP TABLE big_state AS
SELECT encode(overlay(decode(rfm_kmeans.kmeans_summary(64, a, b, c)::text, 'base64')
                      PLACING int8send((1::int8 << 60)) FROM 18 FOR 8), 'base64')::rfm_kmeans.kmeans_summary_state AS s
FROM op;
SELECT throws_ok($$SELECT rfm_kmeans.kmeans_summary_combine(s, s) FROM big_state$$, '22003', NULL,
                 'two states of more than 2^61 rows together: 22003, not an overflow');
SELECT throws_ok($$SELECT encode(decode('01' || '00000064' || '00400000' || '0000000000000000' || '00000000', 'hex'), 'base64')::rfm_kmeans.kmeans_summary_state$$,
                 '22P02', NULL, 'a state of 100 features and the largest sample (past 1 GB) is refused before any allocation');
CREATE TABLE op_nan AS SELECT * FROM op LIMIT 100;
UPDATE op_nan SET b = 'NaN' WHERE id = 7;
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'op_nan', ARRAY['a', 'b'], 2, mode => 'onepass')$$, '22000', NULL, 'a NaN feature');
SELECT throws_ok($$SELECT rfm_kmeans.kmeans_summary_combine(
                     (SELECT rfm_kmeans.kmeans_summary(64, a) FROM op), (SELECT rfm_kmeans.kmeans_summary(64, a, b) FROM op))$$,
                 '42804', NULL, 'combining summaries of different features');
SELECT throws_ok($$SELECT 'bm90IGEgc3VtbWFyeQ=='::rfm_kmeans.kmeans_summary_state$$, '22P02', NULL, 'a state that is no summary');
SELECT is((SELECT s::text::rfm_kmeans.kmeans_summary_state::text = s::text
           FROM (SELECT rfm_kmeans.kmeans_summary(64, a, b, c) s FROM op) q), true, 'a state''s text form reads back to the same');

-- a state value is the binary form behind an 8-byte header, not the
-- aggregate's working room (candidates and a lookup table for sample_size
-- rows, some 1.9 MB for 16,384): its size depends on the rows it holds
SELECT is((SELECT pg_column_size(s) - octet_length(rfm_kmeans.kmeans_summary_state_send(s))
           FROM (SELECT rfm_kmeans.kmeans_summary(16384, a, b, c) s FROM op WHERE id <= 100) q),
          8, 'a state value: its binary form and an 8-byte header');
SELECT is((SELECT pg_column_size(rfm_kmeans.kmeans_summary(16384, a, b, c)) FROM op WHERE id <= 100),
          (SELECT pg_column_size(rfm_kmeans.kmeans_summary(128, a, b, c)) FROM op WHERE id <= 100),
          'the value of 100 rows is as large with sample_size 16384 as with 128 (both hold every row)');
-- states stored in a table and combined by hand, in two orders: the state of every row
CREATE TEMP TABLE op_thirds AS
SELECT id % 3 AS part, rfm_kmeans.kmeans_summary(256, a, b, c) AS s FROM op GROUP BY id % 3;
SELECT is((SELECT rfm_kmeans.kmeans_summary_combine(rfm_kmeans.kmeans_summary_combine(x.s, y.s), z.s)::text
           FROM op_thirds x, op_thirds y, op_thirds z WHERE x.part = 0 AND y.part = 1 AND z.part = 2),
          (SELECT rfm_kmeans.kmeans_summary(256, a, b, c)::text FROM op), 'stored states combined by hand: the state of every row');
SELECT is((SELECT rfm_kmeans.kmeans_summary_combine(z.s, rfm_kmeans.kmeans_summary_combine(y.s, x.s))::text
           FROM op_thirds x, op_thirds y, op_thirds z WHERE x.part = 0 AND y.part = 1 AND z.part = 2),
          (SELECT rfm_kmeans.kmeans_summary(256, a, b, c)::text FROM op), 'and in another order');
-- the transition function called as a plain function: a new state, its argument unchanged
SELECT is((SELECT (rfm_kmeans.kmeans_summary_trans(s, 16, 2.5::float8)::text, s::text)::text
           FROM (SELECT rfm_kmeans.kmeans_summary_trans(NULL, 16, 1.5::float8) s) q),
          (SELECT (rfm_kmeans.kmeans_summary(16, x)::text, (SELECT rfm_kmeans.kmeans_summary(16, 1.5::float8)::text))::text
           FROM (VALUES (1.5::float8), (2.5)) v(x)),
          'the transition function outside an aggregate: a new state, its argument unchanged');
-- as a window function: the running state of the last row is the state of every row
SELECT is((SELECT s::text FROM (SELECT id, rfm_kmeans.kmeans_summary(64, a, b, c) OVER (ORDER BY id) s
                                FROM op WHERE id <= 500) q ORDER BY id DESC LIMIT 1),
          (SELECT rfm_kmeans.kmeans_summary(64, a, b, c)::text FROM op WHERE id <= 500),
          'a running window aggregate ends at the state of every row');

SELECT * FROM finish();
ROLLBACK;

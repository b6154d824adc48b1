-- rfm_kmeans on a Citus cluster (a coordinator and two workers, started by
-- scripts/test.sh): every function reads the rows the workers hold, the
-- aggregates are pushed down, scoring runs on the workers, and every
-- answer equals the one on a local copy of the same table (exactly for
-- rfm(), predict(), clv_summary() and the CLV fits, to 1e-9 for centroids,
-- whose sums add up in another order).
\set ON_ERROR_STOP 1
-- pg_temp helpers stay local (Citus warns so): errors only
SET client_min_messages = error;
SELECT plan(78);

-- the text of an EXPLAIN statement's plan
CREATE FUNCTION pg_temp.plan_text(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	result text := '';
BEGIN
	FOR line IN EXECUTE q LOOP
		result := result || line || E'\n';
	END LOOP;
	RETURN result;
END
$$;

SELECT lives_ok('SELECT rfm_kmeans.citus_setup()', 'citus_setup() makes the model catalog reference tables');
SELECT is((SELECT array_agg(logicalrelid::text ORDER BY logicalrelid::text) FROM pg_dist_partition
           WHERE logicalrelid::text LIKE 'rfm_kmeans.%' AND partmethod = 'n'),
          ARRAY['rfm_kmeans.model_versions', 'rfm_kmeans.models'], 'models and model_versions are reference tables');
SELECT lives_ok('SELECT rfm_kmeans.citus_setup()', 'and running it again changes nothing');
SELECT is((SELECT array_agg(success AND result = (SELECT extversion FROM pg_extension WHERE extname = 'rfm_kmeans')) FROM run_command_on_workers(
           $$SELECT extversion FROM pg_extension WHERE extname = 'rfm_kmeans'$$)), ARRAY[true, true],
          'Citus created the extension on both workers');

-- Invoice lines: customers, orders, amounts, every key type -----------------
DROP TABLE IF EXISTS txn_l, txn_c, txn_o, feat_l, feat_d, feat_r, big_d;
CREATE TABLE txn_l AS
SELECT i AS line, 1 + (i::bigint * 7919) % 900 AS customer_id, 'inv' || (i / 3) AS invoice_no,
       (i / 3)::integer AS order_int, (i / 3)::bigint AS order_big, (i / 3 % 30000)::smallint AS order_small,
       (i / 3)::numeric / 10 AS order_num, md5((i / 3)::text)::uuid AS order_uuid,
       timestamptz '2011-01-01 00:00:00+00' + ((i::bigint * 104729) % 31536000) * interval '1 second' AS ts,
       round(((i::bigint * 31) % 977) / 7.0, 2)::float8 AS amount
FROM generate_series(1, 60000) i;
CREATE TABLE txn_c (LIKE txn_l);
SELECT create_distributed_table('txn_c', 'customer_id');
INSERT INTO txn_c SELECT * FROM txn_l;
CREATE TABLE txn_o (LIKE txn_l);
SELECT create_distributed_table('txn_o', 'invoice_no');
INSERT INTO txn_o SELECT * FROM txn_l;

-- rfm(), per customer, with as_of, for each order-key type: the same
-- result from the local table, the table distributed by customer (the
-- aggregate runs whole on the workers) and by order (partial states from
-- the workers, combined on the coordinator)
CREATE FUNCTION pg_temp.rfm_by(tbl text, key text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT customer_id || '' '' || rfm_kmeans.rfm(ts, amount, %s, timestamptz ''2012-01-01 00:00:00+00'')::text
		 FROM %I GROUP BY customer_id', key, tbl);
END
$$;
SELECT set_eq(format('SELECT * FROM pg_temp.rfm_by(%L, %L)', 'txn_c', key),
              format('SELECT * FROM pg_temp.rfm_by(%L, %L)', 'txn_l', key),
              'rfm() by customer, ' || key || ' key, distributed by customer = local')
FROM unnest(ARRAY['invoice_no', 'order_int', 'order_big', 'order_small', 'order_num', 'order_uuid']) key;
SELECT set_eq(format('SELECT * FROM pg_temp.rfm_by(%L, %L)', 'txn_o', key),
              format('SELECT * FROM pg_temp.rfm_by(%L, %L)', 'txn_l', key),
              'rfm() by customer, ' || key || ' key, distributed by order (partial states) = local')
FROM unnest(ARRAY['invoice_no', 'order_int', 'order_big', 'order_small', 'order_num', 'order_uuid']) key;
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_no, '2012-01-01')
                          FROM txn_o GROUP BY customer_id$$),
               'worker_partial_agg.*rfm_kmeans\.rfm', 'by order: the workers compute partial states (worker_partial_agg)');
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_no, '2012-01-01')
                          FROM txn_c GROUP BY customer_id$$),
               'Query: SELECT .*rfm_kmeans\.rfm\(', 'by customer: the whole aggregate runs on the workers');
SELECT doesnt_match(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_no, '2012-01-01')
                               FROM txn_c GROUP BY customer_id$$),
                    'worker_partial_agg|coord_combine_agg', 'by customer: no partial states, nothing combined on the coordinator');

-- Training reads the workers' rows ------------------------------------------
-- features per customer, as a local table and distributed by customer
CREATE TABLE feat_l AS
SELECT customer_id, (f).recency_days AS recency, ln(1 + (f).frequency) AS log_frequency,
       ln(1 + greatest((f).monetary, 0)) AS log_monetary, (f).frequency::float8 AS frequency, (f).monetary
FROM (SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_no, timestamptz '2012-01-01 00:00:00+00') AS f
      FROM txn_l GROUP BY customer_id) s;
-- a table with rows on the coordinator before it was distributed: they
-- stay on disk, invisible, and must not be read
CREATE TABLE feat_d AS SELECT * FROM feat_l WHERE customer_id <= 300;
SELECT create_distributed_table('feat_d', 'customer_id');
INSERT INTO feat_d SELECT * FROM feat_l WHERE customer_id > 300;
CREATE TABLE feat_r (LIKE feat_l);
SELECT create_reference_table('feat_r');
INSERT INTO feat_r SELECT * FROM feat_l;

\set f 'ARRAY[''recency'', ''log_frequency'', ''log_monetary'']'
SELECT is((SELECT n_rows FROM rfm_kmeans.train('m_l', 'feat_l', :f, 5, n_init => 3)), 900::bigint, 'a local model on 900 customers');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('m_d', 'feat_d', :f, 5, n_init => 3)), 900::bigint,
          'train() with its defaults on the distributed table reads all 900 customers (not the 300 stale shell rows)');
SELECT is((SELECT params->>'mode' FROM rfm_kmeans.models WHERE name = 'm_d'), 'onepass',
          'the rows live on the workers: the default is one-pass mode, nothing pulled');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('m_r', 'feat_r', :f, 5, n_init => 3)), 900::bigint, 'and on the reference table');
-- rows with a NULL feature on the workers: skipped, and counted in the
-- summary states the workers send (one-pass mode has no count(*))
CREATE TABLE feat_dn AS
SELECT customer_id, CASE WHEN customer_id % 9 = 0 THEN NULL ELSE recency END AS recency, log_frequency, log_monetary
FROM feat_l;
SELECT create_distributed_table('feat_dn', 'customer_id');
SELECT is((SELECT (n_rows, n_skipped)::text FROM rfm_kmeans.train('m_dn', 'feat_dn', :f, 5, n_init => 3)),
          (SELECT (count(*) FILTER (WHERE customer_id % 9 <> 0), count(*) FILTER (WHERE customer_id % 9 = 0))::text FROM feat_l),
          'NULL features on the workers: the usable and skipped rows, as plain SQL counts them');

CREATE FUNCTION pg_temp.close_models(a text, b text) RETURNS boolean LANGUAGE sql AS $$
	SELECT x.sizes = y.sizes AND abs(x.inertia - y.inertia) <= 1e-9 * x.inertia
	       AND (SELECT bool_and(abs(cx - cy) <= 1e-9 * (1 + abs(cx)))
	            FROM unnest(x.centroids, y.centroids) u(cx, cy))
	FROM rfm_kmeans.models x, rfm_kmeans.models y WHERE x.name = a AND y.name = b
$$;
SELECT is((SELECT n_rows FROM rfm_kmeans.train('m_l_op', 'feat_l', :f, 5, n_init => 3, mode => 'onepass')), 900::bigint,
          'one-pass mode on the local table');
CREATE FUNCTION pg_temp.same_models(a text, b text) RETURNS boolean LANGUAGE sql AS $$
	SELECT x.centroids = y.centroids AND x.sizes = y.sizes AND x.inertia = y.inertia
	       AND x.scale_offset = y.scale_offset AND x.scale_factor = y.scale_factor
	FROM rfm_kmeans.models x, rfm_kmeans.models y WHERE x.name = a AND y.name = b
$$;
SELECT ok(pg_temp.same_models('m_l_op', 'm_d'), 'the distributed model equals the local one-pass model, bit for bit');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('m_d_mem', 'feat_d', :f, 5, n_init => 3, mode => 'memory')), 900::bigint,
          'mode => ''memory'' pulls the distributed rows through the query (they fit the memory limit)');
SELECT ok(pg_temp.close_models('m_l', 'm_d_mem'), 'and equals the local memory-mode model (sizes, inertia and centroids to 1e-9)');
SELECT ok(pg_temp.same_models('m_l_op', 'm_r'), 'so does the reference table''s (one-pass by default too)');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('m_agg', 'feat_d', :f, 5, mode => 'aggregate',
                                               init_centroids => (SELECT centroids FROM rfm_kmeans.models WHERE name = 'm_l'))),
          900::bigint, 'aggregate mode on the distributed table');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('m_agg_l', 'feat_l', :f, 5, mode => 'aggregate',
                                               init_centroids => (SELECT centroids FROM rfm_kmeans.models WHERE name = 'm_l'))),
          900::bigint, 'and on the local one, from the same start');
SELECT ok(pg_temp.close_models('m_agg_l', 'm_agg'), 'aggregate mode: distributed = local');
SELECT matches(pg_temp.plan_text(format($$EXPLAIN (VERBOSE, COSTS OFF) SELECT rfm_kmeans.kmeans_step(ARRAY[recency, log_frequency, log_monetary], %L::float8[])
                                 FROM feat_d$$, (SELECT centroids FROM rfm_kmeans.models WHERE name = 'm_l'))),
               'worker_partial_agg.*kmeans_step', 'kmeans_step() runs as partial aggregates on the workers');

-- past the memory limit nothing is pulled: aggregate mode, or 54000
-- (20,000 rows of 3 features: 469 kB of features alone)
CREATE TABLE big_d AS SELECT g AS id, (g % 97)::float8 AS a, (g % 89)::float8 AS b, (g % 83)::float8 AS c
FROM generate_series(1, 20000) g;
SELECT create_distributed_table('big_d', 'id');
SET rfm_kmeans.train_memory_limit = '256kB';
SELECT is((SELECT n_rows FROM rfm_kmeans.train('m_small', 'big_d', ARRAY['a', 'b', 'c'], 3)), 20000::bigint,
          'past the memory limit, the default is one-pass mode');
SELECT is((SELECT params->>'mode' FROM rfm_kmeans.models WHERE name = 'm_small'), 'onepass', 'as the model says');
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT rfm_kmeans.kmeans_summary(1024, a, b, c) FROM big_d$$),
               'worker_partial_agg.*kmeans_summary', 'kmeans_summary() runs as partial aggregates on the workers');
CREATE TABLE big_l AS SELECT * FROM big_d;
SELECT is((SELECT rfm_kmeans.kmeans_summary(1024, a, b, c)::text FROM big_d),
          (SELECT rfm_kmeans.kmeans_summary(1024, a, b, c)::text FROM big_l),
          'the summary of the distributed rows is the local one, byte for byte');
SELECT lives_ok($$SELECT rfm_kmeans.train('m_small_l', 'big_l', ARRAY['a', 'b', 'c'], 3, mode => 'onepass', refine => 2)$$,
                'one-pass with refine on the local copy');
SELECT lives_ok($$SELECT rfm_kmeans.train('m_small_r', 'big_d', ARRAY['a', 'b', 'c'], 3, mode => 'onepass', refine => 2)$$,
                'and on the distributed table');
SELECT ok(pg_temp.close_models('m_small_l', 'm_small_r'), 'refined: distributed = local (sizes exactly, centroids and inertia to 1e-9: the passes'' sums are compensated, not exact)');
SELECT throws_ok($$SELECT rfm_kmeans.train('m_small', 'big_d', ARRAY['a', 'b', 'c'], 3, mode => 'memory')$$,
                 '54000', NULL, 'mode => ''memory'': 54000 before any row is pulled');
RESET rfm_kmeans.train_memory_limit;

-- kmeans(), elbow(), evaluate() on the distributed table = local
SELECT results_eq($$SELECT cluster, size, centroid FROM rfm_kmeans.kmeans('feat_d', ARRAY['recency', 'log_frequency', 'log_monetary'], 4)$$,
                  $$SELECT cluster, size, centroid FROM rfm_kmeans.kmeans('feat_l', ARRAY['recency', 'log_frequency', 'log_monetary'], 4, mode => 'onepass')$$,
                  'kmeans(): distributed (one-pass by default) = local one-pass, bit for bit');
SELECT ok((SELECT bool_and(abs(d.inertia - l.inertia) <= 1e-9 * l.inertia AND d.recommended = l.recommended)
           FROM rfm_kmeans.elbow('feat_d', ARRAY['recency', 'log_frequency', 'log_monetary'], 2, 6) d
           JOIN rfm_kmeans.elbow('feat_l', ARRAY['recency', 'log_frequency', 'log_monetary'], 2, 6) l USING (k)),
          'elbow(): distributed = local');
SELECT ok((SELECT abs(d.inertia - l.inertia) <= 1e-9 * l.inertia AND abs(d.silhouette - l.silhouette) <= 1e-9
                  AND d.n_rows = l.n_rows
           FROM rfm_kmeans.evaluate('m_l', 'feat_d') d, rfm_kmeans.evaluate('m_l', 'feat_l') l),
          'evaluate(): distributed = local');

-- Scoring runs on the workers, with the coordinator's model ------------------
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, rfm_kmeans.predict('m_l', recency, log_frequency, log_monetary) FROM feat_d$$),
               'Task.*Query: SELECT .*rfm_kmeans\.predict\(', 'predict() is in the query the workers run');
SELECT set_eq($$SELECT customer_id, rfm_kmeans.predict('m_l', recency, log_frequency, log_monetary),
                       rfm_kmeans.assign('m_l', recency, log_frequency, log_monetary)::text,
                       rfm_kmeans.distances('m_l', recency, log_frequency, log_monetary)::text FROM feat_d$$,
              $$SELECT customer_id, rfm_kmeans.predict('m_l', recency, log_frequency, log_monetary),
                       rfm_kmeans.assign('m_l', recency, log_frequency, log_monetary)::text,
                       rfm_kmeans.distances('m_l', recency, log_frequency, log_monetary)::text FROM feat_l$$,
              'predict, assign and distances on the workers = on the coordinator, for every customer');
SELECT set_eq($$SELECT rfm_kmeans.predict('m_l', VARIADIC ARRAY[recency, log_frequency, log_monetary]) FROM feat_d$$,
              $$SELECT rfm_kmeans.predict('m_l', VARIADIC ARRAY[recency, log_frequency, log_monetary]) FROM feat_l$$,
              'and the VARIADIC overload');
-- a model retrained between two queries: the workers use the new one
CREATE TEMP TABLE before_retrain AS SELECT customer_id, rfm_kmeans.predict('m_l', recency, log_frequency, log_monetary) AS cl FROM feat_d;
SELECT is((SELECT k FROM rfm_kmeans.train('m_l', 'feat_l', :f, 3)), 3, 'the model is retrained with k = 3');
SELECT is((SELECT max(rfm_kmeans.predict('m_l', recency, log_frequency, log_monetary)) FROM feat_d), 2,
          'the next query on the workers uses the new model (clusters 0..2)');
SELECT set_eq($$SELECT customer_id, rfm_kmeans.predict('m_l', recency, log_frequency, log_monetary) FROM feat_d$$,
              $$SELECT customer_id, rfm_kmeans.predict('m_l', recency, log_frequency, log_monetary) FROM feat_l$$,
              'and answers as the coordinator does');
SELECT is(rfm_kmeans.rollback_model('m_l'), 1, 'a rollback on the coordinator');
SELECT set_eq($$SELECT customer_id, rfm_kmeans.predict('m_l', recency, log_frequency, log_monetary) FROM feat_d$$,
              $$SELECT customer_id, cl FROM before_retrain$$,
              'is what the workers use in the next statement');

-- Categorical features: trained over the workers' rows, scored whole on the workers
DROP TABLE IF EXISTS bank_l, bank_d;
CREATE TABLE bank_l AS
SELECT i AS id, (ARRAY['savings', 'term', 'current'])[1 + (i::bigint * 7919) % 3] AS deposit_type,
       ((i::bigint * 104729) % 1000)::float8 + 3000 * ((i::bigint * 7919) % 3) AS amount, (i % 4 = 0) AS mobile
FROM generate_series(1, 3000) i;
CREATE TABLE bank_d (LIKE bank_l);
SELECT create_distributed_table('bank_d', 'id');
INSERT INTO bank_d SELECT * FROM bank_l;
SELECT is((SELECT n_rows FROM rfm_kmeans.train('bank_lm', 'bank_l', ARRAY['deposit_type', 'amount', 'mobile'], 3, mode => 'aggregate')),
          3000::bigint, 'a categorical model of the local copy');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('bank_dm', 'bank_d', ARRAY['deposit_type', 'amount', 'mobile'], 3, mode => 'aggregate')),
          3000::bigint, 'and of the distributed table: every row');
SELECT ok((SELECT d.features = l.features AND d.categories = l.categories AND cardinality(d.categories) = 6
           FROM rfm_kmeans.models d, rfm_kmeans.models l WHERE d.name = 'bank_dm' AND l.name = 'bank_lm'),
          'categories read from the workers: those of the local copy');
SELECT ok((SELECT bool_and(abs(x - y) <= 1e-9 * (1 + abs(y)))
           FROM unnest((SELECT centroids FROM rfm_kmeans.models WHERE name = 'bank_dm'),
                       (SELECT centroids FROM rfm_kmeans.models WHERE name = 'bank_lm')) u(x, y)),
          'a categorical model trained over the workers = over the local copy');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('bank_do', 'bank_d', ARRAY['deposit_type', 'amount', 'mobile'], 3)), 3000::bigint,
          'the default (one-pass) mode on the distributed table encodes every row');
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT id, rfm_kmeans.predict_row('bank_lm', b) FROM bank_d b$$),
               'Task.*Query: SELECT .*rfm_kmeans\.(predict_row|_predict_row_columns)\(',
               'predict_row() (or the planner''s column-by-column form of it) is in the query the workers run');
SELECT set_eq($$SELECT id, rfm_kmeans.predict_row('bank_lm', b), rfm_kmeans.assign_row('bank_lm', b)::text FROM bank_d b$$,
              $$SELECT id, rfm_kmeans.predict_row('bank_lm', b), rfm_kmeans.assign_row('bank_lm', b)::text FROM bank_l b$$,
              'predict_row() and assign_row() on the workers = on the coordinator, for every row');

-- drift, cluster_summary, report_html over the distributed table = local
SELECT ok((SELECT d.psi = l.psi AND d.shares_after = l.shares_after AND d.n_rows = l.n_rows
                  AND abs(d.mean_distance_after - l.mean_distance_after) <= 1e-12 * l.mean_distance_after
           FROM rfm_kmeans.drift('m_l', 'feat_d') d, rfm_kmeans.drift('m_l', 'feat_l') l),
          'drift(): distributed = local');
SELECT set_eq($$SELECT cluster, label, customers, round(mean_monetary::numeric, 6) AS mm, round(revenue::numeric, 4) AS rev
                FROM rfm_kmeans.cluster_summary('m_l', 'feat_d', frequency => 'frequency', monetary => 'monetary')$$,
              $$SELECT cluster, label, customers, round(mean_monetary::numeric, 6) AS mm, round(revenue::numeric, 4) AS rev
                FROM rfm_kmeans.cluster_summary('m_l', 'feat_l', frequency => 'frequency', monetary => 'monetary')$$,
              'cluster_summary(): distributed = local');
SELECT is(md5(regexp_replace(rfm_kmeans.report_html('m_l', 'feat_d', frequency => 'frequency', monetary => 'monetary'),
                             'applied to [^:]*:', '')),
          md5(regexp_replace(rfm_kmeans.report_html('m_l', 'feat_l', frequency => 'frequency', monetary => 'monetary'),
                             'applied to [^:]*:', '')),
          'report_html(): the same document but for the relation''s name');

-- Customer lifetime value ----------------------------------------------------
-- 3,000 customers, each buying as BG/NBD assumes (a purchase rate and a
-- chance to drop out after each purchase of its own, its own mean spend),
-- from a birth day in 2010 up to as_of (2012-01-01, some lines exactly at
-- it). An order has 1 to 3 lines; every fourth purchase has a second order
-- later the same UTC day (one purchase day, its spend added from both);
-- one line in 13 is a return (amount < 0) and every 17th order has only
-- returns, so some days and some customers have no purchase at all.
-- Amounts are in cents, not exact in binary: a day's spend depends on the
-- order of its additions unless the state compensates.
DROP TABLE IF EXISTS clv_txn_l, clv_txn_c, clv_txn_o, clv_sum_l, clv_sum_d;
-- a deterministic uniform number in (0, 1] for i
CREATE FUNCTION pg_temp.u(i bigint) RETURNS float8 LANGUAGE sql IMMUTABLE AS
	$$SELECT ((hashint8(i) & 2147483647) + 1) / 2147483648.0::float8$$;
CREATE TABLE clv_txn_l AS
WITH cust AS (
	SELECT c, 600 * pg_temp.u(c) AS birth, 0.002 + 0.04 * pg_temp.u(c + 10000) ^ 2 AS lambda,
	       0.02 + 0.4 * pg_temp.u(c + 20000) ^ 3 AS p, 5 + 150 * pg_temp.u(c + 30000) AS scale
	FROM generate_series(1, 3000) c),
purchases AS (  -- purchase j of customer c, t days after 2010-01-01
	SELECT c AS customer_id, c * 100 + j AS order_no, scale,
	       birth + sum(CASE WHEN j = 0 THEN 0 ELSE -ln(pg_temp.u(c * 100 + j + 40000000)) / lambda END)
	               OVER (PARTITION BY c ORDER BY j) AS t
	FROM cust, generate_series(0, least(floor(ln(pg_temp.u(c + 50000)) / ln(1 - p)), 60)::integer) j),
orders AS (
	SELECT customer_id, order_no, scale, t FROM purchases WHERE t < 730
	UNION ALL
	SELECT customer_id, order_no + 10000000, scale, floor(t) + (t - floor(t) + 1) / 2
	FROM purchases WHERE t < 730 AND order_no % 4 = 0)
SELECT customer_id, order_no, l AS line,
       CASE WHEN order_no % 997 = 0 THEN timestamptz '2012-01-01 00:00:00+00'
            ELSE timestamptz '2010-01-01 00:00:00+00' + round(t * 86400) * interval '1 second' END AS ts,
       CASE WHEN order_no % 17 = 0 OR (hashint8(order_no * 4 + l) & 2147483647) % 13 = 0 THEN -1 ELSE 1 END
       * round((scale * (0.5 + pg_temp.u(order_no * 4 + l + 60000000)))::numeric, 2)::float8 AS amount
FROM orders, generate_series(1, 1 + order_no % 3) l
ORDER BY order_no, l;
CREATE TABLE clv_txn_c (LIKE clv_txn_l);
SELECT create_distributed_table('clv_txn_c', 'customer_id');
INSERT INTO clv_txn_c SELECT * FROM clv_txn_l;
CREATE TABLE clv_txn_o (LIKE clv_txn_l);
SELECT create_distributed_table('clv_txn_o', 'order_no');
INSERT INTO clv_txn_o SELECT * FROM clv_txn_l;
SELECT ok((SELECT count(DISTINCT customer_id) = 3000 AND count(*) FILTER (WHERE amount < 0) > 1000
                  AND count(*) FILTER (WHERE ts = '2012-01-01 00:00:00+00') > 0 FROM clv_txn_l)
          AND (SELECT count(*) > 0 FROM (SELECT 1 FROM clv_txn_l GROUP BY customer_id HAVING max(amount) < 0) s)
          AND (SELECT count(*) > 1000 FROM (SELECT 1 FROM clv_txn_l WHERE amount >= 0 GROUP BY customer_id, (ts AT TIME ZONE 'UTC')::date
                                            HAVING count(DISTINCT get_shard_id_for_distribution_column('clv_txn_o', order_no)) > 1) s),
          'CLV data: 3,000 customers, returns, customers with returns only, lines at as_of, purchase days split between shards');

-- clv_summary() per customer, with the default time unit and with days:
-- the table distributed by customer (the aggregate runs whole on the
-- workers) and by order (partial states, a day's spend from several
-- shards, combined on the coordinator) = local, to the bit (float8 text
-- is shortest-exact); a customer with returns only has a NULL summary
CREATE FUNCTION pg_temp.clv_by(tbl text, unit text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
	RETURN QUERY EXECUTE format(
		'SELECT customer_id || '' '' || coalesce(rfm_kmeans.clv_summary(ts, amount, timestamptz ''2012-01-01 00:00:00+00''%s)::text, ''NULL'')
		 FROM %I GROUP BY customer_id', CASE WHEN unit IS NULL THEN '' ELSE format(', interval %L', unit) END, tbl);
END
$$;
SELECT set_eq(format('SELECT * FROM pg_temp.clv_by(%L, %L)', tbl, unit),
              format('SELECT * FROM pg_temp.clv_by(%L, %L)', 'clv_txn_l', unit),
              'clv_summary() by customer' || coalesce(', time_unit ' || unit, '') || ', distributed by '
              || CASE tbl WHEN 'clv_txn_c' THEN 'customer' ELSE 'order (partial states)' END || ' = local')
FROM unnest(ARRAY['clv_txn_c', 'clv_txn_o']) tbl, unnest(ARRAY[NULL, '1 day']) unit;
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, rfm_kmeans.clv_summary(ts, amount, '2012-01-01 00:00:00+00')
                          FROM clv_txn_c GROUP BY customer_id$$),
               'Task.*Query: SELECT customer_id, rfm_kmeans\.clv_summary\(ts, amount, ',
               'clv_summary() by customer: the workers run the whole aggregate');
SELECT doesnt_match(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, rfm_kmeans.clv_summary(ts, amount, '2012-01-01 00:00:00+00')
                               FROM clv_txn_c GROUP BY customer_id$$),
                    'worker_partial_agg|coord_combine_agg|Aggregate\n.*Custom Scan',
                    'and the coordinator has nothing left to aggregate');
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT customer_id, rfm_kmeans.clv_summary(ts, amount, '2012-01-01 00:00:00+00', '1 day')
                          FROM clv_txn_o GROUP BY customer_id$$),
               'coord_combine_agg.*Task.*worker_partial_agg\(''rfm_kmeans\.clv_summary\(',
               'clv_summary() by order: partial states on the workers (worker_partial_agg), combined on the coordinator');

-- bgnbd_fit() and gamma_gamma_fit() over a distributed summary table:
-- partial states on the workers, the fit on the coordinator, and the same
-- parameters, likelihood and iterations as over the local table, bit for
-- bit (the state keeps the distinct customers, the fit reads them sorted)
CREATE TABLE clv_sum_l AS
SELECT customer_id, (s).x::float8 AS x, (s).t_x, (s).t_cal, (s).m_x
FROM (SELECT customer_id, rfm_kmeans.clv_summary(ts, amount, timestamptz '2012-01-01 00:00:00+00') AS s
      FROM clv_txn_l GROUP BY customer_id) q
WHERE (s).x IS NOT NULL;
CREATE TABLE clv_sum_d (LIKE clv_sum_l);
SELECT create_distributed_table('clv_sum_d', 'customer_id');
INSERT INTO clv_sum_d SELECT * FROM clv_sum_l;
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM clv_sum_d$$),
               'coord_combine_agg.*Task.*worker_partial_agg\(''rfm_kmeans\.bgnbd_fit\(',
               'bgnbd_fit(): partial states on the workers, combined on the coordinator');
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT rfm_kmeans.gamma_gamma_fit(x, m_x) FROM clv_sum_d$$),
               'coord_combine_agg.*Task.*worker_partial_agg\(''rfm_kmeans\.gamma_gamma_fit\(',
               'gamma_gamma_fit(): partial states on the workers, combined on the coordinator');
SELECT ok((SELECT (bg).converged AND (bg).n_customers = (SELECT count(*) FROM clv_sum_l)
                  AND (gg).converged AND (gg).n_customers = (SELECT count(*) FROM clv_sum_l WHERE x > 0)
           FROM (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) AS bg, rfm_kmeans.gamma_gamma_fit(x, m_x) AS gg FROM clv_sum_l) f),
          'the local fits converge, over every customer (BG/NBD) and those with repeat purchases (Gamma-Gamma)');
SELECT is((SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal)::text FROM clv_sum_d),
          (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal)::text FROM clv_sum_l),
          'bgnbd_fit(): distributed = local, bit for bit');
SELECT is((SELECT rfm_kmeans.gamma_gamma_fit(x, m_x)::text FROM clv_sum_d),
          (SELECT rfm_kmeans.gamma_gamma_fit(x, m_x)::text FROM clv_sum_l),
          'gamma_gamma_fit(): distributed = local, bit for bit');

-- from transaction lines to the fits in one query: by customer, the
-- workers compute the summaries and the fits' partial states; by order,
-- the summaries are combined into an intermediate result (clv_inputs as
-- text) and fitted on the coordinator
SELECT matches(pg_temp.plan_text($$EXPLAIN (VERBOSE, COSTS OFF) SELECT rfm_kmeans.bgnbd_fit((s).x, (s).t_x, (s).t_cal)
                          FROM (SELECT rfm_kmeans.clv_summary(ts, amount, '2012-01-01 00:00:00+00') AS s
                                FROM clv_txn_c GROUP BY customer_id) q$$),
               'coord_combine_agg.*Task.*worker_partial_agg\(''rfm_kmeans\.bgnbd_fit\(.*rfm_kmeans\.clv_summary\(',
               'bgnbd_fit() of clv_summary() by customer: both on the workers');
SELECT is((SELECT rfm_kmeans.bgnbd_fit((s).x, (s).t_x, (s).t_cal)::text || ' ' || rfm_kmeans.gamma_gamma_fit((s).x, (s).m_x)::text
           FROM (SELECT rfm_kmeans.clv_summary(ts, amount, '2012-01-01 00:00:00+00') AS s FROM clv_txn_c GROUP BY customer_id) q),
          (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal)::text || ' ' || rfm_kmeans.gamma_gamma_fit(x, m_x)::text FROM clv_sum_l),
          'both fits of clv_summary() in one query, distributed by customer = local');
SELECT is((SELECT rfm_kmeans.bgnbd_fit((s).x, (s).t_x, (s).t_cal)::text || ' ' || rfm_kmeans.gamma_gamma_fit((s).x, (s).m_x)::text
           FROM (SELECT rfm_kmeans.clv_summary(ts, amount, '2012-01-01 00:00:00+00') AS s FROM clv_txn_o GROUP BY customer_id) q),
          (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal)::text || ' ' || rfm_kmeans.gamma_gamma_fit(x, m_x)::text FROM clv_sum_l),
          'and distributed by order = local');

SELECT * FROM finish();

-- Every aggregate under parallel query and partitionwise aggregation: the
-- plan is Finalize / Gather / Partial Aggregate (or Finalize over an Append
-- of per-partition partial aggregates, which combines several partial
-- states without any worker), and the result equals the serial plan's to
-- the bit. Each aggregate's serial values are checked against plain SQL in
-- its own test (rfm, kmeans, lifetime_value).
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET extra_float_digits = 0;

-- 12,000 invoice lines of 300 customers, every order-key type, a few
-- returns; the values are a fixed function of the line number. Customer c
-- buys from day (37 c mod 200) of 2011 for (13 c mod 130) + 1 days, with a
-- spend scale of its own, so that BG/NBD and Gamma-Gamma have something to fit.
CREATE TABLE par_lines AS
SELECT g AS line,
       c AS customer,
       timestamptz '2011-01-01' + ((c * 37) % 200 + (g * 7919) % ((c * 13) % 130 + 1)) * interval '1 day'
           + ((g * 13) % 86400) * interval '1 second' AS ts,
       CASE WHEN g % 53 = 0 THEN -((g % 7) + 1.0)
            ELSE (1 + c % 17) * (1 + (g * 31) % 100) / 10.0 END AS amount,
       (g / 3)::smallint AS order_small,
       g / 3 AS order_int,
       (g / 3)::bigint * 1000000007 AS order_big,
       'INV-' || (g / 3) AS order_text,
       md5((g / 3)::text)::uuid AS order_uuid,
       (g / 3)::numeric / 7 AS order_numeric,
       (g / 3) * interval '1 minute' AS order_interval
FROM generate_series(1, 12000) g, LATERAL (SELECT g % 300 AS c) AS cust;
ALTER TABLE par_lines SET (parallel_workers = 2);
ANALYZE par_lines;

-- per-customer features for the k-means and CLV aggregates
CREATE TABLE par_customers AS
SELECT customer, customer % 3 AS part, (f).recency_days AS r, (f).frequency::float8 AS f, (f).monetary AS m,
       (f).avg_order_value AS aov, (c).x, (c).t_x, (c).t_cal, (c).m_x
FROM (SELECT customer,
             rfm_kmeans.rfm(ts, amount, order_int, timestamptz '2011-12-01') AS f,
             rfm_kmeans.clv_summary(ts, amount, timestamptz '2011-12-01') AS c
      FROM par_lines GROUP BY customer) s;
-- repeat the customers so that the parallel scan has pages to share
INSERT INTO par_customers SELECT * FROM par_customers;
INSERT INTO par_customers SELECT * FROM par_customers;
ALTER TABLE par_customers SET (parallel_workers = 2);
ANALYZE par_customers;

-- Runs a query with a parallel plan and with a serial one; returns whether
-- the parallel plan has Finalize / Gather / Partial Aggregate, the serial one
-- no Gather, and whether the two results are the same multiset of rows.
CREATE FUNCTION pg_temp.parallel_vs_serial(q text,
	OUT parallel_plan boolean, OUT serial_plan boolean, OUT rows bigint, OUT same boolean)
LANGUAGE plpgsql AS $$
DECLARE
	plan text;
	line text;
BEGIN
	PERFORM set_config('parallel_setup_cost', '0', true);
	PERFORM set_config('min_parallel_table_scan_size', '0', true);
	PERFORM set_config('max_parallel_workers_per_gather', '2', true);
	plan := '';
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		plan := plan || line || E'\n';
	END LOOP;
	parallel_plan := plan ~ 'Finalize (Hash|Group)?Aggregate.*Gather.*Partial (Hash|Group)?Aggregate';
	EXECUTE 'CREATE TEMP TABLE par_result AS ' || q;

	PERFORM set_config('max_parallel_workers_per_gather', '0', true);
	plan := '';
	FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || q LOOP
		plan := plan || line || E'\n';
	END LOOP;
	serial_plan := plan !~ 'Gather';
	EXECUTE 'CREATE TEMP TABLE ser_result AS ' || q;

	SELECT count(*) INTO rows FROM ser_result;
	SELECT count(*) = 0 INTO same
	FROM ((TABLE par_result EXCEPT ALL TABLE ser_result)
	      UNION ALL (TABLE ser_result EXCEPT ALL TABLE par_result)) d;
	DROP TABLE par_result, ser_result;
END
$$;

-- now() must be the same in both runs of the overloads without as_of; the
-- fits on these generated customers end with NOTICEs (a fit at a limit of
-- the model) that are beside the point here
SET client_min_messages = warning;
BEGIN;
SELECT aggregate, (pg_temp.parallel_vs_serial(q)).*
FROM (VALUES
	('rfm(ts, amount)',
	 'SELECT customer, rfm_kmeans.rfm(ts, amount) FROM par_lines GROUP BY customer'),
	('rfm(ts, amount, as_of)',
	 $q$SELECT customer, rfm_kmeans.rfm(ts, amount, timestamptz '2011-12-01') FROM par_lines GROUP BY customer$q$),
	('rfm(ts, amount, smallint)',
	 'SELECT customer, rfm_kmeans.rfm(ts, amount, order_small) FROM par_lines GROUP BY customer'),
	('rfm(ts, amount, smallint, as_of)',
	 $q$SELECT customer, rfm_kmeans.rfm(ts, amount, order_small, timestamptz '2011-12-01') FROM par_lines GROUP BY customer$q$),
	('rfm(ts, amount, integer)',
	 'SELECT customer, rfm_kmeans.rfm(ts, amount, order_int) FROM par_lines GROUP BY customer'),
	('rfm(ts, amount, integer, as_of)',
	 $q$SELECT customer, rfm_kmeans.rfm(ts, amount, order_int, timestamptz '2011-12-01') FROM par_lines GROUP BY customer$q$),
	('rfm(ts, amount, bigint)',
	 'SELECT customer, rfm_kmeans.rfm(ts, amount, order_big) FROM par_lines GROUP BY customer'),
	('rfm(ts, amount, bigint, as_of)',
	 $q$SELECT customer, rfm_kmeans.rfm(ts, amount, order_big, timestamptz '2011-12-01') FROM par_lines GROUP BY customer$q$),
	('rfm(ts, amount, text)',
	 'SELECT customer, rfm_kmeans.rfm(ts, amount, order_text) FROM par_lines GROUP BY customer'),
	('rfm(ts, amount, text, as_of)',
	 $q$SELECT customer, rfm_kmeans.rfm(ts, amount, order_text, timestamptz '2011-12-01') FROM par_lines GROUP BY customer$q$),
	('rfm(ts, amount, uuid)',
	 'SELECT customer, rfm_kmeans.rfm(ts, amount, order_uuid) FROM par_lines GROUP BY customer'),
	('rfm(ts, amount, uuid, as_of)',
	 $q$SELECT customer, rfm_kmeans.rfm(ts, amount, order_uuid, timestamptz '2011-12-01') FROM par_lines GROUP BY customer$q$),
	('rfm(ts, amount, numeric)',
	 'SELECT customer, rfm_kmeans.rfm(ts, amount, order_numeric) FROM par_lines GROUP BY customer'),
	('rfm(ts, amount, numeric, as_of)',
	 $q$SELECT customer, rfm_kmeans.rfm(ts, amount, order_numeric, timestamptz '2011-12-01') FROM par_lines GROUP BY customer$q$),
	('rfm(ts, amount, anyelement: interval)',
	 'SELECT customer, rfm_kmeans.rfm(ts, amount, order_interval) FROM par_lines GROUP BY customer'),
	('rfm(ts, amount, anyelement: interval, as_of)',
	 $q$SELECT customer, rfm_kmeans.rfm(ts, amount, order_interval, timestamptz '2011-12-01') FROM par_lines GROUP BY customer$q$),
	('rfm: grand total',
	 $q$SELECT rfm_kmeans.rfm(ts, amount, order_text, timestamptz '2011-12-01') FROM par_lines$q$),
	('clv_summary(ts, amount, as_of)',
	 $q$SELECT customer, rfm_kmeans.clv_summary(ts, amount, timestamptz '2011-12-01') FROM par_lines GROUP BY customer$q$),
	('clv_summary(ts, amount, as_of, time_unit)',
	 $q$SELECT customer, rfm_kmeans.clv_summary(ts, amount, timestamptz '2011-12-01', '1 day') FROM par_lines GROUP BY customer$q$),
	('bgnbd_fit(x, t_x, t_cal)',
	 'SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM par_customers'),
	('gamma_gamma_fit(x, m_x)',
	 'SELECT rfm_kmeans.gamma_gamma_fit(x, m_x) FROM par_customers WHERE x > 0'),
	('kmeans_step(features, centroids)',
	 $q$SELECT rfm_kmeans.kmeans_step(ARRAY[r / 100, f / 10, m / 1000], '{{0,0,0},{1,1,1},{2,5,10}}') FROM par_customers$q$),
	('kmeans_step(features, centroids, scaler)',
	 $q$SELECT rfm_kmeans.kmeans_step(ARRAY[r, f, m], '{{0,0,0},{1,1,1},{2,5,10}}', '{{0,0,0},{100,10,1000}}') FROM par_customers$q$),
	('kmeans_step(centroids, scaler, f1)',
	 $q$SELECT rfm_kmeans.kmeans_step('{{0},{1},{2}}', '{{0},{100}}', r) FROM par_customers$q$),
	('kmeans_step(centroids, scaler, f1, f2)',
	 $q$SELECT rfm_kmeans.kmeans_step('{{0,0},{1,1},{2,5}}', '{{0,0},{100,10}}', r, f) FROM par_customers$q$),
	('kmeans_step(centroids, scaler, f1, f2, f3)',
	 $q$SELECT rfm_kmeans.kmeans_step('{{0,0,0},{1,1,1},{2,5,10}}', '{{0,0,0},{100,10,1000}}', r, f, m) FROM par_customers$q$),
	('kmeans_step(centroids, scaler, f1, f2, f3, f4)',
	 $q$SELECT rfm_kmeans.kmeans_step('{{0,0,0,0},{1,1,1,1},{2,5,10,1}}', '{{0,0,0,0},{100,10,1000,100}}', r, f, m, aov) FROM par_customers$q$),
	('kmeans_step grouped',
	 $q$SELECT part, rfm_kmeans.kmeans_step('{{0,0},{1,1}}', '{{0,0},{100,10}}', r, f) FROM par_customers GROUP BY part$q$),
	('kmeans_summary(sample_size, f1)',
	 'SELECT rfm_kmeans.kmeans_summary(64, r)::text FROM par_customers'),
	('kmeans_summary(sample_size, f1, f2)',
	 'SELECT rfm_kmeans.kmeans_summary(64, r, f)::text FROM par_customers'),
	('kmeans_summary(sample_size, f1, f2, f3)',
	 'SELECT rfm_kmeans.kmeans_summary(64, r, f, m)::text FROM par_customers'),
	('kmeans_summary(sample_size, f1, f2, f3, f4)',
	 'SELECT rfm_kmeans.kmeans_summary(64, r, f, m, aov)::text FROM par_customers'),
	('kmeans_summary(features, sample_size)',
	 'SELECT rfm_kmeans.kmeans_summary(ARRAY[r, f, m, aov, r + f], 64)::text FROM par_customers')
) AS t(aggregate, q);
COMMIT;
RESET client_min_messages;

-- every aggregate of the extension is in the list above
SELECT count(*) AS aggregates, count(DISTINCT p.proname) AS names
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE p.pronamespace = 'rfm_kmeans'::regnamespace;

-- one plan shown whole
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
EXPLAIN (COSTS OFF)
SELECT customer, rfm_kmeans.rfm(ts, amount, order_int, timestamptz '2011-12-01')
FROM par_lines GROUP BY customer;
RESET max_parallel_workers_per_gather;

-- Partitionwise aggregation (no parallel query): grouped by the partition
-- key, each partition is aggregated whole; grouped by something else, each
-- partition gives partial states that Finalize combines, several per group.
SET max_parallel_workers_per_gather = 0;
SET enable_partitionwise_aggregate = on;
CREATE TABLE par_parted (LIKE par_lines) PARTITION BY HASH (customer);
CREATE TABLE par_parted_0 PARTITION OF par_parted FOR VALUES WITH (MODULUS 3, REMAINDER 0);
CREATE TABLE par_parted_1 PARTITION OF par_parted FOR VALUES WITH (MODULUS 3, REMAINDER 1);
CREATE TABLE par_parted_2 PARTITION OF par_parted FOR VALUES WITH (MODULUS 3, REMAINDER 2);
INSERT INTO par_parted SELECT * FROM par_lines;
ANALYZE par_parted;

EXPLAIN (COSTS OFF)
SELECT customer, rfm_kmeans.rfm(ts, amount, order_int, timestamptz '2011-12-01')
FROM par_parted GROUP BY customer;
EXPLAIN (COSTS OFF)
SELECT customer % 10, rfm_kmeans.rfm(ts, amount, order_int, timestamptz '2011-12-01')
FROM par_parted GROUP BY 1;

-- the partial partitionwise plans give the unpartitioned table's results
CREATE FUNCTION pg_temp.same_rows(a text, b text) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format('SELECT count(*) FROM ((%s EXCEPT ALL %s) UNION ALL (%s EXCEPT ALL %s)) d', a, b, b, a) INTO n;
	RETURN n = 0;
END
$$;
SELECT pg_temp.same_rows(
	$$SELECT customer % 10, rfm_kmeans.rfm(ts, amount, order_int, timestamptz '2011-12-01') FROM par_parted GROUP BY 1$$,
	$$SELECT customer % 10, rfm_kmeans.rfm(ts, amount, order_int, timestamptz '2011-12-01') FROM par_lines GROUP BY 1$$)
	AS rfm_same,
       pg_temp.same_rows(
	$$SELECT customer % 10, rfm_kmeans.rfm(ts, amount, order_text, timestamptz '2011-12-01') FROM par_parted GROUP BY 1$$,
	$$SELECT customer % 10, rfm_kmeans.rfm(ts, amount, order_text, timestamptz '2011-12-01') FROM par_lines GROUP BY 1$$)
	AS rfm_text_same,
       pg_temp.same_rows(
	$$SELECT customer % 10, rfm_kmeans.clv_summary(ts, amount, timestamptz '2011-12-01') FROM par_parted GROUP BY 1$$,
	$$SELECT customer % 10, rfm_kmeans.clv_summary(ts, amount, timestamptz '2011-12-01') FROM par_lines GROUP BY 1$$)
	AS clv_summary_same;

-- the partial states of a grouped aggregate over partitions, for the
-- k-means and CLV fits (grand totals over the partitions: Append of Partial)
CREATE TABLE par_customers_parted (LIKE par_customers) PARTITION BY HASH (customer);
CREATE TABLE par_customers_parted_0 PARTITION OF par_customers_parted FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE par_customers_parted_1 PARTITION OF par_customers_parted FOR VALUES WITH (MODULUS 2, REMAINDER 1);
INSERT INTO par_customers_parted SELECT * FROM par_customers;
ANALYZE par_customers_parted;
SET client_min_messages = warning;
EXPLAIN (COSTS OFF)
SELECT customer % 2, rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM par_customers_parted GROUP BY 1;
SELECT pg_temp.same_rows(
	$$SELECT customer % 2, rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM par_customers_parted GROUP BY 1$$,
	$$SELECT customer % 2, rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM par_customers GROUP BY 1$$)
	AS bgnbd_same,
       pg_temp.same_rows(
	$$SELECT customer % 2, rfm_kmeans.gamma_gamma_fit(x, m_x) FROM par_customers_parted WHERE x > 0 GROUP BY 1$$,
	$$SELECT customer % 2, rfm_kmeans.gamma_gamma_fit(x, m_x) FROM par_customers WHERE x > 0 GROUP BY 1$$)
	AS gamma_gamma_same,
       pg_temp.same_rows(
	$$SELECT customer % 2, rfm_kmeans.kmeans_step('{{0,0},{1,1}}', '{{0,0},{100,10}}', r, f) FROM par_customers_parted GROUP BY 1$$,
	$$SELECT customer % 2, rfm_kmeans.kmeans_step('{{0,0},{1,1}}', '{{0,0},{100,10}}', r, f) FROM par_customers GROUP BY 1$$)
	AS kmeans_step_same;
RESET client_min_messages;
RESET enable_partitionwise_aggregate;
RESET max_parallel_workers_per_gather;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;

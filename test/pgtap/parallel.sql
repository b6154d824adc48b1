-- rfm() under parallel query: on 1M+ generated invoice lines the plan must
-- be Partial Aggregate -> Gather -> Finalize Aggregate, and the result must
-- equal the serial plan's and plain SQL's.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(10);

CREATE TABLE parallel_lines (LIKE online_retail);
SELECT lives_ok($$SELECT rfm_data.generate_invoices('parallel_lines', 20000, 52000, 20, 7)$$, 'generate 1M invoice lines');
ANALYZE parallel_lines;
SELECT cmp_ok((SELECT count(*) FROM parallel_lines), '>=', 1000000::bigint,
              'at least 1M invoice lines');

-- the query every test below runs
CREATE FUNCTION pg_temp.rfm_query() RETURNS text LANGUAGE sql AS $$
	SELECT $q$SELECT customer_id, rfm_kmeans.rfm(invoice_date, (quantity * unit_price)::float8,
	                                       invoice_no, timestamptz '2011-12-10') AS f
	          FROM parallel_lines WHERE customer_id IS NOT NULL GROUP BY customer_id$q$
$$;

SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;

SELECT matches(tap_helpers.plan_of(pg_temp.rfm_query()),
               'Finalize (Hash|Group)Aggregate.*Gather.*Partial (Hash|Group)?Aggregate',
               'GROUP BY customer runs as Finalize / Gather / Partial Aggregate');
SELECT matches(tap_helpers.plan_of('SELECT rfm_kmeans.rfm(invoice_date, quantity::float8, invoice_no) FROM parallel_lines'),
               'Finalize Aggregate.*Gather.*Partial Aggregate',
               'a grand total runs as Finalize / Gather / Partial Aggregate');

-- run it in parallel, keeping the result, and check workers did run
SELECT matches(tap_helpers.plan_of('CREATE TEMP TABLE par AS SELECT customer_id, (f).* FROM ('
                               || pg_temp.rfm_query() || ') s', true),
               'Workers Launched: [12].*Partial (Hash|Group)?Aggregate',
               'the parallel run launched workers that ran Partial Aggregate');
SET max_parallel_workers_per_gather = 0;
SELECT doesnt_match(tap_helpers.plan_of(pg_temp.rfm_query()), 'Gather', 'the serial plan has no Gather');
DO $$ BEGIN EXECUTE 'CREATE TEMP TABLE ser AS SELECT customer_id, (f).* FROM (' || pg_temp.rfm_query() || ') s'; END $$;

SELECT cmp_ok((SELECT count(*) FROM ser), '>', 10000::bigint, 'more than 10,000 customers');
SELECT is((SELECT count(*) FROM par p JOIN ser s USING (customer_id)
           WHERE p.frequency = s.frequency AND p.recency_days = s.recency_days
             AND p.first_purchase = s.first_purchase AND p.last_purchase = s.last_purchase
             AND p.tenure_days = s.tenure_days
             AND abs(p.monetary - s.monetary) <= 1e-9 * greatest(1, abs(s.monetary))),
          (SELECT count(*) FROM ser),
          'parallel result equals the serial one for every customer');

-- and both equal plain SQL
CREATE TEMP TABLE plain AS
SELECT customer_id, max(invoice_date) AS last_ts, count(DISTINCT invoice_no) AS orders,
       sum(quantity * unit_price) AS monetary
FROM parallel_lines WHERE customer_id IS NOT NULL GROUP BY customer_id;
SELECT is((SELECT count(*) FROM par p JOIN plain q USING (customer_id)
           WHERE p.frequency = q.orders AND p.last_purchase = q.last_ts
             AND abs(p.monetary - q.monetary::float8) <= 1e-9 * greatest(1, abs(q.monetary::float8))),
          (SELECT count(*) FROM plain),
          'parallel result equals plain SQL for every customer');
SELECT is((SELECT count(*) FROM par), (SELECT count(*) FROM plain), 'same customers as plain SQL');

SELECT * FROM finish();
ROLLBACK;

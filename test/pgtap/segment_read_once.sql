-- segment() reads rfm_kmeans.segment_rules once per query, not per row.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(3);
SET LOCAL max_parallel_workers_per_gather = 0;

-- scans of the rules table (sequential or through its index) so far in
-- this transaction
CREATE FUNCTION pg_temp.rule_scans() RETURNS bigint LANGUAGE sql AS $$
	SELECT pg_stat_get_xact_numscans('rfm_kmeans.segment_rules'::regclass)
	     + (SELECT coalesce(sum(pg_stat_get_xact_numscans(indexrelid)), 0)
	        FROM pg_index WHERE indrelid = 'rfm_kmeans.segment_rules'::regclass)
$$;

SELECT pg_temp.rule_scans() AS before \gset
SELECT is((SELECT count(DISTINCT rfm_kmeans.segment(1 + i % 5, 1 + (i / 5) % 5, 1 + (i / 25) % 5))
           FROM generate_series(0, 9999) i),
          11::bigint, '10,000 calls cover all 11 shipped segments');
SELECT is(pg_temp.rule_scans() - :before, 1::bigint, 'the rules were read once for 10,000 rows');

-- a second query reads them again (and sees edits)
UPDATE rfm_kmeans.segment_rules SET segment = 'Top' WHERE segment = 'Champions';
SELECT pg_temp.rule_scans() AS before \gset
SELECT is((SELECT min(rfm_kmeans.segment(5, 5, 5)) || ' after ' || (pg_temp.rule_scans() - :before)::text || ' read'
           FROM generate_series(1, 1000)),
          'Top after 1 read', 'the next query reads the edited rules, once');

SELECT * FROM finish();
ROLLBACK;

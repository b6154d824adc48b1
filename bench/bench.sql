-- Timing helpers for the benchmarks: run a query n times, serially or not,
-- and keep every run's wall time. Wrapping in count(s) discards the result
-- rows the same way for every query measured; it counts the whole row so
-- the planner cannot drop the aggregates as unused (count(*) would let it).
CREATE SCHEMA IF NOT EXISTS bench;
CREATE TABLE IF NOT EXISTS bench.runs (label text, run int, seconds float8);

CREATE OR REPLACE FUNCTION bench.time_query(label text, q text, runs int DEFAULT 3)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	n bigint;
BEGIN
	FOR i IN 1..runs LOOP
		t0 := clock_timestamp();
		EXECUTE 'SELECT count(s) FROM (' || q || ') s' INTO n;
		INSERT INTO bench.runs VALUES (label, i, extract(epoch FROM clock_timestamp() - t0));
	END LOOP;
END
$$;

-- median and spread (min..max) of each label's runs
CREATE OR REPLACE VIEW bench.summary AS
SELECT label, count(*) AS runs,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median_s,
       min(seconds) AS min_s, max(seconds) AS max_s
FROM bench.runs GROUP BY label;

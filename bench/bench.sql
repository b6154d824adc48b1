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

-- A query timed against a reference, side by side: in each run the
-- reference, then the query, each under its settings ('name=value', set
-- for the session and put back afterwards), the query's time recorded
-- under label and the run's ratio query / reference in bench.ratios. On a
-- shared virtual machine the speed of everything drifts over minutes (the
-- floor of rfm_1m took 63 ms and 100 ms within the same hour, for
-- minutes each): a ratio of medians measured minutes apart measures that
-- drift as much as the query, a ratio of runs made side by side does not.
CREATE TABLE IF NOT EXISTS bench.ratios (label text, reference text, run int, ratio float8);

CREATE OR REPLACE FUNCTION bench.apply_settings(settings text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	s text;
BEGIN
	FOREACH s IN ARRAY settings LOOP
		PERFORM set_config(split_part(s, '=', 1), split_part(s, '=', 2), false);
	END LOOP;
END
$$;

CREATE OR REPLACE FUNCTION bench.time_against(label text, q text, reference text, ref_q text,
                                              runs int DEFAULT 3, settings text[] DEFAULT '{}',
                                              ref_settings text[] DEFAULT '{}')
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	n bigint;
	t_ref float8;
	t_q float8;
	saved text[];
	s text;
BEGIN
	FOREACH s IN ARRAY settings || ref_settings LOOP
		saved := saved || (split_part(s, '=', 1) || '=' || current_setting(split_part(s, '=', 1)));
	END LOOP;
	FOR i IN 1..runs LOOP
		PERFORM bench.apply_settings(ref_settings);
		t0 := clock_timestamp();
		EXECUTE 'SELECT count(s) FROM (' || ref_q || ') s' INTO n;
		t_ref := extract(epoch FROM clock_timestamp() - t0);
		PERFORM bench.apply_settings(settings);
		t0 := clock_timestamp();
		EXECUTE 'SELECT count(s) FROM (' || q || ') s' INTO n;
		t_q := extract(epoch FROM clock_timestamp() - t0);
		INSERT INTO bench.runs VALUES (label, i, t_q);
		INSERT INTO bench.ratios VALUES (label, reference, i, t_q / t_ref);
	END LOOP;
	PERFORM bench.apply_settings(coalesce(saved, '{}'));
END
$$;

-- the median of each label's side-by-side ratios
CREATE OR REPLACE VIEW bench.paired AS
SELECT label, reference, count(*) AS runs,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY ratio) AS ratio
FROM bench.ratios GROUP BY label, reference;

-- median and spread (min..max) of each label's runs
CREATE OR REPLACE VIEW bench.summary AS
SELECT label, count(*) AS runs,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY seconds) AS median_s,
       min(seconds) AS min_s, max(seconds) AS max_s
FROM bench.runs GROUP BY label;

-- One aggregate-mode Lloyd iteration: the training with 21 iterations less
-- the one with 1 (the same scaler pass, start and final pass), over 20,
-- recorded under label for each run.
CREATE OR REPLACE FUNCTION bench.time_iteration(label text, tbl text, features text[], init float8[], runs int DEFAULT 3)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
	t0 timestamptz;
	one float8;
	many float8;
BEGIN
	FOR i IN 1..runs LOOP
		t0 := clock_timestamp();
		PERFORM rfm_kmeans.train('bench_iter', tbl, features, 5, init_centroids => init,
		                         max_iter => 1, tol => 0, mode => 'aggregate');
		one := extract(epoch FROM clock_timestamp() - t0);
		t0 := clock_timestamp();
		PERFORM rfm_kmeans.train('bench_iter', tbl, features, 5, init_centroids => init,
		                         max_iter => 21, tol => 0, mode => 'aggregate');
		many := extract(epoch FROM clock_timestamp() - t0);
		INSERT INTO bench.runs VALUES (label, i, (many - one) / 20);
	END LOOP;
END
$$;

-- The exact inertia of a stored model on a relation (features by the
-- model's names): one kmeans_step() scan from its scaled centroids.
CREATE OR REPLACE FUNCTION bench.exact_inertia(m text, rel regclass) RETURNS float8
LANGUAGE plpgsql AS $$
DECLARE
	mo rfm_kmeans.models;
	scaled float8[];
	cols text;
	result float8;
BEGIN
	SELECT * INTO mo FROM rfm_kmeans.models WHERE name = m;
	SELECT array_agg(row_c ORDER BY c) INTO scaled FROM (
		SELECT c, array_agg((mo.centroids[c][j] - mo.scale_offset[j]) / mo.scale_factor[j] ORDER BY j) AS row_c
		FROM generate_series(1, mo.k) c, generate_series(1, array_length(mo.features, 1)) j GROUP BY c) s;
	SELECT string_agg(format('%I::float8', f), ', ') INTO cols FROM unnest(mo.features) f;
	EXECUTE format('SELECT (rfm_kmeans.kmeans_step(ARRAY[%s], $1, ARRAY[$2, $3])).inertia FROM %s',
	               cols, rel) INTO result USING scaled, mo.scale_offset, mo.scale_factor;
	RETURN result;
END
$$;

-- One-pass training against memory mode with the same k and seed (the
-- defaults), each model's inertia computed exactly over every row.
CREATE OR REPLACE FUNCTION bench.onepass_quality(label text, rel regclass, features text[], k_arg int)
RETURNS TABLE (data text, k int, n_rows bigint, memory float8, onepass float8)
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM rfm_kmeans.train('qm', rel, features, k_arg, mode => 'memory');
	memory := bench.exact_inertia('qm', rel);
	PERFORM rfm_kmeans.train('qo', rel, features, k_arg, mode => 'onepass');
	onepass := bench.exact_inertia('qo', rel);
	SELECT m.n_rows INTO n_rows FROM rfm_kmeans.models m WHERE m.name = 'qo';
	data := label;
	k := k_arg;
	RETURN NEXT;
END
$$;

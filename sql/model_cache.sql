-- predict(), assign(), distances() and segment() keep the model and the
-- rules between calls, and read them again as soon as they change: in one
-- PL/pgSQL block (where each statement is a query reusing its plan and
-- its cache), each statement sees the model and the rules current when it
-- runs; a model that failed to load leaves nothing behind.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;

\i sql/helpers/error_of.psql

-- two layouts of the same points: near 0 and 10, and near 0 and 100
CREATE TABLE c_pts AS SELECT (i % 2) * 10.0 + (i % 3) * 0.1 AS a FROM generate_series(1, 60) i;
CREATE TABLE c_far AS SELECT (i % 2) * 100.0 + (i % 3) * 0.1 AS a FROM generate_series(1, 60) i;

DO $$
DECLARE
	c1 integer;
	c2 integer;
	d1 float8;
	d2 float8;
	d3 float8[];
	d4 float8[];
BEGIN
	PERFORM rfm_kmeans.train('cached', 'c_pts', ARRAY['a'], 2, scale => 'none',
	                         init_centroids => '{{0},{10}}');
	c1 := rfm_kmeans.predict('cached', 60);
	d1 := (rfm_kmeans.assign('cached', 60)).distance;
	d3 := rfm_kmeans.distances('cached', 60);
	-- the same name now holds centroids near 0 and 100
	PERFORM rfm_kmeans.train('cached', 'c_far', ARRAY['a'], 2, scale => 'none',
	                         init_centroids => '{{100},{0}}', keep_ids => false);
	c2 := rfm_kmeans.predict('cached', 60);
	d2 := (rfm_kmeans.assign('cached', 60)).distance;
	d4 := rfm_kmeans.distances('cached', 60);
	RAISE NOTICE 'first model: cluster %, distance %, distances %', c1, round(d1::numeric, 2),
		(SELECT array_agg(round(v::numeric, 2)) FROM unnest(d3) v);
	RAISE NOTICE 'second model, same block: cluster %, distance %, distances %', c2, round(d2::numeric, 2),
		(SELECT array_agg(round(v::numeric, 2)) FROM unnest(d4) v);
	PERFORM rfm_kmeans.rollback_model('cached');
	RAISE NOTICE 'after rollback_model: cluster %', rfm_kmeans.predict('cached', 60);
	PERFORM rfm_kmeans.drop_model('cached');
	BEGIN
		PERFORM rfm_kmeans.predict('cached', 60);
		RAISE NOTICE 'after drop_model: predict still answered';
	EXCEPTION WHEN undefined_object THEN
		RAISE NOTICE 'after drop_model: % (%)', SQLERRM, SQLSTATE;
	END;
	-- the same call site once more, after its load failed: a fresh model
	PERFORM rfm_kmeans.train('cached', 'c_pts', ARRAY['a'], 2, scale => 'none',
	                         init_centroids => '{{0},{10}}');
	RAISE NOTICE 'trained again: cluster %', rfm_kmeans.predict('cached', 60);
END
$$;

-- a failed load in a loop: the cache must not keep pointers into the
-- memory of the model it was about to replace
DO $$
DECLARE
	n integer := 0;
	name text;
BEGIN
	FOREACH name IN ARRAY ARRAY['cached', 'no_such_model', 'cached', 'no_such_model', 'cached'] LOOP
		BEGIN
			n := n + rfm_kmeans.predict(name, 60) + 1;
		EXCEPTION WHEN undefined_object THEN
			n := n + 100;
		END;
	END LOOP;
	RAISE NOTICE 'three answers and two unknown models: %', n;
END
$$;

-- segment(): a renamed rule shows in the next statement of the block
DO $$
DECLARE
	before text;
	after text;
BEGIN
	before := rfm_kmeans.segment(5, 5, 5);
	UPDATE rfm_kmeans.segment_rules SET segment = 'VIP' WHERE priority = 10;
	after := rfm_kmeans.segment(5, 5, 5);
	RAISE NOTICE 'segment(5, 5, 5): % before the edit, % after it', before, after;
	PERFORM rfm_kmeans.reset_segment_rules();
	RAISE NOTICE 'after reset_segment_rules(): %', rfm_kmeans.segment(5, 5, 5);
END
$$;

-- in a plain query the model is still read once: a query over 10,000 rows
-- reads rfm_kmeans.models once (one sequential or index scan)
SELECT pg_stat_force_next_flush();
CREATE TEMP TABLE scans0 AS
SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) AS n FROM pg_stat_user_tables
WHERE relid = 'rfm_kmeans.models'::regclass;
SELECT count(DISTINCT rfm_kmeans.predict('cached', g % 20)) AS clusters FROM generate_series(1, 10000) g;
SELECT pg_stat_force_next_flush();
SELECT (SELECT coalesce(seq_scan, 0) + coalesce(idx_scan, 0) FROM pg_stat_user_tables
        WHERE relid = 'rfm_kmeans.models'::regclass) - n AS model_reads FROM scans0;

SELECT rfm_kmeans.drop_model('cached');

-- The extension's own queries ignore the caller's search_path: objects
-- named like built-ins in a schema placed before pg_catalog are never
-- picked up (each of them would raise if it were called).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(10);

CREATE SCHEMA evil;
CREATE FUNCTION evil.trap() RETURNS void LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'evil object called'; END $$;
CREATE FUNCTION evil.avg(numeric) RETURNS numeric LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap(); RETURN 0; END $$;
CREATE FUNCTION evil.stddev_pop(numeric) RETURNS numeric LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap(); RETURN 0; END $$;
CREATE FUNCTION evil.ln(float8) RETURNS float8 LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap(); RETURN 0; END $$;
CREATE FUNCTION evil.now() RETURNS timestamptz LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap(); RETURN NULL; END $$;
CREATE FUNCTION evil.array_length(anyarray, integer) RETURNS integer LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap(); RETURN 0; END $$;
CREATE FUNCTION evil.text_eq(text, text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap(); RETURN false; END $$;
CREATE OPERATOR evil.= (LEFTARG = text, RIGHTARG = text, FUNCTION = evil.text_eq);
CREATE FUNCTION evil.sum_trans(float8, float8) RETURNS float8 LANGUAGE plpgsql AS $$ BEGIN PERFORM evil.trap(); RETURN 0; END $$;
CREATE AGGREGATE evil.sum(float8) (SFUNC = evil.sum_trans, STYPE = float8);
CREATE AGGREGATE evil.count(float8) (SFUNC = evil.sum_trans, STYPE = float8);

CREATE TABLE sp_pts AS SELECT i, (i % 4)::float8 AS a, (i % 7)::numeric AS b FROM generate_series(1, 200) i;

-- run q with the evil schema first on search_path; 'ok' or the error
-- (pgTAP itself is not immune to such objects, so it runs outside)
CREATE FUNCTION pg_temp.under_evil(q text) RETURNS text LANGUAGE plpgsql
SET search_path = public, pg_catalog AS $$
BEGIN
	PERFORM pg_catalog.set_config('search_path', 'evil, pg_catalog, public', true);
	EXECUTE q;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLERRM;
END
$$;

SELECT is(pg_temp.under_evil($$SELECT evil.trap()$$), 'evil object called', 'the traps work');
SELECT is(pg_temp.under_evil($$SELECT count(*) FROM sp_pts WHERE 'a' = 'b'$$), 'evil object called',
          'and are picked up by plain queries on that search_path');
SELECT is(pg_temp.under_evil($$SELECT rfm_kmeans.train('sp_mem', 'sp_pts', ARRAY['a', 'b'], 3)$$), 'ok', 'memory-mode training');
SELECT is(pg_temp.under_evil($$SELECT rfm_kmeans.train('sp_agg', 'sp_pts', ARRAY['a', 'b'], 3, mode => 'aggregate')$$), 'ok',
          'aggregate-mode training (statistics, init, steps)');
SELECT is(pg_temp.under_evil($$SELECT rfm_kmeans.train('sp_mem', 'sp_pts', ARRAY['a', 'b'], 2)$$), 'ok', 'replacing a model (owner check, upsert)');
SELECT is(pg_temp.under_evil($$SELECT rfm_kmeans.predict('sp_mem', 1, 2)$$), 'ok', 'predict (model lookup)');
SELECT is(pg_temp.under_evil($$SELECT * FROM rfm_kmeans.centroids('sp_mem')$$), 'ok', 'centroids');
SELECT is(pg_temp.under_evil($$SELECT * FROM rfm_kmeans.evaluate('sp_mem', 'sp_pts')$$), 'ok', 'evaluate');
SELECT is(pg_temp.under_evil($$SELECT rfm_kmeans.segment(5, 5, 5)$$), 'ok', 'segment (rules lookup)');
SELECT is(pg_temp.under_evil($$SELECT rfm_kmeans.drop_model('sp_agg')$$), 'ok', 'drop_model');

SELECT * FROM finish();
ROLLBACK;

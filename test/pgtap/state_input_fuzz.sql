-- Mutation fuzzing of the state types' text input inside the server:
-- thousands of corrupted variants of valid rfm_state and kmeans_state
-- texts. Every one must be rejected with a data exception (22P02 from our
-- parser, or the key type's own input error; never XX000) or accepted; an
-- accepted text must round-trip exactly (its output parses back the same).
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(6);
SELECT setseed(0.42);

CREATE TEMP TABLE seeds AS SELECT typ, t FROM tap_helpers.state_seeds();

-- one random mutation of t
CREATE FUNCTION pg_temp.mutate(t text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	pos int := 1 + floor(random() * greatest(length(t), 1))::int;
	alphabet text := '0123456789 -x.eNaInfabcdef+';
	c text := substr(alphabet, 1 + floor(random() * length(alphabet))::int, 1);
	op int := floor(random() * 6)::int;
	toks text[] := string_to_array(t, ' ');
	k int := 1 + floor(random() * array_length(toks, 1))::int;
BEGIN
	RETURN CASE op
		WHEN 0 THEN overlay(t PLACING c FROM pos FOR 1)		-- replace a character
		WHEN 1 THEN overlay(t PLACING '' FROM pos FOR 1)	-- delete one
		WHEN 2 THEN overlay(t PLACING c FROM pos FOR 0)		-- insert one
		WHEN 3 THEN left(t, pos)							-- truncate
		WHEN 4 THEN array_to_string(toks[1:k] || toks[k:], ' ')	-- duplicate a token
		ELSE array_to_string(toks[1:k - 1] || ARRAY[(floor(random() * 2e9) - 1e9)::bigint::text] || toks[k + 1:], ' ')
	END;
END
$$;

-- parse as typ: 'ok:<output>' or the SQLSTATE
CREATE FUNCTION pg_temp.parse(t text, typ text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	out text;
BEGIN
	EXECUTE format('SELECT %L::%s::text', t, typ) INTO out;
	RETURN 'ok:' || out;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;

CREATE TEMP TABLE trials AS
SELECT s.typ, m.t, pg_temp.parse(m.t, s.typ) AS result
FROM seeds s, generate_series(1, 1500) g,
     LATERAL (SELECT pg_temp.mutate(CASE WHEN g % 3 = 0 THEN pg_temp.mutate(s.t) ELSE s.t END) AS t) m;

SELECT cmp_ok((SELECT count(*) FROM trials), '>=', 10000::bigint, 'at least 10,000 mutated inputs');
SELECT is((SELECT count(*) FROM trials WHERE result = 'XX000'), 0::bigint, 'no internal error (XX000)');
-- 22P02 from our parser; typed keys are read by their own type's input
-- function, which raises its own class-22 errors (22007 for a bad interval)
SELECT is((SELECT count(*) FROM trials WHERE result NOT LIKE 'ok:%' AND result NOT LIKE '22%' AND result <> '54000'),
          0::bigint, 'every rejection is a data exception (class 22)');
SELECT cmp_ok((SELECT count(*) FROM trials WHERE result LIKE 'ok:%'), '>', 0::bigint, 'some mutations are still valid states');
SELECT is((SELECT count(*) FROM trials
           WHERE result LIKE 'ok:%' AND pg_temp.parse(substr(result, 4), typ) <> result),
          0::bigint, 'every accepted input round-trips exactly');
SELECT diag(format('%s rejected, %s accepted', count(*) FILTER (WHERE result NOT LIKE 'ok:%'),
                   count(*) FILTER (WHERE result LIKE 'ok:%'))) FROM trials;
SELECT is(pg_postmaster_start_time() < now(), true, 'the server is up');

SELECT * FROM finish();
ROLLBACK;

-- Mutation fuzzing of the state types' text input inside the server:
-- thousands of corrupted variants of valid rfm_state, kmeans_state,
-- clv_summary_state and clv_fit_state texts. Every one must be rejected
-- with a data exception (22P02 from our parser, or the key type's own
-- input error; never XX000) or accepted; an accepted text must round-trip
-- exactly (its output parses back the same), and an accepted CLV state
-- must go through its combine and final functions without an internal
-- error. Real CLV states, built by the aggregates' transition functions
-- over random customers, must round-trip exactly through text, agree with
-- their binary form, and finalize to the same result. The defects the
-- fuzzing found in the CLV states are tested alone at the end.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(17);
SELECT setseed(0.42);

CREATE TEMP TABLE seeds AS
SELECT typ, t FROM tap_helpers.state_seeds()
UNION ALL
SELECT typ, t FROM tap_helpers.clv_seeds();

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

-- the CLV types in particular: both are fuzzed, and mutations reach
-- states the parser accepts (not only the first tokens' errors)
SELECT is((SELECT count(DISTINCT typ) FROM trials
           WHERE typ LIKE 'rfm_kmeans.clv%' AND result LIKE 'ok:%'
             AND NOT EXISTS (SELECT 1 FROM seeds WHERE seeds.t = substr(trials.result, 4))),
          2::bigint, 'mutated clv_summary_state and clv_fit_state texts are accepted too (states other than the seeds)');
SELECT diag(format('%s: %s rejected (%s), %s accepted', typ, count(*) FILTER (WHERE result NOT LIKE 'ok:%'),
                   string_agg(DISTINCT result, ', ') FILTER (WHERE result NOT LIKE 'ok:%'),
                   count(*) FILTER (WHERE result LIKE 'ok:%')))
FROM trials WHERE typ LIKE 'rfm_kmeans.clv%' GROUP BY typ ORDER BY typ;

-- An accepted CLV state, whatever its values, goes through combine (with
-- itself) and the final function: a result or a data exception, never an
-- internal error (XX000, or XX001 from a state the combine function built).
CREATE FUNCTION pg_temp.clv_use(t text, typ text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	kind text := split_part(t, ' ', 2);
	out text;
BEGIN
	IF typ = 'rfm_kmeans.clv_summary_state' THEN
		EXECUTE format('SELECT rfm_kmeans.clv_summary_final(rfm_kmeans.clv_summary_combine(s, s))::text
		                FROM (SELECT %L::rfm_kmeans.clv_summary_state s) v', t) INTO out;
	ELSE
		EXECUTE format('SELECT rfm_kmeans.clv_fit_combine(s, s)::text || %s(rfm_kmeans.clv_fit_combine(s, s))::text
		                FROM (SELECT %L::rfm_kmeans.clv_fit_state s) v',
		               CASE kind WHEN '1' THEN 'rfm_kmeans.bgnbd_fit_final' ELSE 'rfm_kmeans.gamma_gamma_fit_final' END, t)
			INTO out;
	END IF;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;
CREATE TEMP TABLE clv_uses AS
SELECT typ, t, pg_temp.clv_use(substr(result, 4), typ) AS used
FROM (SELECT DISTINCT typ, t, result FROM trials WHERE typ LIKE 'rfm_kmeans.clv%' AND result LIKE 'ok:%') a;
SELECT is((SELECT string_agg(DISTINCT used, ', ') FROM clv_uses WHERE used <> 'ok' AND used NOT LIKE '22%'),
          NULL, 'accepted CLV states combine and finalize, or fail with a data exception (class 22)');
SELECT diag(format('accepted CLV states combined and finalized: %s', string_agg(used || ' x' || c, ', ')))
FROM (SELECT used, count(*) AS c FROM clv_uses GROUP BY 1 ORDER BY 2 DESC) v;

-- Real states (tap_helpers): clv_lines, clv_real, clv_real_fit
SELECT tap_helpers.make_clv_real_states();
CREATE TEMP TABLE real_states AS
SELECT 'rfm_kmeans.clv_summary_state' AS typ, s::text AS t, rfm_kmeans.clv_summary_state_send(s) AS b FROM clv_real
UNION ALL
SELECT 'rfm_kmeans.clv_fit_state', bg::text, rfm_kmeans.clv_fit_state_send(bg) FROM clv_real_fit
UNION ALL
SELECT 'rfm_kmeans.clv_fit_state', gg::text, rfm_kmeans.clv_fit_state_send(gg) FROM clv_real_fit;
CREATE FUNCTION pg_temp.send_of(t text, typ text) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
	b bytea;
BEGIN
	EXECUTE format('SELECT %s(%L::%s)', typ || '_send', t, typ) INTO b;
	RETURN b;
END
$$;

SELECT is((SELECT count(*) FROM real_states WHERE pg_temp.parse(t, typ) <> 'ok:' || t), 0::bigint,
          'real CLV states (' || (SELECT count(*) FROM real_states) || ') round-trip exactly through text');
SELECT is((SELECT count(*) FROM real_states WHERE pg_temp.send_of(t, typ) <> b), 0::bigint,
          'a real CLV state read from its text has the same binary form');
SELECT is((SELECT count(*) FROM clv_real
           WHERE rfm_kmeans.clv_summary_final(s) IS DISTINCT FROM rfm_kmeans.clv_summary_final(s::text::rfm_kmeans.clv_summary_state)),
          0::bigint, 'clv_summary_final of a state read from its text: the same summary');
SELECT is((SELECT rfm_kmeans.bgnbd_fit_final(bg)::text || rfm_kmeans.gamma_gamma_fit_final(gg)::text FROM clv_real_fit WHERE g IS NULL),
          (SELECT rfm_kmeans.bgnbd_fit_final(bg::text::rfm_kmeans.clv_fit_state)::text
                  || rfm_kmeans.gamma_gamma_fit_final(gg::text::rfm_kmeans.clv_fit_state)::text FROM clv_real_fit WHERE g IS NULL),
          'the fits of states read from their text: the same parameters, bit for bit');

-- Defects the fuzzing found (fixed): states the text input accepted whose
-- combine or final function went wrong.
CREATE FUNCTION pg_temp.sqlstate_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	out text;
BEGIN
	EXECUTE q INTO out;
	RETURN 'ok:' || out;
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;
SELECT is(pg_temp.sqlstate_of($q$SELECT rfm_kmeans.clv_summary_combine(s, s)::text FROM
            (SELECT '1 9223372036854775807 0 864000000000 604800000000 1 0 1 0'::rfm_kmeans.clv_summary_state s) v$q$),
            '22003', 'combining states of 2^63 - 1 rows: a data exception, not a corrupt state');
SELECT is(pg_temp.sqlstate_of($q$SELECT rfm_kmeans.clv_summary_combine(s, s)::text FROM
            (SELECT '1 2 0 864000000000 604800000000 2 0 1 0 1 0 1e308'::rfm_kmeans.clv_summary_state s) v$q$),
            '22P02', 'a day whose compensation term is larger than its sum is refused at input (it could overflow in combine)');
SELECT is(pg_temp.sqlstate_of($q$SELECT rfm_kmeans.clv_summary_combine(s, s)::text FROM
            (SELECT '1 2 0 864000000000 604800000000 2 0 1 0 1 1.7976931348623157e308 0'::rfm_kmeans.clv_summary_state s) v$q$),
            '22003', 'combining days whose compensated total overflows: 22003, not a corrupt state');
SELECT is(pg_temp.sqlstate_of($q$SELECT ('1 2 0 864000000000 604800000000 2 0 1 0 1 1.7976931348623157e308 1.7976931348623157e308'::rfm_kmeans.clv_summary_state)::text$q$),
          '22P02', 'a day whose spend overflows a double is refused (not m_x = Infinity)');
SELECT is(pg_temp.sqlstate_of($q$SELECT '1 0 0 0 1 40000000'::rfm_kmeans.clv_summary_state::text$q$),
          '22P02', 'a day count larger than the text holds is refused before anything is allocated');
SELECT is(pg_postmaster_start_time() < now(), true, 'the server is up');

SELECT * FROM finish();
ROLLBACK;

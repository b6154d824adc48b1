-- Mutation fuzzing of the state types' binary input (receive functions)
-- inside the server: corrupted variants of valid rfm_state and
-- kmeans_state binary forms are fed to COPY ... (FORMAT binary), the path
-- a client's binary data takes. Every one must be rejected with a data
-- exception (class 22: 22P03 from our checks), 08P01 (PostgreSQL's own
-- "insufficient data left in message" for a truncated value, as every
-- built-in type's receive gives) or 54000 for an impossible size, never
-- XX000, or accepted; an accepted value must round-trip exactly: its
-- binary form reads back to the same binary form, and its text form parses
-- back to the same text. The one exception is PostgreSQL's own: an
-- interval key whose binary form its receive accepts but whose text its
-- input rejects (checked below on interval alone) cannot round-trip
-- through text inside a state either.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(8);
SELECT setseed(0.17);

CREATE TEMP TABLE bin_seeds AS
SELECT ord AS id, typ, key_type,
       CASE typ WHEN 'rfm_kmeans.rfm_state' THEN rfm_kmeans.rfm_state_send(t::rfm_kmeans.rfm_state)
                ELSE rfm_kmeans.kmeans_state_send(t::rfm_kmeans.kmeans_state) END AS b
FROM tap_helpers.state_seeds();

-- a random byte string of length n
CREATE FUNCTION pg_temp.random_bytes(n int) RETURNS bytea LANGUAGE sql AS $$
	SELECT coalesce(string_agg(set_byte('\x00'::bytea, 0, floor(random() * 256)::int), ''), '')
	FROM generate_series(1, n)
$$;

-- one random mutation of b
CREATE FUNCTION pg_temp.mutate(b bytea) RETURNS bytea LANGUAGE plpgsql AS $$
DECLARE
	n int := length(b);
	pos int := floor(random() * greatest(n, 1))::int;	-- 0-based
	op int := floor(random() * 8)::int;
BEGIN
	IF n = 0 THEN
		RETURN pg_temp.random_bytes(4);
	END IF;
	RETURN CASE op
		WHEN 0 THEN set_byte(b, pos, floor(random() * 256)::int)					-- replace a byte
		WHEN 1 THEN set_byte(b, pos, get_byte(b, pos) # (1 << floor(random() * 8)::int))	-- flip a bit
		WHEN 2 THEN overlay(b PLACING '' FROM pos + 1 FOR 1)						-- delete a byte
		WHEN 3 THEN overlay(b PLACING pg_temp.random_bytes(1) FROM pos + 1 FOR 0)	-- insert a byte
		WHEN 4 THEN substr(b, 1, pos)											-- truncate
		WHEN 5 THEN b || substr(b, pos + 1, 8)									-- append a copy of a piece
		WHEN 6 THEN overlay(b PLACING '\xffffffff'::bytea FROM pos + 1 FOR 4)		-- a huge count or length
		ELSE overlay(b PLACING '\x7fffffff'::bytea FROM pos + 1 FOR 4)
	END;
END
$$;

CREATE TEMP TABLE bin_in_rfm (s rfm_kmeans.rfm_state);
CREATE TEMP TABLE bin_in_kmeans (s rfm_kmeans.kmeans_state);

-- read b through COPY (FORMAT binary) as typ: 'ok' or the SQLSTATE
CREATE FUNCTION pg_temp.receive(b bytea, typ text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	-- a binary COPY file: signature, flags, header extension, one tuple of
	-- one field, trailer
	file bytea := '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea
	              || '\x0001'::bytea || int4send(length(b)) || b || '\xffff'::bytea;
	lo oid := lo_from_bytea(0, file);
	tbl text := CASE typ WHEN 'rfm_kmeans.rfm_state' THEN 'bin_in_rfm' ELSE 'bin_in_kmeans' END;
BEGIN
	PERFORM lo_export(lo, 'rfm_kmeans_fuzz.bin');	-- relative to the data directory
	PERFORM lo_unlink(lo);
	EXECUTE format('TRUNCATE %I', tbl);
	BEGIN
		EXECUTE format($q$COPY %I FROM 'rfm_kmeans_fuzz.bin' WITH (FORMAT binary)$q$, tbl);
		RETURN 'ok';
	EXCEPTION WHEN OTHERS THEN
		RETURN SQLSTATE;
	END;
END
$$;

-- for an accepted input: 'ok' when send(recv(send(value))) equals
-- send(value) and the text form parses back to the same text, else what
-- differs ('binary', 'text', or 'text error' and the SQLSTATE)
CREATE FUNCTION pg_temp.round_trips(typ text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	tbl text := CASE typ WHEN 'rfm_kmeans.rfm_state' THEN 'bin_in_rfm' ELSE 'bin_in_kmeans' END;
	send text := CASE typ WHEN 'rfm_kmeans.rfm_state' THEN 'rfm_kmeans.rfm_state_send' ELSE 'rfm_kmeans.kmeans_state_send' END;
	first bytea;
	again bytea;
	txt text;
	txt2 text;
BEGIN
	EXECUTE format('SELECT %s(s), s::text FROM %I', send, tbl) INTO first, txt;
	IF pg_temp.receive(first, typ) <> 'ok' THEN
		RETURN 'binary';
	END IF;
	EXECUTE format('SELECT %s(s) FROM %I', send, tbl) INTO again;
	IF first <> again THEN
		RETURN 'binary';
	END IF;
	BEGIN
		EXECUTE format('SELECT %L::%s::text', txt, typ) INTO txt2;
	EXCEPTION WHEN OTHERS THEN
		RETURN 'text error ' || SQLSTATE;
	END;
	RETURN CASE WHEN txt = txt2 THEN 'ok' ELSE 'text' END;
END
$$;

CREATE TEMP TABLE bin_trials (seed int, typ text, b bytea, result text, round_trip text);
DO $$
DECLARE
	s record;
	g int;
	m bytea;
	r text;
BEGIN
	FOR s IN SELECT * FROM bin_seeds LOOP
		FOR g IN 1 .. 1500 LOOP
			m := pg_temp.mutate(s.b);
			IF g % 3 = 0 THEN
				m := pg_temp.mutate(m);
			END IF;
			r := pg_temp.receive(m, s.typ);
			INSERT INTO bin_trials VALUES (s.id, s.typ, m, r, CASE WHEN r = 'ok' THEN pg_temp.round_trips(s.typ) END);
		END LOOP;
	END LOOP;
END
$$;

SELECT is((SELECT bool_and(pg_temp.receive(b, typ) = 'ok' AND pg_temp.round_trips(typ) = 'ok') FROM bin_seeds), true,
          'the unmutated binary forms are accepted and round-trip');
SELECT cmp_ok((SELECT count(*) FROM bin_trials), '>=', 10000::bigint, 'at least 10,000 mutated binary inputs');
SELECT is((SELECT count(*) FROM bin_trials WHERE result = 'XX000'), 0::bigint, 'no internal error (XX000)');
SELECT is((SELECT string_agg(DISTINCT result, ', ') FROM bin_trials
           WHERE result <> 'ok' AND result NOT LIKE '22%' AND result NOT IN ('08P01', '54000')),
          NULL, 'every rejection is a data exception (class 22), 08P01 (truncated) or 54000');
SELECT cmp_ok((SELECT count(*) FROM bin_trials WHERE result = 'ok'), '>', 0::bigint, 'some mutations are still valid states');
SELECT is((SELECT count(*) FROM bin_trials t JOIN bin_seeds s ON s.id = t.seed
           WHERE t.result = 'ok' AND t.round_trip <> 'ok'
             AND NOT (s.key_type = 'interval' AND t.round_trip = 'text error 22007')), 0::bigint,
          'every accepted input round-trips exactly (binary always; text unless an interval key''s own text does not)');
-- the exception above is PostgreSQL's interval: its receive accepts a
-- time of -2^63 microseconds that its output prints and its input rejects
CREATE TEMP TABLE bin_interval (v interval);
SELECT lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea || '\x0000000000000000'::bytea || '\x0001'::bytea
       || int4send(16) || '\x8000000000000000'::bytea || int4send(2) || int4send(0) || '\xffff'::bytea) AS lo \gset
SELECT lo_export(:lo, 'rfm_kmeans_fuzz.bin');
SELECT lo_unlink(:lo);
COPY bin_interval FROM 'rfm_kmeans_fuzz.bin' WITH (FORMAT binary);
CREATE FUNCTION pg_temp.interval_text_round_trip() RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM v::text::interval FROM bin_interval;
	RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
	RETURN SQLSTATE;
END
$$;
SELECT is(pg_temp.interval_text_round_trip(), '22007', 'PostgreSQL''s interval alone: accepted in binary, its text rejected (22007)');
SELECT diag(format('accepted inputs whose interval key cannot round-trip through text: %s',
                   count(*))) FROM bin_trials WHERE round_trip LIKE 'text error%';
SELECT diag(format('%s rejected (%s), %s accepted', count(*) FILTER (WHERE result <> 'ok'),
                   (SELECT string_agg(r || ' x' || c, ', ') FROM (SELECT result AS r, count(*) AS c FROM bin_trials
                    WHERE result <> 'ok' GROUP BY 1 ORDER BY 2 DESC) t),
                   count(*) FILTER (WHERE result = 'ok'))) FROM bin_trials;
SELECT is(pg_postmaster_start_time() < now(), true, 'the server is up');

SELECT * FROM finish();
ROLLBACK;

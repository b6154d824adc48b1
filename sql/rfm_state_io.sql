-- rfm_state text and binary I/O: exact round trips, strict validation.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET extra_float_digits = 0;

\i sql/helpers/error_of.psql

CREATE TABLE states (kind text, s rfm_kmeans.rfm_state);
INSERT INTO states
SELECT 'rows', rfm_kmeans.rfm_trans(rfm_kmeans.rfm_trans(NULL, '2024-01-01', 0.1), '2024-01-02', 0.2)
UNION ALL
SELECT 'int', rfm_kmeans.rfm_trans(rfm_kmeans.rfm_trans(NULL, '2024-01-01', 1, 7, '2024-02-01'), '2024-01-02', 2, -9, '2024-02-01')
UNION ALL
SELECT 'text', rfm_kmeans.rfm_trans(rfm_kmeans.rfm_trans(NULL, '2024-01-01', 1, ''), '2024-01-02', 2, 'Ä b')
UNION ALL
SELECT 'uuid', rfm_kmeans.rfm_trans(NULL, '2024-01-01', 1, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid)
UNION ALL
SELECT 'numeric', rfm_kmeans.rfm_trans(rfm_kmeans.rfm_trans(NULL, '2024-01-01', 1, 1.50), '2024-01-02', 2, -0.001)
UNION ALL
SELECT 'typed', rfm_kmeans.rfm_trans(rfm_kmeans.rfm_trans(NULL, '2024-01-01', 1, interval '1 day'), '2024-01-02', 2, interval '2 hours')
UNION ALL
SELECT 'empty', rfm_kmeans.rfm_trans(NULL, NULL, 1, 5);

SELECT kind, s FROM states ORDER BY kind;

-- text round trip is exact
SELECT kind, s::text::rfm_kmeans.rfm_state::text = s::text AS text_round_trip
FROM states ORDER BY kind;

-- binary round trip through COPY BINARY is exact
\copy (SELECT kind, s FROM states) TO 'results/rfm_states.bin' WITH (FORMAT binary)
CREATE TABLE states_back (LIKE states);
\copy states_back FROM 'results/rfm_states.bin' WITH (FORMAT binary)
SELECT a.kind, a.s::text = b.s::text AS binary_round_trip
FROM states a JOIN states_back b USING (kind) ORDER BY kind;

-- malformed text input is rejected with 22P02
SELECT pg_temp.err($$SELECT ''::rfm_kmeans.rfm_state$$) AS empty_input;
SELECT pg_temp.err($$SELECT '2 0 0 0 0 0 0 0 0 0 0 0'::rfm_kmeans.rfm_state$$) AS bad_version;
SELECT pg_temp.err($$SELECT '1 9 0 0 0 0 0 0 0 0 0 0'::rfm_kmeans.rfm_state$$) AS bad_mode;
SELECT pg_temp.err($$SELECT '1 0 0 0 1 5 5 0 0 1 0 0 extra'::rfm_kmeans.rfm_state$$) AS trailing_data;
SELECT pg_temp.err($$SELECT '1 0 0 0 1 5 4 0 0 1 0 0'::rfm_kmeans.rfm_state$$) AS first_after_last;
SELECT pg_temp.err($$SELECT '1 0 0 0 -1 0 0 0 0 0 0 0'::rfm_kmeans.rfm_state$$) AS negative_rows;
SELECT pg_temp.err($$SELECT '1 0 0 0 1 5 5 0 0 NaN 0 0'::rfm_kmeans.rfm_state$$) AS nan_sum;
SELECT pg_temp.err($$SELECT '1 0 0 0 0 0 0 0 0 5 0 0'::rfm_kmeans.rfm_state$$) AS empty_with_sum;
SELECT pg_temp.err($$SELECT '1 0 0 0 1 5 5 0 0 1 0 1 x00'::rfm_kmeans.rfm_state$$) AS keys_without_key_mode;
SELECT pg_temp.err($$SELECT '1 1 0 0 1 5 5 0 0 1 0 1 x0001'::rfm_kmeans.rfm_state$$) AS short_int_key;
SELECT pg_temp.err($$SELECT '1 1 0 0 2 5 5 0 0 1 0 2 x0000000000000001 x0000000000000001'::rfm_kmeans.rfm_state$$) AS duplicate_key;
SELECT pg_temp.err($$SELECT '1 1 0 0 1 5 5 0 0 1 0 2 x0000000000000001 x0000000000000002'::rfm_kmeans.rfm_state$$) AS more_keys_than_rows;
SELECT pg_temp.err($$SELECT '1 2 0 0 1 5 5 0 0 1 0 1 x6'::rfm_kmeans.rfm_state$$) AS odd_hex;
SELECT pg_temp.err($$SELECT '1 2 0 0 1 5 5 0 0 1 0 1 xzz'::rfm_kmeans.rfm_state$$) AS bad_hex;
SELECT pg_temp.err($$SELECT '1 2 0 0 1 5 5 0 0 1 0 1 xff'::rfm_kmeans.rfm_state$$) AS invalid_utf8_key;
SELECT pg_temp.err($$SELECT '1 4 0 0 1 5 5 0 0 1 0 1 x312e30'::rfm_kmeans.rfm_state$$) AS unnormalized_numeric;
SELECT pg_temp.err($$SELECT '1 5 4294967295 0 1 5 5 0 0 1 0 1 x31'::rfm_kmeans.rfm_state$$) AS unknown_key_type;
SELECT pg_temp.err($$SELECT '1 0 0 0 1 5 5 1 4 1 0 0'::rfm_kmeans.rfm_state$$) AS as_of_before_last;
SELECT pg_temp.err($$SELECT '1 0 0 0 1 5 5 0 0 1 0'::rfm_kmeans.rfm_state$$) AS truncated;

DROP TABLE states, states_back;

-- a state in 0.2.0's layout in memory (version 1: one hash table, 88-byte
-- header), as a table column of type rfm_state written before the upgrade
-- holds it, still reads: rebuilt in the current layout. Made here from its
-- bytes (little-endian) through a binary-coercible cast from bytea: text
-- keys '536365' and '536366', 7 rows, ts 100 .. 200, as_of 300, sum 12.5.
-- A scratch type (bytea's I/O, rfm_state's alignment) casts to rfm_state
-- without a function, so its bytes become the state's.
CREATE TYPE raw_state;
CREATE FUNCTION raw_state_in(cstring) RETURNS raw_state LANGUAGE internal IMMUTABLE STRICT AS 'byteain';
CREATE FUNCTION raw_state_out(raw_state) RETURNS cstring LANGUAGE internal IMMUTABLE STRICT AS 'byteaout';
CREATE TYPE raw_state (INPUT = raw_state_in, OUTPUT = raw_state_out, INTERNALLENGTH = VARIABLE,
                       ALIGNMENT = double, STORAGE = extended);
CREATE CAST (raw_state AS rfm_kmeans.rfm_state) WITHOUT FUNCTION;
CREATE TABLE v1 AS SELECT ('\x01020100000000000000000008000000020000003000000030000000000000000000000007000000000000006400000000000000c8000000000000002c01000000000000000000000000294000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006000000000000003533363336350000000000000000000006000000000000003533363336360000'::raw_state)::rfm_kmeans.rfm_state AS s;
SELECT s::text AS version_1_state FROM v1;
-- it combines with a current state and gives its features
SELECT (rfm_kmeans.rfm_final_as_of(rfm_kmeans.rfm_combine(s,
          rfm_kmeans.rfm_trans(NULL, '2000-01-01 00:00:00.0002+00', 1, '536367'::text, '2000-01-01 00:00:00.0003+00')))).frequency
       AS combined_frequency FROM v1;
-- a damaged one (3 keys counted, 2 stored) is XX001, never read past its end
SELECT pg_temp.err($$SELECT ('\x01020100000000000000000008000000030000003000000030000000000000000000000007000000000000006400000000000000c8000000000000002c01000000000000000000000000294000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006000000000000003533363336350000000000000000000006000000000000003533363336360000'::raw_state)::rfm_kmeans.rfm_state::text$$) AS version_1_wrong_key_count;
-- the current layout (version 2) from outside is checked the same way: a
-- sound key list (bigint 42) reads, one whose used bytes pass its end does not
SELECT ('\x0201000001000000090040000100000000000000050000000000000005000000000000000000000000000000000000000000f03f000000000000000008000000000000002a00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'::raw_state)::rfm_kmeans.rfm_state::text AS version_2_list;
SELECT pg_temp.err($$SELECT ('\x0201000001000000c80040000100000000000000050000000000000005000000000000000000000000000000000000000000f03f000000000000000008000000000000002a00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000'::raw_state)::rfm_kmeans.rfm_state::text$$) AS version_2_list_overflow;
DROP TABLE v1;
DROP TYPE raw_state CASCADE;

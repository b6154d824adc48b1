-- Bad input everywhere: every case ends in a result or an ERROR with a
-- specific SQLSTATE (never XX000), and the server never restarts.
\set ON_ERROR_STOP 1
SET client_min_messages = error;
SELECT pg_postmaster_start_time() AS started \gset
BEGIN;
SELECT plan(104);

CREATE TABLE bi_pts AS SELECT i, (i % 5)::float8 AS a, (i % 3)::float8 AS b FROM generate_series(1, 50) i;
CREATE TABLE bi_one AS SELECT 1.0::float8 AS a, 2.0::float8 AS b;
CREATE TABLE bi_same AS SELECT 7.0::float8 AS a, 7.0::float8 AS b FROM generate_series(1, 20);
CREATE TABLE bi_empty (a float8, b float8);
CREATE TABLE bi_text (a text, b float8);
INSERT INTO bi_text VALUES ('x', 1);
-- train() one-hot encodes text; a date is neither a number nor a category
CREATE TABLE bi_date (a date, b float8);
INSERT INTO bi_date VALUES ('2020-01-01', 1);
CREATE TABLE "bi weird ""name""; drop" ("col; 1" float8, "Col ""2""" float8);
INSERT INTO "bi weird ""name""; drop" SELECT i, i % 4 FROM generate_series(1, 30) i;
CREATE VIEW bi_view AS SELECT a, b FROM bi_pts WHERE a > 0;
CREATE TABLE bi_part (a float8, b float8) PARTITION BY RANGE (a);
CREATE TABLE bi_part_1 PARTITION OF bi_part FOR VALUES FROM (0) TO (3);
CREATE TABLE bi_part_2 PARTITION OF bi_part FOR VALUES FROM (3) TO (100);
INSERT INTO bi_part SELECT a, b FROM bi_pts;
CREATE TEMP TABLE bi_temp AS SELECT * FROM bi_pts;
SELECT is((SELECT k FROM rfm_kmeans.train('bi_model', 'bi_pts', ARRAY['a', 'b'], 3)), 3, 'a model to predict with');

-- rfm()
SELECT throws_ok($$SELECT rfm_kmeans.rfm(now(), 'NaN'::float8)$$, '22000', NULL, 'rfm: NaN amount');
SELECT throws_ok($$SELECT rfm_kmeans.rfm(now(), '-Infinity'::float8, 1)$$, '22000', NULL, 'rfm: -Infinity amount');
SELECT throws_ok($$SELECT rfm_kmeans.rfm('-infinity'::timestamptz, 1)$$, '22008', NULL, 'rfm: -infinity ts');
SELECT throws_ok($$SELECT rfm_kmeans.rfm(now(), 1, 1, NULL::timestamptz)$$, '22004', NULL, 'rfm: NULL as_of');
SELECT is((SELECT rfm_kmeans.rfm(NULL::timestamptz, NULL::float8)) IS NULL, true, 'rfm: all NULL gives NULL');
SELECT is((SELECT (rfm_kmeans.rfm(now() - interval '1 day', 1, NULL::text)).frequency), 0::bigint, 'rfm: NULL key counts no order');
SELECT throws_ok($$SELECT rfm_kmeans.rfm(now(), 1, 'key'::text, '2000-01-01'::timestamptz)$$, '22023', NULL, 'rfm: as_of before ts');
SELECT throws_ok($$SELECT rfm_kmeans.rfm(now(), 1, '{"a":1}'::json)$$, '42883', NULL, 'rfm: json key');
SELECT throws_ok($$SELECT rfm_kmeans.rfm(now(), 1, ARRAY[point(1,1)])$$, '42883', NULL, 'rfm: point[] key');
SELECT lives_ok($$SELECT rfm_kmeans.rfm(now() - interval '1 day', 1, ARRAY[1, 2])$$, 'rfm: int[] key hashes');
SELECT throws_ok($$SELECT rfm_kmeans.rfm(now(), 1e308::float8) FROM generate_series(1, 3)$$, '22003', NULL, 'rfm: overflowing sum');
SELECT throws_ok($$SELECT rfm_kmeans.rfm_combine(rfm_kmeans.rfm_trans(NULL, now(), 1), rfm_kmeans.rfm_trans(NULL, now(), 1, 1))$$, '42804', NULL, 'rfm: combine mixed states');
SELECT throws_ok($$SELECT 'garbage'::rfm_kmeans.rfm_state$$, '22P02', NULL, 'rfm_state: garbage text');
SELECT throws_ok($$SELECT '1 1 0 0 1 0 0 0 0 1 0 1 x0102030405060708 x'::rfm_kmeans.rfm_state$$, '22P02', NULL, 'rfm_state: too many keys');
SELECT throws_ok($$SELECT '1 5 25 0 1 0 0 0 0 1 0 1 x41'::rfm_kmeans.rfm_state$$, '22P02', NULL, 'rfm_state: text keys without a collation');
SELECT throws_ok($$SELECT '1 5 25 4294967295 1 0 0 0 0 1 0 1 x41'::rfm_kmeans.rfm_state$$, '22P02', NULL, 'rfm_state: unknown collation');
SELECT throws_ok($$SELECT '1 5 600 0 1 0 0 0 0 1 0 1 x41'::rfm_kmeans.rfm_state$$, '22P02', NULL, 'rfm_state: key type without hashing (point)');
SELECT throws_ok($$SELECT '1 0 0 0 99999999999999999999 0 0 0 0 1 0 0'::rfm_kmeans.rfm_state$$, '22P02', NULL, 'rfm_state: rows out of range');

-- rfm_score and segment
SELECT throws_ok($$SELECT rfm_kmeans.rfm_score(1, NULL, true)$$, '22004', NULL, 'rfm_score: NULL breaks');
SELECT throws_ok($$SELECT rfm_kmeans.rfm_score(1, '{}', false)$$, '22023', NULL, 'rfm_score: empty breaks');
SELECT throws_ok($$SELECT rfm_kmeans.rfm_score(1, '{{1},{2}}', true)$$, '2202E', NULL, 'rfm_score: 2-D breaks');
SELECT is(rfm_kmeans.rfm_score('Infinity', '{1,2}', true), 3, 'rfm_score: +Infinity scores highest');
SELECT throws_ok($$SELECT rfm_kmeans.rfm_score(1, '{-Infinity, 1}', true)$$, '22023', NULL, 'rfm_score: -Infinity break');
SELECT throws_ok($$SELECT rfm_kmeans.segment(6, 1, 1)$$, '22003', NULL, 'segment: r = 6');
SELECT throws_ok($$SELECT rfm_kmeans.segment(1, 1, -2147483648)$$, '22003', NULL, 'segment: m = min int');
SELECT is(rfm_kmeans.segment(NULL, NULL, NULL), NULL, 'segment: NULLs give NULL');

-- train: arguments
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a'], 0)$$, '22023', NULL, 'train: k = 0');
SELECT lives_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 1)$$, 'train: k = 1');
SELECT lives_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 50)$$, 'train: k = rows (with a duplicates warning)');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 51)$$, '22023', NULL, 'train: k = rows + 1');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 1000000)$$, '22023', NULL, 'train: k = 1e6');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, max_iter => -5)$$, '22023', NULL, 'train: negative max_iter');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, max_iter => 2147483647)$$, '22023', NULL, 'train: huge max_iter');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, n_init => -1)$$, '22023', NULL, 'train: negative n_init');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, n_init => 100000)$$, '22023', NULL, 'train: huge n_init');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, tol => 'Infinity')$$, '22023', NULL, 'train: infinite tol');
SELECT lives_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, tol => 1e300)$$, 'train: huge tol stops at once');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', NULL, 2)$$, '22004', NULL, 'train: NULL features');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', NULL, ARRAY['a'], 2)$$, '22004', NULL, 'train: NULL relation');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a'], NULL)$$, '22004', NULL, 'train: NULL k');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a'], 2, seed => NULL)$$, '22004', NULL, 'train: NULL seed');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a'], 2, verbose => NULL)$$, '22004', NULL, 'train: NULL verbose');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY[['a'], ['b']], 2)$$, '2202E', NULL, 'train: 2-D features');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, init_centroids => ARRAY[[1, 2, 3], [4, 5, 6]]::float8[])$$, '22023', NULL, 'train: init_centroids of 3 features');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, init_centroids => ARRAY[1, 2, 3, 4]::float8[])$$, '22023', NULL, 'train: 1-D init_centroids');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, init_centroids => ARRAY[[1, NULL], [4, 5]]::float8[])$$, '22023', NULL, 'train: NULL in init_centroids');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, init_centroids => ARRAY[[1, 'NaN'], [4, 5]]::float8[])$$, '22023', NULL, 'train: NaN in init_centroids');

-- train: relations and columns
SELECT lives_ok($$SELECT rfm_kmeans.train('x', 'bi_one', ARRAY['a', 'b'], 1)$$, 'train: a single row');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_one', ARRAY['a', 'b'], 2)$$, '22023', NULL, 'train: a single row, k = 2');
SELECT lives_ok($$SELECT rfm_kmeans.train('x', 'bi_same', ARRAY['a', 'b'], 3)$$, 'train: all rows identical (zero variance)');
SELECT is((SELECT sizes FROM rfm_kmeans.models WHERE name = 'x'), ARRAY[20, 0, 0]::bigint[], 'train: identical rows fill one cluster');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_empty', ARRAY['a', 'b'], 1)$$, '22000', NULL, 'train: empty table');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_date', ARRAY['a', 'b'], 1)$$, '42804', NULL, 'train: date column');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'no_such', ARRAY['a'], 1)$$, '42P01', NULL, 'train: unknown table');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a; DROP TABLE bi_pts'], 1)$$, '42703', NULL, 'train: column name with a semicolon');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['xmin'], 1)$$, '42703', NULL, 'train: system column');
SELECT lives_ok($$SELECT rfm_kmeans.train('x', '"bi weird ""name""; drop"', ARRAY['col; 1', 'Col "2"'], 2)$$, 'train: quoted names with spaces, quotes and semicolons');
SELECT lives_ok($$SELECT rfm_kmeans.train('x', 'bi_view', ARRAY['a', 'b'], 2)$$, 'train: a view');
SELECT is((SELECT n_rows FROM rfm_kmeans.train('x', 'bi_part', ARRAY['a', 'b'], 2)), 50::bigint, 'train: a partitioned table reads every partition');
SELECT lives_ok($$SELECT rfm_kmeans.train('x', 'bi_temp', ARRAY['a', 'b'], 2)$$, 'train: a temporary table');
SELECT lives_ok($$SELECT rfm_kmeans.train('x', 'bi_pts', ARRAY['a', 'b'], 2, mode => 'aggregate')$$, 'train: aggregate mode, small table');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_empty', ARRAY['a', 'b'], 1, mode => 'aggregate')$$, '22000', NULL, 'train: aggregate mode, empty table');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_date', ARRAY['a'], 1, mode => 'aggregate')$$, '42804', NULL, 'train: aggregate mode, date column');

-- predict / assign / distances / evaluate / elbow / kmeans
SELECT throws_ok($$SELECT rfm_kmeans.predict('bi_model', VARIADIC ARRAY[[1, 2], [3, 4]]::float8[])$$, '2202E', NULL, 'predict: 2-D features');
SELECT throws_ok($$SELECT rfm_kmeans.predict('bi_model', VARIADIC ARRAY[]::float8[])$$, '22023', NULL, 'predict: no features');
SELECT throws_ok($$SELECT rfm_kmeans.assign('bi_model', VARIADIC NULL::float8[])$$, '22004', NULL, 'assign: NULL array');
SELECT throws_ok($$SELECT rfm_kmeans.distances('bi_model', 'Infinity', 1)$$, '22000', NULL, 'distances: infinite feature');
SELECT throws_ok($$SELECT rfm_kmeans.predict('', 1, 2)$$, '42704', NULL, 'predict: empty model name');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.evaluate('bi_model', 'bi_empty')$$, '22000', NULL, 'evaluate: empty table');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.elbow('bi_pts', ARRAY['a', 'b'], 2, 60)$$, '22023', NULL, 'elbow: k_max above rows');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.kmeans('bi_pts', ARRAY['a', 'b'], 2, init => NULL)$$, '22004', NULL, 'kmeans: NULL init');
SELECT throws_ok($$SELECT rfm_kmeans.kmeans_step(ARRAY[1, 2]::float8[], ARRAY[[1, 2]]::float8[]) FROM generate_series(1, 2) g
                   UNION ALL SELECT rfm_kmeans.kmeans_step(ARRAY[1, 2, 3]::float8[], ARRAY[[1, 2]]::float8[])$$, '22023', NULL, 'kmeans_step: mixed feature counts');
SELECT throws_ok($$SELECT '1 10001 1 0 0 0'::rfm_kmeans.kmeans_state$$, '22P02', NULL, 'kmeans_state: k out of range');
SELECT throws_ok($$SELECT rfm_kmeans.kmeans_step(ARRAY[[1], [2]]::float8[], ARRAY[[1, 2]]::float8[])$$, '2202E', NULL,
                 'kmeans_step: 2-D features (of the right count of values)');
SELECT throws_ok($$SELECT rfm_kmeans.kmeans_step(ARRAY[1e200, 0]::float8[], ARRAY[[0, 0]]::float8[])$$, '22003', NULL,
                 'kmeans_step: a squared distance past float8');

-- numeric-looking columns that are not features: 42804 from every reader
CREATE TABLE bi_oid AS SELECT i::oid AS o, i::numeric::money AS m, i::regclass AS r, i::float8 AS a, i::float8 AS b
FROM generate_series(1, 20) i;
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_oid', ARRAY['o'], 1)$$, '42804', NULL, 'train: oid column');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_oid', ARRAY['m'], 1)$$, '42804', NULL, 'train: money column');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bi_oid', ARRAY['r'], 1, mode => 'aggregate')$$, '42804', NULL,
                 'train: regclass column, aggregate mode');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.kmeans('bi_oid', ARRAY['m'], 1)$$, '42804', NULL, 'kmeans: money column');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.elbow('bi_oid', ARRAY['o'], 1, 2)$$, '42804', NULL, 'elbow: oid column');
CREATE TABLE bi_oid_as_a AS SELECT o AS a, b FROM bi_oid;
SELECT throws_ok($$SELECT * FROM rfm_kmeans.evaluate('bi_model', 'bi_oid_as_a')$$, '42804', NULL, 'evaluate: oid column');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.drift('bi_model', 'bi_oid_as_a')$$, '42804', NULL, 'drift: oid column');
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 999999999::regclass, ARRAY['a'], 1)$$, '42P01', NULL,
                 'train: the OID of no relation');
SELECT throws_ok($$SELECT rfm_kmeans.train(repeat('x', 3000), 'bi_empty', ARRAY['a'], 1)$$, '42622', NULL,
                 'train: a name past 1024 bytes is refused before any reading (the table is empty)');
SELECT lives_ok($$SELECT rfm_kmeans.train(repeat('y', 1024), 'bi_pts', ARRAY['a'], 1)$$, 'train: a name of 1024 bytes');
SELECT throws_ok($$SELECT rfm_kmeans.citus_setup()$$, '55000', NULL, 'citus_setup: without Citus');

-- cluster_labels / cluster_summary / report_html (0.2.0)
CREATE TABLE "bi rfm ""q""; x" ("r; 1" float8, "F ""2""" float8, "m m" float8, note text);
INSERT INTO "bi rfm ""q""; x" SELECT i, i % 7, (i % 13) * 10.0, 'n' || i FROM generate_series(1, 200) i;
CREATE VIEW bi_rfm_view AS SELECT * FROM "bi rfm ""q""; x" WHERE "r; 1" > 10;
CREATE TABLE bi_rfm_empty (LIKE "bi rfm ""q""; x");
SELECT is((SELECT k FROM rfm_kmeans.train('bi_rfm', '"bi rfm ""q""; x"', ARRAY['r; 1', 'F "2"', 'm m'], 3)), 3,
          'an RFM model on quoted names');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_labels(NULL)$$, '22004', NULL, 'cluster_labels: NULL model');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_labels('')$$, '42704', NULL, 'cluster_labels: empty name');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_labels('bi_model')$$, '22023', NULL, 'cluster_labels: 2 features');
SELECT is((SELECT count(*) FROM rfm_kmeans.cluster_labels('bi_rfm')), 3::bigint, 'cluster_labels: quoted names');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_summary(NULL, 'bi_pts')$$, '22004', NULL, 'cluster_summary: NULL model');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_summary('bi_rfm', NULL)$$, '22004', NULL, 'cluster_summary: NULL relation');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_summary('bi_rfm', 'bi_rfm_empty')$$, '22000', NULL,
                 'cluster_summary: empty table, as report_html, drift and evaluate');
SELECT is((SELECT sum(customers) FROM rfm_kmeans.cluster_summary('bi_rfm', 'bi_rfm_view')), 190::numeric,
          'cluster_summary: a view');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_summary('bi_rfm', '"bi rfm ""q""; x"', monetary => 'note')$$,
                 '42804', NULL, 'cluster_summary: a text column as monetary');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('bi_rfm', 'bi_rfm_empty')$$, '22000', NULL, 'report_html: empty table');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('bi_rfm', 'bi_rfm_view', max_points => NULL)$$, '22023', NULL,
                 'report_html: NULL max_points');
CREATE TABLE bi_rfm_oid AS SELECT *, 7::oid AS o FROM "bi rfm ""q""; x";
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_summary('bi_rfm', 'bi_rfm_oid', recency => 'o')$$,
                 '42804', NULL, 'cluster_summary: an oid column');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('bi_rfm', 'bi_rfm_view', recency => 'r; 1; DROP TABLE bi_pts')$$,
                 '42703', NULL, 'report_html: a column name with a statement in it');
SELECT ok(rfm_kmeans.report_html('bi_rfm', 'bi_rfm_view', title => '') LIKE '%r; 1%',
          'report_html: quoted names, on a view, shown as text');

-- the server stayed up all along
SELECT is(pg_postmaster_start_time(), :'started'::timestamptz, 'the server never restarted');
\if :{?server_log}
SELECT is((SELECT count(*) FROM regexp_matches(pg_read_file(:'server_log'), 'terminated by signal', 'g')),
          0::bigint, 'no backend was terminated by a signal (server log)');
\else
SELECT skip('no server_log variable given: the log was not checked', 1);
\endif

SELECT * FROM finish();
ROLLBACK;

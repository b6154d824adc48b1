-- Concurrent changes of one model, in two sessions (dblink connections a
-- and b to this database): trainings, rollbacks and drops of one name wait
-- for each other (a lock on the name), so no version is lost, version
-- numbers stay unique and increasing, and a REPEATABLE READ transaction
-- that cannot see the other's change gets a serialization failure (40001),
-- never a raw unique violation. Every wait is bounded by lock_timeout.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS dblink;
SELECT plan(22);

SELECT format('host=%s port=%s dbname=%s user=%s', current_setting('unix_socket_directories'),
              current_setting('port'), current_database(), current_user) AS conn \gset
SELECT dblink_connect('a', :'conn') = 'OK' AS a_connected \gset
SELECT dblink_connect('b', :'conn') = 'OK' AS b_connected \gset
SELECT dblink_exec('a', 'SET lock_timeout = ''30s''') = 'SET' AS a_timeout \gset
SELECT dblink_exec('b', 'SET lock_timeout = ''30s''') = 'SET' AS b_timeout \gset
SELECT pid AS b_pid FROM dblink('b', 'SELECT pg_backend_pid()') AS t(pid integer) \gset
-- what an interrupted earlier run may have left
SELECT dblink_exec('a', 'DROP TABLE IF EXISTS race_pts') AS cleaned \gset
SELECT dblink_exec('a', 'DO $$ BEGIN PERFORM rfm_kmeans.drop_model(name) FROM rfm_kmeans.models WHERE name LIKE ''race_''; END $$') AS cleaned \gset
SELECT dblink_exec('a', 'CREATE TABLE race_pts AS SELECT i, (i % 4) * 5.0 + (i % 7) * 0.1 AS x '
                        'FROM generate_series(1, 400) i') AS created \gset

-- Whether session b is waiting for a lock, within a few seconds.
CREATE FUNCTION pg_temp.b_waits(pid integer) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
	FOR i IN 1 .. 400 LOOP
		IF EXISTS (SELECT FROM pg_locks l WHERE l.pid = b_waits.pid AND NOT l.granted) THEN
			RETURN true;
		END IF;
		PERFORM pg_sleep(0.025);
	END LOOP;
	RETURN false;
END
$$;

-- version, current or not, for a model, newest first, as one text
CREATE FUNCTION pg_temp.history(m text) RETURNS text LANGUAGE sql AS $$
	SELECT string_agg(version || CASE WHEN is_current THEN '*' ELSE '' END, ' ' ORDER BY version DESC)
	FROM rfm_kmeans.model_history(m)
$$;

\set train1 'SELECT rfm_kmeans.train(''race1'', ''race_pts'', ARRAY[''x''], 2)'

-- 1. Two first-time trainings of one name: b waits for a, then replaces a's
--    version 1 with its version 2 (version 1 used to be lost).
SELECT dblink_exec('a', 'BEGIN') = 'BEGIN' AS began \gset
SELECT * FROM dblink('a', :'train1') AS t(r text) \gset
SELECT dblink_send_query('b', :'train1') = 1 AS sent \gset
SELECT ok(pg_temp.b_waits(:b_pid), 'b''s training of a new name waits for a''s uncommitted one');
SELECT is(dblink_exec('a', 'COMMIT'), 'COMMIT', 'a commits version 1');
SELECT ok((SELECT r IS NOT NULL FROM dblink_get_result('b') AS t(r text)), 'then b''s training succeeds');
SELECT ok((SELECT count(*) = 0 FROM dblink_get_result('b') AS t(r text)), 'b is done');
SELECT is(pg_temp.history('race1'), '2* 1', 'the history holds a''s version 1 and b''s version 2');

-- 2. Replacing an existing model in both: b waits, then makes version 3
--    (it used to fail with a raw 23505 on the history's key).
SELECT dblink_exec('a', 'BEGIN') = 'BEGIN' AS began \gset
SELECT * FROM dblink('a', :'train1') AS t(r text) \gset
SELECT dblink_send_query('b', :'train1') = 1 AS sent \gset
SELECT ok(pg_temp.b_waits(:b_pid), 'b''s replacement waits for a''s');
SELECT is(dblink_exec('a', 'COMMIT'), 'COMMIT', 'a commits version 3');
SELECT ok((SELECT r IS NOT NULL FROM dblink_get_result('b') AS t(r text)), 'b''s replacement succeeds');
SELECT ok((SELECT count(*) = 0 FROM dblink_get_result('b') AS t(r text)), 'b is done');
SELECT is(pg_temp.history('race1'), '4* 3 2 1', 'versions 1 to 4, each once, the newest current');

-- 3. A rollback while a training is uncommitted waits for it, then rolls
--    back the training's version; later trainings keep numbering.
SELECT dblink_exec('a', 'BEGIN') = 'BEGIN' AS began \gset
SELECT * FROM dblink('a', :'train1') AS t(r text) \gset
SELECT dblink_send_query('b', 'SELECT rfm_kmeans.rollback_model(''race1'')') = 1 AS sent \gset
SELECT ok(pg_temp.b_waits(:b_pid), 'b''s rollback waits for a''s training');
SELECT is(dblink_exec('a', 'COMMIT'), 'COMMIT', 'a commits version 5');
SELECT is((SELECT v FROM dblink_get_result('b') AS t(v integer)), 4, 'b then rolls version 5 back to 4');
SELECT ok((SELECT count(*) = 0 FROM dblink_get_result('b') AS t(v integer)), 'b is done');
SELECT lives_ok(:'train1', 'another training');
SELECT lives_ok(:'train1', 'and another (they used to fail on a duplicate key)');
SELECT is(pg_temp.history('race1'), '6* 5 4 3 2 1', 'the history stays consistent: 5 is taken again by the next training');

-- 4. A drop while a training is uncommitted: b's training waits, then
--    creates the model afresh.
SELECT dblink_exec('a', 'BEGIN') = 'BEGIN' AS began \gset
SELECT * FROM dblink('a', 'SELECT rfm_kmeans.drop_model(''race1'')') AS t(v text) \gset
SELECT dblink_send_query('b', :'train1') = 1 AS sent \gset
SELECT ok(pg_temp.b_waits(:b_pid), 'b''s training waits for a''s drop');
SELECT is(dblink_exec('a', 'COMMIT'), 'COMMIT', 'a commits the drop');
SELECT ok((SELECT r IS NOT NULL FROM dblink_get_result('b') AS t(r text)) AND
          (SELECT count(*) = 0 FROM dblink_get_result('b') AS t(r text)), 'b''s training succeeds');
SELECT is(pg_temp.history('race1'), '1*', 'a new model, version 1, no history');

-- 5. REPEATABLE READ: b's snapshot predates a's committed training of
--    the same new name: a serialization failure, not a unique violation.
SELECT dblink_exec('b', 'BEGIN ISOLATION LEVEL REPEATABLE READ') = 'BEGIN' AS began \gset
SELECT * FROM dblink('b', 'SELECT count(*) FROM rfm_kmeans.models') AS t(n bigint) \gset
SELECT * FROM dblink('a', 'SELECT rfm_kmeans.train(''race2'', ''race_pts'', ARRAY[''x''], 2)') AS t(r text) \gset
SELECT throws_ok($$SELECT * FROM dblink('b', 'SELECT rfm_kmeans.train(''race2'', ''race_pts'', ARRAY[''x''], 3)') AS t(r text)$$,
                 '40001', NULL, 'REPEATABLE READ: 40001 for a model created since the snapshot');
SELECT dblink_exec('b', 'ROLLBACK') = 'ROLLBACK' AS rolled_back \gset

SELECT * FROM dblink('a', 'SELECT rfm_kmeans.drop_model(''race1''), rfm_kmeans.drop_model(''race2'')') AS t(v text, w text) \gset
SELECT dblink_exec('a', 'DROP TABLE race_pts') AS cleaned \gset
SELECT dblink_disconnect('a') = 'OK' AS a_closed \gset
SELECT dblink_disconnect('b') = 'OK' AS b_closed \gset
SELECT * FROM finish();

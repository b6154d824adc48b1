-- predict_row()/assign_row() of a table's row: the planner passes the row
-- column by column (_predict_row_columns / _assign_row_columns) instead of
-- forming the whole-row value. Checked: the plans, every row's answer
-- against the whole-row path (a row given by a sub-select, which is not
-- rewritten) and against predict()/assign() of the columns, views and
-- pulled-up subqueries, a cached plan across retrainings that change the
-- features and categories and across ALTER TABLE, a row too wide to pass
-- column by column, an outer join's nullable row and GROUPING SETS (kept
-- whole), REVOKE EXECUTE on predict_row()/assign_row(), and the internal
-- functions' own errors.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(27);

CREATE TABLE acct AS
SELECT i AS id,
       (ARRAY['savings', 'term', 'current'])[1 + floor(rfm_data.u(i, 1, 11) * 3)::int] AS kind,
       round((100 + 900 * rfm_data.u(i, 2, 11))::numeric, 2) AS amount,
       (20000 * rfm_data.u(i, 3, 11))::float8 AS balance,
       (rfm_data.u(i, 4, 11) < 0.3) AS mobile
FROM generate_series(1, 3000) i;
SELECT lives_ok($$SELECT rfm_kmeans.train('acct_c', 'acct', ARRAY['kind', 'amount', 'balance', 'mobile'], 4, mode => 'memory')$$,
                'a categorical model');
SELECT lives_ok($$SELECT rfm_kmeans.train('acct_n', 'acct', ARRAY['amount', 'balance'], 3, mode => 'memory')$$,
                'a numeric model');

-- the plan text of a query
CREATE FUNCTION pg_temp.plan_of(q text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	line text;
	plan text := '';
BEGIN
	FOR line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || q LOOP
		plan := plan || line || E'\n';
	END LOOP;
	RETURN plan;
END
$$;

SELECT matches(pg_temp.plan_of($$SELECT rfm_kmeans.predict_row('acct_c', a) FROM acct a$$),
               '_predict_row_columns\(''acct_c''::text, ''\{id,kind,amount,balance,mobile\}''::text\[\], id, kind, amount, balance, mobile\)',
               'predict_row() of a table''s row: every column passed after its name');
SELECT matches(pg_temp.plan_of($$SELECT rfm_kmeans.assign_row('acct_c', a) FROM acct a$$),
               '_assign_row_columns\(', 'assign_row() likewise');
SELECT matches(pg_temp.plan_of($$SELECT rfm_kmeans.predict_row('acct_c', (SELECT a)) FROM acct a$$),
               'predict_row\(''acct_c''::text, \(SubPlan 1\)\)', 'a row given by a sub-select: the whole-row call');

-- every row: rewritten = whole row = plain predict()/assign() of the columns
SELECT is((SELECT count(*) FROM acct a
           WHERE rfm_kmeans.predict_row('acct_c', a) IS DISTINCT FROM rfm_kmeans.predict_row('acct_c', (SELECT a))
              OR rfm_kmeans.assign_row('acct_c', a)::text IS DISTINCT FROM rfm_kmeans.assign_row('acct_c', (SELECT a))::text),
          0::bigint, 'categorical model: every row as the whole-row call scores it');
SELECT is((SELECT count(*) FROM acct a
           WHERE rfm_kmeans.predict_row('acct_n', a) IS DISTINCT FROM rfm_kmeans.predict('acct_n', a.amount, a.balance)
              OR rfm_kmeans.assign_row('acct_n', a)::text IS DISTINCT FROM rfm_kmeans.assign('acct_n', a.amount, a.balance)::text),
          0::bigint, 'numeric model: every row as predict() and assign() of its columns');

-- a view and a subquery are pulled up into ROW(...): rewritten, named as the record names them
CREATE VIEW acct_v AS SELECT id, balance, amount, kind, mobile FROM acct WHERE id % 2 = 0;
SELECT matches(pg_temp.plan_of($$SELECT rfm_kmeans.predict_row('acct_c', v) FROM acct_v v$$),
               '_predict_row_columns\(''acct_c''::text, ''\{id,balance,amount,kind,mobile\}''::text\[\]',
               'a view''s row: its columns, by the view''s names');
SELECT is((SELECT count(*) FROM acct_v v JOIN acct a USING (id)
           WHERE rfm_kmeans.predict_row('acct_c', v) IS DISTINCT FROM rfm_kmeans.predict_row('acct_c', (SELECT a))),
          0::bigint, 'a view''s rows: as the table''s');
SELECT is((SELECT count(*) FROM (SELECT id, balance * 1 AS balance, amount, upper(kind) AS kind, mobile FROM acct) s
           WHERE rfm_kmeans.predict_row('acct_c', s) IS DISTINCT FROM rfm_kmeans.predict_row('acct_c', (SELECT s))),
          0::bigint, 'a pulled-up subquery''s rows (unseen categories among them): as the whole-row call');
SELECT throws_ok($$SELECT rfm_kmeans.predict_row('acct_c', s) FROM (SELECT id, balance, amount, mobile FROM acct) s$$,
                 '42703', NULL, 'a pulled-up subquery without a feature: 42703, as for the whole row');

-- a cached plan outlives retrainings: the row's columns are matched when it runs
SET LOCAL plan_cache_mode = force_generic_plan;
PREPARE scored AS SELECT id, rfm_kmeans.assign_row('acct_r', a)::text AS s FROM acct a;
SELECT lives_ok($$SELECT rfm_kmeans.train('acct_r', 'acct', ARRAY['amount', 'balance'], 3, mode => 'memory')$$, 'a model');
SELECT set_eq('EXECUTE scored', $$SELECT id, rfm_kmeans.assign('acct_r', amount, balance)::text FROM acct$$,
              'the prepared statement scores with it');
UPDATE acct SET kind = 'term-plus' WHERE id % 10 = 0;
SELECT lives_ok($$SELECT rfm_kmeans.train('acct_r', 'acct', ARRAY['kind', 'mobile', 'balance'], 5, mode => 'memory')$$,
                'retrained on other features, with a new category');
SELECT set_eq('EXECUTE scored', $$SELECT id, rfm_kmeans.assign_row('acct_r', (SELECT a))::text FROM acct a$$,
              'the same prepared statement scores with the new features and categories');
ALTER TABLE acct ADD COLUMN note text;
ALTER TABLE acct DROP COLUMN amount CASCADE;
SELECT set_eq('EXECUTE scored', $$SELECT id, rfm_kmeans.assign_row('acct_r', (SELECT a))::text FROM acct a$$,
              'and after ALTER TABLE added and dropped columns (the plan is rebuilt)');
DEALLOCATE scored;

-- a row of more columns than a call can take keeps the whole-row call
SELECT lives_ok(format('CREATE TABLE acct_wide AS SELECT a.*, %s FROM acct a',
                       (SELECT string_agg(format('%s AS pad%s', i, i), ', ') FROM generate_series(1, 100) i)),
                'a table of 105 columns');
SELECT is((SELECT count(*) FROM acct_wide w JOIN acct a USING (id)
           WHERE rfm_kmeans.predict_row('acct_r', w) IS DISTINCT FROM rfm_kmeans.predict_row('acct_r', (SELECT a))),
          0::bigint, 'scored through the whole row (not rewritten), the same');

-- an outer join's missing row is NULL as a whole: kept whole, as without the rewrite
SELECT matches(pg_temp.plan_of($$SELECT rfm_kmeans.predict_row('acct_r', a) FROM (VALUES (1)) v(x) LEFT JOIN acct a ON true$$),
               'predict_row\(''acct_r''::text, a\.\*\)', 'a row on the nullable side of an outer join: the whole-row call');
SELECT throws_ok($$SELECT rfm_kmeans.predict_row('acct_r', a) FROM (VALUES (1)) v(x) LEFT JOIN acct a ON false$$,
                 '22004', 'argument row must not be null', 'an outer join''s NULL row: 22004, the NULL row''s error');
SELECT matches(pg_temp.plan_of($$SELECT rfm_kmeans.predict_row('acct_r', a) FROM (VALUES (1)) v(x) JOIN acct a ON true$$),
               '_predict_row_columns\(', 'an inner join''s row: rewritten');

-- GROUPING SETS null a grouped row in some sets, not its columns: kept whole
SELECT throws_ok($$SELECT rfm_kmeans.predict_row('acct_r', a) FROM acct a GROUP BY ROLLUP (a)$$,
                 '22004', 'argument row must not be null', 'ROLLUP''s total row is NULL: 22004, as without the rewrite');

-- a REVOKE on predict_row()/assign_row() holds for their rewritten form
CREATE ROLE rfm_rewrite_reader;
GRANT USAGE ON SCHEMA rfm_kmeans TO rfm_rewrite_reader;
GRANT SELECT ON acct, rfm_kmeans.models TO rfm_rewrite_reader;
REVOKE EXECUTE ON FUNCTION rfm_kmeans.predict_row(text, record), rfm_kmeans.assign_row(text, record) FROM PUBLIC;
SET LOCAL ROLE rfm_rewrite_reader;
SELECT throws_ok($$SELECT rfm_kmeans.predict_row('acct_r', a) FROM acct a$$, '42501', NULL,
                 'predict_row() revoked: 42501, rewritten or not');
SELECT throws_ok($$SELECT rfm_kmeans.assign_row('acct_r', a) FROM acct a$$, '42501', NULL,
                 'assign_row() revoked: 42501');
RESET ROLE;
GRANT EXECUTE ON FUNCTION rfm_kmeans.predict_row(text, record), rfm_kmeans.assign_row(text, record) TO PUBLIC;

-- the internal functions check what they are given
SELECT throws_ok($$SELECT rfm_kmeans._predict_row_columns('acct_r', ARRAY['kind', 'mobile'], 'term'::text)$$,
                 '22023', NULL, 'fewer columns than names: 22023');
SELECT throws_ok($$SELECT rfm_kmeans._predict_row_columns('acct_r', ARRAY['kind', NULL, 'balance'], 'term'::text, true, 1.0)$$,
                 '22004', NULL, 'a NULL name: 22004');
SELECT throws_ok($$SELECT rfm_kmeans._predict_row_columns('acct_r', n, 'term'::text, true)
                   FROM (VALUES (ARRAY['kind', 'mobile']), (ARRAY['mobile', 'kind'])) v(n)$$,
                 '22023', 'argument columns must be a constant', 'names that may change from row to row: 22023');

SELECT * FROM finish();
ROLLBACK;

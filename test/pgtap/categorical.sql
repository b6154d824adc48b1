-- Categorical features: the seed's banking example (deposit type, amount,
-- balance), generated. Checked against plain SQL: the categories, the
-- scaler (one-hot features unscaled), every row's cluster and distance
-- recomputed from the stored centroids with a hand-written encoding, and
-- the centroids as the means of their rows (a converged Lloyd fixpoint);
-- the three training modes; predict_row() on a numeric model against
-- predict(); unseen categories; the errors.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
BEGIN;
SELECT plan(35);

CREATE TYPE bank_tier AS ENUM ('basic', 'gold');
-- 4,000 customers: a deposit type drawn per customer, amounts and balances
-- depending on it, a few rows with a NULL deposit type
CREATE TABLE bank AS
SELECT i AS customer_id,
       CASE WHEN i % 401 = 0 THEN NULL
            ELSE (ARRAY['savings', 'term', 'current', 'Current'])[1 + floor(rfm_data.u(i, 1, 7) * 4)::int] END AS deposit_type,
       round((100 + 900 * rfm_data.u(i, 2, 7) + CASE WHEN rfm_data.u(i, 1, 7) < 0.5 THEN 0 ELSE 4000 END)::numeric, 2) AS amount,
       (20000 * rfm_data.u(i, 3, 7))::float8 AS balance,
       (rfm_data.u(i, 4, 7) < 0.3) AS mobile,
       (CASE WHEN rfm_data.u(i, 5, 7) < 0.8 THEN 'basic' ELSE 'gold' END)::bank_tier AS tier
FROM generate_series(1, 4000) i;
\set f 'ARRAY[''deposit_type'', ''amount'', ''balance'', ''mobile'', ''tier'']'

SELECT lives_ok($$SELECT rfm_kmeans.train('bank_m', 'bank', $$ || :'f' || $$, 4, tol => 0, mode => 'memory')$$,
                'train() on text, numeric, float8, boolean and enum columns');
SELECT is((SELECT (n_rows, n_skipped)::text FROM rfm_kmeans.models WHERE name = 'bank_m'),
          (SELECT (count(*) FILTER (WHERE deposit_type IS NOT NULL), count(*) FILTER (WHERE deposit_type IS NULL))::text FROM bank),
          'rows with a NULL category are skipped, as rows with a NULL number');

-- the encoded features, from plain SQL: each column's distinct values in byte order
CREATE TEMP VIEW expected_features AS
SELECT array_agg(name ORDER BY o1, o2) AS names, array_agg(category ORDER BY o1, o2) AS cats
FROM (SELECT 1 AS o1, v AS o2, 'deposit_type=' || v AS name, v AS category
      FROM (SELECT DISTINCT deposit_type COLLATE "C" AS v FROM bank WHERE deposit_type IS NOT NULL) x
      UNION ALL SELECT 2, '', 'amount', NULL UNION ALL SELECT 3, '', 'balance', NULL
      UNION ALL SELECT 4, v, 'mobile=' || v, v FROM (SELECT DISTINCT mobile::text COLLATE "C" AS v FROM bank) y
      UNION ALL SELECT 5, v, 'tier=' || v, v FROM (SELECT DISTINCT tier::text COLLATE "C" AS v FROM bank) z) e;
SELECT is((SELECT features FROM rfm_kmeans.models WHERE name = 'bank_m'), (SELECT names FROM expected_features),
          'one feature per category, named column=category, in byte order (Current before current)');
SELECT is((SELECT categories FROM rfm_kmeans.models WHERE name = 'bank_m'), (SELECT cats FROM expected_features),
          'the categories stored with the model, NULL for the numbers');
SELECT is((SELECT cardinality(features) FROM rfm_kmeans.models WHERE name = 'bank_m'), 10, '4 + 1 + 1 + 2 + 2 features');

-- one-hot features unscaled; the numbers z-scored over the usable rows
SELECT ok((SELECT bool_and(CASE WHEN m.categories[j] IS NOT NULL THEN m.scale_offset[j] = 0 AND m.scale_factor[j] = 1 ELSE true END)
           FROM rfm_kmeans.models m, generate_series(1, 10) j WHERE m.name = 'bank_m'),
          'one-hot features: offset 0, factor 1 (BigQuery ML standardizes numbers only)');
SELECT ok((SELECT abs(m.scale_offset[5] - s.mean_a) <= 1e-9 * s.mean_a AND abs(m.scale_factor[5] - s.sd_a) <= 1e-9 * s.sd_a
              AND abs(m.scale_offset[6] - s.mean_b) <= 1e-9 * s.mean_b AND abs(m.scale_factor[6] - s.sd_b) <= 1e-9 * s.sd_b
           FROM rfm_kmeans.models m,
                (SELECT avg(amount)::float8 AS mean_a, stddev_pop(amount)::float8 AS sd_a,
                        avg(balance) AS mean_b, stddev_pop(balance) AS sd_b
                 FROM bank WHERE deposit_type IS NOT NULL) s
           WHERE m.name = 'bank_m'),
          'numbers z-scored: mean and population standard deviation of the usable rows');

-- every row's cluster and distance, recomputed in plain SQL from the model
CREATE FUNCTION pg_temp.encoded(m text, r bank) RETURNS float8[] LANGUAGE sql AS $$
	SELECT array_agg(CASE WHEN md.categories[j] IS NULL
	                      THEN ((CASE md.features[j] WHEN 'amount' THEN r.amount::float8 ELSE r.balance END) - md.scale_offset[j]) / md.scale_factor[j]
	                      WHEN md.features[j] = 'deposit_type=' || r.deposit_type OR md.features[j] = 'mobile=' || r.mobile::text
	                           OR md.features[j] = 'tier=' || r.tier::text THEN 1 ELSE 0 END ORDER BY j)
	FROM rfm_kmeans.models md, generate_series(1, cardinality(md.features)) j WHERE md.name = m
$$;
CREATE FUNCTION pg_temp.nearest(m text, x float8[]) RETURNS TABLE (cluster int, distance float8) LANGUAGE sql AS $$
	SELECT c - 1, sqrt(sum((x[j] - (md.centroids[c][j] - md.scale_offset[j]) / md.scale_factor[j]) ^ 2))
	FROM rfm_kmeans.models md, generate_series(1, md.k) c, generate_series(1, cardinality(md.features)) j
	WHERE md.name = m GROUP BY c ORDER BY 2, 1 LIMIT 1
$$;
CREATE FUNCTION pg_temp.mismatches(m text) RETURNS bigint LANGUAGE sql AS $$
	SELECT count(*) FROM bank b, LATERAL pg_temp.nearest(m, pg_temp.encoded(m, b)) n
	WHERE b.deposit_type IS NOT NULL
	  AND (rfm_kmeans.predict_row(m, b) <> n.cluster OR (rfm_kmeans.assign_row(m, b)).cluster <> n.cluster
	       OR abs((rfm_kmeans.assign_row(m, b)).distance - n.distance) > 1e-9 * (1 + n.distance))
$$;
SELECT is(pg_temp.mismatches('bank_m'), 0::bigint,
          'predict_row() and assign_row(): the nearest centroid and its distance, as plain SQL computes them');

-- converged with tol 0: each centroid is the mean of its rows (one-hot: the shares of each category)
CREATE FUNCTION pg_temp.fixpoint_error(m text) RETURNS float8 LANGUAGE sql AS $$
	WITH rows AS (SELECT rfm_kmeans.predict_row(m, b) AS c, pg_temp.encoded(m, b) AS x FROM bank b WHERE deposit_type IS NOT NULL),
	means AS (SELECT c, j, avg(x[j]) AS v FROM rows, generate_series(1, 10) j GROUP BY c, j)
	SELECT max(abs(means.v - (md.centroids[c + 1][j] - md.scale_offset[j]) / md.scale_factor[j]))
	FROM means, rfm_kmeans.models md WHERE md.name = m
$$;
SELECT cmp_ok(pg_temp.fixpoint_error('bank_m'), '<=', 1e-9::float8,
              'centroids: the means of their rows'' encoded features (category shares) in scaled space');
SELECT ok((SELECT bool_and(md.centroids[c][j] BETWEEN 0 AND 1) FROM rfm_kmeans.models md, generate_series(1, 4) c, generate_series(1, 10) j
           WHERE md.name = 'bank_m' AND md.categories[j] IS NOT NULL),
          'a centroid''s one-hot features are shares, in [0, 1]');

SELECT cmp_ok((SELECT abs(e.inertia - m.inertia) / m.inertia FROM rfm_kmeans.evaluate('bank_m', 'bank') e, rfm_kmeans.models m
               WHERE m.name = 'bank_m'), '<=', 1e-9::float8, 'evaluate() encodes the relation as training did: the same inertia');

-- the other modes read the same encoding through their queries
SELECT lives_ok($$SELECT rfm_kmeans.train('bank_a', 'bank', $$ || :'f' || $$, 4, tol => 0, mode => 'aggregate')$$, 'aggregate mode');
SELECT lives_ok($$SELECT rfm_kmeans.train('bank_o', 'bank', $$ || :'f' || $$, 4, tol => 0, mode => 'onepass')$$, 'one-pass mode');
CREATE FUNCTION pg_temp.max_diff(a text, b text) RETURNS float8 LANGUAGE sql AS $$
	SELECT max(abs(x - y) / (1 + abs(x))) FROM unnest((SELECT centroids FROM rfm_kmeans.models WHERE name = a),
	                                                  (SELECT centroids FROM rfm_kmeans.models WHERE name = b)) u(x, y)
$$;
SELECT ok((SELECT features = (SELECT features FROM rfm_kmeans.models WHERE name = 'bank_m') AND
                  categories IS NOT DISTINCT FROM (SELECT categories FROM rfm_kmeans.models WHERE name = 'bank_m')
           FROM rfm_kmeans.models WHERE name = 'bank_a') AND
          (SELECT features = (SELECT features FROM rfm_kmeans.models WHERE name = 'bank_m') FROM rfm_kmeans.models WHERE name = 'bank_o'),
          'aggregate and one-pass modes: the same features and categories');
SELECT cmp_ok(pg_temp.max_diff('bank_m', 'bank_a'), '<=', 1e-9::float8, 'aggregate mode: memory mode''s centroids');
SELECT cmp_ok(pg_temp.fixpoint_error('bank_o'), '<=', 1e-9::float8,
              'one-pass mode (every row in its sample), converged: centroids the means of their rows');
SELECT is(pg_temp.mismatches('bank_a'), 0::bigint, 'and its rows scored as plain SQL scores them');

-- an unseen category encodes as all zeros
SELECT is((SELECT rfm_kmeans.predict_row('bank_m', r) FROM (SELECT 0 AS customer_id, 'crypto'::text AS deposit_type, 700::numeric AS amount,
                                                                   5000::float8 AS balance, true AS mobile, 'gold'::bank_tier AS tier) r),
          (SELECT n.cluster FROM rfm_kmeans.models m,
                  LATERAL pg_temp.nearest('bank_m', ARRAY[0, 0, 0, 0, (700 - m.scale_offset[5]) / m.scale_factor[5],
                                                          (5000 - m.scale_offset[6]) / m.scale_factor[6], 0, 1, 0, 1]) n
           WHERE m.name = 'bank_m'),
          'an unseen category: every one of its one-hot features 0');
-- the row's columns are matched by name, whatever their order and types (varchar, int)
SELECT is((SELECT count(*) FROM bank b,
                  LATERAL (SELECT b.tier::text::varchar(10) AS tier, b.mobile, b.balance::numeric AS balance, b.amount,
                                  b.deposit_type::varchar AS deposit_type) r
           WHERE b.deposit_type IS NOT NULL AND rfm_kmeans.predict_row('bank_m', r) <> rfm_kmeans.predict_row('bank_m', b)),
          0::bigint, 'columns matched by name, in any order, cast as SQL casts them');

-- a warm start compares the encoded features: the same categories, one iteration
SELECT is((SELECT iterations FROM rfm_kmeans.train('bank_m', 'bank', :f, 4, mode => 'memory', init => 'previous')),
          1, 'init => ''previous'' on a categorical model: converged in one iteration on unchanged data');

-- a numeric model: predict_row() is predict()
SELECT lives_ok($$SELECT rfm_kmeans.train('bank_num', 'bank', ARRAY['amount', 'balance'], 3)$$, 'a numeric model');
SELECT is((SELECT count(*) FROM bank b WHERE rfm_kmeans.predict_row('bank_num', b) <> rfm_kmeans.predict('bank_num', b.amount, b.balance)),
          0::bigint, 'predict_row() on a numeric model: predict() of its columns');
SELECT is((SELECT categories FROM rfm_kmeans.models WHERE name = 'bank_num'), NULL::text[], 'a numeric model has no categories');

-- errors
CREATE TABLE bank_dated AS SELECT customer_id, now()::date AS opened, balance FROM bank;
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bank_dated', ARRAY['opened', 'balance'], 2)$$, '42804', NULL,
                 'a column neither a number nor a category: 42804');
CREATE TABLE bank_ids AS SELECT customer_id::text AS ref, balance FROM bank;
SELECT throws_ok($$SELECT rfm_kmeans.train('x', 'bank_ids', ARRAY['ref', 'balance'], 2)$$, '54000', NULL,
                 'more than 1,000 categories in a column: 54000');
SELECT throws_ok($$SELECT rfm_kmeans.predict_row('bank_m', r) FROM (SELECT 1 AS amount, 2 AS balance) r$$, '42703', NULL,
                 'a row without one of the model''s columns: 42703');
SELECT throws_ok($$SELECT rfm_kmeans.predict_row('bank_m', r) FROM (SELECT 'a' AS deposit_type, 'x'::text AS amount, 1 AS balance,
                                                                         true AS mobile, 'gold' AS tier) r$$, '42804', NULL,
                 'a number given as text: 42804');
SELECT throws_ok($$SELECT rfm_kmeans.predict_row('bank_m', b) FROM bank b WHERE deposit_type IS NULL$$, '22004', NULL,
                 'a NULL feature in the row: 22004');

SELECT throws_ok($$SELECT rfm_kmeans.predict_row('bank_m', r) FROM (SELECT b.*, b2.balance FROM bank b JOIN bank b2 USING (customer_id) LIMIT 1) r$$,
                 '42702', NULL, 'a row with two columns of a feature''s name (a join): 42702');

-- many one-hot features in aggregate mode: one null test per column, and
-- queries of more than 1,664 entries (k x d) run in chunks
CREATE TABLE wide AS SELECT i, 'c' || (i % 450) AS c, (i % 7)::float8 AS x FROM generate_series(1, 2000) i;
SELECT lives_ok($$SELECT rfm_kmeans.train('wide_a', 'wide', ARRAY['c', 'x'], 5, mode => 'aggregate', max_iter => 3, init => 'random', n_init => 1)$$,
                'aggregate mode with 451 encoded features and k x d past 1,664');
SELECT is((SELECT cardinality(features) FROM rfm_kmeans.models WHERE name = 'wide_a'), 451, 'every category a feature');
SELECT lives_ok($$SELECT rfm_kmeans.train('wide_m', 'wide', ARRAY['c', 'x'], 5, mode => 'memory', max_iter => 3, init => 'random', n_init => 1)$$,
                'and memory mode');
SELECT cmp_ok((SELECT max(abs(x - y)) FROM unnest((SELECT centroids FROM rfm_kmeans.models WHERE name = 'wide_a'),
                                                  (SELECT centroids FROM rfm_kmeans.models WHERE name = 'wide_m')) u(x, y)),
              '<=', 1e-9::float8, 'the same model (tol''s unit counts one-hot features unscaled in both)');

-- a number column named like a one-hot feature is not that feature
CREATE TABLE coll_num AS SELECT i, (i % 2)::float8 AS "c=a", i::float8 AS x FROM generate_series(1, 100) i;
CREATE TABLE coll_cat AS SELECT i, 'a'::text AS c, i::float8 AS x FROM generate_series(1, 100) i;
SELECT lives_ok($$SELECT rfm_kmeans.train('coll', 'coll_num', ARRAY['c=a', 'x'], 2)$$, 'a number column named c=a');
SELECT throws_ok($$SELECT rfm_kmeans.train('coll', 'coll_cat', ARRAY['c', 'x'], 2, init => 'previous')$$, '22023', NULL,
                 'a warm start from it for the category a of c, also named c=a: 22023 (categories compared, not names only)');

SELECT * FROM finish();
ROLLBACK;

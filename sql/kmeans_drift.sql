-- drift(): the population stability index of a relation's cluster shares
-- against the training shares, checked against plain SQL.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET extra_float_digits = 0;
\i sql/helpers/error_of.psql

CREATE TABLE dr_train AS SELECT i, (i % 3) * 10.0 + (i % 7) * 0.1 AS a, (i % 5) * 1.0 AS b FROM generate_series(1, 3000) i;
SELECT model FROM rfm_kmeans.train('dr', 'dr_train', ARRAY['a', 'b'], 3);

-- the stored mean distance is the mean distance of the training rows
SELECT abs(m.mean_distance - (SELECT avg((rfm_kmeans.assign('dr', a, b)).distance) FROM dr_train)) < 1e-9
         AS stored_mean_distance_matches
FROM rfm_kmeans.models m WHERE m.name = 'dr';

-- the training data itself has not drifted
SELECT psi, shares_before = shares_after AS same_shares,
       abs(mean_distance_before - mean_distance_after) < 1e-9 AS same_distance, n_rows
FROM rfm_kmeans.drift('dr', 'dr_train');

-- a third of the rows moved to a = 20: the shares shift
CREATE TABLE dr_new AS SELECT i, CASE WHEN i % 3 = 0 THEN 20.0 ELSE a END AS a, b FROM dr_train;
INSERT INTO dr_new VALUES (0, NULL, 1);		-- not usable: skipped
CREATE TEMP TABLE d AS SELECT * FROM rfm_kmeans.drift('dr', 'dr_new');
SELECT round(psi::numeric, 6) AS psi, psi > 0.25 AS significant, n_rows FROM d;

-- the same numbers in plain SQL
CREATE TEMP TABLE after AS
SELECT g AS cluster, coalesce(n, 0)::float8 / 3000 AS share
FROM generate_series(0, 2) g
LEFT JOIN (SELECT rfm_kmeans.predict('dr', a, b) AS cl, count(*) AS n FROM dr_new WHERE a IS NOT NULL GROUP BY 1) c ON c.cl = g;
CREATE TEMP TABLE before AS
SELECT o::int - 1 AS cluster, v::float8 / (SELECT sum(x) FROM unnest(m.sizes) x) AS share
FROM rfm_kmeans.models m, unnest(m.sizes) WITH ORDINALITY u(v, o) WHERE m.name = 'dr';
SELECT (SELECT array_agg(share ORDER BY cluster) FROM after) = d.shares_after AS shares_after_match,
       (SELECT array_agg(share ORDER BY cluster) FROM before) = d.shares_before AS shares_before_match,
       abs(d.psi - (SELECT sum((greatest(a.share, 0.0001) - greatest(b.share, 0.0001))
                               * ln(greatest(a.share, 0.0001) / greatest(b.share, 0.0001)))
                    FROM after a JOIN before b USING (cluster))) < 1e-12 AS psi_matches,
       abs(d.mean_distance_after - (SELECT avg((rfm_kmeans.assign('dr', a, b)).distance) FROM dr_new WHERE a IS NOT NULL)) < 1e-12
         AS mean_distance_after_matches
FROM d;

-- errors
CREATE TABLE dr_empty (a float8, b float8);
CREATE TABLE dr_other (x float8);
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.drift('no_such', 'dr_train')$$) AS unknown_model;
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.drift('dr', 'dr_empty')$$) AS empty_relation;
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.drift('dr', 'dr_other')$$) AS missing_columns;
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.drift(NULL, 'dr_train')$$) AS null_model;

SELECT rfm_kmeans.drop_model('dr');
DROP TABLE dr_train, dr_new, dr_empty, dr_other;

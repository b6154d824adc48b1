-- rfm_score() and segment(): ties never split, every boundary, every
-- segment, custom rules, errors.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
\i sql/helpers/error_of.psql

-- scores at and around each break
SELECT v, rfm_kmeans.rfm_score(v, '{10,20,30,40}', true) AS higher_better,
       rfm_kmeans.rfm_score(v, '{10,20,30,40}', false) AS lower_better
FROM unnest(ARRAY[-1, 10, 10.000001, 20, 25, 30, 40, 40.5, 1e9]::float8[]) v;
SELECT rfm_kmeans.rfm_score(NULL, '{1,2,3,4}', true) AS null_value_null_score;
SELECT rfm_kmeans.rfm_score(2, '{1,3}', true) AS three_level_score;

-- Ties never split. 70% of customers bought once: quintile breaks of the
-- frequency are {1,1,1,2}. NTILE(5) spreads the one-time buyers over
-- scores 1..4; rfm_score gives every one of them the same score.
CREATE TABLE freq AS
SELECT i AS customer, CASE WHEN i <= 70 THEN 1 WHEN i <= 90 THEN 2 ELSE 3 + i % 5 END AS frequency
FROM generate_series(1, 100) i;
WITH b AS (SELECT percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY frequency) AS breaks FROM freq)
SELECT b.breaks FROM b;
WITH b AS (SELECT percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY frequency) AS breaks FROM freq),
     scored AS (
	SELECT frequency,
	       rfm_kmeans.rfm_score(frequency, b.breaks, true) AS score,
	       ntile(5) OVER (ORDER BY frequency) AS ntile
	FROM freq, b)
SELECT frequency, count(*) AS customers,
       count(DISTINCT score) AS distinct_rfm_scores, min(score) AS rfm_score,
       count(DISTINCT ntile) AS distinct_ntiles
FROM scored GROUP BY frequency ORDER BY frequency;
DROP TABLE freq;

-- the shipped rules
SELECT priority, segment, r_min, r_max, f_min, f_max, m_min, m_max
FROM rfm_kmeans.segment_rules ORDER BY priority;

-- Every one of the 125 score triples against an independent statement of
-- the README's table (first match wins, in this order).
CREATE TEMP TABLE expected_segment AS
SELECT r, f, m,
       CASE
         WHEN r >= 4 AND f >= 4 AND m >= 4 THEN 'Champions'
         WHEN r >= 3 AND f >= 3 THEN 'Loyal Customers'
         WHEN r <= 2 AND f >= 4 AND m >= 4 THEN 'Can''t Lose Them'
         WHEN r <= 2 AND f >= 3 THEN 'At Risk'
         WHEN r >= 4 AND f = 2 THEN 'Potential Loyalist'
         WHEN r = 5 AND f = 1 THEN 'New Customers'
         WHEN r = 4 AND f = 1 THEN 'Promising'
         WHEN r = 3 AND f = 2 THEN 'Need Attention'
         WHEN r = 3 AND f = 1 THEN 'About To Sleep'
         WHEN r = 2 AND f <= 2 THEN 'Hibernating'
         WHEN r = 1 AND f <= 2 THEN 'Lost'
         ELSE 'Others'
       END AS segment
FROM generate_series(1, 5) r, generate_series(1, 5) f, generate_series(1, 5) m;

SELECT count(*) FILTER (WHERE rfm_kmeans.segment(r, f, m) <> segment) AS mismatches,
       count(*) AS triples
FROM expected_segment;
SELECT rfm_kmeans.segment(r, f, m) AS segment, count(*) AS triples
FROM expected_segment GROUP BY 1 ORDER BY 1;

-- boundaries, one by one
SELECT r, f, m, rfm_kmeans.segment(r, f, m)
FROM (VALUES (4,4,4), (4,4,3), (3,4,4), (3,3,1), (2,3,1), (2,4,4), (2,4,3),
             (1,5,5), (5,2,1), (5,1,5), (4,1,1), (3,2,5), (3,1,5), (2,2,5),
             (2,1,1), (1,2,5), (1,1,1)) v(r, f, m);

-- a custom rule set: edits are seen by the next query
BEGIN;
DELETE FROM rfm_kmeans.segment_rules;
INSERT INTO rfm_kmeans.segment_rules (priority, segment, r_min, r_max, f_min, f_max, m_min, m_max)
VALUES (1, 'Whales', 1, 5, 1, 5, 5, 5),
       (2, 'Active', 4, 5, 1, 5, 1, 5);
-- inserting an existing priority replaces that rule
INSERT INTO rfm_kmeans.segment_rules (priority, segment, m_min) VALUES (1, 'Big Spenders', 5);
SELECT priority, segment FROM rfm_kmeans.segment_rules ORDER BY priority;
SELECT rfm_kmeans.segment(1, 1, 5) AS m5, rfm_kmeans.segment(5, 1, 1) AS r5,
       rfm_kmeans.segment(1, 1, 1) AS nothing_matches;
DELETE FROM rfm_kmeans.segment_rules;
SELECT rfm_kmeans.segment(5, 5, 5) AS no_rules;
ROLLBACK;

-- the rule table's constraints
SELECT pg_temp.err($$INSERT INTO rfm_kmeans.segment_rules (priority, segment, r_min, r_max) VALUES (999, 'x', 4, 2)$$) AS min_above_max;
SELECT pg_temp.err($$INSERT INTO rfm_kmeans.segment_rules (priority, segment, f_max) VALUES (999, 'x', 6)$$) AS out_of_range;

-- reset brings the shipped rules back
BEGIN;
DELETE FROM rfm_kmeans.segment_rules;
SELECT rfm_kmeans.reset_segment_rules();
SELECT count(*) AS rules_after_reset FROM rfm_kmeans.segment_rules;
ROLLBACK;

-- errors
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_score(1, NULL, true)$$) AS null_breaks;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_score(1, '{1,2,3}', NULL)$$) AS null_direction;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_score(1, '{}', true)$$) AS empty_breaks;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_score(1, '{1,3,2,4}', true)$$) AS descending_breaks;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_score(1, '{1,NULL,3}', true)$$) AS null_in_breaks;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_score(1, '{1,Infinity}', true)$$) AS infinite_break;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_score(1, '{NaN}', true)$$) AS nan_break;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_score(1, '{{1,2},{3,4}}', true)$$) AS two_dimensional;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_score('NaN', '{1,2}', true)$$) AS nan_value;
SELECT pg_temp.err($$SELECT rfm_kmeans.segment(0, 3, 3)$$) AS r_zero;
SELECT pg_temp.err($$SELECT rfm_kmeans.segment(3, 6, 3)$$) AS f_six;
SELECT pg_temp.err($$SELECT rfm_kmeans.segment(3, 3, -1)$$) AS m_negative;
SELECT rfm_kmeans.segment(NULL, 3, 3) IS NULL AS null_score_null_segment;

-- cluster_labels(): each centroid scored against the training data's
-- quintiles and named by segment(). Checked against a hand-worked model and
-- against the same scoring done in plain SQL (percentile_disc breaks and
-- rfm_score()) on the invoice data the suite loaded.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
BEGIN;
SELECT plan(14);

-- By hand: 80 rows 1..80, 10 rows at 100 and 10 at 110 (every feature
-- equal). Quintiles (percentile_disc) 20, 40, 60, 80. One iteration from
-- 20, 50, 100, 110 gives centroids 18 (rows 1..35), 55.5 (36..75),
-- 92.67 (76..80 and the 100s) and 110, with 17, 55, 80 and 90 rows below:
-- scores (5,1,1), (3,3,3), (1,5,5), (1,5,5).
CREATE TABLE cl_hand AS
SELECT v::float8 AS r, v::float8 AS f, v::float8 AS m
FROM (SELECT generate_series(1, 80) v UNION ALL SELECT 100 FROM generate_series(1, 10)
      UNION ALL SELECT 110 FROM generate_series(1, 10)) s;
SELECT k FROM rfm_kmeans.train('cl_hand', 'cl_hand', ARRAY['r', 'f', 'm'], 4,
       init_centroids => ARRAY[[20,20,20],[50,50,50],[100,100,100],[110,110,110]],
       max_iter => 1, tol => 0, scale => 'none');
SELECT is((SELECT centroid_below FROM rfm_kmeans.models WHERE name = 'cl_hand'),
          ARRAY[[17,17,17],[55,55,55],[80,80,80],[90,90,90]]::bigint[], 'rows below each centroid, by hand');
SELECT results_eq(
    $$SELECT cluster, label, r_score, f_score, m_score FROM rfm_kmeans.cluster_labels('cl_hand')$$,
    $$VALUES (0, 'New Customers', 5, 1, 1), (1, 'Loyal Customers', 3, 3, 3),
             (2, 'Can''t Lose Them (R1 F5 M5) #1', 1, 5, 5), (3, 'Can''t Lose Them (R1 F5 M5) #2', 1, 5, 5)$$,
    'hand-worked labels: equal scores get the scores and #n as suffix');
SELECT is((SELECT array_agg(rfm_kmeans.segment(r_score, f_score, m_score) ORDER BY cluster)
           FROM rfm_kmeans.cluster_labels('cl_hand')),
          ARRAY(SELECT rfm_kmeans.segment(s[1], s[2], s[3])
                FROM (VALUES (1, ARRAY[5,1,1]), (2, ARRAY[3,3,3]), (3, ARRAY[1,5,5]), (4, ARRAY[1,5,5])) v(o, s)
                ORDER BY o),
          'the base names are segment() of the scores');

-- The same model with the two top clusters' scores apart: two clusters with
-- one name and different scores carry the scores only.
SELECT k FROM rfm_kmeans.train('cl_hand2', 'cl_hand', ARRAY['r', 'f', 'm'], 3,
       init_centroids => ARRAY[[20,20,20],[60,60,60],[105,105,105]], max_iter => 1, tol => 0, scale => 'none');
-- rows 1..40 -> 20.5 (20 below: 1 quintile), 41..80 -> 60.5 (60 below: 3), 100s and 110s -> 105 (90 below: 4)
SELECT results_eq(
    $$SELECT label, r_score, f_score, m_score FROM rfm_kmeans.cluster_labels('cl_hand2')$$,
    $$VALUES ('Potential Loyalist', 4, 2, 2), ('Can''t Lose Them (R2 F4 M4)', 2, 4, 4), ('Can''t Lose Them (R1 F5 M5)', 1, 5, 5)$$,
    'one name, different scores: the scores tell them apart');

-- The invoice data the suite loaded (generated, or the real file).
CREATE TABLE cl_rfm AS
SELECT customer_id, (f).recency_days AS recency, (f).frequency::float8 AS frequency, (f).monetary
FROM (SELECT customer_id, rfm_kmeans.rfm(invoice_date, (quantity * unit_price)::float8, invoice_no,
                                         timestamptz '2011-12-10') AS f
      FROM online_retail WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%'
      GROUP BY customer_id) s;
SELECT k FROM rfm_kmeans.train('cl_retail', 'cl_rfm', ARRAY['recency', 'frequency', 'monetary'], 5, seed => 7);
SELECT k FROM rfm_kmeans.train('cl_retail_agg', 'cl_rfm', ARRAY['recency', 'frequency', 'monetary'], 5,
       init_centroids => (SELECT centroids FROM rfm_kmeans.models WHERE name = 'cl_retail'),
       mode => 'aggregate');
SELECT k FROM rfm_kmeans.train('cl_retail_mem', 'cl_rfm', ARRAY['recency', 'frequency', 'monetary'], 5,
       init_centroids => (SELECT centroids FROM rfm_kmeans.models WHERE name = 'cl_retail'),
       mode => 'memory');

-- plain SQL: count the rows below each centroid value
CREATE FUNCTION pg_temp.below_in_sql(m text) RETURNS bigint[] LANGUAGE sql AS $$
	SELECT array_agg(ARRAY[(SELECT count(*) FROM cl_rfm WHERE recency < c.centroid[1]),
	                       (SELECT count(*) FROM cl_rfm WHERE frequency < c.centroid[2]),
	                       (SELECT count(*) FROM cl_rfm WHERE monetary < c.centroid[3])] ORDER BY c.cluster)
	FROM rfm_kmeans.centroids(m) c
$$;
SELECT is((SELECT centroid_below FROM rfm_kmeans.models WHERE name = 'cl_retail'),
          pg_temp.below_in_sql('cl_retail'),
          'memory mode: rows below each centroid equal a count in SQL');
SELECT is((SELECT centroid_below FROM rfm_kmeans.models WHERE name = 'cl_retail_agg'),
          (SELECT centroid_below FROM rfm_kmeans.models WHERE name = 'cl_retail_mem'),
          'aggregate mode counts the same as memory mode from the same start');
-- one-pass mode counts from its sample: every row here (its 7 centroids, so
-- that several share a sorted position's neighbours), counted as in SQL
SELECT k FROM rfm_kmeans.train('cl_retail_op', 'cl_rfm', ARRAY['recency', 'frequency', 'monetary'], 7,
       mode => 'onepass');
SELECT is((SELECT centroid_below FROM rfm_kmeans.models WHERE name = 'cl_retail_op'),
          pg_temp.below_in_sql('cl_retail_op'),
          'one-pass mode (a sample holding every row): rows below each centroid equal a count in SQL');

-- plain SQL: percentile_disc quintiles and rfm_score of the centroids
CREATE TEMP TABLE cl_expected AS
WITH b AS (
    SELECT percentile_disc(ARRAY[.2,.4,.6,.8]) WITHIN GROUP (ORDER BY recency) AS r,
           percentile_disc(ARRAY[.2,.4,.6,.8]) WITHIN GROUP (ORDER BY frequency) AS f,
           percentile_disc(ARRAY[.2,.4,.6,.8]) WITHIN GROUP (ORDER BY monetary) AS m
    FROM cl_rfm)
SELECT c.cluster,
       rfm_kmeans.rfm_score(c.centroid[1], b.r, false) AS r_score,
       rfm_kmeans.rfm_score(c.centroid[2], b.f, true) AS f_score,
       rfm_kmeans.rfm_score(c.centroid[3], b.m, true) AS m_score
FROM rfm_kmeans.centroids('cl_retail') c, b;
SELECT results_eq(
    $$SELECT cluster, r_score, f_score, m_score FROM rfm_kmeans.cluster_labels('cl_retail')$$,
    $$SELECT cluster, r_score, f_score, m_score FROM cl_expected ORDER BY cluster$$,
    'scores equal rfm_score() of the centroids against percentile_disc quintiles');
SELECT is((SELECT count(DISTINCT label) FROM rfm_kmeans.cluster_labels('cl_retail')), 5::bigint,
          'five clusters, five distinct labels');
SELECT is((SELECT count(*) FROM rfm_kmeans.cluster_labels('cl_retail') l
           WHERE l.label NOT LIKE rfm_kmeans.segment(l.r_score, l.f_score, l.m_score) || '%'), 0::bigint,
          'every label starts with its segment name');

-- errors
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_labels(NULL)$$, '22004', NULL, 'NULL model');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_labels('no such model')$$, '42704', NULL, 'unknown model');
SELECT k FROM rfm_kmeans.train('cl_two', 'cl_hand', ARRAY['r', 'f'], 2);
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_labels('cl_two')$$, '22023', NULL, 'a model of 2 features');
UPDATE rfm_kmeans.models SET centroid_below = NULL WHERE name = 'cl_hand2';
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_labels('cl_hand2')$$, '55000', NULL,
                 'a model trained before 0.2.0 (no ranks) must be retrained');

SELECT * FROM finish();
ROLLBACK;

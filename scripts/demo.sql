-- The whole workflow on the invoice lines in table online_retail:
-- per-customer RFM in one GROUP BY, quintile scores, named segments,
-- k-means (k = 5) with every customer's cluster and distance, clusters
-- labelled like customers, the segment table, customer lifetime value
-- (BG/NBD and Gamma-Gamma, checked on a holdout period) per customer and
-- per cluster, and an HTML report.
-- Run by scripts/demo.sh (psql -v report=FILE sets where the report goes);
-- readable on its own as a tutorial.
\set ON_ERROR_STOP 1
\set QUIET on
SET client_min_messages = warning;
\pset footer off

-- Measure recency from the day after the last invoice in the data.
SELECT (date_trunc('day', max(invoice_date)) + interval '1 day')::timestamptz AS as_of
FROM online_retail \gset
\echo
\echo 'RFM measured as of' :as_of

-- 1. RFM features: one aggregate per customer. Cancellations (invoice
--    numbers starting with C) and lines without a customer are left out.
DROP TABLE IF EXISTS customer_rfm;
CREATE TABLE customer_rfm AS
SELECT customer_id, (f).*
FROM (SELECT customer_id,
             rfm_kmeans.rfm(invoice_date, (quantity * unit_price)::float8,
                            invoice_no, :'as_of'::timestamptz) AS f
      FROM online_retail
      WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%'
      GROUP BY customer_id) s;

-- 2. Quintile breaks of each feature, then 1..5 scores (ties never split:
--    every customer with the same frequency gets the same F score).
DROP TABLE IF EXISTS customer_segments;
CREATE TABLE customer_segments AS
WITH breaks AS (
	SELECT percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY recency_days) AS r,
	       percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY frequency) AS f,
	       percentile_cont(ARRAY[0.2, 0.4, 0.6, 0.8]) WITHIN GROUP (ORDER BY monetary) AS m
	FROM customer_rfm
), scored AS (
	SELECT c.*,
	       rfm_kmeans.rfm_score(recency_days, b.r, false) AS r_score,
	       rfm_kmeans.rfm_score(frequency, b.f, true) AS f_score,
	       rfm_kmeans.rfm_score(monetary, b.m, true) AS m_score
	FROM customer_rfm c, breaks b
)
SELECT *, rfm_kmeans.segment(r_score, f_score, m_score) AS segment FROM scored;

\echo
\echo 'Per-customer RFM (the 10 biggest spenders):'
SELECT customer_id, round(recency_days::numeric, 1) AS recency_days, frequency,
       round(monetary::numeric, 2) AS monetary, round(avg_order_value::numeric, 2) AS avg_order,
       round(tenure_days::numeric, 1) AS tenure_days,
       r_score AS r, f_score AS f, m_score AS m, segment
FROM customer_segments ORDER BY monetary DESC, customer_id LIMIT 10;

\echo 'Customers per RFM segment:'
SELECT segment, count(*) AS customers,
       round(100.0 * count(*) / sum(count(*)) OVER (), 1) AS share_pct,
       round(avg(recency_days)::numeric, 1) AS avg_recency_days,
       round(avg(frequency)::numeric, 1) AS avg_frequency,
       round(avg(monetary)::numeric, 2) AS avg_monetary,
       round(sum(monetary)::numeric, 2) AS revenue
FROM customer_segments GROUP BY segment ORDER BY revenue DESC;

-- 3. k-means on the RFM features, k = 5, as the original ML service did.
--    Frequency and monetary are heavily skewed: cluster their logarithms.
DROP TABLE IF EXISTS customer_features;
CREATE TABLE customer_features AS
SELECT customer_id, recency_days AS recency, ln(1 + frequency) AS log_frequency,
       ln(1 + greatest(monetary, 0)) AS log_monetary,
       frequency, monetary					-- original units, for the report
FROM customer_rfm;

\echo 'k-means (k = 5, zscore scaling, k-means++ with 10 runs):'
SELECT model, k, n_rows, iterations, converged, round(inertia::numeric, 2) AS inertia,
       round(seconds::numeric, 3) AS seconds
FROM rfm_kmeans.train('customers', 'customer_features',
                      ARRAY['recency', 'log_frequency', 'log_monetary'], 5, n_init => 10);

-- 4. Every customer's closest cluster and the distance to it.
DROP TABLE IF EXISTS customer_clusters;
CREATE TABLE customer_clusters AS
SELECT customer_id, (rfm_kmeans.assign('customers', recency, log_frequency, log_monetary)).*
FROM customer_features;

\echo 'Clusters (centroids back in original units) and their most common RFM segment:'
SELECT c.cluster, c.size,
       round(c.centroid[1]::numeric, 1) AS recency_days,
       round((exp(c.centroid[2]) - 1)::numeric, 1) AS frequency,
       round((exp(c.centroid[3]) - 1)::numeric, 2) AS monetary,
       round(avg(cc.distance)::numeric, 3) AS mean_distance,
       mode() WITHIN GROUP (ORDER BY s.segment) AS top_segment,
       round(sum(s.monetary)::numeric, 2) AS revenue
FROM rfm_kmeans.centroids('customers') c
JOIN customer_clusters cc USING (cluster)
JOIN customer_segments s USING (customer_id)
GROUP BY c.cluster, c.size, c.centroid
ORDER BY revenue DESC;

\echo 'Model quality:'
SELECT round(inertia::numeric, 2) AS inertia, round(silhouette::numeric, 3) AS silhouette,
       round(davies_bouldin::numeric, 3) AS davies_bouldin,
       round(calinski_harabasz::numeric, 1) AS calinski_harabasz, silhouette_rows
FROM rfm_kmeans.evaluate('customers', 'customer_features');

-- 5. Name the clusters like customers: each centroid is scored 1..5
--    against the training data's quintiles (a monotone transform such as
--    ln(1 + x) does not change them) and named with segment().
\echo 'Cluster labels (centroid scores against the training quintiles):'
SELECT * FROM rfm_kmeans.cluster_labels('customers');

-- 6. The segment table, money in money: recency, frequency and monetary
--    name the original columns (the model clustered their logarithms).
\echo 'Segments:'
SELECT cluster, label, customers, round(100 * share::numeric, 1) AS share_pct,
       round(mean_recency::numeric, 1) AS mean_recency_days,
       round(mean_frequency::numeric, 1) AS mean_frequency,
       round(mean_monetary::numeric, 2) AS mean_monetary,
       round(revenue::numeric, 2) AS revenue
FROM rfm_kmeans.cluster_summary('customers', 'customer_features',
                                frequency => 'frequency', monetary => 'monetary')
ORDER BY revenue DESC;

-- 7. Customer lifetime value. Calibrate on purchases up to 2011-09-30,
--    check the model on the rest of the data (the holdout), then value the
--    customers: expected purchases (BG/NBD) times expected spend per
--    purchase (Gamma-Gamma) over the next 12 months, discounted 1% a month.
--    Purchases on one day are one purchase; returns (negative amounts) are
--    left out by clv_summary.
\set calibration_end '2011-09-30'
SELECT (date_trunc('day', max(invoice_date))::date - :'calibration_end'::date) / 7.0 AS holdout_weeks
FROM online_retail \gset
DROP TABLE IF EXISTS customer_clv;
CREATE TABLE customer_clv AS
SELECT f.*, cal.x, cal.t_x, cal.t_cal, cal.m_x, coalesce(h.purchase_days, 0) AS x_holdout
FROM customer_features f
LEFT JOIN (SELECT customer_id, (rfm_kmeans.clv_summary(invoice_date, (quantity * unit_price)::float8,
                                                       :'calibration_end'::timestamptz)).*
           FROM online_retail
           WHERE customer_id IS NOT NULL AND invoice_date < :'calibration_end'::date + 1
           GROUP BY customer_id) cal USING (customer_id)
LEFT JOIN (SELECT customer_id, count(DISTINCT invoice_date::date) AS purchase_days
           FROM online_retail
           WHERE customer_id IS NOT NULL AND quantity * unit_price >= 0
             AND invoice_date >= :'calibration_end'::date + 1
           GROUP BY customer_id) h USING (customer_id);

DROP TABLE IF EXISTS clv_model;
CREATE TABLE clv_model AS
SELECT (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM customer_clv) AS bgnbd,
       (SELECT rfm_kmeans.gamma_gamma_fit(x, m_x) FROM customer_clv WHERE x > 0 AND m_x > 0) AS gamma_gamma;
\echo 'CLV models fitted on purchases up to' :calibration_end '(weeks):'
SELECT round((bgnbd).r::numeric, 4) AS r, round((bgnbd).alpha::numeric, 4) AS alpha,
       round((bgnbd).a::numeric, 4) AS a, round((bgnbd).b::numeric, 4) AS b, (bgnbd).converged AS bgnbd_converged,
       round((gamma_gamma).p::numeric, 4) AS p, round((gamma_gamma).q::numeric, 4) AS q,
       round((gamma_gamma).v::numeric, 4) AS v, (gamma_gamma).converged AS gamma_gamma_converged
FROM clv_model;

\echo 'Holdout check: mean purchases after the calibration, predicted and actual, by calibration repeat purchases:'
SELECT frequency, customers, round(predicted::numeric, 3) AS predicted, round(actual::numeric, 3) AS actual
FROM rfm_kmeans.clv_holdout((SELECT bgnbd FROM clv_model), 'customer_clv', :holdout_weeks);

\echo 'The 10 most valuable customers (12 months, 1% monthly discount):'
SELECT customer_id, x AS repeat_purchases, round(t_cal::numeric, 1) AS weeks_known,
       round(rfm_kmeans.bgnbd_p_alive(bgnbd, x, t_x, t_cal)::numeric, 3) AS p_alive,
       round(rfm_kmeans.bgnbd_expected(bgnbd, 52, x, t_x, t_cal)::numeric, 2) AS purchases_next_52_weeks,
       round(rfm_kmeans.gamma_gamma_spend(gamma_gamma, x, m_x)::numeric, 2) AS spend_per_purchase,
       round(rfm_kmeans.clv(bgnbd, gamma_gamma, x, t_x, t_cal, m_x, 12, 0.01)::numeric, 2) AS clv_12_months
FROM customer_clv, clv_model
WHERE x IS NOT NULL AND (x = 0 OR m_x > 0)
ORDER BY clv_12_months DESC LIMIT 10;

\echo 'CLV per cluster:'
SELECT l.cluster, l.label, count(*) AS customers,
       round(avg(rfm_kmeans.bgnbd_p_alive(bgnbd, x, t_x, t_cal))::numeric, 3) AS mean_p_alive,
       round(avg(rfm_kmeans.clv(bgnbd, gamma_gamma, x, t_x, t_cal, m_x, 12, 0.01))::numeric, 2) AS mean_clv,
       round(sum(rfm_kmeans.clv(bgnbd, gamma_gamma, x, t_x, t_cal, m_x, 12, 0.01))::numeric, 2) AS total_clv
FROM customer_clv JOIN customer_clusters USING (customer_id)
JOIN rfm_kmeans.cluster_labels('customers') l USING (cluster), clv_model
WHERE x IS NOT NULL AND (x = 0 OR m_x > 0)
GROUP BY l.cluster, l.label ORDER BY total_clv DESC;

-- 8. The report: one self-contained HTML file, with the CLV section.
\if :{?report}
\pset format unaligned
\pset tuples_only on
\o :report
SELECT rfm_kmeans.report_html('customers', 'customer_clv',
                              frequency => 'frequency', monetary => 'monetary',
                              bgnbd => bgnbd, gamma_gamma => gamma_gamma,
                              holdout_length => :holdout_weeks)
FROM clv_model;
\o
\pset format aligned
\pset tuples_only off
\echo 'Report written to' :report
\endif

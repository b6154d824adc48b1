-- The RFM workflow on the invoice lines in table online_retail:
-- per-customer RFM in one GROUP BY, quintile scores, named segments.
-- Run by scripts/demo.sh; readable on its own as a tutorial.
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

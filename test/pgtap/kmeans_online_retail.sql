-- k-means on the RFM features of the real Online Retail data (skipped when
-- the file is absent): k = 5 on recency, log(1 + frequency),
-- log(1 + monetary), zscore, n_init = 10; every customer's cluster must be
-- the nearest centroid recomputed in plain SQL from centroids().
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
BEGIN;
SELECT plan(4);

SELECT (count(*) = 541909) AS have_real_data FROM online_retail \gset

\if :have_real_data
CREATE TABLE retail_features AS
SELECT customer_id, (f).recency_days AS recency, ln(1 + (f).frequency) AS log_frequency,
       ln(1 + greatest((f).monetary, 0)) AS log_monetary
FROM (SELECT customer_id, rfm_kmeans.rfm(invoice_date, (quantity * unit_price)::float8, invoice_no,
                                         timestamptz '2011-12-10') AS f
      FROM online_retail WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%'
      GROUP BY customer_id) s;

SELECT is((SELECT n_rows FROM rfm_kmeans.train('retail', 'retail_features',
                                               ARRAY['recency', 'log_frequency', 'log_monetary'], 5,
                                               n_init => 10, seed => 42)),
          (SELECT count(*) FROM retail_features), 'trained on every customer');
SELECT diag('inertia ' || round(inertia::numeric, 2) || ', sizes ' || sizes::text || ', iterations ' || iterations)
FROM rfm_kmeans.models WHERE name = 'retail';

-- nearest centroid in plain SQL: scale with the stored scaler, compare all five
CREATE TEMP TABLE nearest AS
SELECT f.customer_id,
       (SELECT c.cluster FROM rfm_kmeans.centroids('retail') c
        ORDER BY ((f.recency - m.scale_offset[1]) / m.scale_factor[1] - (c.centroid[1] - m.scale_offset[1]) / m.scale_factor[1]) ^ 2
               + ((f.log_frequency - m.scale_offset[2]) / m.scale_factor[2] - (c.centroid[2] - m.scale_offset[2]) / m.scale_factor[2]) ^ 2
               + ((f.log_monetary - m.scale_offset[3]) / m.scale_factor[3] - (c.centroid[3] - m.scale_offset[3]) / m.scale_factor[3]) ^ 2,
                 c.cluster
        LIMIT 1) AS sql_cluster,
       rfm_kmeans.predict('retail', f.recency, f.log_frequency, f.log_monetary) AS cluster
FROM retail_features f, rfm_kmeans.models m WHERE m.name = 'retail';
SELECT is((SELECT count(*) FROM nearest WHERE sql_cluster <> cluster), 0::bigint,
          'every customer''s cluster is the nearest centroid recomputed in SQL');
SELECT is((SELECT array_agg(n ORDER BY cluster) FROM (SELECT cluster, count(*) AS n FROM nearest GROUP BY cluster) t),
          (SELECT sizes FROM rfm_kmeans.models WHERE name = 'retail'),
          'the stored sizes count the customers assigned to each cluster');
SELECT ok((SELECT converged FROM rfm_kmeans.models WHERE name = 'retail'), 'training converged');
\else
SELECT skip('the real Online Retail file was not found (../shared/data/online_retail.csv.gz): skipped', 4);
\endif

SELECT * FROM finish();
ROLLBACK;

-- rfm() on the real UCI Online Retail data (loaded by scripts/test.sh when
-- ../shared/data/online_retail.csv.gz is present; skipped otherwise): for
-- every customer the aggregate equals plain SQL.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
BEGIN;
SELECT plan(5);

SELECT (count(*) = 541909) AS have_real_data FROM online_retail \gset

\if :have_real_data
CREATE TEMP TABLE ours AS
SELECT customer_id,
       rfm_kmeans.rfm(invoice_date, (quantity * unit_price)::float8, invoice_no,
                      timestamptz '2011-12-10') AS f
FROM online_retail WHERE customer_id IS NOT NULL GROUP BY customer_id;

CREATE TEMP TABLE plain AS
SELECT customer_id,
       extract(epoch FROM timestamptz '2011-12-10' - max(invoice_date)::timestamptz) / 86400 AS recency_days,
       count(DISTINCT invoice_no) AS frequency,
       sum(quantity * unit_price) AS monetary,
       min(invoice_date)::timestamptz AS first_purchase
FROM online_retail WHERE customer_id IS NOT NULL GROUP BY customer_id;

SELECT is((SELECT count(*) FROM ours), 4372::bigint, 'the data set has 4,372 customers');
SELECT is((SELECT count(*) FROM ours o JOIN plain p USING (customer_id)
           WHERE abs((o.f).recency_days - p.recency_days) < 1e-9),
          4372::bigint, 'recency equals as_of - max(invoice_date) for every customer');
SELECT is((SELECT count(*) FROM ours o JOIN plain p USING (customer_id)
           WHERE (o.f).frequency = p.frequency),
          4372::bigint, 'frequency equals count(DISTINCT invoice_no) for every customer');
SELECT is((SELECT count(*) FROM ours o JOIN plain p USING (customer_id)
           WHERE abs((o.f).monetary - p.monetary::float8)
                 <= 1e-9 * greatest(abs(p.monetary::float8), 1e-9)),
          4372::bigint, 'monetary equals sum(quantity * unit_price) to 1e-9 relative for every customer');
SELECT is((SELECT count(*) FROM ours o JOIN plain p USING (customer_id)
           WHERE (o.f).first_purchase = p.first_purchase
             AND (o.f).avg_order_value IS NOT DISTINCT FROM
                 CASE WHEN p.frequency > 0 THEN (o.f).monetary / p.frequency END),
          4372::bigint, 'first purchase and average order value for every customer');
\else
SELECT skip('the real Online Retail file was not found (../shared/data/online_retail.csv.gz): skipped', 5);
\endif

SELECT * FROM finish();
ROLLBACK;

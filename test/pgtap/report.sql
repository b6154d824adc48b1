-- cluster_summary() against the same figures in plain SQL, and the HTML of
-- report_html(): its parts, escaping, the drawn sample, and bad input.
-- (scripts/test.sh also opens the demo's report in headless Chromium.)
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
BEGIN;
SELECT plan(16);

CREATE TABLE rp_rfm AS
SELECT customer_id, (f).recency_days AS recency, (f).frequency::float8 AS frequency, (f).monetary,
       ln(1 + (f).frequency) AS log_frequency, ln(1 + greatest((f).monetary, 0)) AS log_monetary
FROM (SELECT customer_id, rfm_kmeans.rfm(invoice_date, (quantity * unit_price)::float8, invoice_no,
                                         timestamptz '2011-12-10') AS f
      FROM online_retail WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%'
      GROUP BY customer_id) s;
SELECT k FROM rfm_kmeans.train('rp', 'rp_rfm', ARRAY['recency', 'log_frequency', 'log_monetary'], 5, seed => 3);

-- the segment table, in plain SQL
CREATE TEMP TABLE rp_expected AS
SELECT l.cluster, l.label, count(x.cl) AS customers, count(x.cl)::float8 / (SELECT count(*) FROM rp_rfm) AS share,
       avg(x.recency) AS r, avg(x.frequency) AS f, avg(x.monetary) AS m, coalesce(sum(x.monetary), 0) AS revenue
FROM rfm_kmeans.cluster_labels('rp') l
LEFT JOIN (SELECT rfm_kmeans.predict('rp', recency, log_frequency, log_monetary) AS cl, * FROM rp_rfm) x
       ON x.cl = l.cluster
GROUP BY l.cluster, l.label;
SELECT results_eq(
    $$SELECT cluster, label, customers, round(share::numeric, 12), round(mean_recency::numeric, 9),
             round(mean_frequency::numeric, 9), round(mean_monetary::numeric, 6), round(revenue::numeric, 4)
      FROM rfm_kmeans.cluster_summary('rp', 'rp_rfm', frequency => 'frequency', monetary => 'monetary')$$,
    $$SELECT cluster, label, customers, round(share::numeric, 12), round(r::numeric, 9),
             round(f::numeric, 9), round(m::numeric, 6), round(revenue::numeric, 4)
      FROM rp_expected ORDER BY cluster$$,
    'cluster_summary equals GROUP BY over predict() in plain SQL');
SELECT is((SELECT round(sum(share)::numeric, 12) FROM rfm_kmeans.cluster_summary('rp', 'rp_rfm')), 1.0::numeric,
          'shares add up to 1');
SELECT is((SELECT round(mean_frequency::numeric, 9) FROM rfm_kmeans.cluster_summary('rp', 'rp_rfm') WHERE cluster = 0),
          (SELECT round(avg(log_frequency)::numeric, 9) FROM rp_rfm WHERE rfm_kmeans.predict('rp', recency, log_frequency, log_monetary) = 0),
          'by default the means are of the model''s own features');

-- the report
SELECT rfm_kmeans.report_html('rp', 'rp_rfm', frequency => 'frequency', monetary => 'monetary') AS html \gset
SELECT is((SELECT count(*) FROM regexp_matches(:'html', 'class="legend-item"', 'g')), 5::bigint, '5 legend entries');
SELECT is((SELECT count(*) FROM regexp_matches(:'html', 'class="centroid"', 'g')), 5::bigint, '5 centroid marks');
SELECT is((SELECT count(*) FROM regexp_matches(:'html', 'class="point"', 'g')),
          (SELECT least(count(*), 3000) FROM rp_rfm), 'one point per customer, at most max_points');
SELECT is((SELECT count(*) FROM regexp_matches(:'html', 'class="bar"', 'g')), 10::bigint, 'customers and revenue bars');
SELECT ok(:'html' LIKE '<!DOCTYPE html>%</html>' || chr(10) AND :'html' NOT LIKE '%http://%.js%'
          AND :'html' NOT LIKE '%<script%' AND :'html' NOT LIKE '%<link%',
          'one self-contained document: no script, no external resource');
SELECT ok(:'html' LIKE '%' || (SELECT rfm_kmeans._num(revenue, 2) FROM rfm_kmeans.cluster_summary('rp', 'rp_rfm', frequency => 'frequency', monetary => 'monetary') WHERE cluster = 0) || '%',
          'the segment table shows the revenue of cluster 0');
SELECT is(rfm_kmeans.report_html('rp', 'rp_rfm', frequency => 'frequency', monetary => 'monetary'), :'html',
          'the same report twice: the drawn customers do not depend on chance');
SELECT is((SELECT count(*) FROM regexp_matches(rfm_kmeans.report_html('rp', 'rp_rfm', max_points => 0), 'class="point"', 'g')),
          0::bigint, 'max_points => 0 draws no customer');

-- escaping: labels and titles are text, not markup
UPDATE rfm_kmeans.segment_rules SET segment = segment || ' <b>&"''' ;
SELECT rfm_kmeans.report_html('rp', 'rp_rfm', title => '<script>x</script>') AS html2 \gset
SELECT ok(:'html2' NOT LIKE '%<b>&%' AND :'html2' LIKE '%&lt;b&gt;&amp;&quot;&#39;%'
          AND :'html2' NOT LIKE '%<script>%' AND :'html2' LIKE '%&lt;script&gt;x&lt;/script&gt;%',
          'labels and the title are escaped');

SELECT throws_ok($$SELECT rfm_kmeans.report_html(NULL, 'rp_rfm')$$, '22004', NULL, 'report_html: NULL model');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_rfm', max_points => -1)$$, '22023', NULL, 'report_html: negative max_points');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_rfm', monetary => 'no such column')$$, '42703', NULL,
                 'report_html: unknown column');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_summary('nope', 'rp_rfm')$$, '42704', NULL, 'cluster_summary: unknown model');

SELECT * FROM finish();
ROLLBACK;

-- cluster_summary() against the same figures in plain SQL, and the HTML of
-- report_html(): its parts, escaping, the drawn sample, and bad input; its
-- customer lifetime value section against the same figures in plain SQL.
-- (scripts/test.sh also opens the demo's report in headless Chromium.)
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
BEGIN;
SELECT plan(38);

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

-- the CLV section: calibrated to 2011-09-30, the rest of the data the
-- holdout (as scripts/demo.sql does), in weeks
CREATE TABLE rp_clv AS
SELECT f.*, cal.x, cal.t_x, cal.t_cal, cal.m_x, coalesce(h.purchase_days, 0) AS x_holdout
FROM rp_rfm f
LEFT JOIN (SELECT customer_id, (rfm_kmeans.clv_summary(invoice_date, (quantity * unit_price)::float8,
                                                       timestamptz '2011-09-30')).*
           FROM online_retail WHERE customer_id IS NOT NULL AND invoice_date < '2011-10-01'
           GROUP BY customer_id) cal USING (customer_id)
LEFT JOIN (SELECT customer_id, count(DISTINCT invoice_date::date) AS purchase_days
           FROM online_retail
           WHERE customer_id IS NOT NULL AND quantity * unit_price >= 0 AND invoice_date >= '2011-10-01'
           GROUP BY customer_id) h USING (customer_id);
CREATE TABLE rp_model AS
SELECT (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM rp_clv) AS bg,
       (SELECT rfm_kmeans.gamma_gamma_fit(x, m_x) FROM rp_clv WHERE x > 0 AND m_x > 0) AS gg;
CREATE TABLE rp_holdout AS SELECT (max(invoice_date)::date - date '2011-09-30') / 7.0 AS weeks FROM online_retail;
SELECT weeks AS holdout FROM rp_holdout \gset
-- the reports (in a table too: psql variables are not expanded in $$ strings)
CREATE TABLE rp_doc AS
SELECT rfm_kmeans.report_html('rp', 'rp_clv', frequency => 'frequency', monetary => 'monetary',
                              bgnbd => bg, gamma_gamma => gg, holdout_length => weeks) AS clv,
       rfm_kmeans.report_html('rp', 'rp_clv', frequency => 'frequency', monetary => 'monetary',
                              bgnbd => bg, gamma_gamma => gg) AS clv_no_holdout
FROM rp_model, rp_holdout;
SELECT clv, clv_no_holdout FROM rp_doc \gset

-- numbers of a report table: the rows' data-* key and their numeric cells
-- in order ('-' is NULL; thousands separators and % signs dropped)
CREATE FUNCTION pg_temp.table_rows(doc text, id text) RETURNS TABLE (key text, cells numeric[])
LANGUAGE sql AS $$
	SELECT substring(r FROM '<tr data-[a-z]+="([^"]*)"'),
	       ARRAY(SELECT nullif(replace(replace(c.m[1], ',', ''), '%', ''), '-')::numeric
	             FROM regexp_matches(r, '<td class="n">([^<]*)</td>', 'g') WITH ORDINALITY c(m, o) ORDER BY c.o)
	FROM regexp_split_to_table(split_part(split_part(doc, '<table id="' || id || '">', 2), '</table>', 1),
	                           '</tr>') WITH ORDINALITY t(r, o)
	WHERE r LIKE '%<tr data-%'
	ORDER BY t.o
$$;
-- the CLV table in plain SQL: customers with x and, with repeat purchases,
-- m_x > 0 (rp_rfm has no NULL feature); 12 months are 12 * 30 / 7 weeks
CREATE TEMP TABLE rp_clv_expected AS
SELECT rfm_kmeans.predict('rp', recency, log_frequency, log_monetary) AS cl,
       rfm_kmeans.bgnbd_p_alive(bg, x, t_x, t_cal) AS p_alive,
       rfm_kmeans.bgnbd_expected(bg, 12 * 30 / 7.0, x, t_x, t_cal) AS purchases,
       rfm_kmeans.gamma_gamma_spend(gg, x, m_x) AS spend,
       rfm_kmeans.clv(bg, gg, x, t_x, t_cal, m_x, 12, 0.01) AS clv
FROM rp_clv, rp_model WHERE x IS NOT NULL AND (x = 0 OR m_x > 0);

SELECT ok(:'html' NOT LIKE '%Customer lifetime value%' AND :'html' NOT LIKE '%id="clv%'
          AND :'html' NOT LIKE '%holdout%'
          AND rfm_kmeans.report_html('rp', 'rp_clv') NOT LIKE '%Customer lifetime value%',
          'no CLV section without bgnbd and gamma_gamma, even over a relation with the CLV columns');
SELECT is(regexp_replace(:'clv', '\n<section id="clv">.*</section>', ''),
          rfm_kmeans.report_html('rp', 'rp_clv', frequency => 'frequency', monetary => 'monetary'),
          'the CLV section is added before the footer, the rest of the report unchanged');
SELECT ok(:'clv_no_holdout' LIKE '%<h2>Customer lifetime value</h2>%' AND :'clv_no_holdout' LIKE '%<svg id="bars-clv"%'
          AND :'clv_no_holdout' LIKE '%<table id="clv-parameters">%' AND :'clv_no_holdout' NOT LIKE '%holdout-%'
          AND :'clv' LIKE '%<svg id="holdout-chart"%<table id="holdout">%</section>%',
          'the CLV section with bgnbd and gamma_gamma, its holdout chart and table only with holdout_length');
SELECT is((SELECT count(*) FROM regexp_matches(:'clv', 'class="bar"', 'g')), 15::bigint,
          'customers, revenue and CLV bars');
SELECT results_eq(
    $$SELECT key, cells FROM rp_doc, pg_temp.table_rows(clv, 'clv-clusters') WHERE key <> 'all'$$,
    $$SELECT cl::text, ARRAY[count(*), round(avg(p_alive)::numeric, 3), round(avg(purchases)::numeric, 2),
                           round(avg(spend)::numeric, 2), round(avg(clv)::numeric, 2), round(sum(clv)::numeric, 2),
                           round((100 * sum(clv) / (SELECT sum(clv) FROM rp_clv_expected))::numeric, 1)]
      FROM rp_clv_expected GROUP BY cl ORDER BY cl$$,
    'CLV per cluster (customers, P(alive), purchases, spend, mean and total CLV, share) equals plain SQL');
SELECT results_eq(
    $$SELECT cells FROM rp_doc, pg_temp.table_rows(clv, 'clv-clusters') WHERE key = 'all'$$,
    $$SELECT ARRAY[count(*), round(avg(p_alive)::numeric, 3), round(avg(purchases)::numeric, 2),
                   round(avg(spend)::numeric, 2), round(avg(clv)::numeric, 2), round(sum(clv)::numeric, 2), 100]
      FROM rp_clv_expected$$,
    'CLV of all valued customers equals plain SQL');
SELECT is((SELECT cells[6] FROM pg_temp.table_rows(
               rfm_kmeans.report_html('rp', 'rp_clv', bgnbd => bg, gamma_gamma => gg, clv_months => 6,
                                      monthly_discount => 0.02), 'clv-clusters') WHERE key = 'all'),
          (SELECT round(sum(rfm_kmeans.clv(bg, gg, x, t_x, t_cal, m_x, 6, 0.02))::numeric, 2)
           FROM rp_clv WHERE x IS NOT NULL AND (x = 0 OR m_x > 0)),
          'clv_months and monthly_discount: the total CLV of 6 months at 2% a month')
FROM rp_model;
-- the same customers in days, with alpha in days: the same CLV, P(alive)
-- and purchases (12 months = 360 days)
CREATE TEMP TABLE rp_clv_days AS
SELECT customer_id, recency, frequency, monetary, log_frequency, log_monetary,
       x, t_x * 7 AS t_x, t_cal * 7 AS t_cal, m_x, x_holdout FROM rp_clv;
SELECT results_eq(
    $$SELECT t.key, t.cells
      FROM rp_model, pg_temp.table_rows(rfm_kmeans.report_html('rp', 'rp_clv_days',
               bgnbd => ROW((bg).r, (bg).alpha * 7, (bg).a, (bg).b, NULL, NULL, NULL, NULL)::rfm_kmeans.bgnbd_params,
               gamma_gamma => gg, time_unit => '1 day'), 'clv-clusters') t$$,
    $$SELECT key, cells FROM rp_doc, pg_temp.table_rows(clv, 'clv-clusters')$$,
    'time_unit: the same table from the data in days');
SELECT ok((SELECT count(*) FROM regexp_matches(:'clv', 'class="holdout-group"', 'g')) = 8
          AND (SELECT count(*) FROM regexp_matches(:'clv', 'class="holdout-bar"', 'g'))
              = 2 * (SELECT count(*) FROM rfm_kmeans.clv_holdout((SELECT bg FROM rp_model), 'rp_clv', :holdout)
                     WHERE frequency <> 'total' AND customers > 0),
          'the holdout chart: 8 groups (0 .. 6, 7+), a predicted and an actual bar in each with customers');
SELECT results_eq(
    $$SELECT key, cells FROM rp_doc, pg_temp.table_rows(clv, 'holdout')$$,
    $$SELECT frequency, ARRAY[customers, round(predicted::numeric, 3), round(actual::numeric, 3)]
      FROM rfm_kmeans.clv_holdout((SELECT bg FROM rp_model), 'rp_clv', (SELECT weeks FROM rp_holdout))$$,
    'the holdout table equals clv_holdout()');
SELECT ok((SELECT count(*) = 7 AND bool_and(abs(s.v - p.v) <= 5e-4 * p.v)
           FROM (SELECT split_part(kv, ' = ', 1) AS name, replace(split_part(kv, ' = ', 2), ',', '')::float8 AS v
                 FROM regexp_split_to_table(substring(:'clv' FROM '<tr data-model="bgnbd"><td>[^<]*</td><td>([^<]*)</td>')
                                            || ', ' ||
                                            substring(:'clv' FROM '<tr data-model="gamma_gamma"><td>[^<]*</td><td>([^<]*)</td>'),
                                            ', ') kv) s
           JOIN rp_model m ON true
           JOIN LATERAL (VALUES ('r', (m.bg).r), ('alpha', (m.bg).alpha), ('a', (m.bg).a), ('b', (m.bg).b),
                                ('p', (m.gg).p), ('q', (m.gg).q), ('v', (m.gg).v)) p(name, v) USING (name))
          AND (SELECT substring(:'clv' FROM '<tr data-model="bgnbd">(?:<td[^>]*>[^<]*</td>){5}<td>([a-z]+)</td></tr>')
                      = CASE WHEN (bg).converged THEN 'yes' ELSE 'no' END
                  AND substring(:'clv' FROM '<tr data-model="gamma_gamma">(?:<td[^>]*>[^<]*</td>){5}<td>([a-z]+)</td></tr>')
                      = CASE WHEN (gg).converged THEN 'yes' ELSE 'no' END FROM rp_model),
          'the parameters r, alpha, a, b, p, q, v to 4 significant digits, and whether each fit converged');
SELECT ok(:'clv' LIKE '<!DOCTYPE html>%</html>' || chr(10) AND :'clv' NOT LIKE '%<script%' AND :'clv' NOT LIKE '%<link%'
          AND (SELECT count(*) = 5 AND bool_and(xml_is_well_formed_content(m[1]))
               FROM regexp_matches(:'clv', '(<svg.*?</svg>)', 'g') m)
          AND xml_is_well_formed_content(substring(:'clv' FROM '<section id="clv">.*</section>')),
          'with the CLV section: one self-contained document; its 5 charts and the section are well-formed XML');

-- CLV errors
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_clv', bgnbd => (SELECT bg FROM rp_model))$$, '22023',
                 'report_html() needs both bgnbd and gamma_gamma for the CLV section, got only bgnbd',
                 'report_html: bgnbd without gamma_gamma');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_clv', gamma_gamma => (SELECT gg FROM rp_model))$$, '22023',
                 'report_html() needs both bgnbd and gamma_gamma for the CLV section, got only gamma_gamma',
                 'report_html: gamma_gamma without bgnbd');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_clv', holdout_length => 10)$$, '22023', NULL,
                 'report_html: holdout_length without the models');
CREATE TEMP TABLE rp_clv_no_m AS SELECT customer_id, recency, log_frequency, log_monetary, x, t_x, t_cal FROM rp_clv;
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_clv_no_m', bgnbd => bg, gamma_gamma => gg) FROM rp_model$$,
                 '42703', 'column "m_x" of relation "rp_clv_no_m" does not exist', 'report_html: CLV without m_x');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_rfm', bgnbd => bg, gamma_gamma => gg) FROM rp_model$$,
                 '42703', 'column "x" of relation "rp_rfm" does not exist', 'report_html: CLV without x');
CREATE TEMP TABLE rp_clv_no_holdout AS SELECT customer_id, recency, log_frequency, log_monetary, x, t_x, t_cal, m_x FROM rp_clv;
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_clv_no_holdout', bgnbd => bg, gamma_gamma => gg,
                                                 holdout_length => 10) FROM rp_model$$,
                 '42703', 'column "x_holdout" of relation "rp_clv_no_holdout" does not exist',
                 'report_html: holdout_length without x_holdout');
SELECT ok(rfm_kmeans.report_html('rp', 'rp_clv_no_holdout', bgnbd => bg, gamma_gamma => gg)
          LIKE '%<h2>Customer lifetime value</h2>%', 'without holdout_length, x_holdout is not needed')
FROM rp_model;
CREATE TEMP TABLE rp_clv_none AS SELECT * FROM rp_clv;
UPDATE rp_clv_none SET x = NULL;
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_clv_none', bgnbd => bg, gamma_gamma => gg) FROM rp_model$$,
                 '22000', NULL, 'report_html: no customer to value');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_clv', bgnbd => bg, gamma_gamma => gg, clv_months => NULL) FROM rp_model$$,
                 '22004', NULL, 'report_html: NULL clv_months');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_clv', bgnbd => bg, gamma_gamma => gg, monthly_discount => -1) FROM rp_model$$,
                 '22023', NULL, 'report_html: monthly_discount <= -1, as clv()');

-- escaping: labels and titles are text, not markup (in the CLV section too)
UPDATE rfm_kmeans.segment_rules SET segment = segment || ' <b>&"''' ;
SELECT rfm_kmeans.report_html('rp', 'rp_clv', title => '<script>x</script>', bgnbd => bg, gamma_gamma => gg,
                              holdout_length => :holdout) AS html2 FROM rp_model \gset
SELECT ok(:'html2' NOT LIKE '%<b>&%' AND :'html2' LIKE '%&lt;b&gt;&amp;&quot;&#39;%'
          AND :'html2' NOT LIKE '%<script>%' AND :'html2' LIKE '%&lt;script&gt;x&lt;/script&gt;%'
          AND :'html2' LIKE '%<section id="clv">%&lt;b&gt;&amp;&quot;&#39;%</section>%',
          'labels and the title are escaped');

SELECT throws_ok($$SELECT rfm_kmeans.report_html(NULL, 'rp_rfm')$$, '22004', NULL, 'report_html: NULL model');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_rfm', max_points => -1)$$, '22023', NULL, 'report_html: negative max_points');
SELECT throws_ok($$SELECT rfm_kmeans.report_html('rp', 'rp_rfm', monetary => 'no such column')$$, '42703', NULL,
                 'report_html: unknown column');
SELECT throws_ok($$SELECT * FROM rfm_kmeans.cluster_summary('nope', 'rp_rfm')$$, '42704', NULL, 'cluster_summary: unknown model');

SELECT * FROM finish();
ROLLBACK;

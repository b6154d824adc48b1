-- CLV on the CDNOW sample of the BG/NBD paper (Fader, Hardie & Lee 2005;
-- loaded by scripts/test.sh from ../shared/data/cdnow_sample.txt.gz,
-- skipped without it): the calibration summary equals plain SQL, the fits
-- reproduce the published estimates, and the holdout table equals plain SQL.
-- Calibration: purchases up to 1997-09-30 (39 weeks); holdout: the next 39.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
SET TimeZone = 'UTC';
BEGIN;
SELECT plan(14);

SELECT (count(*) = 6919) AS have_cdnow FROM cdnow_transactions \gset

\if :have_cdnow
CREATE TEMP TABLE cal AS
SELECT customer_id, (rfm_kmeans.clv_summary(purchased, dollars, '1997-09-30')).*
FROM cdnow_transactions WHERE purchased <= '1997-09-30' GROUP BY customer_id;

-- the same summary in plain SQL: purchase days, weeks from the first
CREATE TEMP TABLE plain AS
WITH days AS (
	SELECT customer_id, purchased AS day, sum(dollars) AS spend,
	       row_number() OVER (PARTITION BY customer_id ORDER BY purchased) AS k
	FROM cdnow_transactions WHERE purchased <= '1997-09-30' GROUP BY 1, 2)
SELECT customer_id, count(*) - 1 AS x, (max(day) - min(day)) / 7.0 AS t_x,
       (date '1997-09-30' - min(day)) / 7.0 AS t_cal, avg(spend) FILTER (WHERE k > 1) AS m_x
FROM days GROUP BY customer_id;

SELECT is((SELECT count(*) FROM cal), 2357::bigint, 'the CDNOW sample has 2,357 customers');
SELECT is((SELECT count(*) FROM cal c JOIN plain p USING (customer_id)
           WHERE c.x = p.x AND abs(c.t_x - p.t_x) < 1e-12 AND abs(c.t_cal - p.t_cal) < 1e-12
             AND c.m_x IS NOT DISTINCT FROM round(p.m_x, 10)::float8
                 OR abs(c.m_x - p.m_x) < 1e-9),
          2357::bigint, 'x, t_x, t_cal and m_x equal plain SQL for every customer');
-- lifetimes' CDNOW summary: its first customers are (2, 30.43, 38.86) and (1, 1.71, 38.86)
SELECT is((SELECT format('%s %s %s %s', x, round(t_x::numeric, 2), round(t_cal::numeric, 2), round(m_x::numeric, 2))
           FROM cal WHERE customer_id = 4), '2 30.43 38.86 22.35', 'customer 4 as in lifetimes and BTYD');
SELECT is((SELECT format('%s %s %s', x, round(t_x::numeric, 2), round(t_cal::numeric, 2))
           FROM cal WHERE customer_id = 21), '1 1.71 38.86', 'customer 21 as in lifetimes and BTYD');

CREATE TEMP TABLE fit AS
SELECT (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM cal) AS bg,
       (SELECT rfm_kmeans.gamma_gamma_fit(x, m_x) FROM cal WHERE x > 0) AS gg;

-- 3 significant digits of the published estimates
CREATE FUNCTION pg_temp.sig3(v float8) RETURNS numeric LANGUAGE sql AS
	$$ SELECT round(v::numeric, 2 - floor(log(abs(v::numeric)))::int) $$;
SELECT is((SELECT format('%s %s %s %s', pg_temp.sig3((bg).r), pg_temp.sig3((bg).alpha),
                         pg_temp.sig3((bg).a), pg_temp.sig3((bg).b)) FROM fit),
          format('%s %s %s %s', pg_temp.sig3(0.2426), pg_temp.sig3(4.4137), pg_temp.sig3(0.7930), pg_temp.sig3(2.4262)),
          'bgnbd_fit: r, alpha, a, b as published (0.2426, 4.4137, 0.7930, 2.4262) to 3 significant digits');
SELECT ok((SELECT (bg).log_likelihood >= -9582.43 AND (bg).converged AND (bg).n_customers = 2357 FROM fit),
          'bgnbd_fit converged over 2,357 customers at a log-likelihood no lower than the published -9582.43');
SELECT is((SELECT format('%s %s %s', pg_temp.sig3((gg).p), pg_temp.sig3((gg).q), pg_temp.sig3((gg).v)) FROM fit),
          '6.25 3.74 15.4', 'gamma_gamma_fit: p, q, v as lifetimes publishes (6.25, 3.74, 15.44) to 3 significant digits');
SELECT ok((SELECT (gg).converged AND (gg).n_customers = 946 FROM fit),
          'gamma_gamma_fit converged over the 946 customers with repeat purchases');
SELECT is((SELECT round(rfm_kmeans.bgnbd_expected(bg, 39, x, t_x, t_cal)::numeric, 3) FROM fit, cal WHERE customer_id = 4),
          1.226, 'customer 4 expects 1.226 purchases in weeks 40-78 (FHL 2005)');

-- the holdout: purchase days in weeks 40-78
CREATE TEMP TABLE cal_hold AS
SELECT c.*, coalesce(h.n, 0) AS x_holdout
FROM cal c LEFT JOIN (SELECT customer_id, count(DISTINCT purchased) AS n FROM cdnow_transactions
                      WHERE purchased > '1997-09-30' AND purchased <= '1998-06-30' GROUP BY 1) h USING (customer_id);
CREATE TEMP TABLE holdout AS
SELECT * FROM rfm_kmeans.clv_holdout((SELECT bg FROM fit), 'cal_hold', 39);
SELECT is((SELECT string_agg(frequency || ':' || customers, ' ' ORDER BY frequency) FROM holdout),
          '0:1411 1:439 2:214 3:100 4:62 5:38 6:29 7+:64 total:2357', 'the holdout table has 0 .. 6, 7+ and the total');
SELECT is((SELECT count(*) FROM holdout h JOIN (
               SELECT CASE WHEN x >= 7 THEN '7+' ELSE x::text END AS frequency,
                      avg(x_holdout) AS actual,
                      avg(rfm_kmeans.bgnbd_expected((SELECT bg FROM fit), 39, x, t_x, t_cal)) AS predicted
               FROM cal_hold GROUP BY 1
               UNION ALL
               SELECT 'total', avg(x_holdout), avg(rfm_kmeans.bgnbd_expected((SELECT bg FROM fit), 39, x, t_x, t_cal))
               FROM cal_hold) s USING (frequency)
           WHERE abs(h.actual - s.actual) < 1e-12 AND abs(h.predicted - s.predicted) < 1e-12),
          9::bigint, 'every row of the holdout table equals plain SQL');
-- FHL 2005, fig. 4: the customers who bought 0 times in calibration bought 0.24 times in the holdout
SELECT is((SELECT round(actual::numeric, 3) FROM holdout WHERE frequency = '0'), 0.237,
          'actual weeks 40-78 purchases of calibration zeros: 0.237');
SELECT ok((SELECT abs(predicted / actual - 1) < 0.15 FROM holdout WHERE frequency = 'total'),
          'the mean prediction is within 15% of the mean holdout purchases');
SELECT is((SELECT count(*) FROM fit, cal
           WHERE rfm_kmeans.clv(bg, gg, x, t_x, t_cal, m_x, 12, 0.01) >= 0
             AND rfm_kmeans.bgnbd_p_alive(bg, x, t_x, t_cal) BETWEEN 0 AND 1),
          2357::bigint, 'clv() and P(alive) are finite and in range for every customer');
\else
SELECT skip('the CDNOW sample was not found (../shared/data/cdnow_sample.txt.gz): skipped', 14);
\endif

SELECT * FROM finish();
ROLLBACK;

-- CLV: clv_summary, bgnbd_fit, gamma_gamma_fit, bgnbd_expected,
-- bgnbd_p_alive, gamma_gamma_spend, clv and clv_holdout on small data
-- whose answers are computed by hand or in plain SQL beside them; every
-- bad input is an ERROR with a specific SQLSTATE naming the argument.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET extra_float_digits = 0;

\i sql/helpers/error_of.psql

-- Transaction lines: customer 1 buys on 3 days (two lines on Jan 1, one
-- return on Jan 8 that is ignored, a free item on Jan 15), customer 2 once
-- (two lines the same day), customer 3 only returns, customer 4 a NULL line.
CREATE TABLE clv_lines (customer int, ts timestamptz, amount float8);
INSERT INTO clv_lines VALUES
	(1, '2024-01-01 09:00', 10), (1, '2024-01-01 23:59', 5), (1, '2024-01-08 12:00', -3),
	(1, '2024-01-15 00:00', 0), (1, '2024-01-29 10:00', 30),
	(2, '2024-02-01 08:00', 7), (2, '2024-02-01 18:00', 8),
	(3, '2024-01-05 10:00', -20),
	(4, NULL, 5), (4, '2024-01-10', NULL), (4, '2024-01-10', 12);

-- By hand, as_of 2024-03-04 (day 63 after Jan 1), weeks: customer 1 has
-- x = 2 (Jan 15, Jan 29), t_x = 28/7 = 4, t_cal = 63/7 = 9, m_x = (0 + 30)/2 = 15;
-- customer 2: x = 0, t_x = 0, t_cal = 32/7, m_x NULL; customer 3 no purchase
-- (NULL); customer 4: x = 0, t_cal = 54/7.
SELECT customer, (s).x, round((s).t_x::numeric, 6) AS t_x, round((s).t_cal::numeric, 6) AS t_cal,
       (s).m_x, (s).first_purchase
FROM (SELECT customer, rfm_kmeans.clv_summary(ts, amount, '2024-03-04 15:00') AS s
      FROM clv_lines GROUP BY customer) q ORDER BY customer;
-- in days
SELECT customer, (s).x, (s).t_x, (s).t_cal, (s).m_x
FROM (SELECT customer, rfm_kmeans.clv_summary(ts, amount, '2024-03-04', '1 day') AS s
      FROM clv_lines GROUP BY customer) q ORDER BY customer;
-- as_of names a day: a purchase later on that day is in (t_cal 0)
SELECT (rfm_kmeans.clv_summary(ts, 1, '2024-01-01 00:00')).*
FROM unnest(ARRAY['2024-01-01 08:00', '2024-01-01 23:59:59']::timestamptz[]) ts;
-- the same in plain SQL: days with lines of amount >= 0
WITH days AS (
	SELECT customer, (ts AT TIME ZONE 'UTC')::date AS day, sum(amount) AS spend
	FROM clv_lines WHERE ts IS NOT NULL AND amount >= 0 GROUP BY 1, 2),
ranked AS (SELECT *, row_number() OVER (PARTITION BY customer ORDER BY day) AS k FROM days)
SELECT customer, count(*) - 1 AS x, max(day) - min(day) AS t_x, date '2024-03-04' - min(day) AS t_cal,
       avg(spend) FILTER (WHERE k > 1) AS m_x
FROM ranked GROUP BY customer ORDER BY customer;

-- parallel partial states combine to the same summary (forced parallel plan)
CREATE TABLE clv_many AS
SELECT g % 500 AS customer, timestamptz '2024-01-01' + (g * 7919 % 200) * interval '1 day' + (g % 5) * interval '1 hour' AS ts,
       ((g * 31) % 97 - 10)::float8 AS amount
FROM generate_series(1, 20000) g;
ANALYZE clv_many;
CREATE TABLE clv_serial AS
SELECT customer, rfm_kmeans.clv_summary(ts, amount, '2024-08-01') AS s FROM clv_many GROUP BY customer;
SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2; SET enable_hashagg = off;
EXPLAIN (COSTS OFF)
SELECT customer, rfm_kmeans.clv_summary(ts, amount, '2024-08-01') FROM clv_many GROUP BY customer;
SELECT count(*) AS customers, count(*) FILTER (WHERE p.s IS DISTINCT FROM q.s) AS differ
FROM clv_serial q JOIN (SELECT customer, rfm_kmeans.clv_summary(ts, amount, '2024-08-01') AS s
                        FROM clv_many GROUP BY customer) p USING (customer);
RESET parallel_setup_cost; RESET parallel_tuple_cost; RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather; RESET enable_hashagg;

-- the state's text form round-trips, and its final function reads it back
SELECT s::text = (s::text::rfm_kmeans.clv_summary_state)::text AS text_round_trip,
       rfm_kmeans.clv_summary_final(s::text::rfm_kmeans.clv_summary_state) =
       rfm_kmeans.clv_summary_final(s) AS same_summary
FROM (SELECT rfm_kmeans.clv_summary_trans(rfm_kmeans.clv_summary_trans(NULL, '2024-01-01', 5, '2024-02-01'),
                                          '2024-01-20', 7, '2024-02-01') AS s) q;
SELECT rfm_kmeans.clv_summary_trans(rfm_kmeans.clv_summary_trans(NULL, '2024-01-01', 5, '2024-02-01'),
                                    '2024-01-20', 7, '2024-02-01')::text AS state_text;
SELECT pg_temp.err($$SELECT '1 2 3'::rfm_kmeans.clv_summary_state$$) AS truncated_state;
SELECT pg_temp.err($$SELECT '9 0 0 0 0 0'::rfm_kmeans.clv_summary_state$$) AS unknown_version;

-- clv_summary errors
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary(ts, amount, '2024-01-20') FROM clv_lines$$) AS after_as_of;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01', 'NaN', '2024-02-01')$$) AS nan_amount;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01', 'Infinity', '2024-02-01')$$) AS inf_amount;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('infinity', 1, '2024-02-01')$$) AS infinite_ts;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01', 1, 'infinity')$$) AS infinite_as_of;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01', 1, NULL)$$) AS null_as_of;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01', 1, '2024-02-01', NULL)$$) AS null_unit;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01', 1, '2024-02-01', '0 days')$$) AS zero_unit;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01', 1, '2024-02-01', '-1 day')$$) AS negative_unit;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01', 1, '2024-02-01', '1 month')$$) AS month_unit;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01', 1, '2024-02-01'::timestamptz + g * interval '1 day')
                     FROM generate_series(1, 2) g$$) AS as_of_differs;
-- repeat days whose total passes DBL_MAX still have a finite mean spend
SELECT (s).x, (s).m_x FROM (SELECT rfm_kmeans.clv_summary(ts, a, '2024-03-01') AS s
        FROM (VALUES ('2024-01-01'::timestamptz, 1::float8), ('2024-01-02', 1e308), ('2024-01-03', 1e308)) v(ts, a)) q;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv_summary('2024-01-01'::timestamptz + g * interval '1 day', 1e308, '2024-02-01')
                     FROM generate_series(1, 2) g, generate_series(1, 2) h$$) AS day_spend_overflow;

-- Fits. Customers (x, t_x, t_cal) of the CDNOW kind; empty input is 22000.
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit(x, x, x) FROM (SELECT 1.0 AS x WHERE false) q$$) AS bgnbd_no_rows;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit(NULL, 1, 2)$$) AS bgnbd_only_nulls;
SELECT pg_temp.err($$SELECT rfm_kmeans.gamma_gamma_fit(0, NULL)$$) AS gamma_gamma_only_x0;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit(-1, 0, 5)$$) AS negative_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit(1.5, 1, 5)$$) AS fractional_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit('NaN', 1, 5)$$) AS nan_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit(0, 1, 5)$$) AS x0_with_t_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit(2, -1, 5)$$) AS negative_t_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit(2, 'NaN', 5)$$) AS nan_t_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit(2, 6, 5)$$) AS t_x_after_t_cal;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_fit(2, 1, 'Infinity')$$) AS infinite_t_cal;
SELECT pg_temp.err($$SELECT rfm_kmeans.gamma_gamma_fit(2, 0)$$) AS zero_m_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.gamma_gamma_fit(2, -5)$$) AS negative_m_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.gamma_gamma_fit(2, NULL)$$) AS null_m_x;

-- uniform on (0, 1) from a hash: the same sample on every run
CREATE FUNCTION pg_temp.u(k int) RETURNS float8 LANGUAGE sql IMMUTABLE
	AS $$ SELECT ((hashint4(k) & 2147483647) + 0.5) / 2147483648.0 $$;

-- A sample simulated from BG/NBD (r 0.5, alpha 5, a 0.7, b 3) on a day grid.
CREATE TABLE clv_cust AS
WITH RECURSIVE c AS (
	SELECT g AS id,
	       -- lambda ~ Gamma(0.5, 5) as Z^2 / (2 * 5), Z standard normal (Box-Muller)
	       (sqrt(-2 * ln(u1)) * cos(2 * pi() * u2)) ^ 2 / 10 AS lambda,
	       u3 ^ (1 / 0.7) AS y1, u4 ^ (1 / 3.0) AS y2, 20 + (g % 21) AS t_cal
	FROM (SELECT g, pg_temp.u(g) AS u1,
	             pg_temp.u(g + 1000000) AS u2,
	             pg_temp.u(g + 2000000) AS u3,
	             pg_temp.u(g + 3000000) AS u4
	      FROM generate_series(1, 3000) g) u),
walk AS (
	-- p ~ Beta(0.7, 3) by Johnk's method would loop; a grid of p from the two uniforms is enough here
	SELECT id, lambda, least(y1 / (y1 + y2), 0.999) AS p, t_cal, 0 AS x, 0.0::float8 AS t, 0.0::float8 AS t_x, 1 AS step
	FROM c
	UNION ALL
	SELECT id, lambda, p, t_cal,
	       x + 1, t + gap, t + gap, step + 1
	FROM (SELECT w.*, -ln(pg_temp.u(id * 977 + step)) / lambda AS gap,
	             pg_temp.u(id * 1913 + step) AS alive
	      FROM walk w) s
	WHERE t + gap <= t_cal AND (step = 1 OR alive > p) AND step < 1000)
SELECT id, max(x)::float8 AS x, floor(max(t_x) * 7) / 7 AS t_x, t_cal::float8 AS t_cal
FROM walk GROUP BY id, t_cal;
SELECT count(*) AS customers, sum(x) AS purchases, count(*) FILTER (WHERE x = 0) AS x0 FROM clv_cust;

CREATE TABLE clv_fit AS SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) AS bg FROM clv_cust;
SELECT (bg).n_customers, (bg).converged, (bg).iterations > 0 AS iterated,
       (bg).r BETWEEN 0.2 AND 1.2 AS r_near, (bg).alpha BETWEEN 2 AND 12 AS alpha_near
FROM clv_fit;
-- the order of rows and NULL rows change nothing
SELECT (SELECT bg FROM clv_fit) = (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal ORDER BY id DESC)
                                   FROM (SELECT * FROM clv_cust UNION ALL SELECT 0, NULL, 1, 1) q) AS order_free;
-- The BG/NBD log-likelihood in plain SQL (FHL 2005, eq. 6), its gamma and
-- beta ratios as finite products (x is small here): an independent check.
CREATE FUNCTION pg_temp.bgnbd_ll(r float8, alpha float8, a float8, b float8) RETURNS float8
LANGUAGE sql AS $$
	SELECT sum(n * (lg_rx + r * ln(alpha) +
	           ln(exp(lbeta_x - (r + x) * ln(alpha + t_cal)) +
	              CASE WHEN x > 0 THEN exp(ln(a / (b + x - 1)) + lbeta_x - (r + x) * ln(alpha + t_x)) ELSE 0 END)))
	FROM (SELECT x, t_x, t_cal, n,
	             -- ln Gamma(r+x)/Gamma(r), ln B(a, b+x)/B(a, b)
	             (SELECT coalesce(sum(ln(r + i)), 0) FROM generate_series(0, x - 1) i) AS lg_rx,
	             (SELECT coalesce(sum(ln((b + i) / (a + b + i))), 0) FROM generate_series(0, x - 1) i) AS lbeta_x
	      FROM (SELECT x::int AS x, t_x, t_cal, count(*) AS n FROM clv_cust GROUP BY 1, 2, 3) g) c
$$;
SELECT abs(pg_temp.bgnbd_ll((bg).r, (bg).alpha, (bg).a, (bg).b) - (bg).log_likelihood) <
       1e-9 * abs((bg).log_likelihood) AS log_likelihood_matches_sql
FROM clv_fit;
-- a maximum: 1% away from the fit in any parameter, the likelihood is lower
SELECT bool_and(pg_temp.bgnbd_ll((bg).r * (CASE k WHEN 1 THEN f ELSE 1 END), (bg).alpha * (CASE k WHEN 2 THEN f ELSE 1 END),
                                 (bg).a * (CASE k WHEN 3 THEN f ELSE 1 END), (bg).b * (CASE k WHEN 4 THEN f ELSE 1 END))
                < (bg).log_likelihood) AS local_maximum
FROM clv_fit, generate_series(1, 4) k, unnest(ARRAY[0.99, 1.01]) f;

-- NBD limit: every buyer bought again at the end (t_x = t_cal): no interior
-- maximum; finite parameters, converged false and a NOTICE naming the bound.
-- (terse: the DETAIL's parameters differ in their last digits between libms)
\set VERBOSITY terse
SELECT (f).converged, (f).a < 1e-6 OR (f).b > 1e6 AS at_nbd_limit,
       (f).r > 0 AND (f).alpha > 0 AND (f).log_likelihood > -1e300 AS finite
FROM (SELECT rfm_kmeans.bgnbd_fit(x, CASE WHEN x > 0 THEN t_cal ELSE 0 END, t_cal) AS f FROM clv_cust) q;
\set VERBOSITY default

-- Gamma-Gamma on the buyers, with spread-out spend: p, q, v positive
CREATE TABLE clv_spend AS
SELECT id, x, 20 + (hashint4(id * 7) & 1023) / 50.0 AS m_x FROM clv_cust WHERE x > 0;
SELECT (g).n_customers = (SELECT count(*) FROM clv_spend) AS every_buyer, (g).converged,
       (g).p > 0 AND (g).q > 1 AND (g).v > 0 AS valid
FROM (SELECT rfm_kmeans.gamma_gamma_fit(x, m_x) AS g FROM clv_cust LEFT JOIN clv_spend USING (id, x)) q;

-- Scoring with the CDNOW parameters published by Fader, Hardie & Lee (2005)
CREATE TABLE cdnow_params AS
SELECT ROW(0.2426, 4.4137, 0.7930, 2.4262, -9582.43, 2357, 0, true)::rfm_kmeans.bgnbd_params AS bg,
       ROW(6.25, 3.74, 15.44, 0, 946, 0, true)::rfm_kmeans.gamma_gamma_params AS gg;
SELECT round(rfm_kmeans.bgnbd_expected(bg, 39, 2, 30.43, 38.86)::numeric, 3) AS published_1_226,
       rfm_kmeans.bgnbd_expected(bg, 0, 2, 30.43, 38.86) AS nothing_in_no_time,
       rfm_kmeans.bgnbd_p_alive(bg, 0, 0, 38.86) AS x0_alive
FROM cdnow_params;
-- P(alive) by hand: 1 / (1 + a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))
SELECT abs(rfm_kmeans.bgnbd_p_alive(bg, 2, 30.43, 38.86) -
           1 / (1 + 0.7930 / (2.4262 + 1) * ((4.4137 + 38.86) / (4.4137 + 30.43)) ^ (0.2426 + 2))) < 1e-14 AS p_alive_formula
FROM cdnow_params;
-- E[Y(t)] grows with t and is below the unconditional NBD count for a dead-looking customer
SELECT bool_and(e2 > e1) AS increasing
FROM (SELECT rfm_kmeans.bgnbd_expected(bg, t, 5, 10, 38.86) AS e1, rfm_kmeans.bgnbd_expected(bg, t + 1, 5, 10, 38.86) AS e2
      FROM cdnow_params, generate_series(1, 100) t) q;
-- Gamma-Gamma's conditional mean: (q-1)/(p x+q-1) (p v/(q-1)) + p x/(p x+q-1) m_x
SELECT abs(rfm_kmeans.gamma_gamma_spend(gg, 3, 40) -
           ((3.74 - 1) / (6.25 * 3 + 3.74 - 1) * (6.25 * 15.44 / (3.74 - 1)) + 6.25 * 3 / (6.25 * 3 + 3.74 - 1) * 40)) < 1e-12 AS spend_formula,
       abs(rfm_kmeans.gamma_gamma_spend(gg, 0, NULL) - 6.25 * 15.44 / (3.74 - 1)) < 1e-12 AS population_mean
FROM cdnow_params;
-- clv(): sum over months i of spend (E[Y(30 i/7)] - E[Y(30 (i-1)/7)]) / (1 + d)^i,
-- written out in SQL as the reference
CREATE FUNCTION pg_temp.clv_by_months(bg rfm_kmeans.bgnbd_params, gg rfm_kmeans.gamma_gamma_params,
                                      x float8, t_x float8, t_cal float8, m_x float8) RETURNS float8
LANGUAGE sql AS $$
	SELECT sum(rfm_kmeans.gamma_gamma_spend(gg, x, m_x) *
	           (rfm_kmeans.bgnbd_expected(bg, 30 * i / 7.0, x, t_x, t_cal) -
	            rfm_kmeans.bgnbd_expected(bg, 30 * (i - 1) / 7.0, x, t_x, t_cal)) / 1.01 ^ i)
	FROM generate_series(1, 12) i
$$;
SELECT abs(rfm_kmeans.clv(bg, gg, 2, 30.43, 38.86, 22.35, 12, 0.01) -
           pg_temp.clv_by_months(bg, gg, 2, 30.43, 38.86, 22.35)) < 1e-9 AS clv_formula,
       rfm_kmeans.clv(bg, gg, 2, 30.43, 38.86, 22.35, 0, 0.01) AS no_months
FROM cdnow_params;
-- clv() keeps each (x, t_cal)'s discounted expectation numerators for the
-- query: rows that share a summary or only x and t_cal, and parameters
-- changing from row to row (read from a table, whose composites have short
-- headers, and from VALUES), give what each call alone gives
CREATE TEMP TABLE bg_rows AS
SELECT ROW(0.2426, 4.4137, 0.7930, 2.4262, 0, 0, 0, true)::rfm_kmeans.bgnbd_params AS bg
UNION ALL SELECT ROW(0.5, 2, 1.5, 3, 0, 0, 0, true)::rfm_kmeans.bgnbd_params
UNION ALL SELECT ROW(0.2426, 4.4137, 0.7930, 2.4262, 0, 0, 0, true)::rfm_kmeans.bgnbd_params;
SELECT count(*) AS rows, count(*) FILTER (WHERE abs(v - expected) <= 1e-9 * abs(expected)) AS equal
FROM (SELECT rfm_kmeans.clv(p.bg, c.gg, x, t_x, t_cal, 30, 12, 0.01) AS v,
             pg_temp.clv_by_months(p.bg, c.gg, x, t_x, t_cal, 30) AS expected
      FROM (VALUES (2.0, 30.43, 38.86), (2.0, 12.5, 38.86), (0, 0, 38.86), (2.0, 30.43, 38.86),
                   (7, 29.43, 38.86), (2.0, 1.25, 38.86), (0, 0, 38.86))
           s(x, t_x, t_cal),
           cdnow_params c,
           (SELECT bg FROM bg_rows
            UNION ALL VALUES (ROW(0.2426, 4.4137, 0.7930, 2.4262, 0, 0, 0, true)::rfm_kmeans.bgnbd_params),
                             (ROW(0.5, 2, 1.5, 3, 0, 0, 0, true)::rfm_kmeans.bgnbd_params)) p(bg)) q;
-- in days instead of weeks: the same customer, parameters rescaled (alpha in days)
SELECT abs(rfm_kmeans.clv(bg, gg, 2, 30.43, 38.86, 22.35, 12, 0.01) -
           rfm_kmeans.clv(ROW(0.2426, 4.4137 * 7, 0.7930, 2.4262, 0, 0, 0, true)::rfm_kmeans.bgnbd_params,
                          gg, 2, 30.43 * 7, 38.86 * 7, 22.35, 12, 0.01, '1 day')) < 1e-9 AS unit_invariant
FROM cdnow_params;

-- scoring errors
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_expected(ROW(-1, 1, 1, 1, 0, 0, 0, true)::rfm_kmeans.bgnbd_params, 1, 0, 0, 1)$$) AS negative_r;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_expected(ROW(1, 0, 1, 1, 0, 0, 0, true)::rfm_kmeans.bgnbd_params, 1, 0, 0, 1)$$) AS zero_alpha;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_expected(ROW(1, 1, 'NaN', 1, 0, 0, 0, true)::rfm_kmeans.bgnbd_params, 1, 0, 0, 1)$$) AS nan_a;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_expected(ROW(1, 1, 1, NULL, 0, 0, 0, true)::rfm_kmeans.bgnbd_params, 1, 0, 0, 1)$$) AS null_b;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_expected(bg, -1, 0, 0, 1) FROM cdnow_params$$) AS negative_t;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_expected(bg, 'NaN', 0, 0, 1) FROM cdnow_params$$) AS nan_t;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_expected(bg, 1, 2, 5, 4) FROM cdnow_params$$) AS expected_t_x_after_t_cal;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_p_alive(bg, 0, 1, 4) FROM cdnow_params$$) AS p_alive_x0_t_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.bgnbd_p_alive(bg, -2, 1, 4) FROM cdnow_params$$) AS p_alive_negative_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.gamma_gamma_spend(gg, 2, 0) FROM cdnow_params$$) AS spend_zero_m_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.gamma_gamma_spend(gg, 2, NULL) FROM cdnow_params$$) AS spend_null_m_x;
SELECT pg_temp.err($$SELECT rfm_kmeans.gamma_gamma_spend(ROW(1, 0.5, 1, 0, 0, 0, true)::rfm_kmeans.gamma_gamma_params, 0, NULL)$$) AS q_below_1;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv(bg, gg, 2, 30, 38, 20, -1, 0.01) FROM cdnow_params$$) AS negative_months;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv(bg, gg, 2, 30, 38, 20, 12, -1) FROM cdnow_params$$) AS discount_minus_1;
SELECT pg_temp.err($$SELECT rfm_kmeans.clv(bg, gg, 2, 30, 38, 20, 12, 0.01, '0 days') FROM cdnow_params$$) AS zero_unit;

-- Holdout check: predicted against actual, by calibration frequency, in plain SQL too
CREATE TABLE clv_hold AS
SELECT id, x, t_x, t_cal, (hashint4(id * 3) & 3)::float8 * least(x, 1) AS x_holdout FROM clv_cust;
SELECT frequency, customers, round(predicted::numeric, 6) AS predicted, round(actual::numeric, 6) AS actual
FROM rfm_kmeans.clv_holdout((SELECT bg FROM cdnow_params), 'clv_hold', 39);
SELECT bool_and(abs(h.predicted - s.predicted) < 1e-12 AND h.actual = s.actual AND h.customers = s.customers) AS matches_sql
FROM rfm_kmeans.clv_holdout((SELECT bg FROM cdnow_params), 'clv_hold', 39) h
JOIN (SELECT CASE WHEN x >= 7 THEN '7+' ELSE x::int::text END AS frequency, count(*) AS customers,
             avg(rfm_kmeans.bgnbd_expected((SELECT bg FROM cdnow_params), 39, x, t_x, t_cal)) AS predicted,
             avg(x_holdout) AS actual
      FROM clv_hold GROUP BY 1
      UNION ALL
      SELECT 'total', count(*), avg(rfm_kmeans.bgnbd_expected((SELECT bg FROM cdnow_params), 39, x, t_x, t_cal)), avg(x_holdout)
      FROM clv_hold) s USING (frequency);
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.clv_holdout((SELECT bg FROM cdnow_params), 'clv_hold', 0)$$) AS zero_holdout;
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.clv_holdout((SELECT bg FROM cdnow_params), 'clv_hold', 39, x_holdout => 'nope')$$) AS missing_column;
SELECT pg_temp.err($$SELECT * FROM rfm_kmeans.clv_holdout(NULL, 'clv_hold', 39)$$) AS null_params;

-- the extension's later tests drop it: leave nothing that depends on its types
DROP TABLE clv_lines, clv_many, clv_serial, clv_cust, clv_fit, clv_spend, cdnow_params, clv_hold;

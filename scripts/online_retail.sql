-- Invoice lines in the layout of the UCI Online Retail data set, and the
-- project's deterministic generator of realistic ones. Used by the demo,
-- the tests and the benchmarks; not part of the extension.
--
-- Randomness comes from hashing (row number, salt, seed), so the generated
-- data is the same on every run, in every row order and under parallel plans.

CREATE SCHEMA IF NOT EXISTS rfm_data;

CREATE TABLE IF NOT EXISTS online_retail (
	invoice_no text NOT NULL,		-- 'C...' marks a cancellation
	stock_code text,
	description text,
	quantity integer NOT NULL,		-- negative on cancellations
	invoice_date timestamp NOT NULL,
	unit_price numeric(12, 3) NOT NULL,
	customer_id integer,			-- NULL for guest checkouts
	country text
);

CREATE UNLOGGED TABLE IF NOT EXISTS rfm_data.online_retail_raw (
	invoice_no text, stock_code text, description text, quantity text,
	invoice_date text, unit_price text, customer_id text, country text
);

-- Move the raw CSV rows into online_retail with proper types. Dates are
-- ISO in the UCI file ('2010-12-01 08:26:00'); some copies use
-- '12/1/2010 8:26', which DateStyle MDY also reads.
CREATE OR REPLACE FUNCTION rfm_data.import_raw() RETURNS bigint
LANGUAGE plpgsql SET datestyle = 'ISO, MDY' AS $$
DECLARE
	n bigint;
BEGIN
	INSERT INTO online_retail
	SELECT invoice_no, stock_code, description, quantity::integer,
	       invoice_date::timestamp, unit_price::numeric,
	       nullif(customer_id, '')::numeric::integer, country
	FROM rfm_data.online_retail_raw;
	GET DIAGNOSTICS n = ROW_COUNT;
	TRUNCATE rfm_data.online_retail_raw;
	RETURN n;
END
$$;

-- A uniform number in [0, 1) from (i, salt, seed).
CREATE OR REPLACE FUNCTION rfm_data.u(i bigint, salt integer, seed integer)
RETURNS float8 LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
	SELECT ((hashint8extended(i, seed::bigint * 1000003 + salt) >> 11)
	        & 9007199254740991)::float8 / 9007199254740992.0
$$;

-- Generate invoice lines into table tbl (same columns as online_retail):
-- n_invoices invoices over about n_customers customers, mean_lines lines
-- each on average, over the year from 2010-12-01. Customers differ in how
-- often they buy (a few buy very often) and in when they were active (some
-- churn early), 6% of invoices have no customer id and 2% are cancellations
-- ('C' prefix, negative quantities). skew shapes how unequal customers are
-- (1 = every customer equally likely). Returns the number of lines.
CREATE OR REPLACE FUNCTION rfm_data.generate_invoices(
	tbl text, n_customers integer, n_invoices integer, mean_lines integer,
	seed integer DEFAULT 42, skew float8 DEFAULT 2.2)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
	n bigint;
BEGIN
	EXECUTE format($q$
	INSERT INTO %I (invoice_no, stock_code, description, quantity,
	                 invoice_date, unit_price, customer_id, country)
	WITH invoice AS (
		SELECT inv,
		       CASE WHEN rfm_data.u(inv, 1, $1) < 0.06 THEN NULL
		            ELSE floor($2 * power(rfm_data.u(inv, 2, $1), $5))::integer
		       END AS cust,
		       rfm_data.u(inv, 3, $1) < 0.02 AS cancelled,
		       1 + floor(-ln(1 - rfm_data.u(inv, 4, $1)) * ($3 - 1))::integer AS n_lines,
		       rfm_data.u(inv, 5, $1) AS t
		FROM generate_series(1::bigint, $4) AS inv
	), dated AS (
		SELECT i.*,
		       -- each customer is active in a window [a, b] of the year
		       rfm_data.u(coalesce(cust, -inv), 6, $1) * 0.85 AS a,
		       power(rfm_data.u(coalesce(cust, -inv), 7, $1), 0.4) AS b_frac
		FROM invoice i
	)
	SELECT CASE WHEN cancelled THEN 'C' ELSE '' END || (536364 + inv)::text,
	       code::text,
	       'ITEM ' || code::text,
	       (CASE WHEN cancelled THEN -1 ELSE 1 END)
	         * (1 + floor(-ln(1 - rfm_data.u(inv * 1000 + line, 8, $1)) * 6))::integer,
	       timestamp '2010-12-01 08:00' + make_interval(days =>
	           floor((a + (1 - a) * b_frac * t) * 373)::integer)
	         + make_interval(mins => floor(rfm_data.u(inv, 9, $1) * 720)::integer),
	       round((0.29 + exp(rfm_data.u(inv * 1000 + line, 10, $1) * 3.5) - 1)::numeric, 2),
	       CASE WHEN cust IS NULL THEN NULL ELSE 12346 + cust END,
	       CASE WHEN rfm_data.u(coalesce(cust, -inv), 11, $1) < 0.9 THEN 'United Kingdom'
	            ELSE 'Germany' END
	FROM dated,
	     LATERAL generate_series(1, n_lines) AS line,
	     LATERAL (SELECT 20000 + floor(rfm_data.u(inv * 1000 + line, 12, $1) * 4000)::integer AS code) c
	$q$, tbl) USING seed, n_customers, mean_lines, n_invoices, skew;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;

-- rfm(): hand-computed features, every overload, NULL handling, and
-- agreement with plain SQL.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET TimeZone = 'UTC';
SET extra_float_digits = 0;

CREATE TABLE txn (customer int, order_no text, ts timestamptz, amount float8);
INSERT INTO txn VALUES
	-- customer 1: order A has two lines, order B one
	(1, 'A', '2024-01-01 10:00', 10),
	(1, 'A', '2024-01-01 10:00', 5),
	(1, 'B', '2024-01-03 22:00', 7.5),
	-- customer 2: one order, and a line without order number (counts in
	-- monetary, not in frequency)
	(2, 'C', '2024-01-09 12:00', 100),
	(2, NULL, '2024-01-05 00:00', 1),
	-- customer 3: no usable row (NULL ts, NULL amount)
	(3, 'D', NULL, 4),
	(3, 'E', '2024-01-02', NULL),
	-- customer 4: a NULL amount is skipped, the other line counts
	(4, 'F', '2024-01-08 00:00', NULL),
	(4, 'G', '2024-01-07 06:00', -2.5);

-- By hand, as_of 2024-01-10 00:00:
--  1: last 01-03 22:00 -> recency 6 d 2 h = 6.083333; 2 orders; 22.5;
--     avg 11.25; first 01-01 10:00 -> tenure 8 d 14 h = 8.583333
--  2: last 01-09 12:00 -> 0.5; 1 order; 101; avg 101; tenure 5
--  3: NULL (no row with both ts and amount)
--  4: last 01-07 06:00 -> 2.75; 1 order; -2.5; tenure 2.75
SELECT customer, round((f).recency_days::numeric, 6) AS recency, (f).frequency,
       (f).monetary, (f).avg_order_value, (f).first_purchase, (f).last_purchase,
       round((f).tenure_days::numeric, 6) AS tenure
FROM (SELECT customer, rfm_kmeans.rfm(ts, amount, order_no, '2024-01-10') AS f
      FROM txn GROUP BY customer) s
ORDER BY customer;

-- without order_key, frequency counts rows (customer 1: 3 lines)
SELECT customer, (rfm_kmeans.rfm(ts, amount, timestamptz '2024-01-10')).frequency
FROM txn GROUP BY customer ORDER BY customer;

-- without as_of, recency is measured from now()
SELECT customer,
       abs((rfm_kmeans.rfm(ts, amount, order_no)).recency_days
           - extract(epoch FROM now() - max(ts) FILTER (WHERE amount IS NOT NULL)) / 86400) < 1e-9
         AS recency_from_now
FROM txn WHERE customer IN (1, 2) GROUP BY customer ORDER BY customer;
SELECT customer, (rfm_kmeans.rfm(ts, amount)).frequency
FROM txn WHERE customer = 1 GROUP BY customer;

-- every order_key type gives the same frequency as count(DISTINCT)
SELECT customer,
       count(DISTINCT order_no) AS plain_sql,
       (rfm_kmeans.rfm(ts, amount, ascii(order_no)::smallint, '2024-01-10')).frequency AS int2,
       (rfm_kmeans.rfm(ts, amount, ascii(order_no), '2024-01-10')).frequency AS int4,
       (rfm_kmeans.rfm(ts, amount, ascii(order_no)::bigint, '2024-01-10')).frequency AS int8,
       (rfm_kmeans.rfm(ts, amount, order_no, '2024-01-10')).frequency AS text,
       (rfm_kmeans.rfm(ts, amount, md5(order_no)::uuid, '2024-01-10')).frequency AS uuid,
       (rfm_kmeans.rfm(ts, amount, ascii(order_no)::numeric, '2024-01-10')).frequency AS numeric,
       (rfm_kmeans.rfm(ts, amount, order_no::varchar, '2024-01-10')).frequency AS varchar,
       (rfm_kmeans.rfm(ts, amount, date '2024-01-01' + ascii(order_no), '2024-01-10')).frequency AS date
FROM txn WHERE ts IS NOT NULL AND amount IS NOT NULL
GROUP BY customer ORDER BY customer;

-- equal keys in different spellings count once, as with count(DISTINCT):
-- numeric 1.0 = 1.00, interval '1 day' = '24 hours' (the polymorphic
-- overload compares with the type's own equality)
SELECT (rfm_kmeans.rfm(ts, 1, k)).frequency AS rfm, count(DISTINCT k) AS plain_sql
FROM (VALUES (now(), 1.0), (now(), 1.00), (now(), 2)) v(ts, k);
SELECT (rfm_kmeans.rfm(ts, 1, k)).frequency AS rfm, count(DISTINCT k) AS plain_sql
FROM (VALUES (now(), interval '1 day'), (now(), interval '24 hours'), (now(), interval '1 hour')) v(ts, k);

-- one group with 100,000 distinct keys, each seen twice, out of order
SELECT (rfm_kmeans.rfm(now() - interval '1 day', 1.0, (i * 7919) % 100000)).frequency
FROM generate_series(1, 200000) i;
SELECT (rfm_kmeans.rfm(now() - interval '1 day', 1.0, ((i * 7919) % 100000)::text)).frequency
FROM generate_series(1, 200000) i;

-- monetary is a compensated sum: 1e16 + 1000 x 1 - 1e16 = 1000 exactly
SELECT (rfm_kmeans.rfm(ts, amount)).monetary AS compensated, sum(amount) AS naive
FROM (SELECT now() AS ts, 1e16::float8 AS amount, 0 AS o
      UNION ALL SELECT now(), 1, i FROM generate_series(1, 1000) i
      UNION ALL SELECT now(), -1e16, 2000) s;

-- no rows: NULL; GROUP BY over nothing: no rows
SELECT rfm_kmeans.rfm(ts, amount, order_no) IS NULL AS empty_is_null FROM txn WHERE false;
SELECT customer, rfm_kmeans.rfm(ts, amount) FROM txn WHERE false GROUP BY customer;

-- implicit casts users rely on: timestamp, date and numeric arguments
SELECT (rfm_kmeans.rfm(ts::timestamp, amount::numeric, order_no, '2024-01-10'::date)).monetary
FROM txn WHERE customer = 1;

-- combine: merging two partial states equals one pass, inputs unchanged
WITH parts AS (
	SELECT rfm_kmeans.rfm_trans(rfm_kmeans.rfm_trans(NULL, '2024-01-01', 10, 'A'), '2024-01-02', 5, 'B') AS a,
	       rfm_kmeans.rfm_trans(rfm_kmeans.rfm_trans(NULL, '2024-01-03', 2, 'B'), '2024-01-04', 1, 'C') AS b
)
SELECT (rfm_kmeans.rfm_final_now(rfm_kmeans.rfm_combine(a, b))).frequency AS merged_frequency,
       (rfm_kmeans.rfm_final_now(rfm_kmeans.rfm_combine(a, b))).monetary AS merged_monetary,
       (rfm_kmeans.rfm_final_now(a)).frequency AS a_after,
       (rfm_kmeans.rfm_final_now(b)).frequency AS b_after
FROM parts;

DROP TABLE txn;

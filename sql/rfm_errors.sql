-- rfm(): every bad input is an ERROR with a specific SQLSTATE.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS rfm_kmeans;
RESET client_min_messages;
SET TimeZone = 'UTC';

\i sql/helpers/error_of.psql

SELECT pg_temp.err($$SELECT rfm_kmeans.rfm(now(), 'NaN') FROM generate_series(1, 2)$$) AS nan_amount;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm(now(), 'Infinity', 1) FROM generate_series(1, 2)$$) AS inf_amount;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm(now(), '-Infinity', 'x', now())$$) AS neg_inf_amount;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm('infinity'::timestamptz, 1)$$) AS infinite_ts;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm(now(), 1, 'infinity'::timestamptz)$$) AS infinite_as_of;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm('2024-01-01', 1, i, '2024-02-01'::timestamptz + i * interval '1 day')
                     FROM generate_series(1, 3) i$$) AS as_of_differs;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm('2024-03-01', 1, 7, '2024-02-01'::timestamptz)$$) AS as_of_before_txn;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm('2024-03-01', 1, 7, NULL::timestamptz)$$) AS as_of_null;
SELECT regexp_replace(pg_temp.err($$SELECT rfm_kmeans.rfm(now() + interval '1 day', 1, 7)$$),
                      ' \([^)]*\) is earlier than transaction ts .*', ' (<now>) is earlier than transaction ts <ts>')
       AS future_txn_without_as_of;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm(now(), 1e308) FROM generate_series(1, 2)$$) AS sum_overflow;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_combine(rfm_kmeans.rfm_trans(NULL, '2024-01-01', 1e308, 1),
                                                    rfm_kmeans.rfm_trans(NULL, '2024-01-02', 1e308, 2))$$) AS combined_sum_overflow;
-- the whole range of timestamptz: recency and tenure past int64 microseconds are 22008
SELECT pg_temp.err_detail($$SELECT rfm_kmeans.rfm('4714-11-24 00:00:00+00 BC'::timestamptz, 1, '294276-12-31 23:59:59+00'::timestamptz)$$) AS recency_overflow;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm(ts, 1, '294276-12-31 23:59:59+00'::timestamptz)
                     FROM unnest(ARRAY['4714-11-24 00:00:00+00 BC', '294276-01-01 00:00:00+00']::timestamptz[]) ts$$) AS tenure_overflow;
SELECT (rfm_kmeans.rfm('2000-01-01 00:00:00+00'::timestamptz, 1, '294276-12-31 23:59:59+00'::timestamptz)).recency_days > 1e8
       AS far_but_in_range;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm(now(), 1, point(1, 2))$$) AS key_without_hash_opclass;

-- the hint for a key without hash support
\set VERBOSITY verbose
\set SHOW_CONTEXT never
SELECT rfm_kmeans.rfm(now(), 1, '{"a": 1}'::json);
\set VERBOSITY default

-- states of different overloads never mix
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_combine(rfm_kmeans.rfm_trans(NULL, now(), 1, 1),
                                                    rfm_kmeans.rfm_trans(NULL, now(), 1, 'x'))$$) AS combine_mixed;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_trans(rfm_kmeans.rfm_trans(NULL, now(), 1, 1), now(), 1, 'x')$$) AS trans_mixed;
SELECT pg_temp.err($$SELECT rfm_kmeans.rfm_combine(rfm_kmeans.rfm_trans(NULL, '2024-01-01', 1, 1, '2024-02-01'),
                                                    rfm_kmeans.rfm_trans(NULL, '2024-01-01', 1, 2, '2024-03-01'))$$) AS combine_as_of_differs;

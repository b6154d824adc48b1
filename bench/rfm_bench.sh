#!/usr/bin/env bash
# Benchmark of rfm(): 10M invoice lines over 1M customer ids, GROUP BY
# customer, against the built-in max(ts), count(DISTINCT order), sum(amount).
# Every query runs 3 times in one session on the same table; the script
# prints medians, spread and ratios measured in this one run.
#
#   bench/rfm_bench.sh            # throwaway cluster, as the tests use
# Environment: RFM_BENCH_LINES (default 10000000), RFM_BENCH_RUNS (3).
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"
cd "$REPO_ROOT"

lines=${RFM_BENCH_LINES:-10000000}
runs=${RFM_BENCH_RUNS:-3}
ensure_packages "${BUILD_PACKAGES[@]}"
build_and_install
cluster_start
trap cluster_remove EXIT

psql_q -d postgres -c "CREATE DATABASE rfm_bench"
psql_q -d rfm_bench -c "CREATE EXTENSION rfm_kmeans" -f scripts/online_retail.sql -f bench/bench.sql

log "generating txn_10m: $lines invoice lines over 1,000,000 customers"
# invoices of about 4.5 lines, customers drawn uniformly; generate a little
# more than needed, keep exactly $lines lines with a customer
psql_q -d rfm_bench <<SQL
CREATE UNLOGGED TABLE lines_raw (LIKE online_retail);
SELECT rfm_data.generate_invoices('lines_raw', 1000000, ceil($lines / 4.0)::int, 5, 42, 1.0);
CREATE UNLOGGED TABLE txn_10m AS
SELECT customer_id::bigint AS customer_id, invoice_no,
       ltrim(invoice_no, 'C')::bigint AS invoice_id,
       invoice_date::timestamptz AS ts, (quantity * unit_price)::float8 AS amount
FROM lines_raw WHERE customer_id IS NOT NULL LIMIT $lines;
DROP TABLE lines_raw;
VACUUM ANALYZE txn_10m;
SQL
psql_q -d rfm_bench -At -c "SELECT 'txn_10m: ' || count(*) || ' lines, ' || count(DISTINCT customer_id) || ' customers, ' || pg_size_pretty(pg_table_size('txn_10m')) FROM txn_10m"

log "timing ($runs runs each, serial plans)"
psql_q -d rfm_bench <<SQL
\o /dev/null
SET max_parallel_workers_per_gather = 0;
-- warm the cache once so the first measured run does not pay for it
SELECT count(*) FROM txn_10m;
SELECT bench.time_query('builtin: max, count(DISTINCT text), sum',
  \$q\$SELECT customer_id, max(ts), count(DISTINCT invoice_no), sum(amount) FROM txn_10m GROUP BY customer_id\$q\$, $runs);
SELECT bench.time_query('rfm(ts, amount, text order_key)',
  \$q\$SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_no, timestamptz '2011-12-10') FROM txn_10m GROUP BY customer_id\$q\$, $runs);
SELECT bench.time_query('builtin: max, count(DISTINCT bigint), sum',
  \$q\$SELECT customer_id, max(ts), count(DISTINCT invoice_id), sum(amount) FROM txn_10m GROUP BY customer_id\$q\$, $runs);
SELECT bench.time_query('rfm(ts, amount, bigint order_key)',
  \$q\$SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_id, timestamptz '2011-12-10') FROM txn_10m GROUP BY customer_id\$q\$, $runs);
SQL

echo
echo "rfm() benchmark: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, PostgreSQL $PG_MAJOR, work_mem $(psql_q -d rfm_bench -At -c 'SHOW work_mem')"
psql_q -d rfm_bench <<'SQL'
\pset footer off
SELECT label, runs, round(median_s::numeric, 3) AS median_s,
       round(min_s::numeric, 3) || ' .. ' || round(max_s::numeric, 3) AS spread_s
FROM bench.summary ORDER BY label;
SELECT key_type,
       round((SELECT median_s FROM bench.summary WHERE label = 'builtin: max, count(DISTINCT ' || key_type || '), sum')::numeric
           / (SELECT median_s FROM bench.summary WHERE label = 'rfm(ts, amount, ' || key_type || ' order_key)')::numeric, 2)
         AS "speed-up of rfm() over built-in (x)"
FROM (VALUES ('text'), ('bigint')) v(key_type);
SQL

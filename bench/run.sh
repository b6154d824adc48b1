#!/usr/bin/env bash
# The rfm_kmeans benchmark: one command, one run, every figure of the
# README's Performance table. On a throwaway cluster it generates
# deterministic tables (rfm_1m, rfm_10m: customer_id + recency, frequency,
# monetary; txn_10m: 10M invoice lines over 1M customer ids; clv_1m: 1M
# customer summaries x, t_x, t_cal, m_x drawn from BG/NBD and Gamma-Gamma
# with known parameters), runs every
# query RUNS times (default 3) in one session, and prints medians, spread,
# and ratios to the floor SELECT sum(a), sum(b), sum(c) FROM t (serial) on
# the same table (or to the query's other reference), with the target of
# each ratio. A ratio is the median of side-by-side runs' ratios: each run
# of the query right after one of its reference.
#
#   bench/run.sh                 # full size (about 25 minutes on 2 cores)
#   RFM_BENCH_SCALE=10 bench/run.sh   # every table 10x smaller, for a quick look
set -euo pipefail
. "$(dirname "$0")/../scripts/lib/common.sh"
. "$(dirname "$0")/../scripts/lib/citus.sh"
cd "$REPO_ROOT"

scale=${RFM_BENCH_SCALE:-1}
runs=${RFM_BENCH_RUNS:-3}
n1=$((1000000 / scale))
n10=$((10000000 / scale))
nclv=$((1000000 / scale))
ensure_packages "${BUILD_PACKAGES[@]}"
build_and_install
cluster_start
trap 'cluster_remove; citus_cluster_remove' EXIT
db=rfm_bench
psql_q -d postgres -c "CREATE DATABASE $db"
psql_q -d $db -c "CREATE EXTENSION rfm_kmeans" -f scripts/online_retail.sql \
	-f bench/bench.sql -f bench/rfm_tables.sql -f bench/clv_tables.sql

log "generating rfm_1m ($n1 rows), rfm_10m ($n10 rows) and txn_10m ($n10 invoice lines)"
psql_q -d $db <<SQL
SELECT bench.make_rfm_table('rfm_1m', $n1);
SELECT bench.make_rfm_table('rfm_10m', $n10);
-- the one-pass quality check's 8-feature, 12-center blobs
SELECT bench.make_blobs_table('blobs_1m', $n1, 8, 12);
-- invoices of about 4.5 lines over 1M customer ids drawn uniformly
CREATE UNLOGGED TABLE lines_raw (LIKE online_retail);
SELECT rfm_data.generate_invoices('lines_raw', 1000000 / $scale, ceil($n10 / 4.0)::int, 5, 42, 1.0);
CREATE UNLOGGED TABLE txn_10m AS
SELECT customer_id::bigint AS customer_id, invoice_no,
       ltrim(invoice_no, 'C')::bigint AS invoice_id,
       invoice_date::timestamptz AS ts, (quantity * unit_price)::float8 AS amount
FROM lines_raw WHERE customer_id IS NOT NULL LIMIT $n10;
DROP TABLE lines_raw;
SQL
log "generating clv_1m ($nclv customers: BG/NBD r 0.25 alpha 4 a 0.8 b 2.5, Gamma-Gamma p 6 q 4 v 15)"
t0=$SECONDS
psql_q -d $db -c "SELECT bench.make_clv_table('clv_1m', $nclv)" >/dev/null
log "clv_1m generated in $((SECONDS - t0)) s"
psql_q -d $db -c "VACUUM ANALYZE rfm_1m, rfm_10m, txn_10m, clv_1m"

# CLV: the reference time of the summaries (txn_10m's last line, as a
# literal), the built-in SQL equivalent of clv_summary() (purchase days are
# UTC days with their summed spend, lines with amount < 0 left out; x = days
# - 1, t_x and t_cal in weeks, m_x the mean spend of the days after the
# first), and the models fitted once on clv_1m for scoring
asof=$(psql_q -d $db -At -c "SELECT max(ts) FROM txn_10m")
clv_builtin="SELECT customer_id, count(*) - 1 AS x, (max(day) - min(day)) / 7.0::float8 AS t_x,
       ((timestamptz '$asof' AT TIME ZONE 'UTC')::date - min(day)) / 7.0::float8 AS t_cal,
       avg(spend) FILTER (WHERE day > first_day) AS m_x
FROM (SELECT customer_id, (ts AT TIME ZONE 'UTC')::date AS day, sum(amount) AS spend,
             min((ts AT TIME ZONE 'UTC')::date) OVER (PARTITION BY customer_id) AS first_day
      FROM txn_10m WHERE amount >= 0
      GROUP BY customer_id, day) d
GROUP BY customer_id"
clv_summary="SELECT customer_id, rfm_kmeans.clv_summary(ts, amount, timestamptz '$asof') AS s FROM txn_10m GROUP BY customer_id"
log "CLV: fitting clv_1m's models, checking the built-in SQL against clv_summary() and the fits against the truth"
psql_q -d $db <<SQL
CREATE TABLE bench.clv_params AS
SELECT (SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM clv_1m) AS bg,
       (SELECT rfm_kmeans.gamma_gamma_fit(x, m_x) FROM clv_1m) AS gg;
CREATE TABLE bench.clv_recovery AS
SELECT 'BG/NBD' AS model, * FROM bench.bgnbd_recovery('clv_1m', (SELECT bg FROM bench.clv_params))
UNION ALL
SELECT 'Gamma-Gamma', * FROM bench.gamma_gamma_recovery('clv_1m', (SELECT gg FROM bench.clv_params));
-- the built-in SQL gives clv_summary()'s x, t_x, t_cal, m_x (t_x and t_cal
-- to the last bit but one: days / 7 against days * (1 / 7)) on every tenth
-- customer; clv_summary() is NULL for customers with returns only, whom
-- the built-in SQL leaves out
CREATE TEMP TABLE txn_check AS SELECT * FROM txn_10m WHERE customer_id % 10 = 0;
CREATE TABLE bench.clv_check AS
SELECT count(*) AS customers,
       count(*) FILTER (WHERE ((b.customer_id IS NULL AND e.x IS NULL)
           OR (e.x = b.x AND abs(e.t_x - b.t_x) <= 1e-12 * b.t_x AND abs(e.t_cal - b.t_cal) <= 1e-12 * b.t_cal
               AND ((e.m_x IS NULL AND b.m_x IS NULL) OR abs(e.m_x - b.m_x) <= 1e-12 * abs(b.m_x)))) IS NOT TRUE) AS different
FROM (SELECT customer_id, (s).* FROM (${clv_summary//txn_10m/txn_check}) q) e FULL JOIN (${clv_builtin//txn_10m/txn_check}) b USING (customer_id);
SQL

feat="ARRAY['recency', 'frequency', 'monetary']"
init="ARRAY[[8,20,4000],[30,8,1200],[90,3,400],[200,1.5,150],[330,1,60]]::float8[]"
fixed="init_centroids => $init, max_iter => 20, tol => 0"
floor1="SELECT sum(recency), sum(frequency), sum(monetary) FROM rfm_1m"
floor10="SELECT sum(recency), sum(frequency), sum(monetary) FROM rfm_10m"
onepass1="SELECT * FROM rfm_kmeans.train('o', 'rfm_1m', $feat, 5, mode => 'onepass')"
onepass10="SELECT * FROM rfm_kmeans.train('o', 'rfm_10m', $feat, 5, mode => 'onepass')"
memory1="SELECT * FROM rfm_kmeans.train('m', 'rfm_1m', $feat, 5, $fixed, mode => 'memory')"
aggregate1="SELECT * FROM rfm_kmeans.train('a', 'rfm_1m', $feat, 5, $fixed, mode => 'aggregate')"
builtin_text="SELECT customer_id, max(ts), count(DISTINCT invoice_no), sum(amount) FROM txn_10m GROUP BY customer_id"
builtin_bigint="SELECT customer_id, max(ts), count(DISTINCT invoice_id), sum(amount) FROM txn_10m GROUP BY customer_id"
rfm_text="SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_no, timestamptz '2011-12-10') FROM txn_10m GROUP BY customer_id"
rfm_bigint="SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_id, timestamptz '2011-12-10') FROM txn_10m GROUP BY customer_id"
floor_txn="SELECT sum(customer_id), sum(invoice_id), sum(amount) FROM txn_10m"
floor_clv="SELECT sum(x), sum(t_x), sum(t_cal) FROM clv_1m"
serial="'{max_parallel_workers_per_gather=0}'"
workers2="'{max_parallel_workers_per_gather=2}'"

# memory-mode training runs its passes on one thread per core (the floor and
# everything else stay serial): rfm_kmeans.max_threads. A query with a
# ratio target runs side by side with its reference (bench.time_against:
# the reference, then the query, in each run), and its ratio is the median
# of the runs' ratios: the machine's speed drifts over minutes, which a
# ratio of medians measured apart would take for the query's.
threads=$(nproc)
# One-pass training of 1M rows with 2 workers against serial, in a session
# of its own that has run no JIT-compiled query: once a query of a session
# is JIT-compiled (the 10M queries below are, and aggregate mode's scans
# at 1M), the backend has loaded LLVM, and PostgreSQL loads
# every library of the leader into each parallel worker it starts, LLVM
# too: some 14 ms more per parallel query on this machine (the floor of
# rfm_1m with 2 workers went from 43 to 57 ms), which at 1M is the size of
# what the workers save. The main session repeats the one-pass pair after
# its JIT-compiled queries, for comparison. These queries are short: at
# least 7 runs.
runs1=$(( runs > 7 ? runs : 7 ))
log "timing one-pass training of 1M rows with 2 workers in a session without JIT ($runs1 runs)"
psql_q -d $db <<SQL
\o /dev/null
SET max_parallel_workers_per_gather = 0;
SET rfm_kmeans.max_threads = $threads;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SELECT count(*) FROM rfm_1m;
SELECT bench.time_against('train onepass, 2 workers 1m', \$q\$$onepass1\$q\$, 'serial', \$q\$$onepass1\$q\$, $runs1, $workers2, $serial);
\o
\t on
SELECT 'warning: LLVM was loaded in the session of the one-pass 1M pair' AS note WHERE bench.llvm_loaded();
SQL
log "timing ($runs runs each)"
psql_q -d $db <<SQL
\o /dev/null
SET max_parallel_workers_per_gather = 0;
SET rfm_kmeans.max_threads = $threads;
-- warm the cache: every measured run reads the same pages
SELECT count(*) FROM rfm_1m; SELECT count(*) FROM rfm_10m; SELECT count(*) FROM txn_10m; SELECT count(*) FROM clv_1m;

SELECT bench.time_query('floor 1m', '$floor1', $runs);
SELECT bench.time_query('floor 10m', '$floor10', $runs);
SELECT bench.time_against('train memory, 20 iterations 1m', \$q\$$memory1\$q\$, 'floor', '$floor1', $runs);
SELECT bench.time_against('train memory, 20 iterations 10m', \$q\$SELECT * FROM rfm_kmeans.train('m', 'rfm_10m', $feat, 5, $fixed, mode => 'memory')\$q\$, 'floor', '$floor10', $runs);
SET rfm_kmeans.max_threads = 1;
SELECT bench.time_against('train memory, 20 iterations, 1 thread 10m', \$q\$SELECT * FROM rfm_kmeans.train('m', 'rfm_10m', $feat, 5, $fixed, mode => 'memory')\$q\$, 'floor', '$floor10', $runs);
SET rfm_kmeans.max_threads = $threads;
SELECT bench.time_against('train defaults 1m', \$q\$SELECT * FROM rfm_kmeans.train('d', 'rfm_1m', $feat, 5)\$q\$, 'floor', '$floor1', $runs);
SELECT bench.time_against('train defaults 10m', \$q\$SELECT * FROM rfm_kmeans.train('d', 'rfm_10m', $feat, 5)\$q\$, 'floor', '$floor10', $runs);
SELECT bench.time_against('train onepass 1m', \$q\$$onepass1\$q\$, 'floor', '$floor1', $runs);
SELECT bench.time_against('train onepass 10m', \$q\$$onepass10\$q\$, 'floor', '$floor10', $runs);
SELECT bench.time_against('train aggregate, 20 iterations, serial 1m', \$q\$$aggregate1\$q\$, 'floor', '$floor1', $runs);
-- one aggregate-mode iteration: 21 iterations less 1, over 20
SELECT bench.time_iteration('aggregate iteration, serial 1m', 'rfm_1m', $feat, $init, $runs);
SELECT bench.time_iteration('aggregate iteration, serial 10m', 'rfm_10m', $feat, $init, $runs);
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
-- with 2 workers, each run beside the serial one
SELECT bench.time_against('train aggregate, 20 iterations, 2 workers 1m', \$q\$$aggregate1\$q\$, 'serial', \$q\$$aggregate1\$q\$, $runs, $workers2, $serial);
-- 1M after the session's JIT-compiled queries (each worker loads LLVM): see above
SELECT bench.time_against('train onepass, 2 workers 1m, session with JIT', \$q\$$onepass1\$q\$, 'serial', \$q\$$onepass1\$q\$, $runs, $workers2, $serial);
SELECT bench.time_against('train onepass, 2 workers 10m', \$q\$$onepass10\$q\$, 'serial', \$q\$$onepass10\$q\$, $runs, $workers2, $serial);
SET max_parallel_workers_per_gather = 2;
SELECT bench.time_iteration('aggregate iteration, 2 workers 1m', 'rfm_1m', $feat, $init, $runs);
SELECT bench.time_iteration('aggregate iteration, 2 workers 10m', 'rfm_10m', $feat, $init, $runs);
SELECT bench.time_query('builtin max, count(DISTINCT bigint), sum, 2 workers', \$q\$$builtin_bigint\$q\$, $runs);
-- rfm() with 2 workers against the serial built-in
SELECT bench.time_against('rfm(), text order key, 2 workers', \$q\$$rfm_text\$q\$, 'serial built-in', \$q\$$builtin_text\$q\$, $runs, $workers2, $serial);
SELECT bench.time_against('rfm(), bigint order key, 2 workers', \$q\$$rfm_bigint\$q\$, 'serial built-in', \$q\$$builtin_bigint\$q\$, $runs, $workers2, $serial);
SET max_parallel_workers_per_gather = 0;
SELECT bench.time_against('sum(predict) 10m', \$q\$SELECT sum(rfm_kmeans.predict('m', recency, frequency, monetary)) FROM rfm_10m\$q\$, 'floor', '$floor10', $runs);
SELECT bench.time_against('sum(assign) 10m', \$q\$SELECT sum((rfm_kmeans.assign('m', recency, frequency, monetary)).distance) FROM rfm_10m\$q\$, 'floor', '$floor10', $runs);
SELECT bench.time_against('sum(predict_row) 10m', \$q\$SELECT sum(rfm_kmeans.predict_row('m', t)) FROM rfm_10m t\$q\$, 'floor', '$floor10', $runs);
SELECT bench.time_against('plain SQL, 20 iterations 1m', \$q\$SELECT bench.plain_sql_kmeans('rfm_1m', ARRAY[[-1,1.5,1.5],[-0.7,0,0],[-0.2,-0.5,-0.4],[0.8,-0.7,-0.5],[2,-0.8,-0.6]]::float8[], 20)\$q\$, 'memory training', \$q\$$memory1\$q\$, $runs);
SELECT bench.time_query('builtin max, count(DISTINCT text), sum', \$q\$$builtin_text\$q\$, $runs);
SELECT bench.time_against('rfm(), text order key', \$q\$$rfm_text\$q\$, 'built-in', \$q\$$builtin_text\$q\$, $runs);
SELECT bench.time_query('builtin max, count(DISTINCT bigint), sum', \$q\$$builtin_bigint\$q\$, $runs);
SELECT bench.time_against('rfm(), bigint order key', \$q\$$rfm_bigint\$q\$, 'built-in', \$q\$$builtin_bigint\$q\$, $runs);
SELECT bench.time_query('builtin max, count, sum (no DISTINCT)', \$q\$SELECT customer_id, max(ts), count(invoice_id), sum(amount) FROM txn_10m GROUP BY customer_id\$q\$, $runs);
SELECT bench.time_query('floor txn_10m', '$floor_txn', $runs);
SELECT bench.time_against('builtin CLV summary (per-day sums, window, GROUP BY)', \$q\$$clv_builtin\$q\$, 'floor', '$floor_txn', $runs);
SELECT bench.time_against('clv_summary() by customer', \$q\$$clv_summary\$q\$, 'built-in', \$q\$$clv_builtin\$q\$, $runs);
SELECT bench.time_query('floor clv_1m', '$floor_clv', $runs);
SELECT bench.time_against('bgnbd_fit() clv_1m', 'SELECT rfm_kmeans.bgnbd_fit(x, t_x, t_cal) FROM clv_1m', 'floor', '$floor_clv', $runs);
SELECT bench.time_against('sum(clv()), 12 months, clv_1m', \$q\$SELECT sum(rfm_kmeans.clv((SELECT bg FROM bench.clv_params), (SELECT gg FROM bench.clv_params), x, t_x, t_cal, m_x, 12, 0.01)) FROM clv_1m\$q\$, 'floor', '$floor_clv', $runs);
SQL

log "peak memory of memory-mode training on rfm_10m"
# a fresh backend: VmHWM before (library loaded) and after training
mem=$(psql_q -d $db -At -F' ' <<SQL
SET rfm_kmeans.max_threads = $threads;
SELECT rfm_kmeans.rfm_score(1, '{1}', true);
SELECT bench.vm_hwm_kb() AS hwm0, bench.rss_shmem_kb() AS shm0 \gset
SELECT count(*) FROM rfm_kmeans.train('m', 'rfm_10m', $feat, 5, $fixed, mode => 'memory');
SELECT :hwm0, :shm0, bench.vm_hwm_kb(), bench.rss_shmem_kb(), (SELECT n_rows FROM rfm_kmeans.models WHERE name = 'm');
SQL
)
read -r _ _ hwm_before shm_before hwm_after shm_after rows <<<"$(echo $mem)"

echo
echo "rfm_kmeans benchmark: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(uname -m), PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}'), work_mem $(psql_q -d $db -At -c 'SHOW work_mem'), shared_buffers $(psql_q -d $db -At -c 'SHOW shared_buffers'); memory-mode training on $threads threads (rfm_kmeans.max_threads); $runs runs each, median and spread; ratios: the median of the runs' ratios to the reference run beside each"
psql_q -d $db -v hwm_before="$hwm_before" -v hwm_after="$hwm_after" -v shm_before="$shm_before" \
	-v shm_after="$shm_after" -v rows="$rows" <<'SQL'
\pset footer off
WITH s AS (SELECT * FROM bench.summary),
f AS (SELECT (SELECT median_s FROM s WHERE label = 'floor 1m') AS f1,
             (SELECT median_s FROM s WHERE label = 'floor 10m') AS f10),
t(ord, label, against, target) AS (VALUES
	(1, 'floor 1m', NULL, NULL),
	(2, 'floor 10m', NULL, NULL),
	(3, 'train memory, 20 iterations 1m', 'floor', '<= 2.0x'),
	(4, 'train memory, 20 iterations 10m', 'floor', '<= 2.0x'),
	(4.5, 'train memory, 20 iterations, 1 thread 10m', 'floor', NULL),
	(4.6, 'train onepass 1m', 'floor', '<= 1.5x'),
	(4.7, 'train onepass 10m', 'floor', '<= 1.5x'),
	(4.8, 'train onepass, 2 workers 1m', 'serial onepass', '> 1.0x faster'),
	(4.85, 'train onepass, 2 workers 1m, session with JIT', 'serial onepass', NULL),
	(4.9, 'train onepass, 2 workers 10m', 'serial onepass', '> 1.0x faster'),
	(5, 'train defaults 1m', 'floor', NULL),
	(6, 'train defaults 10m', 'floor', '<= 5.0x'),
	(7, 'train aggregate, 20 iterations, serial 1m', 'floor', NULL),
	(7.1, 'aggregate iteration, serial 1m', 'floor', '<= 2.0x'),
	(7.2, 'aggregate iteration, serial 10m', 'floor', NULL),
	(8, 'train aggregate, 20 iterations, 2 workers 1m', 'serial aggregate', NULL),
	(8.1, 'aggregate iteration, 2 workers 1m', 'serial iteration', NULL),
	(8.2, 'aggregate iteration, 2 workers 10m', 'serial iteration', '>= 1.6x faster'),
	(9, 'sum(predict) 10m', 'floor', '<= 1.5x'),
	(10, 'sum(assign) 10m', 'floor', '<= 1.5x'),
	(10.1, 'sum(predict_row) 10m', 'floor', '<= 1.5x'),
	(11, 'plain SQL, 20 iterations 1m', 'memory train', '>= 20x slower'),
	(12, 'builtin max, count(DISTINCT text), sum', NULL, NULL),
	(13, 'rfm(), text order key', 'builtin', '>= 1.5x faster'),
	(14, 'builtin max, count(DISTINCT bigint), sum', NULL, NULL),
	(15, 'rfm(), bigint order key', 'builtin', '>= 1.5x faster'),
	(15.1, 'builtin max, count, sum (no DISTINCT)', NULL, NULL),
	(15.2, 'rfm(), text order key, 2 workers', 'builtin', '>= 1.5x faster'),
	(15.3, 'rfm(), bigint order key, 2 workers', 'builtin', '>= 1.5x faster'),
	(15.4, 'builtin max, count(DISTINCT bigint), sum, 2 workers', NULL, NULL),
	(16, 'floor txn_10m', NULL, NULL),
	(17, 'builtin CLV summary (per-day sums, window, GROUP BY)', 'floor txn', NULL),
	(18, 'clv_summary() by customer', 'builtin clv', '< 1.0x built-in'),
	(19, 'floor clv_1m', NULL, NULL),
	(20, 'bgnbd_fit() clv_1m', 'floor clv', '<= 10x'),
	(21, 'sum(clv()), 12 months, clv_1m', 'floor clv', '<= 3.0x'))
SELECT t.label, round(s.median_s::numeric, 3) AS median_s,
       round(s.min_s::numeric, 3) || ' .. ' || round(s.max_s::numeric, 3) AS spread_s,
       -- side by side (bench.paired: the median of the runs' ratios) where
       -- the query ran beside its reference, else a ratio of medians
       CASE t.against
         WHEN 'floor' THEN round(coalesce(p.ratio, s.median_s / CASE WHEN t.label LIKE '%10m' THEN f.f10 ELSE f.f1 END)::numeric, 2) || 'x floor'
         WHEN 'serial aggregate' THEN round((1 / p.ratio)::numeric, 2) || 'x faster'
         WHEN 'serial onepass' THEN round((1 / p.ratio)::numeric, 2) || 'x faster'
         WHEN 'serial iteration' THEN round(((SELECT median_s FROM s WHERE label = replace(t.label, '2 workers', 'serial')) / s.median_s)::numeric, 2) || 'x faster'
         WHEN 'memory train' THEN round(p.ratio::numeric, 1) || 'x slower'
         WHEN 'floor txn' THEN round(p.ratio::numeric, 2) || 'x floor'
         WHEN 'floor clv' THEN round(p.ratio::numeric, 2) || 'x floor'
         WHEN 'builtin clv' THEN round(p.ratio::numeric, 2)
                                 || 'x built-in, ' || round((s.median_s / (SELECT median_s FROM s WHERE label = 'floor txn_10m'))::numeric, 2) || 'x floor'
         WHEN 'builtin' THEN round((1 / p.ratio)::numeric, 2) || 'x faster than built-in (serial)'
       END AS ratio,
       t.target
FROM t JOIN s USING (label) LEFT JOIN bench.paired p USING (label), f ORDER BY t.ord;
SELECT :'rows'::bigint AS rows, 3 AS features,
       round(:'rows'::bigint * 3 * 8 / 1048576.0, 1) AS "n*d*8 MB",
       round((:'hwm_after'::bigint - :'hwm_before'::bigint) / 1024.0, 1) AS "VmHWM growth MB",
       round((:'shm_after'::bigint - :'shm_before'::bigint) / 1024.0, 1) AS "of it shared buffers MB",
       round(((:'hwm_after'::bigint - :'hwm_before'::bigint) - (:'shm_after'::bigint - :'shm_before'::bigint)) / 1024.0, 1) AS "private peak MB",
       round(((:'hwm_after'::bigint - :'hwm_before'::bigint) - (:'shm_after'::bigint - :'shm_before'::bigint)) * 1024.0
             / (:'rows'::bigint * 3 * 8), 2) AS "private / (n*d*8), target <= 1.2";
SELECT 'built-in CLV summary = clv_summary(), every 10th customer of txn_10m' AS "check",
       customers, different, CASE WHEN different = 0 THEN 'PASS' ELSE 'MISS' END AS result
FROM bench.clv_check;
SELECT model, parameter, round(truth::numeric, 4) AS truth, round(fitted::numeric, 4) AS fitted,
       round(se::numeric, 4) AS se, round(z::numeric, 2) AS z, result
FROM bench.clv_recovery;
SQL

# One-pass quality: one-pass and memory-mode training with the same k and
# seed (defaults: k-means++), each model's inertia computed exactly over
# every row (bench.exact_inertia, one kmeans_step() scan); the Online
# Retail customers' RFM features when the real data is there.
log "one-pass quality against memory mode (exact inertia over every row)"
retail=""
if csv=$(retail_csv_path); then
	psql_q -d $db -f scripts/online_retail.sql >/dev/null
	load_invoices "$db" "$csv"
	psql_q -d $db -c "CREATE TABLE retail_features AS
		SELECT customer_id, (f).recency_days AS recency, ln(1 + (f).frequency) AS log_frequency,
		       ln(1 + greatest((f).monetary, 0)) AS log_monetary
		FROM (SELECT customer_id, rfm_kmeans.rfm(invoice_date, (quantity * unit_price)::float8, invoice_no,
		                                         timestamptz '2011-12-10') AS f
		      FROM online_retail WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%'
		      GROUP BY customer_id) s" >/dev/null
	retail="('Online Retail RFM (log frequency, log monetary)', 'retail_features', ARRAY['recency', 'log_frequency', 'log_monetary'], 5),"
fi
psql_q -d $db <<SQL
\pset footer off
SET rfm_kmeans.max_threads = $threads;
CREATE TEMP TABLE quality AS
SELECT q.* FROM (VALUES $retail
	('rfm_1m', 'rfm_1m', $feat, 5),
	('rfm_10m', 'rfm_10m', $feat, 5),
	('blobs, 8 features, 12 centers', 'blobs_1m', ARRAY['x1', 'x2', 'x3', 'x4', 'x5', 'x6', 'x7', 'x8'], 12)) v(data, rel, features, k),
     LATERAL bench.onepass_quality(v.data, v.rel::regclass, v.features, v.k) q;
SELECT data, k, n_rows, round(memory::numeric, 1) AS memory_inertia, round(onepass::numeric, 1) AS onepass_inertia,
       round((onepass / memory)::numeric, 4) AS ratio, '<= 1.01' AS target,
       CASE WHEN onepass <= 1.01 * memory THEN 'met' ELSE 'MISSED' END AS result
FROM quality;
SQL

# On Citus: the same work on a table distributed over two workers and on a
# local copy on the coordinator, all three nodes on this machine (so this
# measures what distribution costs and where the work runs, not a speed-up:
# the nodes share its cores). Skipped without Citus or its source.
if citus_ensure; then
	citus_n=$((1000000 / scale))
	citus_cluster_start
	log "Citus: generating rfm_d (distributed) and rfm_l (local), $citus_n rows each"
	citus_psql "$CITUS_PORT" -q -c "CREATE EXTENSION rfm_kmeans" -c "SELECT rfm_kmeans.citus_setup()" \
		-f scripts/online_retail.sql -f bench/bench.sql -f bench/rfm_tables.sql >/dev/null
	citus_psql "$CITUS_PORT" -q >/dev/null <<SQL
SELECT bench.make_rfm_table('rfm_l', $citus_n);
CREATE TABLE rfm_d (LIKE rfm_l);
SELECT create_distributed_table('rfm_d', 'customer_id');
INSERT INTO rfm_d SELECT * FROM rfm_l;
CREATE UNLOGGED TABLE lines_raw (LIKE online_retail);
SELECT rfm_data.generate_invoices('lines_raw', 100000 / $scale, ceil($citus_n / 4.0)::int, 5, 42, 1.0);
CREATE TABLE txn_l AS
SELECT customer_id::bigint AS customer_id, invoice_no, invoice_date::timestamptz AS ts,
       (quantity * unit_price)::float8 AS amount
FROM lines_raw WHERE customer_id IS NOT NULL LIMIT $citus_n;
DROP TABLE lines_raw;
CREATE TABLE txn_d (LIKE txn_l);
SELECT create_distributed_table('txn_d', 'customer_id');
INSERT INTO txn_d SELECT * FROM txn_l;
VACUUM ANALYZE rfm_l, rfm_d, txn_l, txn_d;
SELECT rfm_kmeans.train('m', 'rfm_l', $feat, 5, $fixed);
SQL
	log "Citus: timing ($runs runs each)"
	citus_psql "$CITUS_PORT" -q <<SQL
\o /dev/null
SET max_parallel_workers_per_gather = 0;
SELECT count(*) FROM rfm_l; SELECT count(*) FROM rfm_d; SELECT count(*) FROM txn_l; SELECT count(*) FROM txn_d;
SELECT bench.time_query('floor, local', 'SELECT sum(recency), sum(frequency), sum(monetary) FROM rfm_l', $runs);
SELECT bench.time_query('floor, distributed', 'SELECT sum(recency), sum(frequency), sum(monetary) FROM rfm_d', $runs);
SELECT bench.time_query('train defaults, local', \$q\$SELECT * FROM rfm_kmeans.train('t', 'rfm_l', $feat, 5)\$q\$, $runs);
SELECT bench.time_query('train defaults, distributed (one-pass mode)', \$q\$SELECT * FROM rfm_kmeans.train('t', 'rfm_d', $feat, 5)\$q\$, $runs);
SELECT bench.time_query('train onepass, local', \$q\$SELECT * FROM rfm_kmeans.train('t', 'rfm_l', $feat, 5, mode => 'onepass')\$q\$, $runs);
SELECT bench.time_iteration('aggregate iteration, local', 'rfm_l', $feat, $init, $runs);
SELECT bench.time_iteration('aggregate iteration, distributed', 'rfm_d', $feat, $init, $runs);
SELECT bench.time_query('sum(predict), local', \$q\$SELECT sum(rfm_kmeans.predict('m', recency, frequency, monetary)) FROM rfm_l\$q\$, $runs);
SELECT bench.time_query('sum(predict), distributed (on the workers)', \$q\$SELECT sum(rfm_kmeans.predict('m', recency, frequency, monetary)) FROM rfm_d\$q\$, $runs);
SELECT bench.time_query('rfm() by customer, local', \$q\$SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_no, timestamptz '2011-12-10') FROM txn_l GROUP BY customer_id\$q\$, $runs);
SELECT bench.time_query('rfm() by customer, distributed', \$q\$SELECT customer_id, rfm_kmeans.rfm(ts, amount, invoice_no, timestamptz '2011-12-10') FROM txn_d GROUP BY customer_id\$q\$, $runs);
\o
\pset footer off
SELECT label, round(median_s::numeric, 3) AS median_s,
       round(min_s::numeric, 3) || ' .. ' || round(max_s::numeric, 3) AS spread_s
FROM bench.summary
ORDER BY CASE WHEN label LIKE 'floor%' THEN 0 WHEN label LIKE 'train%' THEN 1 WHEN label LIKE 'aggregate%' THEN 2
              WHEN label LIKE 'sum%' THEN 3 ELSE 4 END, label DESC;
SQL
	echo "(Citus $CITUS_VERSION: a coordinator and two workers on this machine, $citus_n rows; rfm() on $citus_n invoice lines)"
else
	log "Citus rows skipped: no Citus and no source at $CITUS_TARBALL"
fi

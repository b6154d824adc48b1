#!/usr/bin/env bash
# Run every test of rfm_kmeans on a throwaway cluster:
#   pg_regress (sql/ + expected/, `make installcheck`: upgrade and
#   parallel plans included), pgTAP (test/pgtap/, pg_prove), dump and
#   restore, the demo's report in headless Chromium, the Debian package
#   (build, lintian, install, autopkgtest, purge), scheduled
#   retraining with pg_cron, cancellation, sqlsmith, valgrind, the C unit
#   tests of src/core/ under AddressSanitizer + UBSan, and a bounded
#   libFuzzer run of every fuzz target (RFM_FUZZ_SECONDS each, default 20).
# Installs missing Debian packages (apt-get, via sudo when not root), builds
# and installs the extension, starts a private PostgreSQL cluster and
# removes it at the end. Exits non-zero if any suite fails.
#
# Tests on the real UCI Online Retail data run when the file is found
# ($RFM_RETAIL_CSV, or ../shared/data/online_retail.csv.gz beside the
# checkout) and say they were skipped otherwise.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
. "$(dirname "$0")/lib/citus.sh"
cd "$REPO_ROOT"

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
build_and_install
# pg_cron for the scheduled-retraining suite: its scheduler lives in the
# database postgres and runs jobs in background workers (no connection).
CLUSTER_CONF="shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
cron.use_background_workers = on
max_worker_processes = 16" cluster_start
trap cluster_remove EXIT

failed=()
passed=()
skipped=()
# A suite passes (0), is skipped (77, having said why: the code automake
# uses, which no suite's tools exit with; make exits with 2 on a failure,
# and that must count as one) or fails.
run_suite() {
	local name=$1 rc=0
	shift
	log "suite: $name"
	"$@" || rc=$?
	case $rc in
		0) passed+=("$name") ;;
		77) skipped+=("$name") ;;
		*) failed+=("$name") ;;
	esac
}

regress() {
	# pg_regress writes its results next to the tests: keep them writable
	if make -s installcheck PG_CONFIG="$PG_BIN/pg_config"; then
		return 0
	fi
	[ -f regression.diffs ] && cat regression.diffs
	return 1
}

pgtap() {
	local db=rfm_kmeans_tap csv=""
	psql_q -d postgres -c "CREATE DATABASE $db"
	psql_q -d "$db" -c "CREATE EXTENSION pgtap; CREATE EXTENSION rfm_kmeans"
	# the invoice table layout, the data generator and helpers the tests use
	psql_q -d "$db" -f scripts/online_retail.sql -f test/pgtap/helpers.psql
	if csv=$(retail_csv_path); then
		load_invoices "$db" "$csv"
	else
		# the labels and report tests need invoices: generated ones will do
		log "real Online Retail data not found: its tests will be skipped; loading generated invoices"
		load_invoices "$db" ""
	fi
	# the CDNOW sample of the BG/NBD paper, for the CLV tests (skipped without it)
	psql_q -d "$db" -f scripts/cdnow.sql
	if csv=$(cdnow_path); then
		load_cdnow "$db" "$csv"
	else
		log "CDNOW data not found: the CLV tests on it will be skipped"
	fi
	pg_prove -d "$db" --ext .sql -r --set server_log="$CLUSTER_DIR/server.log" test/pgtap
}

# rfm_kmeans on Citus: a coordinator and two workers of their own, with
# Citus built from ../shared/vendor when this server does not have it. A
# subshell, so that a failure to start ends this suite only, and its
# cluster goes with it.
citus_suite() (
	if ! citus_ensure; then
		echo "skipped - the Citus suite needs Citus or its source ($CITUS_TARBALL)"
		exit 77
	fi
	trap citus_cluster_remove EXIT
	citus_cluster_start
	citus_psql "$CITUS_PORT" -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION rfm_kmeans" >/dev/null
	PGHOST=127.0.0.1 PGPORT=$CITUS_PORT PGUSER=postgres pg_prove -d "$CITUS_DB" --ext .sql -r test/citus
)

# Edited and added segment rules, and k-means models, survive pg_dump /
# pg_restore (custom format) into a fresh database, and assign() gives the
# same answers after the restore.
same_after_restore() {
	local what=$1 query=$2 a b
	a=$(psql_q -At -d rfm_dump_src -c "$query")
	b=$(psql_q -At -d rfm_dump_dst -c "$query")
	if [ -z "$a" ] || [ "$a" != "$b" ]; then
		echo "not ok - $what differ after restore:"
		diff <(echo "$a") <(echo "$b") || true
		return 1
	fi
	echo "ok - $what: $(echo "$b" | wc -l) rows identical after pg_dump/pg_restore"
}

dump_restore() {
	local dump="$CLUSTER_DIR/rfm.dump"
	psql_q -d postgres -c "CREATE DATABASE rfm_dump_src" -c "CREATE DATABASE rfm_dump_dst"
	psql_q -d rfm_dump_src -c "CREATE EXTENSION rfm_kmeans" \
		-c "UPDATE rfm_kmeans.segment_rules SET segment = 'VIP', m_min = 5 WHERE priority = 10" \
		-c "INSERT INTO rfm_kmeans.segment_rules (priority, segment, m_min) VALUES (5, 'Whales', 5)" \
		-c "CREATE TABLE pts AS SELECT i, (i % 4) * 3.0 + (i % 7) * 0.1 AS a, (i % 5) * 0.7 AS b FROM generate_series(1, 2000) i" \
		-c "SELECT model FROM rfm_kmeans.train('four', 'pts', ARRAY['a', 'b'], 3)" \
		-c "SELECT model FROM rfm_kmeans.train('four', 'pts', ARRAY['a', 'b'], 4)" \
		-c "SELECT model FROM rfm_kmeans.train('two', 'pts', ARRAY['b'], 2, scale => 'minmax')"
	"$PG_BIN/pg_dump" -Fc -d rfm_dump_src -f "$dump"
	"$PG_BIN/pg_restore" --exit-on-error -d rfm_dump_dst "$dump"
	same_after_restore "segment rules" "SELECT r FROM rfm_kmeans.segment_rules r ORDER BY priority" &&
		same_after_restore "models" "SELECT m FROM rfm_kmeans.models m ORDER BY name" &&
		same_after_restore "model versions" "SELECT v FROM rfm_kmeans.model_versions v ORDER BY name, version" &&
		same_after_restore "assignments" "SELECT i, rfm_kmeans.assign('four', a, b), rfm_kmeans.predict('two', b) FROM pts ORDER BY i"
}

# The whole journey of scripts/demo.sql on generated invoices, then its
# HTML report opened in headless Chromium: the DOM must hold the k legend
# entries, the scatter plot with its points and k centroid marks, the bar
# charts, and the customer lifetime value section (the demo passes the
# BG/NBD and Gamma-Gamma fits and a holdout period): its table and bars
# for the k clusters, the models' parameters, and the holdout chart with
# 8 groups (0 .. 6, 7+ repeat purchases) of a predicted and an actual bar
# each (none for a group without customers); the screenshot of the whole
# report must not be blank. The screenshot is kept at
# test/report/output/report.png (the README shows it).
report_in_chromium() {
	local db=rfm_report dir k dom stats groups empty bars out=test/report/output
	dir=$(mktemp -d /tmp/rfm_report.XXXXXX)
	psql_q -d postgres -c "CREATE DATABASE $db"
	psql_q -d "$db" -c "CREATE EXTENSION rfm_kmeans"
	load_invoices "$db" "" >/dev/null
	"$PG_BIN/psql" -X -d "$db" -v report="$dir/report.html" -f scripts/demo.sql >"$dir/demo.out" ||
		{ cat "$dir/demo.out"; return 1; }
	[ -s "$dir/report.html" ] || { echo "not ok - the demo wrote no report"; return 1; }
	k=$(psql_q -At -d "$db" -c "SELECT k FROM rfm_kmeans.models WHERE name = 'customers'")
	dom=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$dir/profile" \
		--dump-dom "file://$dir/report.html" 2>/dev/null)
	# no match counts 0, and is no failure
	count() { { grep -o "$1" <<<"$dom" || true; } | wc -l; }
	[ "$(count 'class="legend-item"')" -eq "$k" ] ||
		{ echo "not ok - $(count 'class="legend-item"') legend entries in the DOM, want $k"; return 1; }
	[ "$(count '<svg id="scatter"')" -eq 1 ] && [ "$(count 'class="point"')" -gt 100 ] &&
		[ "$(count 'class="centroid"')" -eq "$k" ] ||
		{ echo "not ok - the scatter plot, its points or its $k centroid marks are missing from the DOM"; return 1; }
	[ "$(count 'id="bars-customers"')" -eq 1 ] && [ "$(count 'id="bars-revenue"')" -eq 1 ] &&
		[ "$(count 'id="bars-clv"')" -eq 1 ] && [ "$(count 'class="bar"')" -eq $((3 * k)) ] ||
		{ echo "not ok - the bar charts (customers, revenue, CLV: 3 x $k bars) are missing from the DOM"; return 1; }
	[ "$(count '<section id="clv">')" -eq 1 ] && [ "$(count '<h2>Customer lifetime value</h2>')" -eq 1 ] &&
		[ "$(count '<tr data-cluster="[0-9]')" -eq "$k" ] && [ "$(count '<tr data-cluster="all">')" -eq 1 ] &&
		[ "$(count '<tr data-model="bgnbd">')" -eq 1 ] && [ "$(count '<tr data-model="gamma_gamma">')" -eq 1 ] ||
		{ echo "not ok - the CLV section, its table of $k clusters or its model parameters are missing from the DOM"; return 1; }
	groups=$(count 'class="holdout-group"')
	empty=$(count '>n = 0</text>')
	bars=$(count '<rect class="holdout-bar"')
	[ "$(count '<svg id="holdout-chart"')" -eq 1 ] && [ "$groups" -eq 8 ] && [ "$empty" -lt 8 ] &&
		[ "$bars" -eq $((2 * (8 - empty))) ] && [ "$(count '<tr data-frequency=')" -eq 9 ] ||
		{ echo "not ok - the holdout chart: $groups groups and $bars bars in the DOM, want 8 groups and $((2 * (8 - empty))) bars, and its table"; return 1; }
	echo "ok - Chromium's DOM of the report: $k legend entries, scatter with $(count 'class="point"') points and $k centroids, 3 x $k bars; CLV section with the holdout chart: 8 groups, $bars bars"
	# tall enough for the whole report, the CLV section at its end included
	timeout 120 chromium --headless --no-sandbox --disable-gpu --user-data-dir="$dir/profile" \
		--window-size=1000,3400 --screenshot="$dir/report.png" "file://$dir/report.html" >/dev/null 2>&1
	stats=$(python3 test/report/png_stats.py "$dir/report.png") || return 1
	read -r width height colours share <<<"$stats"
	# a blank page has 1 colour and nothing off the background
	[ "$colours" -ge 50 ] && awk -v s="$share" 'BEGIN { exit !(s >= 0.02) }' ||
		{ echo "not ok - the screenshot looks blank: $colours colours, $share of the pixels off the background"; return 1; }
	mkdir -p "$out" && cp "$dir/report.png" "$dir/report.html" "$out/"
	echo "ok - screenshot ${width}x${height}: $colours colours, $share of the pixels off the background; kept in $out/"
}

# Scheduled retraining with pg_cron (preloaded in the test cluster): the
# procedure of scripts/nightly_retrain.sql, scheduled every minute, must
# run within 100 s, write version 2 of the model (version 1 kept in the
# history), and assign() must then answer with the new model: every
# customer's cluster and distance equal the nearest centroid of version 2
# recomputed in SQL, and differ from version 1 for the drifted customers.
cron_retrain() {
	local db=rfm_cron v=1 i status bad changed
	psql_q -d postgres -c "CREATE EXTENSION IF NOT EXISTS pg_cron" -c "CREATE DATABASE $db"
	psql_q -d "$db" -c "CREATE EXTENSION rfm_kmeans"
	load_invoices "$db" "" >/dev/null
	psql_q -d "$db" -f scripts/nightly_retrain.sql -c "CALL refresh_customer_segments()" \
		-c "CREATE TABLE assigned_v1 AS SELECT customer_id, (rfm_kmeans.assign('customers', recency, log_frequency, log_monetary)).* FROM customer_features" \
		-c "UPDATE online_retail SET invoice_date = invoice_date - interval '90 days' WHERE customer_id % 3 = 0"
	psql_q -At -d postgres -c "SELECT cron.schedule_in_database('rfm-retrain-test', '* * * * *', 'CALL refresh_customer_segments()', '$db')" >/dev/null
	for i in $(seq 1 100); do
		v=$(psql_q -At -d "$db" -c "SELECT version FROM rfm_kmeans.models WHERE name = 'customers'")
		[ "$v" -ge 2 ] && break
		sleep 1
	done
	psql_q -At -d postgres -c "SELECT cron.unschedule('rfm-retrain-test')" >/dev/null
	status=$(psql_q -At -d postgres -c "SELECT string_agg(status || ': ' || coalesce(return_message, ''), '; ') FROM cron.job_run_details WHERE database = '$db'")
	[ "$v" -ge 2 ] || { echo "not ok - no new model version within 100 s (job runs: ${status:-none})"; return 1; }
	echo "ok - the pg_cron job ran after about $i s and wrote version $v of the model (job runs: $status)"
	[ "$(psql_q -At -d "$db" -c "SELECT count(*) FROM rfm_kmeans.model_history('customers')
		WHERE (version = 1 AND NOT is_current) OR (version = $v AND is_current)")" = 2 ] ||
		{ echo "not ok - the history does not hold version 1 beside the current version $v"; return 1; }
	bad=$(psql_q -At -d "$db" -c "
		WITH m AS (SELECT centroids, scale_factor, k FROM rfm_kmeans.models WHERE name = 'customers'),
		d AS (SELECT x.customer_id, c - 1 AS cl,
		             sqrt(sum(((x.p[j] - m.centroids[c][j]) / m.scale_factor[j]) ^ 2)) AS dist
		      FROM (SELECT customer_id, ARRAY[recency, log_frequency, log_monetary] AS p FROM customer_features) x,
		           m, generate_series(1, m.k) c, generate_series(1, 3) j
		      GROUP BY 1, 2),
		best AS (SELECT DISTINCT ON (customer_id) customer_id, cl, dist FROM d ORDER BY customer_id, dist, cl)
		SELECT count(*) FROM best b
		JOIN (SELECT customer_id, (rfm_kmeans.assign('customers', recency, log_frequency, log_monetary)).*
		      FROM customer_features) a USING (customer_id)
		WHERE a.cluster <> b.cl OR abs(a.distance - b.dist) > 1e-9 * (1 + b.dist)")
	[ "$bad" = 0 ] || { echo "not ok - $bad customers are not assigned to the nearest centroid of version $v"; return 1; }
	changed=$(psql_q -At -d "$db" -c "SELECT count(*) FROM assigned_v1 o JOIN customer_features f USING (customer_id),
		LATERAL (SELECT (rfm_kmeans.assign('customers', f.recency, f.log_frequency, f.log_monetary)).*) a
		WHERE o.cluster <> a.cluster OR o.distance <> a.distance")
	[ "$changed" -gt 0 ] || { echo "not ok - assign() answers as version 1 did"; return 1; }
	echo "ok - assign() uses version $v: every customer at the nearest centroid of version $v (checked in SQL), $changed answers differ from version 1"
	# the recipe keeps cluster numbers: version v's numbering has the least
	# total distance to the version before it among all 120 numberings
	bad=$(psql_q -At -d "$db" -c "
		WITH cur AS (SELECT * FROM rfm_kmeans.models WHERE name = 'customers'),
		prev AS (SELECT v.* FROM rfm_kmeans.model_versions v WHERE v.name = 'customers' ORDER BY v.version DESC LIMIT 1),
		dist AS (SELECT c, p, sqrt(sum(((cur.centroids[c + 1][j] - prev.centroids[p + 1][j]) / cur.scale_factor[j]) ^ 2)) AS d
		         FROM cur, prev, generate_series(0, 4) c, generate_series(0, 4) p, generate_series(1, 3) j GROUP BY c, p),
		perms AS (SELECT ARRAY[a, b, c, d, e] AS perm FROM generate_series(0, 4) a, generate_series(0, 4) b,
		          generate_series(0, 4) c, generate_series(0, 4) d, generate_series(0, 4) e
		          WHERE cardinality(ARRAY(SELECT DISTINCT unnest(ARRAY[a, b, c, d, e]))) = 5),
		totals AS (SELECT perm, (SELECT sum(dist.d) FROM dist WHERE dist.p = perm[dist.c + 1]) AS total FROM perms)
		SELECT (SELECT total FROM totals WHERE perm = ARRAY[0, 1, 2, 3, 4]) > (SELECT min(total) FROM totals) * (1 + 1e-12)")
	[ "$bad" = f ] || { echo "not ok - version $v's clusters are not numbered like version $((v - 1))'s"; return 1; }
	echo "ok - version $v's clusters are numbered like version $((v - 1))'s (least total distance of all 120 numberings; cluster_moves(): $(psql_q -At -d "$db" -c "SELECT string_agg(round(moved::numeric, 3)::text, ', ' ORDER BY cluster) FROM rfm_kmeans.cluster_moves('customers')"))"
}

# A cancelled training (statement_timeout) stops promptly, leaves the
# previous model exactly as it was, and the session stays usable.
cancel_keeps_model() {
	local db=rfm_cancel before after t0 t1 out ms
	psql_q -d postgres -c "CREATE DATABASE $db"
	psql_q -d "$db" -c "CREATE EXTENSION rfm_kmeans" \
		-c "CREATE TABLE big AS SELECT (i % 97)::float8 AS a, (i % 89)::float8 AS b, (i % 83)::float8 AS c FROM generate_series(1, 10000000) i" \
		-c "SELECT model FROM rfm_kmeans.train('m', 'big', ARRAY['a', 'b', 'c'], 3, max_iter => 2)" >/dev/null
	before=$(psql_q -At -d "$db" -c "SELECT m FROM rfm_kmeans.models m")
	t0=$(date +%s%N)
	out=$(psql_q -d "$db" -c "SET statement_timeout = '300ms'" \
		-c "SELECT rfm_kmeans.train('m', 'big', ARRAY['a', 'b', 'c'], 50, n_init => 20, tol => 0, max_iter => 1000)" 2>&1) && {
		echo "not ok - training was not cancelled"
		return 1
	}
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	after=$(psql_q -At -d "$db" -c "SELECT m FROM rfm_kmeans.models m")
	case "$out" in *"statement timeout"*) ;; *) echo "not ok - unexpected error: $out"; return 1 ;; esac
	[ "$before" = "$after" ] || { echo "not ok - the model changed"; return 1; }
	# psql start-up and the timeout itself are included: allow 1 s beyond it
	[ "$ms" -lt 1300 ] || { echo "not ok - cancelled after $ms ms (timeout 300 ms)"; return 1; }
	echo "ok - training cancelled by statement_timeout 300ms after $ms ms in all; the previous model is unchanged"

	# pg_cancel_backend from another session, likewise
	psql_q -d "$db" -c "SELECT rfm_kmeans.train('m', 'big', ARRAY['a', 'b', 'c'], 50, n_init => 20, tol => 0, max_iter => 1000)" \
		>"$CLUSTER_DIR/cancel.out" 2>&1 &
	local bg=$! pid="" i
	for i in $(seq 1 50); do
		pid=$(psql_q -At -d "$db" -c "SELECT pid FROM pg_stat_activity WHERE query LIKE '%rfm_kmeans.train(''m'', ''big''%' AND pid <> pg_backend_pid()")
		[ -n "$pid" ] && break
		sleep 0.1
	done
	[ -n "$pid" ] || { echo "not ok - the training backend was not found"; wait $bg; return 1; }
	sleep 0.3
	t0=$(date +%s%N)
	psql_q -At -d "$db" -c "SELECT pg_cancel_backend($pid)" >/dev/null
	if wait $bg; then echo "not ok - training was not cancelled by pg_cancel_backend"; return 1; fi
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	grep -q "canceling statement due to user request" "$CLUSTER_DIR/cancel.out" ||
		{ echo "not ok - unexpected error: $(cat "$CLUSTER_DIR/cancel.out")"; return 1; }
	after=$(psql_q -At -d "$db" -c "SELECT m FROM rfm_kmeans.models m")
	[ "$before" = "$after" ] || { echo "not ok - the model changed"; return 1; }
	[ "$ms" -lt 1000 ] || { echo "not ok - stopped $ms ms after pg_cancel_backend"; return 1; }
	echo "ok - training stopped $ms ms after pg_cancel_backend; the previous model is unchanged"

	# later, in the middle of the passes that run on two threads: the
	# backend's thread stops the helpers, then cancels
	t0=$(date +%s%N)
	out=$(psql_q -d "$db" -c "SET rfm_kmeans.max_threads = 2" -c "SET statement_timeout = '2500ms'" \
		-c "SELECT rfm_kmeans.train('m', 'big', ARRAY['a', 'b', 'c'], 50, n_init => 20, tol => 0, max_iter => 1000)" 2>&1) && {
		echo "not ok - threaded training was not cancelled"
		return 1
	}
	t1=$(date +%s%N)
	ms=$(((t1 - t0) / 1000000))
	case "$out" in *"statement timeout"*) ;; *) echo "not ok - unexpected error: $out"; return 1 ;; esac
	after=$(psql_q -At -d "$db" -c "SELECT m FROM rfm_kmeans.models m")
	[ "$before" = "$after" ] || { echo "not ok - the model changed"; return 1; }
	[ "$ms" -lt 3500 ] || { echo "not ok - threaded training cancelled after $ms ms (timeout 2500 ms)"; return 1; }
	grep -q "terminated by signal" "$CLUSTER_DIR/server.log" && { echo "not ok - a backend crashed"; return 1; }
	echo "ok - threaded training cancelled by statement_timeout 2500ms after $ms ms in all; the previous model is unchanged"
}

# sqlsmith: random queries over every function, type and table of a
# database with the extension, a model and data; the server must not crash.
# RFM_SQLSMITH_QUERIES (default 5000) sets how many; raise it for a long run.
sqlsmith_run() {
	local db=rfm_smith started after n=${RFM_SQLSMITH_QUERIES:-5000}
	psql_q -d postgres -c "CREATE DATABASE $db"
	psql_q -d "$db" -c "CREATE EXTENSION rfm_kmeans" \
		-c "CREATE TABLE pts AS SELECT i, (i % 5)::float8 AS a, (i % 3)::float8 AS b, now() - i * interval '1 hour' AS ts, 'o' || (i % 17) AS o FROM generate_series(1, 300) i" \
		-c "SELECT rfm_kmeans.train('m', 'pts', ARRAY['a', 'b'], 3)" >/dev/null
	started=$(psql_q -At -d "$db" -c "SELECT pg_postmaster_start_time()")
	timeout 600 sqlsmith --target="host=$PGHOST port=$PGPORT user=postgres dbname=$db" \
		--max-queries="$n" --seed=42 >"$CLUSTER_DIR/sqlsmith.log" 2>&1 || true
	after=$(psql_q -At -d "$db" -c "SELECT pg_postmaster_start_time()") || after="(server down)"
	if [ "$started" != "$after" ] || grep -q "terminated by signal" "$CLUSTER_DIR/server.log"; then
		echo "not ok - the server crashed under sqlsmith:"
		grep -B2 -A2 "terminated by signal" "$CLUSTER_DIR/server.log" | head -20
		return 1
	fi
	echo "ok - $n sqlsmith queries (seed 42) over a database with the extension, a model and data: no server crash"
}

# After every suite that used the cluster: the server never restarted, no
# backend died of a signal, and no database holds a model (current or
# earlier version) with a non-finite inertia or sizes that do not add up
# to its rows.
integrity() {
	local now db bad total=0
	now=$(psql_q -At -d postgres -c "SELECT pg_postmaster_start_time()") || now="(server down)"
	[ "$now" = "$STARTED_AT" ] || { echo "not ok - the server restarted during the suites ($STARTED_AT, now $now)"; return 1; }
	if grep -q "terminated by signal" "$CLUSTER_DIR/server.log"; then
		echo "not ok - a backend was terminated by a signal:"
		grep -B2 "terminated by signal" "$CLUSTER_DIR/server.log" | head -10
		return 1
	fi
	for db in $(psql_q -At -d postgres -c "SELECT datname FROM pg_database WHERE datallowconn ORDER BY 1"); do
		psql_q -At -d "$db" -c "SELECT 1 FROM pg_extension WHERE extname = 'rfm_kmeans'" | grep -q 1 || continue
		bad=$(psql_q -At -d "$db" -c "
			SELECT count(*) FROM (
				SELECT inertia, sizes, n_rows, k, centroids FROM rfm_kmeans.models
				UNION ALL SELECT inertia, sizes, n_rows, k, centroids FROM rfm_kmeans.model_versions) m
			WHERE NOT (inertia >= 0 AND inertia < 'Infinity') OR cardinality(sizes) <> k
			   OR (SELECT sum(s) FROM unnest(sizes) s) <> n_rows
			   OR EXISTS (SELECT FROM unnest(centroids) c WHERE NOT (c > '-Infinity' AND c < 'Infinity'))")
		total=$((total + $(psql_q -At -d "$db" -c "SELECT (SELECT count(*) FROM rfm_kmeans.models) + (SELECT count(*) FROM rfm_kmeans.model_versions)")))
		[ "$bad" = 0 ] || { echo "not ok - database $db stores $bad models with a non-finite inertia or centroid, or sizes that do not add up"; return 1; }
	done
	echo "ok - the server ran every suite without a restart or a crash; all $total stored models and versions are finite, with sizes adding up to their rows"
}

STARTED_AT=$(psql_q -At -d postgres -c "SELECT pg_postmaster_start_time()")
# PGXN packaging: META.json against the meta spec, the control file and the
# tree; the release archive `make dist` builds holds what a PGXN client
# builds from (META.json, control, Makefile, every install script).
pgxn_meta() {
	perl test/packaging/check_meta.pl "$REPO_ROOT" || return 1
	local dir version zip
	dir=$(mktemp -d)
	version=$(sed -n "s/^default_version = '\(.*\)'/\1/p" "$REPO_ROOT/rfm_kmeans.control")
	zip="$dir/rfm_kmeans-$version.zip"
	git -C "$REPO_ROOT" archive --format zip --prefix "rfm_kmeans-$version/" -o "$zip" HEAD || return 1
	local listing f
	listing=$(python3 -m zipfile -l "$zip" | awk 'NR > 1 { print $1 }')
	for f in META.json LICENSE README.md rfm_kmeans.control Makefile $(cd "$REPO_ROOT" && git ls-files 'src/rfm_kmeans--*.sql'); do
		grep -qx "rfm_kmeans-$version/$f" <<<"$listing" || { echo "the release archive lacks $f"; rm -rf "$dir"; return 1; }
	done
	echo "ok: META.json valid; rfm_kmeans-$version.zip holds $(wc -l <<<"$listing") entries"
	rm -rf "$dir"
}

run_suite "pg_regress" regress
run_suite "PGXN: META.json and the release archive" pgxn_meta
run_suite "pgTAP" pgtap
run_suite "Citus: a coordinator and two workers" citus_suite
run_suite "pg_dump/pg_restore of segment rules and models" dump_restore
run_suite "the demo's HTML report in headless Chromium" report_in_chromium
run_suite "scheduled retraining with pg_cron" cron_retrain
run_suite "cancelled training keeps the previous model" cancel_keeps_model
run_suite "sqlsmith" sqlsmith_run
run_suite "no restart, no crash, no stored model out of range" integrity
run_suite "every SQL-callable C function has its comment" perl test/packaging/check_entry_comments.pl "$REPO_ROOT"
# replaces the installed extension by the package for a while, then puts the
# tree's build back: after every suite that uses the running cluster
run_suite "Debian package: build, lintian, install, autopkgtest, purge" test/packaging/debian_package.sh
run_suite "valgrind: the regression and bad-input suites on a server under memcheck" scripts/valgrind.sh
run_suite "C unit tests (ASan+UBSan)" make -s unit
run_suite "C unit tests of the threaded passes (ThreadSanitizer)" make -s unit-tsan
run_suite "fuzzing the core (libFuzzer, ${RFM_FUZZ_SECONDS:-20} s a target)" \
	make -s fuzz FUZZ_SECONDS="${RFM_FUZZ_SECONDS:-20}"

echo
echo "suites: ${#passed[@]} passed, ${#skipped[@]} skipped, ${#failed[@]} failed"
for s in "${skipped[@]}"; do echo "skipped: $s"; done
for s in "${failed[@]}"; do echo "FAILED: $s"; done
[ ${#failed[@]} -eq 0 ]

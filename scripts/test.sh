#!/usr/bin/env bash
# Run every test of rfm_kmeans on a throwaway cluster:
#   pg_regress (sql/ + expected/), pgTAP (test/pgtap/, pg_prove), and the
#   C unit tests of src/core/ under AddressSanitizer + UBSan.
# Installs missing Debian packages (apt-get, via sudo when not root), builds
# and installs the extension, starts a private PostgreSQL cluster and
# removes it at the end. Exits non-zero if any suite fails.
#
# Tests on the real UCI Online Retail data run when the file is found
# ($RFM_RETAIL_CSV, or ../shared/data/online_retail.csv.gz beside the
# checkout) and say they were skipped otherwise.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

ensure_packages "${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
build_and_install
cluster_start
trap cluster_remove EXIT

failed=()
passed=()
run_suite() {
	local name=$1
	shift
	log "suite: $name"
	if "$@"; then passed+=("$name"); else failed+=("$name"); fi
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
	# the invoice table layout and the data generator the tests use
	psql_q -d "$db" -f scripts/online_retail.sql
	if csv=$(retail_csv_path); then
		load_invoices "$db" "$csv"
	else
		log "real Online Retail data not found: its tests will be skipped"
	fi
	pg_prove -d "$db" --ext .sql -r test/pgtap
}

# Edited and added segment rules survive pg_dump / pg_restore (custom
# format) into a fresh database.
dump_restore() {
	local dump="$CLUSTER_DIR/rules.dump" a b
	psql_q -d postgres -c "CREATE DATABASE rfm_dump_src" -c "CREATE DATABASE rfm_dump_dst"
	psql_q -d rfm_dump_src -c "CREATE EXTENSION rfm_kmeans" \
		-c "UPDATE rfm_kmeans.segment_rules SET segment = 'VIP', m_min = 5 WHERE priority = 10" \
		-c "INSERT INTO rfm_kmeans.segment_rules (priority, segment, m_min) VALUES (5, 'Whales', 5)"
	"$PG_BIN/pg_dump" -Fc -d rfm_dump_src -f "$dump"
	"$PG_BIN/pg_restore" --exit-on-error -d rfm_dump_dst "$dump"
	a=$(psql_q -At -d rfm_dump_src -c "SELECT r FROM rfm_kmeans.segment_rules r ORDER BY priority")
	b=$(psql_q -At -d rfm_dump_dst -c "SELECT r FROM rfm_kmeans.segment_rules r ORDER BY priority")
	if [ "$a" != "$b" ]; then
		echo "segment rules differ after restore:"
		diff <(echo "$a") <(echo "$b") || true
		return 1
	fi
	echo "ok - $(echo "$b" | wc -l) segment rules, edits included, identical after pg_dump/pg_restore"
}

run_suite "pg_regress" regress
run_suite "pgTAP" pgtap
run_suite "pg_dump/pg_restore of segment rules" dump_restore
run_suite "C unit tests (ASan+UBSan)" make -s unit

echo
echo "suites: ${#passed[@]} passed, ${#failed[@]} failed"
for s in "${failed[@]}"; do echo "FAILED: $s"; done
[ ${#failed[@]} -eq 0 ]

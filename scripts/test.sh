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
	if csv=$(retail_csv_path); then
		load_invoices "$db" "$csv"
	else
		log "real Online Retail data not found: its tests will be skipped"
	fi
	pg_prove -d "$db" --ext .sql -r test/pgtap
}

run_suite "pg_regress" regress
run_suite "pgTAP" pgtap
run_suite "C unit tests (ASan+UBSan)" make -s unit

echo
echo "suites: ${#passed[@]} passed, ${#failed[@]} failed"
for s in "${failed[@]}"; do echo "FAILED: $s"; done
[ ${#failed[@]} -eq 0 ]

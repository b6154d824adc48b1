#!/usr/bin/env bash
# The rfm_kmeans demo: install what is missing, build and install the
# extension, start a throwaway PostgreSQL cluster, load invoice lines and
# run the whole workflow in SQL: RFM features -> scores -> segments ->
# k-means (k = 5) -> every customer's cluster and distance -> cluster
# labels -> the segment table and a self-contained HTML report.
#
#   scripts/demo.sh [path/to/online_retail.csv[.gz]]
#
# With a path, the real UCI Online Retail file (its column layout) is
# loaded; without one, the project's deterministic generator makes about
# 500,000 realistic invoice lines. The cluster is left running: the script
# ends by saying how to connect to it and how to stop it.
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

csv=${1:-}
if [ -n "$csv" ]; then
	[ -r "$csv" ] || die "cannot read $csv"
	csv=$(cd "$(dirname "$csv")" && pwd)/$(basename "$csv")
fi

ensure_packages "${BUILD_PACKAGES[@]}"
build_and_install
cluster_start
trap 'echo; echo "the demo failed; the cluster is still running. Stop it with:"; echo "  $(cluster_stop_command)"' ERR

psql_q -d postgres -c "CREATE DATABASE rfm_demo"
psql_q -d rfm_demo -c "CREATE EXTENSION rfm_kmeans"
load_invoices rfm_demo "$csv"
psql_q -d rfm_demo -c "SELECT count(*) AS invoice_lines, count(DISTINCT customer_id) AS customers,
	count(DISTINCT invoice_no) AS invoices, min(invoice_date)::date AS first_day,
	max(invoice_date)::date AS last_day FROM online_retail"
report_dir=$(mktemp -d /tmp/rfm_kmeans_report.XXXXXX)
"$PG_BIN/psql" -X -d rfm_demo -v report="$report_dir/report.html" -f scripts/demo.sql

cat <<MSG

The report: $report_dir/report.html (open it in any browser; it needs no network).
The cluster is still running. Connect with:
  psql -h $PGHOST -p $PGPORT -U postgres rfm_demo
  (or host 127.0.0.1, port $PGPORT, user postgres, no password, from any client on this machine)
Tables: online_retail (invoice lines), customer_rfm, customer_segments,
customer_features, customer_clusters; the model is in rfm_kmeans.models.
Stop and remove it with:
  $(cluster_stop_command)
MSG

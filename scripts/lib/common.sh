# shellcheck shell=bash
# Helpers shared by scripts/demo.sh, scripts/test.sh and bench/: packages,
# build, and a throwaway PostgreSQL cluster (own data directory, socket and
# port; never the system service). Works as root (the server then runs as
# the unprivileged OS user "postgres") and as a normal user with sudo.

PG_MAJOR=${PG_MAJOR:-15}
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

log() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, else through sudo.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# Install the Debian packages given that are not installed yet.
ensure_packages() {
	local missing=() p
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
		die "need root or sudo to install: ${missing[*]}"
	fi
	log "installing ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >/dev/null
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		"${missing[@]}" >/dev/null
}

BUILD_PACKAGES=(make gcc libc6-dev postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR)
TEST_PACKAGES=(postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl perl
	clang libclang-rt-14-dev sqlsmith chromium python3 postgresql-$PG_MAJOR-cron valgrind)

# Build and install the extension into the system PostgreSQL.
build_and_install() {
	log "building rfm_kmeans"
	make -C "$REPO_ROOT" -s -j2 PG_CONFIG="$PG_BIN/pg_config" >/dev/null
	log "installing rfm_kmeans into PostgreSQL $PG_MAJOR"
	as_root make -C "$REPO_ROOT" -s install PG_CONFIG="$PG_BIN/pg_config" >/dev/null
}

# The OS user the server runs as: postgres when we are root (initdb refuses
# root), ourselves otherwise.
cluster_os_user() {
	if [ "$(id -u)" -eq 0 ]; then echo postgres; else id -un; fi
}

as_cluster_user() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

port_is_free() {
	! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# A fresh temporary directory the cluster's OS user owns.
cluster_tmpdir() {
	local dir
	dir=$(mktemp -d "/tmp/$1.XXXXXX")
	chmod 755 "$dir"
	if [ "$(id -u)" -eq 0 ]; then
		id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql postgres
		chown postgres: "$dir"
	fi
	echo "$dir"
}

# Create and start one server: data directory $1/data, log $1/server.log,
# socket in $1, port $2 (on 127.0.0.1), extra postgresql.conf lines $3.
node_start() {
	local dir=$1 port=$2 conf=${3:-}
	(cd "$dir" && as_cluster_user "$PG_BIN/initdb" -D "$dir/data" -U postgres \
		--auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1) ||
		{ cat "$dir/initdb.log" >&2; die "initdb failed"; }
	as_cluster_user tee -a "$dir/data/postgresql.conf" >/dev/null <<CONF
port = $port
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
shared_buffers = '512MB'
work_mem = '64MB'
maintenance_work_mem = '256MB'
max_parallel_workers_per_gather = 2
fsync = off
synchronous_commit = off
full_page_writes = off
logging_collector = off
$conf
CONF
	(cd "$dir" && as_cluster_user "$PG_BIN/pg_ctl" -D "$dir/data" \
		-l "$dir/server.log" -w -t 60 start >/dev/null) ||
		{ cat "$dir/server.log" >&2; die "the server in $dir did not start"; }
}

node_stop() {
	[ -d "$1/data" ] || return 0
	(cd "$1" && as_cluster_user "$PG_BIN/pg_ctl" -D "$1/data" -m fast -w stop >/dev/null 2>&1) || true
}

# The first free TCP port from $1 on.
free_port() {
	local port=$1
	while ! port_is_free "$port"; do port=$((port + 1)); done
	echo "$port"
}

# Start a new cluster in a fresh temporary directory. Exports PGHOST,
# PGPORT, PGUSER and CLUSTER_DIR. Extra postgresql.conf lines come from
# the CLUSTER_CONF variable.
cluster_start() {
	local port
	CLUSTER_DIR=$(cluster_tmpdir rfm_kmeans)
	port=$(free_port "${RFM_PORT:-55432}")
	log "starting a throwaway PostgreSQL $PG_MAJOR cluster in $CLUSTER_DIR (port $port)"
	node_start "$CLUSTER_DIR" "$port" "${CLUSTER_CONF:-}"
	export PGHOST=$CLUSTER_DIR PGPORT=$port PGUSER=postgres CLUSTER_DIR
}

cluster_stop() {
	[ -n "${CLUSTER_DIR:-}" ] || return 0
	node_stop "$CLUSTER_DIR"
}

cluster_remove() {
	cluster_stop
	[ -n "${CLUSTER_DIR:-}" ] && as_root rm -rf "$CLUSTER_DIR"
}

# The command that stops and removes a cluster left running, as text.
cluster_stop_command() {
	local prefix=""
	[ "$(id -u)" -eq 0 ] && prefix="runuser -u postgres -- "
	echo "${prefix}$PG_BIN/pg_ctl -D $CLUSTER_DIR/data -m fast stop && rm -rf $CLUSTER_DIR"
}

psql_q() { PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning" "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }

# The real Online Retail file, if present: $RFM_RETAIL_CSV, else
# ../shared/data beside the checkout.
retail_csv_path() {
	local f
	for f in "${RFM_RETAIL_CSV:-}" "$REPO_ROOT/../shared/data/online_retail.csv.gz"; do
		[ -n "$f" ] && [ -r "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# The CDNOW sample of the BG/NBD paper, if present: its path, or status 1.
cdnow_path() {
	local f
	for f in "${RFM_CDNOW_FILE:-}" "$REPO_ROOT/../shared/data/cdnow_sample.txt.gz"; do
		[ -n "$f" ] && [ -r "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}

# Load the CDNOW file $2 into table cdnow_transactions of database $1. Both
# layouts: the sample (master id, sample id, YYYYMMDD, CDs, dollars) and the
# master file (id, YYYYMMDD, CDs, dollars, after a header line).
load_cdnow() {
	local db=$1 file=$2
	psql_q -d "$db" -f "$REPO_ROOT/scripts/cdnow.sql"
	log "loading $file"
	gzip -dc "$file" | awk 'NF == 5 && $3 ~ /^[0-9]{8}$/ { d = $3; print $1 "," substr(d, 1, 4) "-" substr(d, 5, 2) "-" substr(d, 7, 2) "," $4 "," $5 }
		NF == 4 && $2 ~ /^[0-9]{8}$/ { d = $2; print $1 "," substr(d, 1, 4) "-" substr(d, 5, 2) "-" substr(d, 7, 2) "," $3 "," $4 }' |
		psql_q -d "$db" -c "COPY cdnow_transactions FROM STDIN WITH (FORMAT csv)"
	psql_q -d "$db" -c "ANALYZE cdnow_transactions"
}

# Load invoice lines into table online_retail of database $1: the real file
# given as $2 (CSV or CSV.gz, UCI column layout), or generated data.
load_invoices() {
	local db=$1 file=${2:-}
	psql_q -d "$db" -f "$REPO_ROOT/scripts/online_retail.sql"
	if [ -n "$file" ]; then
		log "loading $file"
		local cat=cat
		case "$file" in *.gz) cat="gzip -dc" ;; esac
		# client-side COPY: the server's OS user need not be able to read the file
		$cat "$file" | psql_q -d "$db" -c "COPY rfm_data.online_retail_raw FROM STDIN WITH (FORMAT csv, HEADER true, ENCODING '${RFM_CSV_ENCODING:-UTF8}')"
		psql_q -d "$db" -c "SELECT rfm_data.import_raw()"
	else
		log "generating invoice lines (4,000 customers, 25,000 invoices, ~500,000 lines)"
		psql_q -d "$db" -c "SELECT rfm_data.generate_invoices('online_retail', 4000, 25000, 20, 42)"
	fi
	psql_q -d "$db" -c "ANALYZE online_retail"
}

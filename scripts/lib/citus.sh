# shellcheck shell=bash
# Citus for the tests and benchmarks: built from the unmodified source in
# ../shared/vendor when the server does not have it yet (the build is kept
# in a cache directory, so a second run only installs it again), and a
# throwaway cluster of a coordinator and two workers on 127.0.0.1. The
# extension never links to or ships Citus. Sourced after common.sh.

CITUS_VERSION=13.2.2
CITUS_TARBALL=${RFM_CITUS_TARBALL:-$REPO_ROOT/../shared/vendor/citus-$CITUS_VERSION.tar.gz}
CITUS_CACHE=${RFM_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rfm_kmeans}/citus-$CITUS_VERSION-pg$PG_MAJOR
CITUS_DB=rfm_citus
# what the build needs beyond the extension's own build packages: the
# server's headers include gssapi.h, and columnar uses zstd and lz4
CITUS_PACKAGES=(libkrb5-dev libzstd-dev liblz4-dev)

# Whether this PostgreSQL has Citus 13.2 installed (ours or a package).
citus_installed() {
	local lib share
	lib=$("$PG_BIN/pg_config" --pkglibdir)
	share=$("$PG_BIN/pg_config" --sharedir)
	[ -f "$lib/citus.so" ] && grep -q "^default_version = '13\.2" "$share/extension/citus.control" 2>/dev/null
}

# Build Citus in the cache directory (once) and install it. Returns 1, with
# a message, when there is no source to build from.
citus_ensure() {
	citus_installed && return 0
	[ -r "$CITUS_TARBALL" ] || { log "no Citus source at $CITUS_TARBALL"; return 1; }
	ensure_packages "${BUILD_PACKAGES[@]}" "${CITUS_PACKAGES[@]}"
	if [ ! -f "$CITUS_CACHE/.built" ]; then
		log "building Citus $CITUS_VERSION in $CITUS_CACHE (about 75 s on 2 cores; once)"
		rm -rf "$CITUS_CACHE"
		mkdir -p "$CITUS_CACHE"
		tar -xzf "$CITUS_TARBALL" -C "$CITUS_CACHE" --strip-components=1
		# PostgreSQL 15.20's headers declare have_createdb_privilege(), which
		# Citus 13.2.2 also defines for itself: use the server's.
		perl -0pi -e 's/static inline bool\nhave_createdb_privilege\(void\)\n\{.*?\n\}\n/#include "commands\/dbcommands.h"\n/s' \
			"$CITUS_CACHE/src/include/pg_version_compat.h"
		grep -q '^have_createdb_privilege' "$CITUS_CACHE/src/include/pg_version_compat.h" &&
			die "could not patch Citus's copy of have_createdb_privilege()"
		(cd "$CITUS_CACHE" &&
			./configure --without-libcurl PG_CONFIG="$PG_BIN/pg_config" \
				>"$CITUS_CACHE/configure.log" 2>&1 &&
			make -s -j"$(nproc)" with_llvm=no >"$CITUS_CACHE/build.log" 2>&1) ||
			{ tail -n 30 "$CITUS_CACHE/configure.log" "$CITUS_CACHE/build.log" >&2; die "the Citus build failed"; }
		touch "$CITUS_CACHE/.built"
	fi
	log "installing Citus $CITUS_VERSION into PostgreSQL $PG_MAJOR"
	as_root make -C "$CITUS_CACHE" -s install with_llvm=no >/dev/null ||
		die "could not install Citus"
}

# psql on a node of the Citus cluster: citus_psql PORT [psql arguments]
citus_psql() {
	local port=$1
	shift
	PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres psql_q -d "$CITUS_DB" "$@"
}

# Start a coordinator and two workers (each its own data directory under
# CITUS_DIR, its own port), create database $CITUS_DB with Citus on each,
# register the workers, and install rfm_kmeans (Citus creates it on the
# workers). Exports CITUS_DIR, CITUS_PORT (the coordinator's) and
# CITUS_WORKER_PORTS.
citus_cluster_start() {
	local conf port node
	CITUS_DIR=$(cluster_tmpdir rfm_citus)
	conf="shared_preload_libraries = 'citus'
shared_buffers = '128MB'
max_worker_processes = 16
citus.shard_count = 8
citus.enable_statistics_collection = off"
	CITUS_PORT=$(free_port "${RFM_CITUS_PORT:-56432}")
	port=$CITUS_PORT
	CITUS_WORKER_PORTS=""
	for node in coordinator worker1 worker2; do
		mkdir -p "$CITUS_DIR/$node"
		[ "$(id -u)" -eq 0 ] && chown postgres: "$CITUS_DIR/$node"
		[ "$node" = coordinator ] || { port=$(free_port $((port + 1))); CITUS_WORKER_PORTS="$CITUS_WORKER_PORTS $port"; }
		node_start "$CITUS_DIR/$node" "$port" "$conf"
		PGHOST=127.0.0.1 PGPORT=$port PGUSER=postgres psql_q -d postgres -c "CREATE DATABASE $CITUS_DB" >/dev/null
		citus_psql "$port" -c "CREATE EXTENSION citus" >/dev/null
	done
	CITUS_WORKER_PORTS=${CITUS_WORKER_PORTS# }
	export CITUS_DIR CITUS_PORT CITUS_WORKER_PORTS
	log "Citus: coordinator on port $CITUS_PORT, workers on $CITUS_WORKER_PORTS (in $CITUS_DIR)"
	citus_psql "$CITUS_PORT" -c "SELECT citus_set_coordinator_host('127.0.0.1', $CITUS_PORT)" >/dev/null
	for port in $CITUS_WORKER_PORTS; do
		citus_psql "$CITUS_PORT" -c "SELECT citus_add_node('127.0.0.1', $port)" >/dev/null
	done
}

citus_cluster_remove() {
	local node
	[ -n "${CITUS_DIR:-}" ] || return 0
	for node in coordinator worker1 worker2; do node_stop "$CITUS_DIR/$node"; done
	as_root rm -rf "$CITUS_DIR"
}

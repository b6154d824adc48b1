#!/usr/bin/env bash
# The pg_regress suite (sql/, expected/) and the pgTAP suites that feed
# bad and fuzzed input (bad_input, state_input_fuzz, state_binary_fuzz,
# model_privileges, search_path) against a server running under valgrind
# memcheck, on a throwaway cluster; then a report of every valgrind error
# whose stack passes through rfm_kmeans.so. Exits non-zero if there is any,
# or if a suite fails.
#
#   scripts/valgrind.sh            (also: make valgrind; run by scripts/test.sh)
#
# The whole server runs under valgrind: a few minutes.
# PostgreSQL itself reports some known valgrind errors without its own
# suppressions (Debian's server is not built with USE_VALGRIND); they are
# counted but only errors in the extension's code fail the run. Without
# USE_VALGRIND, memcheck sees palloc'd chunks as parts of bigger malloc'd
# blocks: it catches reads and writes outside PostgreSQL's memory blocks and
# of uninitialised values, not every overrun of one palloc chunk into the
# next (the ASan/UBSan unit tests and fuzzing cover the core for that).
set -euo pipefail
. "$(dirname "$0")/lib/common.sh"
cd "$REPO_ROOT"

ensure_packages "${BUILD_PACKAGES[@]}" postgresql-$PG_MAJOR-pgtap libtap-parser-sourcehandler-pgtap-perl valgrind
build_and_install
cluster_start
trap cluster_remove EXIT
cluster_stop

log "restarting the server under valgrind (memcheck)"
as_cluster_user bash -c "cd '$CLUSTER_DIR' && exec valgrind --quiet --trace-children=yes --error-limit=no \
	--num-callers=40 --read-var-info=no --log-file='$CLUSTER_DIR/valgrind.%p.log' \
	'$PG_BIN/postgres' -D '$CLUSTER_DIR/data' -c shared_buffers=128MB -c jit=off \
	-c max_parallel_workers_per_gather=0 -c max_worker_processes=8 \
	>>'$CLUSTER_DIR/server.log' 2>&1" &
for i in $(seq 1 300); do
	"$PG_BIN/pg_isready" -q && break
	sleep 1
done
"$PG_BIN/pg_isready" -q || { tail -30 "$CLUSTER_DIR/server.log"; die "the server did not start under valgrind"; }

status=0
start=$(date +%s)
if ! make -s installcheck PG_CONFIG="$PG_BIN/pg_config"; then
	[ -f regression.diffs ] && cat regression.diffs
	status=1
fi
log "regression suite under valgrind: $(( $(date +%s) - start )) s"
start=$(date +%s)
psql_q -d postgres -c "CREATE DATABASE rfm_valgrind"
psql_q -d rfm_valgrind -c "CREATE EXTENSION pgtap" -c "CREATE EXTENSION rfm_kmeans" -f test/pgtap/helpers.psql
pg_prove -d rfm_valgrind --ext .sql --set server_log="$CLUSTER_DIR/server.log" \
	test/pgtap/bad_input.sql test/pgtap/state_input_fuzz.sql test/pgtap/state_binary_fuzz.sql \
	test/pgtap/model_privileges.sql test/pgtap/model_concurrency.sql test/pgtap/search_path.sql || status=1
log "pgTAP suites under valgrind: $(( $(date +%s) - start )) s"
cluster_stop

# one valgrind error = the lines from "==pid== <what>" to the next blank one
summary=$(cat "$CLUSTER_DIR"/valgrind.*.log 2>/dev/null | awk '
	/^==[0-9]+== (Invalid|Conditional jump|Use of uninitialised|Syscall param|Mismatched|Source and destination|Argument)/ && !inrec { inrec = 1; rec = $0; next }
	inrec && /^==[0-9]+== *$/ { errors++; if (rec ~ /rfm_kmeans\.so/) { ours++; print rec > "/dev/stderr" } inrec = 0; next }
	inrec { rec = rec "\n" $0 }
	END { printf "%d %d\n", errors + 0, ours + 0 }' 2>"$CLUSTER_DIR/ours.txt")
read -r all ours <<<"$summary"
processes=$(ls "$CLUSTER_DIR"/valgrind.*.log 2>/dev/null | wc -l)
echo "valgrind: $processes server processes, $all errors reported in all, $ours with rfm_kmeans.so on the stack"
# what the others were (PostgreSQL's own, see above)
cat "$CLUSTER_DIR"/valgrind.*.log 2>/dev/null |
	sed -n 's/^==[0-9]*== \(Invalid [a-z]*\|Conditional jump\|Use of uninitialised\|Syscall param [^ ]*\|Mismatched\|Source and destination\|Argument\).*/\1/p' |
	sort | uniq -c | sed 's/^/  /'
if [ "$ours" -gt 0 ]; then
	cat "$CLUSTER_DIR/ours.txt"
	status=1
fi
exit $status

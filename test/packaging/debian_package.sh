#!/usr/bin/env bash
# The Debian package, as a distribution would build and test it:
#   1. dpkg-buildpackage -us -uc -b in a clean copy of the tracked files
#      (its build runs `make installcheck` on a throwaway cluster, through
#      debian/rules' pgxs_loop sequence); lintian must report no error;
#   2. what `make install` put into PostgreSQL's directories is removed
#      (`make uninstall`), and checked gone;
#   3. `apt-get install ./postgresql-15-rfm-kmeans_<version>_amd64.deb`; the
#      extension's files must now belong to the package;
#   4. the autopkgtest (debian/tests/installcheck: pg_buildext installcheck,
#      the whole pg_regress suite on a throwaway cluster) runs against the
#      installed package, from a copy of the tests that has no build in it;
#   5. the package is purged: no file of it may remain.
# Then the tree's build is installed again for whatever runs next.
# Needs root or sudo (apt-get, dpkg, make install). Exit 0 when all holds.
set -euo pipefail
. "$(dirname "$0")/../../scripts/lib/common.sh"
cd "$REPO_ROOT"

ensure_packages debhelper postgresql-all lintian dpkg-dev

# pg_buildext/pg_virtualenv create their own throwaway clusters and honour
# PGPORT (pg_createcluster -p): inherited from scripts/test.sh's running
# cluster it makes them collide with it ("Address already in use").
unset PGHOST PGPORT PGUSER PGDATABASE PGHOSTADDR PGSERVICE PGPASSWORD

package=postgresql-$PG_MAJOR-rfm-kmeans
upstream=$(sed -n "s/^default_version = '\(.*\)'/\1/p" rfm_kmeans.control)
debversion=$(dpkg-parsechangelog -l debian/changelog -S Version)
arch=$(dpkg --print-architecture)
deb=${package}_${debversion}_$arch.deb
pkglibdir=$("$PG_BIN/pg_config" --pkglibdir)
extdir=$("$PG_BIN/pg_config" --sharedir)/extension
work=$(mktemp -d /tmp/rfm_deb.XXXXXX)
chmod 755 "$work"
status=1

finish() {
	# whatever happened, leave the package out and the tree's build in
	if dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
		as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$package" >/dev/null 2>&1 || true
	fi
	as_root make -C "$REPO_ROOT" -s install PG_CONFIG="$PG_BIN/pg_config" >/dev/null
	rm -rf "$work"
	exit $status
}
trap finish EXIT

[ "${upstream}-1" = "$debversion" ] || [ "${debversion%-*}" = "$upstream" ] ||
	{ echo "not ok - debian/changelog's version $debversion is not the control file's $upstream"; exit 1; }
echo "ok - debian/changelog's version $debversion is the control file's $upstream"

# debian/control is generated from control.in; the committed one must agree
(cd "$work" && cp -r "$REPO_ROOT/debian" . && pg_buildext updatecontrol >/dev/null 2>&1 &&
	cmp -s debian/control "$REPO_ROOT/debian/control") ||
	{ echo "not ok - debian/control differs from what pg_buildext updatecontrol makes of control.in"; exit 1; }
echo "ok - debian/control is control.in for the supported versions"
rm -rf "$work/debian"

# 1. build from a clean copy of the tracked files
mkdir "$work/src"
git ls-files -z | tar --null -cf - -T - | tar -xf - -C "$work/src"
log "building $deb (its build runs make installcheck)"
if ! (cd "$work/src" && dpkg-buildpackage -us -uc -b >"$work/build.log" 2>&1); then
	tail -40 "$work/build.log"
	echo "not ok - dpkg-buildpackage failed"
	exit 1
fi
[ -f "$work/$deb" ] || { ls "$work"; echo "not ok - no $deb"; exit 1; }
grep -q "All [0-9]* tests passed" "$work/build.log" ||
	{ echo "not ok - the build's installcheck did not pass"; exit 1; }
echo "ok - dpkg-buildpackage -us -uc -b built $deb; its build-time installcheck passed"
if ! lintian --fail-on error "$work/$deb" "$work"/*.changes >"$work/lintian.log" 2>&1; then
	cat "$work/lintian.log"
	echo "not ok - lintian reports errors"
	exit 1
fi
echo "ok - lintian: no error ($(grep -c '^W:' "$work/lintian.log" || true) warnings)"

# the package's files, directories aside
files=$(dpkg-deb -c "$work/$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }')
for f in "$pkglibdir/rfm_kmeans.so" "$extdir/rfm_kmeans.control" "$extdir/rfm_kmeans--0.1.0.sql"; do
	grep -qx "$f" <<<"$files" || { echo "not ok - the package lacks $f"; exit 1; }
done

# 2. nothing of `make install` may remain
as_root make -s uninstall PG_CONFIG="$PG_BIN/pg_config" >/dev/null
left=$(ls -d "$pkglibdir"/rfm_kmeans* "$pkglibdir"/bitcode/rfm_kmeans* "$extdir"/rfm_kmeans* 2>/dev/null || true)
[ -z "$left" ] || { echo "not ok - make uninstall left: $left"; exit 1; }
echo "ok - the make-installed extension removed"

# 3. install the package as users do
as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$work/$deb" >"$work/apt.log" 2>&1 ||
	{ cat "$work/apt.log"; echo "not ok - apt-get install ./$deb failed"; exit 1; }
owner=$(dpkg -S "$pkglibdir/rfm_kmeans.so" | cut -d: -f1)
[ "$owner" = "$package" ] || { echo "not ok - rfm_kmeans.so belongs to '$owner'"; exit 1; }
echo "ok - apt-get install ./$deb; rfm_kmeans.so and the scripts belong to $package"

# 4. the autopkgtest: the pg_regress suite against the installed files, from
# a tree that has no build of its own (the tests only)
mkdir "$work/tests"
git ls-files -z Makefile rfm_kmeans.control sql expected debian 'src/*.sql' |
	tar --null -cf - -T - | tar -xf - -C "$work/tests"
chmod -R a+rwX "$work/tests"
if ! (cd "$work/tests" && sh debian/tests/installcheck >"$work/autopkgtest.log" 2>&1); then
	tail -60 "$work/autopkgtest.log"
	echo "not ok - the autopkgtest (debian/tests/installcheck) failed"
	exit 1
fi
ls "$work/tests"/*.so "$work/tests"/src/*.o >/dev/null 2>&1 &&
	{ echo "not ok - the autopkgtest built the extension instead of using the package"; exit 1; }
echo "ok - autopkgtest: $(grep -o 'All [0-9]* tests passed' "$work/autopkgtest.log" | head -1) against the installed package"

# 5. purge: no file of the package may remain
as_root env DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$package" >/dev/null 2>&1
dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "installed" &&
	{ echo "not ok - $package is still installed"; exit 1; }
left=""
while read -r f; do
	[ -e "$f" ] && left+=" $f"
done <<<"$files"
[ -z "$left" ] || { echo "not ok - files left after the purge:$left"; exit 1; }
echo "ok - apt-get purge $package left none of its $(wc -l <<<"$files") files"
status=0

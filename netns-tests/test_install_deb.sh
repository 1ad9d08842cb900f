#!/usr/bin/env bash
# make deb builds a Debian package with the right dependencies and no lintian error;
# it installs on this machine (dpkg -i), the installed netbpf runs and its man pages
# are found, and purging it removes every file it installed.
. "$(dirname "$0")/lib.sh"
need make dpkg-buildpackage lintian dpkg flock
# dpkg -i and --purge change the whole machine: one run of this test at a time on
# it (other worktrees, other suites), or one purges what the other just checks.
exec {lock}>/run/lock/netbpf-test-install-deb.lock
flock -w 600 "$lock" || fail "another test_install_deb held its lock for 10 minutes"
if dpkg -s netbpf >/dev/null 2>&1; then skip "a netbpf package is already installed here"; fi

make -s -C "$ROOT" BUILD="$BUILD" deb >/dev/null 2>&1 || fail "make deb failed: $(tail -n 5 "$BUILD/deb/build.log")"
deb=$(ls "$BUILD"/deb/netbpf_*_amd64.deb)
[ -f "$deb" ] || fail "no package in $BUILD/deb"

depends=$(dpkg-deb -f "$deb" Depends)
for lib in libbpf1 libmnl0 libpcap0.8 libmicrohttpd12 libc6; do
	assert_contains "$depends" "$lib" "Depends"
done
errors=$(lintian --no-tag-display-limit "$deb" 2>&1 | grep '^E:' || true)
assert_eq "$errors" "" "lintian errors"

defer "dpkg --purge netbpf >/dev/null 2>&1"
dpkg -i "$deb" >/dev/null 2>&1 || fail "dpkg -i failed"
version=$(/usr/sbin/netbpf --version)
assert_contains "$version" "netbpf $(dpkg-deb -f "$deb" Version | sed 's/-[^-]*$//')" "installed version"
man -w netbpf-redirect >/dev/null || fail "man netbpf-redirect not found"
files=$(dpkg -L netbpf | while read -r f; do [ -f "$f" ] && echo "$f"; done)
dpkg --purge netbpf >/dev/null 2>&1 || fail "dpkg --purge failed"
for f in $files; do
	[ ! -e "$f" ] || fail "$f left after purge"
done

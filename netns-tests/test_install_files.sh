#!/usr/bin/env bash
# make install into a DESTDIR writes exactly the expected files, the installed binary
# runs, man pages render without groff warnings, units pass systemd-analyze verify,
# and make uninstall removes exactly what install wrote.
#
#   $tmp/usr/sbin/netbpf, netbpf-<tool>...; $tmp/usr/share/man/man8/*.8;
#   $tmp/usr/share/bash-completion/completions/netbpf; $tmp/lib/systemd/system/*
. "$(dirname "$0")/lib.sh"
need make pandoc groff systemd-analyze

tmp=$(mktemp -d)
defer rm -rf "$tmp"
make -s -C "$ROOT" BUILD="$BUILD" install DESTDIR="$tmp" PREFIX=/usr >"$tmp.log" 2>&1 ||
	fail "make install: $(tail -n 5 "$tmp.log")"
rm -f "$tmp.log"

expected=$(
	echo usr/sbin/netbpf
	for t in "$ROOT"/tools/*.bpf.c; do t=${t##*/}; echo "usr/sbin/netbpf-${t%.bpf.c}"; done
	awk -F'\t' '!/^#/ && NF { print "usr/share/man/man8/" $1 ".8" }' "$ROOT/docs/man-pages"
	echo usr/share/bash-completion/completions/netbpf
	for u in netbpf@.service netbpf-redirect.service netbpf-exporter.service; do
		echo "lib/systemd/system/$u"
	done
)
actual=$(cd "$tmp" && find . -type f | sed 's|^\./||')
assert_eq "$(sort <<<"$actual")" "$(sort <<<"$expected")" "installed files"
assert_eq "$(stat -c %a "$tmp/usr/sbin/netbpf")" 755 "binary mode"

"$tmp/usr/sbin/netbpf" --version | grep -Eq '^netbpf [0-9]+\.[0-9]+\.[0-9]+' || fail "--version: $("$tmp/usr/sbin/netbpf" --version)"
"$tmp/usr/sbin/netbpf" --help | grep -q '^Usage: netbpf' || fail "--help"
for t in "$tmp"/usr/sbin/netbpf-*; do
	"$t" --help >/dev/null 2>&1 || fail "$t --help exit $?"
done

# .so links resolve relative to the man root, as man(1) does.
for m in "$tmp"/usr/share/man/man8/*.8; do
	warn=$(cd "$tmp/usr/share/man" && groff -ww -man -Tutf8 "man8/${m##*/}" 2>&1 >/dev/null)
	[ -z "$warn" ] || fail "${m##*/}: $warn"
done
MANPATH="$tmp/usr/share/man" man -w netbpf-deny >/dev/null || fail "man cannot find netbpf-deny"
grep -q '^\.so man8/netbpf-up\.8$' "$tmp/usr/share/man/man8/netbpf-deny.8" || fail "netbpf-deny(8) is not netbpf-up(8)"

# The units name /usr/sbin/netbpf; verify them against the binary we installed.
mkdir "$tmp/units"
for u in "$tmp"/lib/systemd/system/*; do
	sed "s|/usr/sbin/|$tmp/usr/sbin/|g" "$u" >"$tmp/units/${u##*/}"
done
systemd-analyze verify --man=no "$tmp"/units/* || fail "systemd-analyze verify"
rm -r "$tmp/units"

make -s -C "$ROOT" BUILD="$BUILD" uninstall DESTDIR="$tmp" PREFIX=/usr >/dev/null
left=$(cd "$tmp" && find . -type f)
assert_eq "$left" "" "files left after uninstall"

#!/usr/bin/env bash
# --apply-bytes: one verdict covers many messages, the streams stay byte-exact, and
# the verdict program runs fewer times than once per message.
#
#   ns A, lo: streamcheck server <-- 20 connections, 256 KiB of 1..4 KiB messages --> client
#   (both in the child cgroup cg; the bypass first per message, then with --apply-bytes 1M)
. "$(dirname "$0")/lib.sh"

mk_ns A
redirect_setup
runs() { # bypass options...: transfers, prints the verdict runs that redirected
	"$NETBPF" redirect on --cgroup "$cg" "$@"
	sc_transfer "$tmp/sc" "$cg" "$A" 127.0.0.1 "$cg" "$A" 127.0.0.1 7100 20 262144 -m 4096
	assert_eq "$(redirect_stat "$cg" inserted)" 40 "sockets inserted ($*)"
	redirect_stat "$cg" msgs_redirected
	"$NETBPF" redirect off --cgroup "$cg"
}
per_msg=$(runs)
sticky=$(runs --apply-bytes 1M)
assert_contains "$("$NETBPF" redirect on --cgroup "$cg" --apply-bytes 64K && "$NETBPF" redirect status --cgroup "$cg")" \
	"apply bytes    65536" "status shows --apply-bytes"
log "verdict runs: $per_msg per message, $sticky with --apply-bytes 1M"
# 2 x 20 streams of 256 KiB in messages of at most 4 KiB: at least 2560 messages.
assert_ge "$per_msg" 2560 "verdict runs without --apply-bytes"
[ "$sticky" -le 80 ] || fail "$sticky verdict runs with --apply-bytes 1M (expected one per stream and direction, a few more at most)"
assert_fails_with "invalid --apply-bytes" "$NETBPF" redirect on --cgroup "$cg" --apply-bytes 0
assert_fails_with "only go with 'redirect on'" "$NETBPF" redirect off --cgroup "$cg" --apply-bytes 1M

#!/usr/bin/env bash
# The end of a bypassed connection, seen by a reader with blocking recv() and no timeout,
# one connection at a time, both ends pinned to one CPU ("same") and to two ("cross"):
# - the server writes 1 B, 64 KiB or 1 MiB, then close(): the reader gets every byte and
#   the EOF, and never an EAGAIN;
# - the client first shuts down writing (its FIN), the server writes, shuts down and reads
#   to the client's EOF (the ends of `netbpf bench`): every byte and the EOF; the EAGAINs
#   the kernel returns then (tcp_bpf_recvmsg(), see docs/redirect.md) are counted, and
#   the reader carries on.
# - with `redirect on --keepalive 5`, the server aborts (SO_LINGER 0): every client socket
#   has SO_KEEPALIVE (close_hang's getsockopt), its bytes are intact, then ECONNRESET.
#   (The keepalive is what ends the rare wait on an RST the kernel dropped, see
#   docs/redirect.md; that loss needs MiBs queued and cannot be forced here.)
# close_hang's watchdog fails a connection that is not over after 20 s (exit 3, with both
# sockets' state and the threads' kernel stacks), so a hang fails the test, not the suite.
# Witness of the bypass: the client's TCP_INFO (bytes_received counts only the FIN).
#
#   netns ns (lo up), close_hang in cgroup cg with `netbpf redirect on`
#   (then in cgroup cg2 with `netbpf redirect on --keepalive 5`)
#   +----------------------------------------------------------+
#   |  server thread (CPU a) --- 127.0.0.1 --- client (CPU a|b)  |
#   +----------------------------------------------------------+
. "$(dirname "$0")/lib.sh"

CH=$BUILD/tests/close_hang
[ -x "$CH" ] || fail "close_hang not built ($CH)"
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs for the cross-CPU placement"
mk_ns ns
redirect_setup
# always: every connection here must take the bypass (auto mode would leave the
# short one-message connections of a service to TCP once they voted)
"$NETBPF" redirect on --cgroup "$cg" --mode always

N=50 SIZES=1,64K,1M
# ch ARGS...: runs close_hang in the bypass; prints its lines; fails on its failure.
ch() {
	local out rc=0
	out=$(cg_exec "$cg" "$ns" "$CH" -n $N -s $SIZES -w 20 "$@" 2>&1) || rc=$?
	[ $rc -ne 3 ] || fail "close_hang $*: a connection hung: $out"
	[ $rc -eq 0 ] || fail "close_hang $* exited $rc: $out"
	echo "$out"
}
# check OUT [EOFS RESETS]: one line per placement and size, every connection bypassed and
# intact, ended by EOF (default) or by ECONNRESET.
check() {
	local lines
	lines=$(grep -c '^placement=' <<<"$1")
	assert_eq "$lines" 6 "result lines (2 placements x 3 sizes) in: $1"
	assert_eq "$(grep -c "conns=$N bypassed=$N intact=$N eof=${2:-$N} resets=${3:-0} hangs=0" <<<"$1")" 6 \
		"connections bypassed, intact and ended by ${3:+ECONNRESET}${3:-EOF} in: $1
$("$NETBPF" redirect status --cgroup "$cg")"
}

out=$(ch -e close -E)
check "$out"
log "server closes: $((6 * N)) connections, 0 hangs, 0 EAGAIN"

out=$(ch -e shutdown -c)
check "$out"
log "client shuts down first: $((6 * N)) connections, 0 hangs; EAGAIN from blocking recv():" \
	"$(sed -n 's/^placement=\([a-z]*\) .* size=\([0-9]*\) .* eagain_client=\([0-9]*\).*/\1 \2 B: \3/p' <<<"$out" |
		paste -sd, -)"

# A cgroup of its own: a kernel may detach the first bypass's sockops link only after
# `off` returns (6.1 frees links from a workqueue), and a socket it still inserted
# would miss the second one.
mk_cgroup cg2
defer "$NETBPF" redirect off --cgroup "$cg2"
"$NETBPF" redirect on --cgroup "$cg2" --keepalive 5 --mode always
assert_contains "$("$NETBPF" redirect status --cgroup "$cg2")" "keepalive      5 s (failed on 0 sockets)" \
	"status shows --keepalive"
cg=$cg2
out=$(ch -e linger0)
check "$out" 0 $N
assert_eq "$(grep -c "keepalive=$N " <<<"$out")" 6 "clients with SO_KEEPALIVE in: $out"
log "--keepalive 5, server aborts: $((6 * N)) connections with SO_KEEPALIVE, intact, then ECONNRESET"

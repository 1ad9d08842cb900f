#!/usr/bin/env bash
# Only what the user chose is bypassed:
# - processes outside the cgroup are never touched (no socket inserted, data on lo),
#   also when only one end is inside (auto: that end is not inserted; always: its
#   first message finds no peer and the connection stays on TCP for good);
# - --port and --addr filters leave other connections alone;
# - MPTCP sockets are refused by the kernel: counted by errno, data intact.
#
#   netns ns (lo up)
#   +-----------------------------------------------------------+
#   |  cgroup cg: streamcheck ...   outside: streamcheck ...     |
#   |                 \---- 127.0.0.1 / 127.0.0.2 over lo ----/   |
#   +-----------------------------------------------------------+
. "$(dirname "$0")/lib.sh"

redirect_setup
mk_ns ns
mk_cgroup other

lo_bytes() { dev_counter "$ns" lo tx_bytes; }
# pair CGROUP ARGS...: a streamcheck pair of 4 x 1 MiB each way in CGROUP.
pair() {
	local g=$1; shift
	cg_exec "$g" "$ns" "$SC" pair -n 4 -b 1M "$@" >"$tmp/out" 2>&1 || fail "streamcheck $*: $(cat "$tmp/out")"
}
"$NETBPF" redirect on --cgroup "$cg"

before=$(lo_bytes)
pair "$other" -a 127.0.0.1
assert_ge $(($(lo_bytes) - before)) $((2 * 4 << 20)) "bytes on lo for a process outside the cgroup"
assert_eq "$(redirect_stat "$cg" inserted)" 0 "sockets inserted from outside the cgroup"

# Server inside, client outside: nothing bypassed. In auto mode the server end finds
# no decision of its client and is not inserted; in always mode it is, and its first
# message finds no peer.
for mode in auto always; do
	"$NETBPF" redirect off --cgroup "$cg"
	"$NETBPF" redirect on --cgroup "$cg" --mode $mode
	sc_transfer "$tmp/t" "$cg" "$ns" 127.0.0.1 "$other" "$ns" 127.0.0.1 7300 4 $((1 << 20))
	assert_eq "$(redirect_stat "$cg" inserted)" $([ $mode = auto ] && echo 0 || echo 4) \
		"$mode: server ends inserted"
	assert_eq "$(redirect_stat "$cg" conns_no_peer)" 4 "$mode: server ends left to TCP"
	assert_eq "$(redirect_stat "$cg" bytes_redirected)" 0 "$mode: bytes redirected with one end outside"
done

# Filters: only port 7400, only local addresses in 127.0.0.2/32 (clients bind to
# 127.0.0.2 too: a connection to it would otherwise come from 127.0.0.1).
"$NETBPF" redirect off --cgroup "$cg"
"$NETBPF" redirect on --cgroup "$cg" --port 7400 --addr 127.0.0.2/32
pair "$cg" -a 127.0.0.2 -B 127.0.0.2 -p 7401
assert_eq "$(redirect_stat "$cg" filtered)" 8 "sockets filtered by port"
pair "$cg" -a 127.0.0.1 -p 7400
assert_eq "$(redirect_stat "$cg" filtered)" 16 "sockets filtered by address"
pair "$cg" -a 127.0.0.2 -B 127.0.0.2 -p 7400
assert_eq "$(redirect_stat "$cg" inserted)" 8 "sockets matching both filters"
assert_eq "$(redirect_stat "$cg" bytes_redirected)" $((2 * 4 * (1 << 20) + 4 * 32)) "bytes redirected"

# MPTCP: every subflow refused by the kernel and counted; the data still flows.
if cg_exec "$other" "$ns" "$SC" pair -T -a 127.0.0.1 -n 1 -b 1 >/dev/null 2>&1; then
	"$NETBPF" redirect off --cgroup "$cg"
	"$NETBPF" redirect on --cgroup "$cg"
	pair "$cg" -T -a 127.0.0.1
	# EOPNOTSUPP on 6.18; older kernels refuse any socket with a ULP with EINVAL.
	assert_eq "$(redirect_stat "$cg" insert_failed)" 8 "MPTCP subflows refused"
	assert_eq "$(redirect_stat "$cg" inserted)" 0 "MPTCP sockets inserted"
else
	log "no MPTCP in this kernel: refusal not checked"
fi

#!/usr/bin/env bash
# Auto mode (the default) decides per service from the connections to it that
# finished. A service whose connection was a one-way stream of small messages is
# learned as "tcp": a new connection to it is not put into the SOCKHASH and its
# bytes cross lo, except every 16th connection (a probe). A service whose
# connections carried messages both ways stays on the bypass. --mode always
# inserts regardless. Every stream is byte-exact (streamcheck hashes).
#
#   netns ns (lo up), processes in cgroup cg, redirect on --cgroup cg
#   +---------------------------------------------------------------+
#   |  streamcheck client --lo--> server :7201  one-way, <= 256 B    |
#   |  streamcheck client <-lo--> server :7202  both ways            |
#   |  witnesses: lo tx_packets, bpftool map dump of the SOCKHASH    |
#   +---------------------------------------------------------------+
. "$(dirname "$0")/lib.sh"

redirect_setup
mk_ns ns
"$NETBPF" redirect on --cgroup "$cg"
pins=/sys/fs/bpf/netbpf/redirect/$(stat -c %i "$cg")

# svc PORT EXPR: jq EXPR on that service in status --json ("" when unknown)
svc() {
	"$NETBPF" redirect status --cgroup "$cg" --json |
		jq -r ".redirect[0].services[] | select(.port == $1) | $2"
}
# sockets in the SOCKHASH now, by bpftool (the map's BTF names the key fields)
hashed() { bpftool -j map dump pinned "$pins/sockhash" | jq length; }

# conn NAME PORT C2S S2C [client args]: one connection, paused halfway so that
# HASHED (the SOCKHASH's size then) is taken while it is open; PK is the packets
# lo carried meanwhile. Fails unless both ends got every byte intact.
conn() {
	local name=$1 port=$2 c2s=$3 s2c=$4 out=$tmp/$1 spid cpid pk
	shift 4
	rm -f "$tmp/gate"
	pk=$(dev_counter "$ns" lo tx_packets)
	cg_exec "$cg" "$ns" "$SC" server -a 127.0.0.1 -p "$port" >"$out.server" 2>&1 &
	spid=$!
	defer kill_child "$spid"
	busywait 5000 grep -q '^listening' "$out.server" || fail "$name: server did not start"
	rm -f "$out.start"
	cg_exec "$cg" "$ns" "$SC" client -a 127.0.0.1 -p "$port" -b "$c2s" -R "$s2c" \
		-g "$tmp/gate" -G "$out.start" "$@" >"$out.client" 2>&1 &
	cpid=$!
	defer kill_child "$cpid"
	sc_start "$ns" "$port" 1 "$out.start"
	busywait 20000 grep -q halfway "$out.client" || fail "$name: never got halfway"
	HASHED=$(hashed)
	touch "$tmp/gate"
	wait "$cpid" || fail "$name: client: $(cat "$out.client")"
	wait "$spid" || fail "$name: server: $(cat "$out.server")"
	PK=$(($(dev_counter "$ns" lo tx_packets) - pk))
	assert_eq "$(grep -c "conns=1 tx_bytes=$c2s rx_bytes=$s2c" "$out.client")" 1 "$name: client bytes"
	assert_eq "$(grep -c "conns=1 tx_bytes=$s2c rx_bytes=$c2s" "$out.server")" 1 "$name: server bytes"
	[ "$(sed -n 's/.*tx_hash=\([0-9a-f]*\).*/\1/p' "$out.client")" = \
	  "$(sed -n 's/.*rx_hash=\([0-9a-f]*\).*/\1/p' "$out.server")" ] || fail "$name: stream hash"
	log "$name: $HASHED sockets hashed, $PK packets on lo"
}
# voted PORT N: wait until the service has N votes (both ends must reach CLOSE)
voted() {
	busywait 10000 eval '[ "$(svc '"$1"' "[.votes[]] | add")" = '"$2"' ]' ||
		fail "service $1: expected $2 votes, status: $("$NETBPF" redirect status --cgroup "$cg")"
}
STREAM=$((256 << 10))

# An unknown service takes the bypass; its one-way small-message stream votes "tcp".
conn stream-1 7201 $STREAM 0 -m 256
assert_eq "$HASHED" 2 "first connection to an unknown service: both ends hashed"
[ "$PK" -le 12 ] || fail "first stream connection: $PK packets on lo, expected only handshake and teardown"
voted 7201 1
assert_eq "$(svc 7201 .votes.tcp)" 1 "one-way small-message stream votes tcp"
assert_eq "$(svc 7201 .path)" tcp "service learned as tcp"

# The next connection to it stays on TCP: not hashed, its data on lo.
ins=$(redirect_stat "$cg" inserted)
conn stream-2 7201 $STREAM 0 -m 256
assert_eq "$HASHED" 0 "connection to a tcp service: not hashed"
assert_eq "$(redirect_stat "$cg" inserted)" "$ins" "sockets inserted for a tcp service"
assert_eq "$(redirect_stat "$cg" conns_policy_tcp)" 1 "connections left to TCP"
# 256 KiB in segments of at most 64 KiB, plus the handshake.
assert_ge "$PK" 7 "packets on lo for the tcp service"

# Messages both ways: bypassed, and still bypassed once it has voted.
for i in 1 2; do
	conn both-$i 7202 $STREAM $STREAM -m 16K
	assert_eq "$HASHED" 2 "connection $i with messages both ways: both ends hashed"
	[ "$PK" -le 12 ] || fail "both-$i: $PK packets on lo"
	voted 7202 $i
done
assert_eq "$(svc 7202 .votes.bypass)" 2 "messages both ways vote bypass"
assert_eq "$(svc 7202 .path)" bypass "service kept on the bypass"

# Probes: the 16th connection to the tcp service is bypassed, the 3rd to 15th (13
# at once here) not.
voted 7201 2
ins=$(redirect_stat "$cg" inserted)
cg_exec "$cg" "$ns" "$SC" server -a 127.0.0.1 -p 7201 -n 13 >"$tmp/13.server" 2>&1 &
spid=$!
defer kill_child $spid
busywait 5000 grep -q '^listening' "$tmp/13.server" || fail "server for 13 did not start"
cg_exec "$cg" "$ns" "$SC" client -a 127.0.0.1 -p 7201 -n 13 -b 4096 -R 0 -m 64 >"$tmp/13.client" 2>&1 ||
	fail "13 connections: $(cat "$tmp/13.client")"
wait $spid || fail "13 connections: server: $(cat "$tmp/13.server")"
assert_eq "$(grep -c "^server conns=13 tx_bytes=0 rx_bytes=$((13 * 4096))" "$tmp/13.server")" 1 \
	"13 connections: bytes"
assert_eq "$(redirect_stat "$cg" inserted)" "$ins" "sockets inserted for connections 3 to 15"
assert_eq "$(redirect_stat "$cg" conns_policy_tcp)" 14 "connections left to TCP"
conn stream-16 7201 4096 0 -m 64
assert_eq "$HASHED" 2 "probe: both ends hashed"
assert_eq "$(redirect_stat "$cg" conns_probed)" 1 "probes"
assert_eq "$(svc 7201 .probes)" 1 "probes of the service"
assert_eq "$(svc 7201 .path)" tcp "service still tcp after its probe"
text=$("$NETBPF" redirect status --cgroup "$cg")
assert_contains "$text" "mode           auto" "status mode"
assert_contains "$text" "policy         14 connections left to TCP, 1 probes" "status policy line"
[[ "$text" =~ 7201\ +[0-9]+\ +tcp ]] || fail "status: 7201 not shown as tcp: $text"
[[ "$text" =~ 7202\ +[0-9]+\ +bypass ]] || fail "status: 7202 not shown as bypass: $text"

# --mode always: today's behaviour, the same stream is hashed.
"$NETBPF" redirect off --cgroup "$cg"
"$NETBPF" redirect on --cgroup "$cg" --mode always
pins=/sys/fs/bpf/netbpf/redirect/$(stat -c %i "$cg")
conn always 7201 $STREAM 0 -m 256
assert_eq "$HASHED" 2 "--mode always: both ends hashed"
[ "$PK" -le 12 ] || fail "--mode always: $PK packets on lo"

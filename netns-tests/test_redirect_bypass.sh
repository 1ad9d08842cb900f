#!/usr/bin/env bash
# The bypass is real: with redirect on, the namespace's loopback carries only the
# handshake and teardown of each connection while the bytes arrive intact; with it
# off, the same transfer shows data packets. Checked for 127.0.0.1, ::1 and an
# IPv6 socket talking to an IPv4 one over ::ffff:127.0.0.1 (v4-mapped keys).
#
#   netns ns (lo up), processes in cgroup cg
#   +------------------------------------------------+
#   |  streamcheck client x20 --lo--> server          |
#   |  witness: /proc/net/dev of the namespace         |
#   +------------------------------------------------+
. "$(dirname "$0")/lib.sh"

redirect_setup
mk_ns ns
N=20
BYTES=$((1 << 20))

# transfer SERVER_ADDR CLIENT_ADDR: N connections, BYTES each way; sets PK and PB to
# the packets and bytes lo carried meanwhile.
transfer() {
	local pk pb
	pk=$(dev_counter "$ns" lo tx_packets)
	pb=$(dev_counter "$ns" lo tx_bytes)
	sc_transfer "$tmp/t" "$cg" "$ns" "$1" "$cg" "$ns" "$2" 7100 $N $BYTES -m 64K
	PK=$(($(dev_counter "$ns" lo tx_packets) - pk))
	PB=$(($(dev_counter "$ns" lo tx_bytes) - pb))
}

transfer 127.0.0.1 127.0.0.1
log "plain: $PK packets on lo"
# 20 MiB each way in segments of at most 64 KiB.
assert_ge "$PK" $((2 * N * BYTES / 65536)) "data packets on lo without redirect"

"$NETBPF" redirect on --cgroup "$cg"
for pair in "127.0.0.1 127.0.0.1" "::1 ::1" "127.0.0.1 ::ffff:127.0.0.1"; do
	set -- $pair
	ins=$(redirect_stat "$cg" inserted)
	bytes=$(redirect_stat "$cg" bytes_redirected)
	transfer "$1" "$2"
	log "redirected $1 <- $2: $PK packets, $PB bytes on lo"
	# SYN, SYN-ACK, ACK, and FIN/ACK each way: 7 per connection, rarely a pure
	# ACK more. Bare headers: under 100 bytes each.
	[ "$PK" -le $((9 * N)) ] || fail "$1 <- $2: $PK packets on lo, expected at most $((9 * N))"
	[ "$PB" -le $((900 * N)) ] || fail "$1 <- $2: $PB bytes on lo, expected at most $((900 * N))"
	assert_eq $(($(redirect_stat "$cg" inserted) - ins)) $((2 * N)) "sockets inserted ($1 <- $2)"
	assert_eq $(($(redirect_stat "$cg" bytes_redirected) - bytes)) $((2 * N * BYTES + 32 * N)) \
		"bytes redirected ($1 <- $2)"
done
assert_eq "$(redirect_stat "$cg" conns_no_peer)" 0 "connections without peer"

#!/usr/bin/env bash
# Exact counting per protocol and direction, in both attach flavours.
#
#   ns A                              ns B
#   va 10.77.0.1  <---- veth ---->    vb 10.77.0.2
#   netbpf up va                      ping / UDP / TCP sender
#
# IPv6 is off and ARP entries are static, so every packet on the link is one the
# test sent. Witnesses: the echo replies ping counts, the receiver's checksum, and
# the kernel's own /proc/net/dev counters of va.
. "$(dirname "$0")/lib.sh"
need nsenter ping

mk_ns A
mk_ns B
veth_pair "$A" va 10.77.0.1/24 "$B" vb 10.77.0.2/24
quiet_veth "$A" va 10.77.0.2 "$(mac_of "$B" vb)"
quiet_veth "$B" vb 10.77.0.1 "$(mac_of "$A" va)"
defer nsx "$A" "$NETBPF" down va

check_mode() { # up-args...
	log "mode: $*"
	nsx "$A" "$NETBPF" -q up va "$@"

	# 5 pings: requests in at xdp and tc ingress, replies out at tc egress; 98 bytes each.
	nsx "$B" ping -c 5 -i 0.2 -q 10.77.0.1 >/dev/null || fail "ping failed"
	assert_eq "$(nb_stat "$A" va xdp icmp)" 5 "xdp icmp packets"
	assert_eq "$(nb_stat "$A" va xdp icmp bytes)" 490 "xdp icmp bytes"
	assert_eq "$(nb_stat "$A" va tc-ingress icmp)" 5 "tc ingress icmp"
	assert_eq "$(nb_stat "$A" va tc-egress icmp)" 5 "tc egress icmp"
	assert_eq "$(nb_stat "$A" va xdp ipv4)" 5 "xdp ipv4"
	assert_eq "$(nb_stat "$A" va xdp pass)" 5 "xdp pass verdicts"

	# 7 UDP datagrams of 2 payload bytes: 14 + 20 + 8 + 2 = 44 bytes on the wire.
	for _ in 1 2 3 4 5 6 7; do
		nsx "$B" bash -c 'echo x > /dev/udp/10.77.0.1/9999'
	done
	# Native XDP on veth runs in the receiver's NAPI, tc ingress after it: poll until
	# the last datagram went through both (the asserts below then say what is wrong).
	udp_seen() { [ "$(nb_stat "$A" va xdp udp)" = 7 ] && [ "$(nb_stat "$A" va tc-ingress udp)" = 7 ]; }
	busywait 10000 udp_seen || true
	assert_eq "$(nb_stat "$A" va xdp udp)" 7 "xdp udp packets"
	assert_eq "$(nb_stat "$A" va xdp udp bytes)" 308 "xdp udp bytes"
	assert_eq "$(nb_stat "$A" va tc-ingress udp)" 7 "tc ingress udp"
	assert_eq "$(nb_stat "$A" va tc-egress udp)" 0 "tc egress udp"

	# One TCP transfer: every segment the kernel received on va, and only those.
	local rx0 tx0 out="$TMP/recv.out"
	rx0=$(dev_counter "$A" va rx_packets)
	tx0=$(dev_counter "$A" va tx_packets)
	nsx "$A" "$BUILD/tests/tcpxfer" recv 5001 >"$out" &
	busywait 10000 grep -q listening "$out" || fail "receiver did not start"
	sent=$(nsx "$B" "$BUILD/tests/tcpxfer" send 10.77.0.1 5001 1000000)
	wait $!
	assert_eq "$(tail -n 1 "$out")" "$sent" "received bytes and checksum"
	# The connection's last segments may still be on their way (veth counts a packet
	# in rx_packets before the receiver's NAPI runs XDP on it): poll until the
	# counters agree, then assert each.
	tcp_settled() {
		local rx tx
		rx=$(($(dev_counter "$A" va rx_packets) - rx0)) tx=$(($(dev_counter "$A" va tx_packets) - tx0))
		[ "$(nb_stat "$A" va xdp tcp)" = $rx ] && [ "$(nb_stat "$A" va tc-ingress tcp)" = $rx ] &&
			[ "$(nb_stat "$A" va tc-egress tcp)" = $tx ]
	}
	busywait 10000 tcp_settled || true
	assert_eq "$(nb_stat "$A" va xdp tcp)" $(($(dev_counter "$A" va rx_packets) - rx0)) "xdp tcp = rx_packets"
	assert_eq "$(nb_stat "$A" va tc-ingress tcp)" $(($(dev_counter "$A" va rx_packets) - rx0)) "tc ingress tcp = rx_packets"
	assert_eq "$(nb_stat "$A" va tc-egress tcp)" $(($(dev_counter "$A" va tx_packets) - tx0)) "tc egress tcp = tx_packets"
	assert_ge "$(nb_stat "$A" va xdp tcp bytes)" 1000000 "xdp tcp bytes"
	assert_eq "$(nb_stat "$A" va xdp drop)" 0 "xdp drops"

	nsx "$A" "$NETBPF" -q down va
}

TMP=$(mktemp -d)
defer rm -rf "$TMP"
check_mode
check_mode --xdp-mode skb --tc clsact

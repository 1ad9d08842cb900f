#!/usr/bin/env bash
# The same interface name in two namespaces: separate pins, separate counts, and
# `down` in one leaves the other attached and counting.
#
#   ns A1: eth0 10.79.1.1 <-> ns B1: p1 10.79.1.2
#   ns A2: eth0 10.79.2.1 <-> ns B2: p2 10.79.2.2
#   netbpf up eth0 in A1 and in A2
. "$(dirname "$0")/lib.sh"
need nsenter ping

mk_ns A1; mk_ns B1; mk_ns A2; mk_ns B2
veth_pair "$A1" eth0 10.79.1.1/24 "$B1" p1 10.79.1.2/24
veth_pair "$A2" eth0 10.79.2.1/24 "$B2" p2 10.79.2.2/24
for ns in "$A1" "$A2"; do
	nsx "$ns" "$NETBPF" -q up eth0
	defer nsx "$ns" "$NETBPF" down eth0
done
[ "$(pin_dir "$A1" eth0)" != "$(pin_dir "$A2" eth0)" ] || fail "same pin dir for both"
[ -d "$(pin_dir "$A1" eth0)" ] && [ -d "$(pin_dir "$A2" eth0)" ] || fail "pin dirs missing"

nsx "$B1" ping -c 3 -i 0.2 -q 10.79.1.1 >/dev/null || fail "ping 1"
nsx "$B2" ping -c 2 -i 0.2 -q 10.79.2.1 >/dev/null || fail "ping 2"
assert_eq "$(nb_stat "$A1" eth0 xdp icmp)" 3 "A1 icmp"
assert_eq "$(nb_stat "$A2" eth0 xdp icmp)" 2 "A2 icmp"

nsx "$A1" "$NETBPF" down eth0
ip -n "$A1" link show eth0 | grep -q ' xdp' && fail "A1 still has XDP"
ip -n "$A2" link show eth0 | grep -q ' xdp' || fail "A2 lost its XDP"
[ -d "$(pin_dir "$A2" eth0)" ] || fail "A2 pins gone"
nsx "$B2" ping -c 2 -i 0.2 -q 10.79.2.1 >/dev/null || fail "ping 2 after down in A1"
assert_eq "$(nb_stat "$A2" eth0 xdp icmp)" 4 "A2 still counting"

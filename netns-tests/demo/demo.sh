#!/usr/bin/env bash
# make demo: netbpf on a throwaway namespace pair with real traffic, then gone.
#
#   ns A: veth0 10.66.0.1  <---- veth ---->  ns B: veth0 10.66.0.2
#         netbpf up veth0                         ping, UDP, TCP
. "$(dirname "$0")/../lib.sh"

run() { printf '\n$ %s\n' "$*"; nsx "$A" "$NETBPF" "$@"; }

mk_ns A
mk_ns B
veth_pair "$A" veth0 10.66.0.1/24 "$B" veth0 10.66.0.2/24
defer nsx "$A" "$NETBPF" -q down veth0
echo "namespaces $A and $B, joined by a veth pair (both ends named veth0)"

run up veth0
run status veth0

nsx "$A" "$BUILD/tests/tcpxfer" recv 5001 >/dev/null &
listening() { nsx "$A" ss -Hltn "sport = :5001" | grep -q .; }
busywait 2000 listening || fail "receiver did not start"
echo; echo "traffic from B: 5 pings, 3 UDP datagrams, a 1 MB TCP transfer"
nsx "$B" ping -c 5 -i 0.2 -q 10.66.0.1 | tail -n 1
for _ in 1 2 3; do nsx "$B" bash -c 'echo hi > /dev/udp/10.66.0.1/9999'; done
nsx "$B" "$BUILD/tests/tcpxfer" send 10.66.0.1 5001 1000000 >/dev/null
wait
run stats veth0

run deny add veth0 10.66.0.2/32
echo; echo "ping from B is now dropped by XDP:"
nsx "$B" ping -c 2 -W 1 -q 10.66.0.1 | tail -n 2 || true
run deny list veth0
run down veth0
echo; echo "after down:"; ip -n "$A" link show veth0 | head -n 1

#!/usr/bin/env bash
# "Already up" means up on the interface that has the name now: after
# `ip link set va name wan0` and a new va, `up va` installs on the new va, the pins
# of the old one move to wan0's name, and stats/down act on the interface named.
#
#   ns A: va -> wan0 <-- veth --> ns B: vb;   ns A: va (new) <-- veth --> ns B: vc
. "$(dirname "$0")/lib.sh"
need nsenter bpftool tc

mk_ns A
mk_ns B
veth_pair "$A" va 10.89.0.1/24 "$B" vb -
defer nsx "$A" "$NETBPF" down va
defer nsx "$A" "$NETBPF" down wan0
nsx "$A" "$NETBPF" -q up va --tc clsact
old=$(nsx "$A" cat /sys/class/net/va/ifindex 2>/dev/null || ip -n "$A" -o link show va | cut -d: -f1)
ip -n "$A" link set va down
ip -n "$A" link set va name wan0
ip -n "$A" link set wan0 up
veth_pair "$A" va 10.89.1.1/24 "$B" vc -

out=$(nsx "$A" "$NETBPF" up va --tc clsact 2>&1)
assert_contains "$out" "netbpf up on va" "up on the new va"
nb_complete "$A" va || fail "no whole install on the new va"
nb_complete "$A" wan0 || fail "the renamed interface lost its install"
[ "$(nb_prog_ids "$A" va | head -n1)" != "$(nb_prog_ids "$A" wan0 | head -n1)" ] || fail "same program on both"
assert_eq "$(nsx "$A" "$NETBPF" status wan0 | awk 'NR == 1 { print $3 }')" "$old)" "wan0's ifindex in status"

nsx "$A" "$NETBPF" -q down va
busywait 5000 nb_none "$A" va || fail "down va left something on va"
nb_complete "$A" wan0 || fail "down va touched wan0"
nsx "$A" "$NETBPF" -q down wan0
busywait 5000 nb_none "$A" wan0 || fail "down wan0 left something"

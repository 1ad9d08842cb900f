#!/usr/bin/env bash
# `up --force` swaps a foreign XDP program for ours in one step: when `up` fails
# after choosing to replace it, the foreign program is still attached (ip link);
# when it succeeds, ours is, and `down` removes ours and nothing else.
#
#   ns A: va <-- veth --> ns B: vb
. "$(dirname "$0")/lib.sh"
need nsenter bpftool tc

mk_ns A
mk_ns B
veth_pair "$A" va 10.88.0.1/24 "$B" vb -
defer nsx "$A" "$NETBPF" down va
ip -n "$A" link set dev va xdpgeneric obj "$BUILD/tests/foreign.bpf.o" sec xdp
foreign=$(ip -n "$A" -d link show va | awk '/prog\/xdp/ { print $3 }')
[ -n "$foreign" ] || fail "foreign XDP program not attached"
xdp_id() { ip -n "$A" -d link show va | awk '/prog\/xdp/ { print $3 }'; }

# Every step after the decision to replace fails in turn: the foreign program stays.
for s in load tc xdp commit; do
	rc=0
	out=$(NETBPF_FAIL_AT=$s nsenter --net="/run/netns/$A" "$NETBPF" up va --force --tc clsact 2>&1) || rc=$?
	assert_eq $rc 1 "up --force failing at $s"
	assert_eq "$(xdp_id)" "$foreign" "XDP program after up --force failed at $s"
	[ ! -e "$(pin_dir "$A" va)" ] || fail "pins left after failing at $s"
	[ -z "$(tc -n "$A" filter show dev va ingress)" ] || fail "tc filter left after failing at $s"
done

nsx "$A" "$NETBPF" -q up va --force --tc clsact
ours=$(xdp_id)
[ "$ours" != "$foreign" ] || fail "--force kept the foreign program"
ip -n "$A" -d link show va | grep -q "prog/xdp id $ours name xdp_main" || fail "ours not attached"
assert_eq "$(nsx "$A" "$NETBPF" status va | awk '$1 == "xdp" { print $4 }')" "$ours" "status xdp id"
out=$(nsx "$A" "$NETBPF" up va 2>&1)
assert_contains "$out" "already up" "up after up --force"
nsx "$A" "$NETBPF" -q down va
busywait 5000 nb_none "$A" va || fail "down after up --force left something"

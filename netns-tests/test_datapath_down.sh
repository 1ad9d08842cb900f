#!/usr/bin/env bash
# `down` removes exactly what `up` installed, witnessed by ip, tc and bpftool; a
# foreign XDP program survives our `down` and blocks our `up` unless --force.
#
#   ns A: va 10.80.0.1 <-- veth --> ns B: vb 10.80.0.2
. "$(dirname "$0")/lib.sh"
need nsenter bpftool tc

mk_ns A
mk_ns B
veth_pair "$A" va 10.80.0.1/24 "$B" vb 10.80.0.2/24
defer nsx "$A" "$NETBPF" down va
pins=$(pin_dir "$A" va)

assert_gone() { # prog ids...
	ip -n "$A" link show va | grep -q ' xdp' && fail "ip link still shows XDP"
	[ -z "$(tc -n "$A" filter show dev va ingress)" ] || fail "tc ingress filters left"
	[ -z "$(tc -n "$A" filter show dev va egress)" ] || fail "tc egress filters left"
	tc -n "$A" qdisc show dev va | grep -q clsact && fail "clsact qdisc left"
	[ ! -e "$pins" ] || fail "pin dir $pins left"
	local id
	for id in "$@"; do
		# Programs are freed asynchronously after the last reference goes.
		busywait 5000 eval "! bpftool prog show id $id" || fail "program $id still loaded after 5 s"
		nsx "$A" bpftool net show dev va | grep -q "id $id" && fail "bpftool net still lists $id"
	done
	return 0
}

modes=clsact
# TCX needs kernel 6.6+; on older kernels auto mode takes clsact (tested there).
if out=$(nsx "$A" "$NETBPF" -q up va --tc tcx 2>&1); then
	nsx "$A" "$NETBPF" -q down va
	modes="tcx clsact"
else
	assert_contains "$out" "kernel without TCX" "tcx refusal"
	log "no TCX in this kernel: clsact only"
	nsx "$A" "$NETBPF" -q up va
	assert_eq "$(nsx "$A" "$NETBPF" status va | awk '$1 == "tc" { print $3; exit }')" clsact "auto mode without TCX"
	nsx "$A" "$NETBPF" -q down va
fi
for mode in $modes; do
	nsx "$A" "$NETBPF" -q up va --tc $mode
	ids=$(nb_prog_ids "$A" va)
	assert_eq "$(echo $ids | wc -w)" 3 "programs attached ($mode)"
	for id in $ids; do bpftool prog show id "$id" >/dev/null || fail "program $id not loaded"; done
	ip -n "$A" link show va | grep -q ' xdp' || fail "ip link shows no XDP"
	[ $mode = clsact ] && { tc -n "$A" filter show dev va ingress | grep -q tc_ingress || fail "no tc filter"; }
	# up twice: reports, changes nothing
	out=$(nsx "$A" "$NETBPF" up va 2>&1)
	assert_contains "$out" "already up" "second up"
	assert_eq "$(nb_prog_ids "$A" va | xargs)" "$(echo $ids | xargs)" "programs after second up"
	nsx "$A" "$NETBPF" -q down va
	assert_gone $ids
done

# A clsact qdisc and filter that someone else made stay after our down.
tc -n "$A" qdisc add dev va clsact
tc -n "$A" filter add dev va ingress prio 7 bpf da obj "$BUILD/tests/foreign.bpf.o" sec tc
nsx "$A" "$NETBPF" -q up va --tc clsact
nsx "$A" "$NETBPF" -q down va
tc -n "$A" filter show dev va ingress | grep -q foreign_tc || fail "foreign tc filter removed"
tc -n "$A" qdisc del dev va clsact

# Foreign XDP program: blocks up, survives down, replaced with --force.
ip -n "$A" link set dev va xdpgeneric obj "$BUILD/tests/foreign.bpf.o" sec xdp
foreign=$(ip -n "$A" -d link show va | awk '/prog\/xdp/ { print $3 }')
[ -n "$foreign" ] || fail "foreign XDP program not attached"
assert_fails_with "--force" nsx "$A" "$NETBPF" up va
[ ! -e "$pins" ] || fail "refused up left pins"
ip -n "$A" -d link show va | grep -q "prog/xdp id $foreign" || fail "foreign program gone after refused up"
nsx "$A" "$NETBPF" -q up va --force
ip -n "$A" -d link show va | grep -q "name xdp_main" || fail "--force did not attach ours"
nsx "$A" "$NETBPF" -q down va
ip -n "$A" link show va | grep -q ' xdp' && fail "XDP left after down"

# A filter someone adds next to ours (same qdisc) stays through our down, and so does the qdisc.
nsx "$A" "$NETBPF" -q up va --tc clsact
tc -n "$A" filter add dev va egress prio 9 bpf da obj "$BUILD/tests/foreign.bpf.o" sec tc
nsx "$A" "$NETBPF" -q down va
tc -n "$A" filter show dev va egress | grep -q foreign_tc || fail "foreign egress filter removed"
tc -n "$A" qdisc show dev va | grep -q clsact || fail "qdisc removed under a foreign filter"

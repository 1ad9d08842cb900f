#!/usr/bin/env bash
# `up` failing or receiving SIGTERM at any of its steps leaves nothing behind: no XDP
# (ip), no tc filter or qdisc (tc), no program attached (bpftool net), no pins, no
# bypass on the cgroup (bpftool cgroup); a signal after the last step leaves a whole
# install. Steps are named by NETBPF_FAIL_AT / NETBPF_SIGNAL_AT (common/steps.h).
#
#   ns A: va 10.87.0.1 <-- veth --> ns B: vb
. "$(dirname "$0")/lib.sh"
need nsenter bpftool tc

mk_ns A
mk_ns B
veth_pair "$A" va 10.87.0.1/24 "$B" vb -
mk_cgroup cg
defer "$NETBPF" redirect off --cgroup "$cg"
defer nsx "$A" "$NETBPF" down va
cgid=$(stat -c %i "$cg")

bypass_off() {
	[ ! -e "/sys/fs/bpf/netbpf/redirect/$cgid" ] && [ -z "$(bpftool cgroup show "$cg")" ]
}
steps="mkdir state load tc xdp redirect commit"
for how in FAIL SIGNAL; do
	for s in $steps; do
		rc=0
		out=$(env "NETBPF_${how}_AT=$s" nsenter --net="/run/netns/$A" \
			"$NETBPF" up va --tc clsact --redirect --cgroup "$cg" 2>&1) || rc=$?
		if [ $how = FAIL ]; then
			assert_eq $rc 1 "exit status of up failing at $s"
			assert_contains "$out" "failure injected at step '$s'" "message at $s"
		else
			assert_eq $rc 143 "exit status of up killed by SIGTERM at $s"
			assert_contains "$out" "interrupted by SIGTERM after step '$s'" "message at $s"
		fi
		busywait 5000 nb_none "$A" va ||
			fail "$how at $s left: xdp $(ip -n "$A" link show va | grep -c ' xdp'), progs '$(nb_net_ids "$A" va)', pins: $(ls "$(pin_dir "$A" va)" 2>&1 | xargs)"
		busywait 5000 bypass_off || fail "$how at $s left the bypass on $cg"
	done
done

# A signal after the last step: the install is whole, and down removes all of it.
rc=0
NETBPF_SIGNAL_AT=none nsenter --net="/run/netns/$A" "$NETBPF" -q up va --tc clsact --redirect --cgroup "$cg" || rc=$?
assert_eq $rc 0 "up without a signal"
nb_complete "$A" va || fail "no whole install after up"
nsx "$A" "$NETBPF" -q down va
busywait 5000 nb_none "$A" va || fail "down left something"
busywait 5000 bypass_off || fail "down left the bypass on"

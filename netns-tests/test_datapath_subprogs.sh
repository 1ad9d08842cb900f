#!/usr/bin/env bash
# The stages stay separate bpf2bpf functions in the loaded programs (BTF func_info,
# as `bpftool prog dump xlated` shows it): tracing attaches to each of them.
#
#   ns A: va <-- veth --> ns B: vb
. "$(dirname "$0")/lib.sh"
need nsenter bpftool

mk_ns A
mk_ns B
veth_pair "$A" va - "$B" vb -
nsx "$A" "$NETBPF" -q up va
defer nsx "$A" "$NETBPF" down va

funcs() { # prog id: the function headers of the xlated dump, sorted
	bpftool prog dump xlated id "$1" | sed -n 's/^\(static \)\{0,1\}\(int\|void\) \([a-z_0-9]*\)(.*/\3/p' | sort | xargs
}
set -- $(nb_prog_ids "$A" va)
assert_eq "$(funcs "$1")" "account match_rules parse_l2 parse_l3 parse_l4 xdp_main" "xdp functions"
assert_eq "$(funcs "$2")" "account parse_l2 parse_l3 parse_l4 tc_ingress" "tc ingress functions"
assert_eq "$(funcs "$3")" "account parse_l2 parse_l3 parse_l4 tc_egress" "tc egress functions"
# Not `bpftool ... | grep -q`: under pipefail, grep leaving at the first match can
# fail bpftool's later writes (SIGPIPE), and with them the check.
xlated=$(bpftool prog dump xlated id "$1")
grep -q '^void account(' <<<"$xlated" || fail "account is not void"

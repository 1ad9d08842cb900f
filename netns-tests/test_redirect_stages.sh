#!/usr/bin/env bash
# The bypass's stages stay separate bpf2bpf functions in the loaded programs (BTF
# func_info, as `bpftool prog dump xlated` shows it): `netbpf trace redirect`
# attaches to each of them.
#
#   cgroup cg: netbpf redirect on (sockops link + sk_msg verdict pinned)
. "$(dirname "$0")/lib.sh"
need bpftool

mk_cgroup cg
"$NETBPF" redirect on --cgroup "$cg" || fail "redirect on"
defer "$NETBPF" redirect off --cgroup "$cg"
dir=/sys/fs/bpf/netbpf/redirect/$(stat -c %i "$cg")

funcs() { # prog id: the function headers of the xlated dump, sorted
	bpftool prog dump xlated id "$1" | sed -n 's/^\(static \)\{0,1\}\(int\|void\) \([a-z_0-9]*\)(.*/\3/p' | sort | xargs
}
sockops=$(bpftool link show pinned "$dir/sockops_link" | sed -n 's/.* prog \([0-9]*\).*/\1/p')
verdict=$(bpftool prog show pinned "$dir/verdict" | sed -n 's/^\([0-9]*\):.*/\1/p')
assert_eq "$(funcs "$sockops")" "rd_closed rd_count_insert rd_key rd_policy rd_sockhash_insert sockmap_insert" \
	"sockops functions"
assert_eq "$(funcs "$verdict")" "rd_count_msg rd_msg_policy rd_peer_lookup sockmap_verdict" "sk_msg functions"
# grep -c reads to the end: bpftool is not cut off by a pipe closed early.
assert_eq "$(bpftool prog dump xlated id "$sockops" | grep -c '^void rd_count_insert(')" 1 "rd_count_insert is void"
assert_eq "$(bpftool prog dump xlated id "$verdict" | grep -c '^void rd_count_msg(')" 1 "rd_count_msg is void"

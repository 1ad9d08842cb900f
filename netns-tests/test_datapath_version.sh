#!/usr/bin/env bash
# Pinned maps of another netbpf version (other key/value sizes, another state
# format) are refused with one clear line, never read into netbpf's structs, and
# never removed while attached; once their device is gone they are stale pins.
#
#   ns A: va <-- veth --> ns B: vb
. "$(dirname "$0")/lib.sh"
need nsenter bpftool tc

mk_ns A
mk_ns B
veth_pair "$A" va 10.90.0.1/24 "$B" vb -
defer nsx "$A" "$NETBPF" down va
nsx "$A" "$NETBPF" -q up va
dir=$(pin_dir "$A" va)
# `down` leaves another version's pins alone while they are attached: unpinned by
# hand (the links detach once nothing holds them).
defer rm -rf "$dir"

# one_line_refusal NEEDLE CMD...: fails with exit 1 and exactly one line naming NEEDLE
one_line_refusal() {
	local needle=$1 out rc=0; shift
	out=$("$@" 2>&1) || rc=$?
	assert_eq $rc 1 "exit status of '$*'"
	assert_eq "$(echo "$out" | wc -l)" 1 "lines printed by '$*': $out"
	assert_contains "$out" "$needle" "message of '$*'"
}

# Counters with a bigger value than netbpf's struct (would overflow its buffer).
rm "$dir/netbpf_stats"
bpftool map create "$dir/netbpf_stats" type percpu_array key 4 value 4096 entries 3 name netbpf_stats
one_line_refusal "netbpf_stats: key/value size 4/4096" nsx "$A" "$NETBPF" stats va
# The deny rules' trie with another key size.
rm "$dir/netbpf_deny"
bpftool map create "$dir/netbpf_deny" type lpm_trie key 8 value 16 entries 4 name netbpf_deny flags 1
one_line_refusal "netbpf_deny: key/value size 8/16" nsx "$A" "$NETBPF" deny list va
# A state map of another size: neither used nor removed, by any command.
size=$(bpftool map show pinned "$dir/netbpf_state" | sed -n 's/.*value \([0-9]*\)B.*/\1/p')
rm "$dir/netbpf_state"
bpftool map create "$dir/netbpf_state" type array key 4 value 512 entries 1 name netbpf_state
one_line_refusal "netbpf_state: key/value size 4/512" nsx "$A" "$NETBPF" status va
one_line_refusal "netbpf_state: key/value size 4/512" nsx "$A" "$NETBPF" down va
[ -e "$dir/xdp_link" ] || fail "down removed another version's pins"
# The right size but another format version.
rm "$dir/netbpf_state"
bpftool map create "$dir/netbpf_state" type array key 4 value "$size" entries 1 name netbpf_state
bpftool map update pinned "$dir/netbpf_state" key 0 0 0 0 value $(printf '9 %.0s' $(seq "$size"))
one_line_refusal "state format 151587081, this netbpf reads" nsx "$A" "$NETBPF" up va

# Once the device is gone, they describe nothing attached: the next `up` of that name
# (a namespace reusing the inode number looks the same) removes them and installs.
ip -n "$A" link del va
veth_pair "$A" va 10.90.1.1/24 "$B" vc -
out=$(nsx "$A" "$NETBPF" up va --tc clsact 2>&1) || fail "up over dead pins of another version: $out"
assert_contains "$out" "netbpf up on va" "up over dead pins of another version"
nb_complete "$A" va || fail "no whole install over dead pins of another version"

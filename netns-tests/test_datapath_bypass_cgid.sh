#!/usr/bin/env bash
# `down` finds the bypass that `up --redirect` turned on by its cgroup id, not by a
# stored path: a cgroup whose path is longer than 128 bytes, or named by a path
# relative to the directory `up` ran in, is still turned off (bpftool cgroup and
# the pins witness it).
#
#   ns A: va <-- veth --> ns B: vb;  cgroups cg/<150 x "l"> and cg/short
. "$(dirname "$0")/lib.sh"
need nsenter bpftool

mk_ns A
mk_ns B
veth_pair "$A" va 10.92.0.1/24 "$B" vb -
veth_pair "$A" vx 10.92.1.1/24 "$B" vy -
mk_cgroup cg
long=$cg/$(printf 'l%.0s' $(seq 150))
mkdir "$long" "$cg/short"
defer "rmdir '$long' '$cg/short'"
# only our cgroups: 'redirect off' without --cgroup turns off every bypass on the machine
defer "'$NETBPF' redirect off --cgroup '$long'; '$NETBPF' redirect off --cgroup '$cg/short'"
defer nsx "$A" "$NETBPF" down --all

check_off() { # cgroup: no pins, no sockops program left
	local pins=/sys/fs/bpf/netbpf/redirect/$(stat -c %i "$1")
	[ ! -e "$pins" ] || fail "down left the bypass pins of $1"
	busywait 5000 eval "[ -z \"\$(bpftool cgroup show '$1')\" ]" || fail "sockops still on $1"
}

nsx "$A" "$NETBPF" -q up va --redirect --cgroup "$long"
[ -n "$(bpftool cgroup show "$long")" ] || fail "no sockops program on the long cgroup"
nsx "$A" "$NETBPF" -q down va
check_off "$long"

(cd "$cg" && nsx "$A" "$NETBPF" -q up vx --redirect --cgroup short)
[ -n "$(bpftool cgroup show "$cg/short")" ] || fail "no sockops program on cg/short"
(cd / && nsx "$A" "$NETBPF" -q down vx)
check_off "$cg/short"

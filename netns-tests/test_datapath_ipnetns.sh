#!/usr/bin/env bash
# `ip netns exec NS netbpf ...` works like `nsenter --net`: ip netns exec gives
# netbpf a mount namespace without the bpffs, and netbpf pins in the host's
# anyway (the mount namespace of its nearest ancestor that has one), so each tool
# sees what the other made.
#
#   ns A: va 10.91.0.1 <-- veth --> ns B: vb 10.91.0.2
. "$(dirname "$0")/lib.sh"
need nsenter bpftool tc ping

mk_ns A
mk_ns B
veth_pair "$A" va 10.91.0.1/24 "$B" vb 10.91.0.2/24
defer nsx "$A" "$NETBPF" down va
mk_cgroup cg
defer "$NETBPF" redirect off --cgroup "$cg"

ip netns exec "$A" "$NETBPF" -q up va --tc clsact --redirect --cgroup "$cg"
[ -d "$(pin_dir "$A" va)" ] || fail "no pins in the host's bpffs"
nb_complete "$A" va || fail "no whole install after ip netns exec up"
assert_eq "$(ip netns exec "$A" "$NETBPF" status va | head -n1)" \
	"$(nsx "$A" "$NETBPF" status va | head -n1)" "status under ip netns exec and nsenter"
nsx "$B" ping -c 2 -i 0.2 -q 10.91.0.1 >/dev/null || fail "ping"
assert_eq "$(ip netns exec "$A" "$NETBPF" stats va | awk '$1 == "xdp" && $2 == "icmp" { print $3 }')" 2 "icmp counted (ip netns exec)"
assert_eq "$(nb_stat "$A" va xdp icmp)" 2 "icmp counted (nsenter)"
assert_contains "$(ip netns exec "$A" "$NETBPF" redirect status --cgroup "$cg")" "redirect: on" "bypass seen under ip netns exec"
# A relative path keeps meaning what it meant to the caller.
(cd "$(dirname "$cg")" && ip netns exec "$A" "$NETBPF" redirect status --cgroup "./$(basename "$cg")" | grep -q "redirect: on") ||
	fail "relative cgroup path under ip netns exec"

ip netns exec "$A" "$NETBPF" -q down va
busywait 5000 nb_none "$A" va || fail "ip netns exec down left something"
[ ! -e "/sys/fs/bpf/netbpf/redirect/$(stat -c %i "$cg")" ] || fail "down left the bypass on"
# and the other way round
nsx "$A" "$NETBPF" -q up va --tc clsact
ip netns exec "$A" "$NETBPF" -q down va
busywait 5000 nb_none "$A" va || fail "down under ip netns exec of an nsenter up left something"

#!/usr/bin/env bash
# `up lo --redirect`: the bypass comes with the datapath and goes with `down`; the
# tc counters of netbpf itself see that lo carries only handshakes and teardowns.
#
#   ns A, lo 127.0.0.1 (netbpf up lo --redirect --cgroup CG)
#   streamcheck server  <-- 10 connections, 256 KiB each way -->  streamcheck client
#   (both in the child cgroup CG)
. "$(dirname "$0")/lib.sh"
need nsenter

mk_ns A
redirect_setup
nsx "$A" "$NETBPF" -q up lo --redirect --cgroup "$cg"
defer nsx "$A" "$NETBPF" down lo
assert_contains "$("$NETBPF" redirect status --cgroup "$cg")" "$cg" "redirect status after up"

sc_transfer "$tmp/sc" "$cg" "$A" 127.0.0.1 "$cg" "$A" 127.0.0.1 7001 10 262144
# 20 sockets in the SOCKHASH; lo saw no payload: egress bytes far below the 5 MiB moved.
assert_eq "$(redirect_stat "$cg" inserted)" 20 "sockets inserted"
tcp_bytes=$(nb_stat "$A" lo tc-egress tcp bytes)
[ "$tcp_bytes" -lt 100000 ] || fail "lo carried $tcp_bytes bytes of TCP: not bypassed"
assert_contains "$(nsx "$A" "$NETBPF" stats lo)" "$cg" "stats shows the bypass"
assert_contains "$(nsx "$A" "$NETBPF" stats lo --json)" '"redirect":[{' "stats --json shows the bypass"

nsx "$A" "$NETBPF" -q down lo
assert_contains "$("$NETBPF" redirect status --cgroup "$cg")" "redirect: off" "redirect status after down"
sc_transfer "$tmp/sc2" "$cg" "$A" 127.0.0.1 "$cg" "$A" 127.0.0.1 7002 2 262144

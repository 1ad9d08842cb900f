#!/usr/bin/env bash
# Every byte survives the bypass: 200 concurrent connections, messages of random
# size from 1 B to 1 MiB in both directions, each stream checked byte by byte and
# by hash at the receiver (streamcheck), with redirect off (turned on halfway,
# which leaves open connections alone), on throughout, and turned off halfway, in
# --mode always (test_redirect_integrity_auto: the same in auto mode).
#
#   netns ns (lo up), processes in cgroup cg
#   +--------------------------------------------------+
#   |  streamcheck client x200 <--> streamcheck server  |
#   |           127.0.0.1 (sk_msg redirect when on)     |
#   +--------------------------------------------------+
. "$(dirname "$0")/lib.sh"

redirect_setup
mk_ns ns

# Off for these connections' whole life: turned on only after they were opened.
sc_pair200 off-to-on "$ns" 0 $((256 << 10)) "on --mode always"
assert_eq "$(redirect_stat "$cg" inserted)" 0 "sockets inserted when turned on mid-stream"

"$NETBPF" redirect off --cgroup "$cg"
"$NETBPF" redirect on --cgroup "$cg" --mode always
sc_pair200 redirected "$ns" 0 $((1 << 20))
assert_eq "$(redirect_stat "$cg" inserted)" 400 "sockets inserted"
assert_eq "$(redirect_stat "$cg" conns_no_peer)" 0 "connections without peer"
# 200 MiB each way plus 200 32-byte headers: every byte took the bypass.
assert_eq "$(redirect_stat "$cg" bytes_redirected)" $((2 * 209715200 + 200 * 32)) "bytes redirected"

sc_pair200 on-to-off "$ns" 0 $((256 << 10)) off

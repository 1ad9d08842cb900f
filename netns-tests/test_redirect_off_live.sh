#!/usr/bin/env bash
# `redirect off` while 50 bypassed connections stream: all finish intact. The
# detached programs and maps live on exactly as long as those connections (each
# socket holds them) and are freed after; connections opened after `off` are
# plain TCP.
#
#   netns ns (lo up), processes in cgroup cg
#   +-----------------------------------------------------+
#   |  streamcheck pair x50, paced over ~2 s, 127.0.0.1     |
#   |        ^ netbpf redirect off, mid-stream              |
#   +-----------------------------------------------------+
. "$(dirname "$0")/lib.sh"

need bpftool
redirect_setup
mk_ns ns

"$NETBPF" redirect on --cgroup "$cg"
prog_id=$(bpftool -j prog show pinned "/sys/fs/bpf/netbpf/redirect/$(stat -c %i "$cg")/verdict" |
	sed -n 's/^{"id":\([0-9]*\),.*/\1/p')
[ -n "$prog_id" ] || fail "no pinned verdict program"

cg_exec "$cg" "$ns" "$SC" pair -a 127.0.0.1 -n 50 -b 1M -m 1M -t 2000 >"$tmp/out" 2>&1 &
pid=$!
defer kill_child $pid
stat_ge() { [ "$(redirect_stat "$cg" "$1")" -ge "$2" ]; }
busywait 5000 stat_ge inserted 100 || fail "50 connections never all inserted"
busywait 5000 stat_ge bytes_redirected $((25 << 20)) || fail "streams did not get going"
"$NETBPF" redirect off --cgroup "$cg"
kill -0 $pid || fail "streams finished before 'off': the test proves nothing"
[ ! -e "/sys/fs/bpf/netbpf/redirect/$(stat -c %i "$cg")" ] || fail "pins left after off"
bpftool prog show id "$prog_id" >/dev/null || fail "verdict freed while its sockets live"

wait $pid || fail "streams damaged by 'off': $(cat "$tmp/out")"
assert_eq "$(grep -c 'conns=50 tx_bytes=52428800 rx_bytes=52428800' "$tmp/out")" 2 "bytes after off"
busywait 5000 sh -c "! bpftool prog show id $prog_id" || fail "verdict program $prog_id leaked"

# After off: plain TCP, data on lo.
before=$(dev_counter "$ns" lo tx_bytes)
cg_exec "$cg" "$ns" "$SC" pair -a 127.0.0.1 -n 2 -b 1M >"$tmp/out" 2>&1 || fail "after off: $(cat "$tmp/out")"
assert_ge $(($(dev_counter "$ns" lo tx_bytes) - before)) $((2 * 2 << 20)) "bytes on lo after off"

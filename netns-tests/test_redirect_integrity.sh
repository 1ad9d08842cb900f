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

# run NAME BYTES [toggle]: 200 connections, BYTES each way (messages up to 1 MiB
# or BYTES); toggle redirect at halfway if asked.
run() {
	local name=$1 bytes=$2 toggle=${3:-} out=$tmp/$1.out pid
	rm -f "$tmp/gate"
	cg_exec "$cg" "$ns" "$SC" pair -a 127.0.0.1 -n 200 -b "$bytes" -m 1M -s "$RANDOM" \
		-g "$tmp/gate" >"$out" 2>&1 &
	pid=$!
	defer kill "$pid"
	busywait 120000 grep -q halfway "$out" || { cat "$out"; fail "$name: streams never got halfway"; }
	[ -z "$toggle" ] || "$NETBPF" redirect $toggle --cgroup "$cg" || fail "$name: redirect $toggle"
	touch "$tmp/gate"
	wait "$pid" || { cat "$out"; fail "$name: streams damaged"; }
	assert_eq "$(grep -c "conns=200 tx_bytes=$((200 * bytes)) rx_bytes=$((200 * bytes))" "$out")" 2 \
		"$name: bytes"
	log "$name: $(tr '\n' ' ' <"$out")"
}

# Off for these connections' whole life: turned on only after they were opened.
run off-to-on $((256 << 10)) "on --mode always"
assert_eq "$(redirect_stat "$cg" inserted)" 0 "sockets inserted when turned on mid-stream"

"$NETBPF" redirect off --cgroup "$cg"
"$NETBPF" redirect on --cgroup "$cg" --mode always
run redirected $((1 << 20))
assert_eq "$(redirect_stat "$cg" inserted)" 400 "sockets inserted"
assert_eq "$(redirect_stat "$cg" conns_no_peer)" 0 "connections without peer"
# 200 MiB each way plus 200 32-byte headers: every byte took the bypass.
assert_eq "$(redirect_stat "$cg" bytes_redirected)" $((2 * 209715200 + 200 * 32)) "bytes redirected"

run on-to-off $((256 << 10)) off

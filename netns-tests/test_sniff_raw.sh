#!/usr/bin/env bash
# The sniffer with nothing but bash, nc and jq (so it also runs in the minimal
# guest of the stock-kernel runs): one request written over bash's /dev/tcp to
# an nc-based server on lo, reported once from the wire (--source wire) and once
# from the sockets (--source socket, with the processes of both ends).
#
#   netns ns (lo up)
#   +------------------------------------------------------------+
#   |  bash /dev/tcp ---- 127.0.0.1:8080 ---- nc -l | server.sh   |
#   |  netbpf sniff lo --source wire | socket                     |
#   +------------------------------------------------------------+
. "$(dirname "$0")/lib.sh"
need nc jq
ensure_tracefs

mk_ns ns
tmp=$(mktemp -d)
defer rm -rf "$tmp"

for src in wire socket; do
	nc_http_once "$ns" 127.0.0.1 8080
	sniff_start "$ns" "$tmp/$src" lo --json --source "$src"
	assert_eq "$(bash_http_get "$ns" 127.0.0.1 8080 "/raw?src=$src")" "$NC_HTTP_RESPONSE" "$src: response"
	wait $NC_PID || true
	sniff_stop
	assert_eq "$(jq -r '[.method, .path, .status, .source, .resp_body_bytes, (.flags | length)] | @tsv' "$tmp/$src")" \
		"$(printf 'GET\t/raw?src=%s\t200\t%s\t2\t0' "$src" "$src")" "$src: exchange"
	if [ $src = socket ]; then
		assert_eq "$(jq -r '.client.comm' "$tmp/$src")" bash "socket: client process"
		assert_contains "$(jq -r '.server.comm' "$tmp/$src")" nc "socket: server process"
	fi
done

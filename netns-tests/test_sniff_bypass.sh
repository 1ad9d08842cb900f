#!/usr/bin/env bash
# With the localhost bypass on (netbpf redirect, sk_msg), GETs to a local server in
# the test cgroup are reported by 'netbpf sniff lo' (source socket) although the
# wire carries no payload: lo's byte counter (/proc/net/dev, an independent
# witness) grows by the handshakes and teardowns only, far less than the bodies,
# and the sniffer's own --pcap holds no HTTP at all. Only the project's own C
# helpers and jq: it runs in the vmtest guests too.
#
#   netns ns (lo up), cgroup cg (redirect on)
#   +----------------------------------------------------------------+
#   |  http_get ==== sk_msg redirect ==== tiny_httpd :8080 (5000 B)   |
#   |  netbpf sniff lo --pcap              /proc/net/dev lo (witness)  |
#   +----------------------------------------------------------------+
. "$(dirname "$0")/lib.sh"
need jq
ensure_tracefs

mk_ns ns
mk_cgroup cg
defer "echo 1 > '$cg/cgroup.kill'"
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# always: auto mode would learn from the first (short) exchange to leave the second to TCP
"$NETBPF" redirect on --cgroup "$cg" --mode always || fail "redirect on"
defer "$NETBPF" redirect off --cgroup "$cg"
cg_exec "$cg" "$ns" "$BUILD/tests/tiny_httpd" 127.0.0.1 8080 5000 >/dev/null 2>&1 &
busywait 10000 eval "nsx '$ns' ss -Htln 'sport = :8080' | grep -q LISTEN" || fail "server did not start"

sniff_start "$ns" "$tmp/out" lo --json --pcap "$tmp/sniff.pcap"
lo_before=$(dev_counter "$ns" lo rx_bytes)
cg_exec "$cg" "$ns" "$BUILD/tests/http_get" 127.0.0.1 8080 '/blob?n=1' '/blob?n=2' >"$tmp/get" ||
	fail "GET: $(cat "$tmp/get")"
lo_bytes=$(($(dev_counter "$ns" lo rx_bytes) - lo_before))
sniff_stop

log "$(tail -n 3 "$tmp/out.err" | tr '\n' ' '); lo carried $lo_bytes bytes"
assert_eq "$(xargs <"$tmp/get")" "200 5000 200 5000" "responses"
assert_ge "$(redirect_stat "$cg" bytes_redirected)" 10000 "bytes the bypass redirected"
assert_ge "$lo_bytes" 400 "handshake bytes on lo"
[ "$lo_bytes" -lt 4000 ] || fail "lo carried $lo_bytes bytes: the bodies (10000 bytes) went over the wire"
! grep -aq 'HTTP/1.1' "$tmp/sniff.pcap" || fail "HTTP in the sniffer's pcap"
assert_eq "$(jq -r '"\(.method) \(.path) \(.status) \(.source) \(.resp_body_bytes) \(.client.comm) \(.server.comm)"' "$tmp/out" | xargs)" \
	"GET /blob?n=1 200 socket 5000 http_get tiny_httpd GET /blob?n=2 200 socket 5000 http_get tiny_httpd" \
	"exchanges reported"

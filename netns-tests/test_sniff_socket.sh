#!/usr/bin/env bash
# netbpf sniff on lo with both sources (the default): http_get against a local
# dual-stack tiny_httpd, over IPv4 and IPv6 (the server's socket holds IPv4 peers
# as ::ffff:a.b.c.d, as netbpf does). The socket source sees both ends, the wire
# sees every byte: each exchange is reported exactly once, from the wire, and
# carries the processes of both ends (http_get and tiny_httpd) learnt from the
# socket source. Then --source socket alone reports the same exchanges, source
# "socket". The last two requests come from one client on one local port (closed
# with RST, so no TIME_WAIT): the second connection reuses the addresses and
# ports of the first and must be reported as well. Last, --count 1 ends the
# sniffer after one exchange, in the human format. Only the project's own C
# helpers and jq: it runs in the vmtest guests too.
#
#   netns ns (lo up)
#   +------------------------------------------------------------+
#   |  http_get ---- 127.0.0.1|::1 :8080 -- tiny_httpd (3-byte body) |
#   |  netbpf sniff lo [--source socket]                          |
#   +------------------------------------------------------------+
. "$(dirname "$0")/lib.sh"
need jq
ensure_tracefs

mk_ns ns
tmp=$(mktemp -d)
defer rm -rf "$tmp"
GET=$BUILD/tests/http_get
ip netns exec "$ns" "$BUILD/tests/tiny_httpd" :: 8080 3 &
defer kill_child $!
busywait 10000 eval "nsx '$ns' ss -Htln 'sport = :8080' | grep -q LISTEN" || fail "tiny_httpd did not start"

port=45000
for src in all socket; do
	port=$((port + 1))
	sniff_start "$ns" "$tmp/$src" lo --json --source "$src"
	grep -q 'sources: wire socket\|sources: socket' "$tmp/$src.err" ||
		fail "$src: socket source did not start: $(cat "$tmp/$src.err")"
	nsx "$ns" "$GET" 127.0.0.1 8080 /f /nothing >/dev/null || fail "$src: GET over IPv4"
	nsx "$ns" "$GET" ::1 8080 /v6 >/dev/null || fail "$src: GET over IPv6"
	nsx "$ns" "$GET" -b $port -R 127.0.0.1 8080 /f /again >/dev/null || fail "$src: GET from port $port"
	sniff_stop
	log "$src: $(tail -n 3 "$tmp/$src.err" | tr '\n' ' ')"
	want_src=wire
	[ $src = all ] || want_src=socket
	assert_eq "$(jq -r '"\(.method) \(.path) \(.status) \(.source)"' "$tmp/$src" | xargs)" \
		"$(for p in /f /nothing /v6 /f /again; do echo GET $p 200 $want_src; done | xargs)" "$src: exchanges"
	jq -es --argjson port $port '(to_entries | all(.[];
		.value as $r | (if .key == 2 then "::1" else "127.0.0.1" end) as $addr |
		$r.client.comm == "http_get" and $r.client.pid > 0 and $r.client.addr == $addr and
		$r.server.comm == "tiny_httpd" and $r.server.pid > 0 and $r.server.addr == $addr and
		$r.server.port == 8080 and $r.resp_body_bytes == 3 and $r.latency_us > 0 and $r.flags == []))
		and .[3].client.port == $port and .[4].client.port == $port' "$tmp/$src" >/dev/null ||
		fail "$src: exchanges reported wrong: $(cat "$tmp/$src")"
done

# --count 1: the sniffer reports one exchange and ends by itself.
sniff_start "$ns" "$tmp/count" lo --count 1
nsx "$ns" "$GET" 127.0.0.1 8080 /f /f >/dev/null
sniff_wait
assert_eq "$(wc -l <"$tmp/count")" 1 "lines with --count 1"
assert_contains "$(cat "$tmp/count")" "GET 127.0.0.1:8080/f 200" "human line"

#!/usr/bin/env bash
# netbpf sniff on lo with both sources (the default): curl against a local
# dual-stack python3 http.server, over IPv4 and IPv6 (the server's socket holds
# IPv4 peers as ::ffff:a.b.c.d, as netbpf does). The socket source sees both ends, the wire sees every
# byte: each exchange is reported exactly once, from the wire, and carries the
# processes of both ends (curl and python3) learnt from the socket source.
# Then --source socket alone reports the same exchanges, source "socket". The
# last two requests come from one python3 client on one local port (closed with
# RST, so no TIME_WAIT): the second connection reuses the addresses and ports of
# the first and must be reported as well. Last, --count 1 ends the sniffer
# after one exchange, in the human format.
#
#   netns ns (lo up)
#   +------------------------------------------------------+
#   |  curl ---- 127.0.0.1|::1 :8080 -- python3 http.server |
#   |  netbpf sniff lo [--source socket]                    |
#   +------------------------------------------------------+
. "$(dirname "$0")/lib.sh"
need python3 curl
ensure_tracefs

mk_ns ns
tmp=$(mktemp -d)
defer rm -rf "$tmp"
mkdir "$tmp/www"
echo hi >"$tmp/www/f"
http_server "$ns" :: 8080 "$tmp/www"

port=45000
for src in all socket; do
	port=$((port + 1))
	sniff_start "$ns" "$tmp/$src" lo --json --source "$src"
	grep -q 'sources: wire socket\|sources: socket' "$tmp/$src.err" ||
		fail "$src: socket source did not start: $(cat "$tmp/$src.err")"
	for url in 127.0.0.1:8080/f 127.0.0.1:8080/nothing '[::1]:8080/v6'; do
		nsx "$ns" curl -sS -g -o /dev/null "http://$url"
	done
	nsx "$ns" python3 - $port <<'PY'
import socket, struct, sys
for path in ("/f", "/again"):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    s.bind(("127.0.0.1", int(sys.argv[1])))
    s.connect(("127.0.0.1", 8080))
    s.sendall(b"GET %s HTTP/1.1\r\nHost: h\r\n\r\n" % path.encode())
    while s.recv(65536):  # the server closes after its response
        pass
    s.close()
PY
	sniff_stop
	log "$src: $(tail -n 3 "$tmp/$src.err" | tr '\n' ' ')"
	python3 - "$tmp/$src" "$src" $port <<'PY' || fail "$src: exchanges reported wrong"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
want_src = "wire" if sys.argv[2] == "all" else "socket"
got = [(r["method"], r["path"], r["status"], r["source"]) for r in rows]
want = [("GET", p, s, want_src)
        for p, s in (("/f", 200), ("/nothing", 404), ("/v6", 404), ("/f", 200), ("/again", 404))]
assert got == want, f"want {want}, got {got}"
for i, r in enumerate(rows):
    assert r["client"]["comm"] == ("curl" if i < 3 else "python3") and r["client"]["pid"] > 0, r
    addr = "::1" if i == 2 else "127.0.0.1"
    assert r["client"]["addr"] == addr and r["server"]["addr"] == addr, r
    assert r["server"]["comm"] == "python3" and r["server"]["pid"] > 0, r
    assert r["server"]["port"] == 8080, r
    assert r["resp_body_bytes"] > 0 and r["latency_us"] > 0 and r["flags"] == [], r
assert rows[3]["client"]["port"] == rows[4]["client"]["port"] == int(sys.argv[3]), rows[3:]
print("ok")
PY
done

# --count 1: the sniffer reports one exchange and ends by itself.
sniff_start "$ns" "$tmp/count" lo --count 1
nsx "$ns" curl -sS -o /dev/null http://127.0.0.1:8080/f
nsx "$ns" curl -sS -o /dev/null http://127.0.0.1:8080/f
sniff_wait
assert_eq "$(wc -l <"$tmp/count")" 1 "lines with --count 1"
assert_contains "$(cat "$tmp/count")" "GET 127.0.0.1:8080/f 200" "human line"

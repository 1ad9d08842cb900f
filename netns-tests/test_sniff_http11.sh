#!/usr/bin/env bash
# HTTP/1.1 framing, once per source (wire, then socket): keep-alive with three
# requests on one connection (Content-Length and chunked responses), a POST with
# Expect: 100-continue, a chunked upload, three pipelined requests written at
# once, an HTTP/1.0 response delimited by the connection's close. Each of the 9
# exchanges is reported once, in order, with method, path, status, body sizes;
# --show-secrets shows Cookie/Set-Cookie as sent; --max-body 5 keeps the first 5
# body bytes (de-chunked).
#
#   netns cli                        netns srv
#   +------------------+             +---------------------------------------+
#   | curl, bash       | c0 ---- s0  | python3 HTTP/1.1 server :8080         |
#   | /dev/tcp         |             | netbpf sniff s0 --source wire|socket  |
#   | 10.202.0.1       |             | 10.202.0.2                            |
#   +------------------+             +---------------------------------------+
. "$(dirname "$0")/lib.sh"
need python3 curl

mk_ns cli
mk_ns srv
veth_pair "$cli" c0 10.202.0.1/24 "$srv" s0 10.202.0.2/24
tmp=$(mktemp -d)
defer rm -rf "$tmp"
head -c 2000 /dev/zero | tr '\0' 'u' >"$tmp/upload"

cat >"$tmp/server.py" <<'EOF'
import http.server
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, pipelining, 100-continue
    def log_message(self, *a):
        pass
    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            n = 0
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b""):
                        pass
                    return n
                n += len(self.rfile.read(size))
                self.rfile.readline()
        return len(self.rfile.read(int(self.headers.get("Content-Length", 0))))
    def reply(self, data):
        self.send_response(200 if self.command == "GET" else 201)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Set-Cookie", "sid=abc123")
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        if self.path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"5\r\n01234\r\nb\r\n56789abcdef\r\n0\r\n\r\n")
        elif self.path == "/old":
            self.wfile.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n" + b"x" * 1000)
            self.close_connection = True
        else:
            self.reply(b"hello " + self.path.encode())
    def do_POST(self):
        self.reply(b"got %d" % self.read_body())
http.server.ThreadingHTTPServer(("10.202.0.2", 8080), H).serve_forever()
EOF
ip netns exec "$srv" python3 "$tmp/server.py" &
defer kill_child $!
busywait 10000 eval "nsx '$srv' ss -Htln 'sport = :8080' | grep -q LISTEN" || fail "server did not start"

clients() {
	local url=http://10.202.0.2:8080
	nsx "$cli" curl -sS -b sid=zzz -o /dev/null -o /dev/null -o /dev/null "$url/a" "$url/b" "$url/chunked"
	nsx "$cli" curl -sS -o /dev/null -H 'Expect: 100-continue' --data-binary @"$tmp/upload" "$url/upload"
	nsx "$cli" curl -sS -o /dev/null -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/upload" "$url/chunkup"
	nsx "$cli" bash -c 'exec 3<>/dev/tcp/10.202.0.2/8080
		printf "GET /p1 HTTP/1.1\r\nHost: h\r\n\r\nGET /p2 HTTP/1.1\r\nHost: h\r\n\r\nGET /p3 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n" >&3
		cat <&3' >"$tmp/pipelined"
	assert_eq "$(grep -o 'HTTP/1.1 200' "$tmp/pipelined" | wc -l)" 3 "responses to the pipelined requests"
	nsx "$cli" bash -c 'exec 3<>/dev/tcp/10.202.0.2/8080
		printf "GET /old HTTP/1.0\r\n\r\n" >&3
		cat <&3' >"$tmp/old"
	assert_eq "$(wc -c <"$tmp/old")" $((45 + 1000)) "HTTP/1.0 response size"
}

for src in wire socket; do
	sniff_start "$srv" "$tmp/$src" s0 --json --source "$src" --port 8080 --show-secrets --max-body 5
	clients
	sniff_stop
	log "$src: $(tail -n 2 "$tmp/$src.err" | tr '\n' ' ')"
	python3 - "$tmp/$src" "$src" <<'EOF' || fail "$src: exchanges reported wrong"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
src = sys.argv[2]
want = [  # method, path, status, version, request body, response body (bytes as sent)
    ("GET", "/a", 200, "HTTP/1.1", 0, 8),
    ("GET", "/b", 200, "HTTP/1.1", 0, 8),
    ("GET", "/chunked", 200, "HTTP/1.1", 0, 31),
    ("POST", "/upload", 201, "HTTP/1.1", 2000, 8),
    ("POST", "/chunkup", 201, "HTTP/1.1", None, 8),
    ("GET", "/p1", 200, "HTTP/1.1", 0, 9),
    ("GET", "/p2", 200, "HTTP/1.1", 0, 9),
    ("GET", "/p3", 200, "HTTP/1.1", 0, 9),
    ("GET", "/old", 200, "HTTP/1.0", 0, 1000),
]
got = [(r["method"], r["path"], r["status"], r["version"], r["req_body_bytes"], r["resp_body_bytes"])
       for r in rows]
want = [w if w[4] is not None else w[:4] + (got[i][4] if i < len(got) else None,) + w[5:]
        for i, w in enumerate(want)]
if got != want:
    sys.exit(f"{src}: want {want}\n got {got}")
for r in rows:
    assert r["source"] == src and r["flags"] == [] and r["latency_us"] is not None, r
    assert r["client"]["addr"] == "10.202.0.1" and r["server"]["port"] == 8080, r
    if src == "socket":
        assert r["server"]["comm"] == "python3" and r["server"]["pid"] > 0, r
        assert r["client"]["pid"] is None, r  # in another namespace
chunkup = rows[4]
assert chunkup["req_body_bytes"] > 2000, chunkup  # the chunk framing counts
assert ["Transfer-Encoding", "chunked"] in chunkup["req_headers"], chunkup
# Keep-alive: the first three share one connection.
assert len({r["client"]["port"] for r in rows[:3]}) == 1, rows[:3]
assert len({r["client"]["port"] for r in rows[5:8]}) == 1, rows[5:8]
assert ["Cookie", "sid=zzz"] in rows[0]["req_headers"], rows[0]
assert ["Set-Cookie", "sid=abc123"] in rows[0]["resp_headers"], rows[0]
assert (rows[0]["resp_body"], rows[2]["resp_body"], rows[3]["req_body"], rows[4]["req_body"]) == \
    ("hello", "01234", "uuuuu", "uuuuu"), rows[:5]
print("ok")
EOF
done

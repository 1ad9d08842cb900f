#!/usr/bin/env bash
# Hostile input on an HTTP port does not crash, hang or bloat 'netbpf sniff':
# binary junk, a chunk size of 40 hex digits, a million-byte chunk cut short, a
# head cut short, and a flood of 1500 connections each holding a 64 KiB header
# line open (more connections than the sniffer tracks: the oldest are evicted).
# Every request line sent is reported exactly once (no response, flags saying
# why), peak memory stays bounded, and a normal curl afterwards is reported fine.
# The flood goes in batches of 50, each sent once the sniffer has read the one
# before: what is hostile is the content and the number of connections, not the
# rate. A sniffer starved of CPU while 1500 x 64 KiB arrive at once loses socket
# events (16 MiB ring) and reports it; that is overload, which the summary's
# counters must show as zero here.
#
#   netns ns (lo up)
#   +-------------------------------------------------------------+
#   |  hostile.py (client) ---> 127.0.0.1:8081 hold.py (accepts,   |
#   |                                           never reads)       |
#   |  curl ------------------> 127.0.0.1:8080 python3 http.server |
#   |  netbpf sniff lo --json                                       |
#   +-------------------------------------------------------------+
. "$(dirname "$0")/lib.sh"
need python3 curl
ensure_tracefs

N=1500
# 1024 tracked connections x (two 8 KiB line buffers + a 4.7 KiB exchange) is
# about 22 MiB: allow 40 MiB over the idle sniffer. What is measured is the sniffer's
# own memory (Anonymous in smaps_rollup, sampled after every batch: the held
# connections keep theirs to the end), not VmHWM: that also counts the BPF maps
# mapped into it, of fixed size (the socket source's 16 MiB ring buffer, mapped
# twice), which become resident at start on 6.18 but only as written on 6.1.
MAX_GROWTH_KB=$((40 * 1024))
anon_kb() { awk '/^Anonymous:/ { print $2 }' "/proc/$SNIFF_PID/smaps_rollup"; }
mk_ns ns
tmp=$(mktemp -d)
defer rm -rf "$tmp"
mkdir "$tmp/www"
echo ok >"$tmp/www/ok"
http_server "$ns" 127.0.0.1 8080 "$tmp/www"

cat >"$tmp/hold.py" <<'PY'
import resource, socket
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
l = socket.socket()
l.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
l.bind(("127.0.0.1", 8081))
l.listen(4096)
held = []
while True:
    held.append(l.accept()[0])
PY
cat >"$tmp/hostile.py" <<'PY'
import resource, socket, sys
resource.setrlimit(resource.RLIMIT_NOFILE, (8192, 8192))
held = []
def send(data):
    s = socket.create_connection(("127.0.0.1", 8081))
    s.sendall(data)
    held.append(s)
send(bytes(range(256)) * 400)
send(b"POST /hugechunk HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + b"F" * 40 + b"\r\n")
send(b"POST /megachunk HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nF4240\r\n" + b"z" * 5000)
send(b"GET /trunc HTTP/1.1\r\nHost: ")
n, batch = int(sys.argv[1]), int(sys.argv[2])
for i in range(n):
    send(b"GET /f%d HTTP/1.1\r\nX-Big: " % i + b"A" * 65536 + b"\r\n")
    if (i + 1) % batch == 0 or i + 1 == n:
        print("batch", i + 1, flush=True)
        sys.stdin.readline()  # the next batch once the sniffer read this one
print("sent", flush=True)
sys.stdin.read()  # hold the connections open until told
PY
ip netns exec "$ns" python3 "$tmp/hold.py" &
defer kill_child $!
busywait 10000 eval "nsx '$ns' ss -Htln 'sport = :8081' | grep -q LISTEN" || fail "holder did not start"

sniff_start "$ns" "$tmp/out" lo --json
idle_kb=$(anon_kb)
peak_kb=$idle_kb
mkfifo "$tmp/hold"
ip netns exec "$ns" python3 "$tmp/hostile.py" $N 50 <"$tmp/hold" >"$tmp/hostile.out" &
hostile=$!
exec 7>"$tmp/hold"
defer kill_child $hostile
# The sniffer read a batch once its packet queue is empty.
caught_up() { [ "$(nsx "$ns" ss -Hn --packet | awk '{ print $2 }' | sort -n | tail -n 1)" = 0 ]; }
for ((i = 50; i < N + 50; i += 50)); do
	((i <= N)) || i=$N
	busywait 60000 grep -qx "batch $i" "$tmp/hostile.out" || fail "hostile client did not send batch $i"
	busywait 30000 caught_up || fail "sniffer did not catch up with batch $i"
	a=$(anon_kb)
	((a <= peak_kb)) || peak_kb=$a
	echo next >&7
done
busywait 10000 grep -q sent "$tmp/hostile.out" || fail "hostile client did not finish sending"
nsx "$ns" curl -sS -o /dev/null http://127.0.0.1:8080/ok
sniff_stop
exec 7>&-

log "anonymous memory ${idle_kb} kB idle, ${peak_kb} kB after the flood; $(tail -n 3 "$tmp/out.err" | tr '\n' ' ')"
[ $((peak_kb - idle_kb)) -lt $MAX_GROWTH_KB ] || fail "anonymous memory grew by $((peak_kb - idle_kb)) kB"
summary=$(grep '^{"summary"' "$tmp/out.err")
assert_contains "$summary" '"dropped":0,' "packets the kernel dropped"
assert_contains "$summary" '"lost":0,' "socket events lost"
python3 - "$tmp/out" $N <<'PY' || fail "exchanges reported wrong"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
by_path = {}
for r in rows:
    by_path.setdefault(r["path"], []).append(r)
want = {"/hugechunk", "/megachunk", "/trunc", "/ok"} | {f"/f{i}" for i in range(n)}
assert set(by_path) == want, f"paths: missing {sorted(want - set(by_path))[:5]}, extra {sorted(set(by_path) - want)[:5]}"
assert all(len(v) == 1 for v in by_path.values()), [k for k, v in by_path.items() if len(v) > 1][:5]
assert len(rows) == n + 4, len(rows)
def flags(p):
    return set(by_path[p][0]["flags"])
assert by_path["/ok"][0]["status"] == 200 and flags("/ok") == set(), by_path["/ok"]
assert {"malformed", "no_response"} <= flags("/hugechunk"), by_path["/hugechunk"]
assert {"gap", "no_response"} <= flags("/megachunk"), by_path["/megachunk"]
assert by_path["/megachunk"][0]["req_body_bytes"] >= 5000, by_path["/megachunk"]
assert {"gap", "no_response"} <= flags("/trunc"), by_path["/trunc"]
for i in range(n):
    r = by_path[f"/f{i}"][0]
    # Its 64 KiB line is cut: truncated when the parser saw the line end past 8 KiB,
    # only a gap when it never did. Both seen in the 6.1 guest under TCG: the socket
    # source copies 64 KiB of a write (it owns the connections whose write it read
    # before the wire's packet was queued, which on lo ksoftirqd may do after write()
    # returned); the wire missed a few lines' last segment (fewer passed the filter,
    # no flow evicted: a continuation that reaches the filter before the segment
    # that records the flow is not let through).
    assert "no_response" in r["flags"] and {"truncated", "gap"} & set(r["flags"]), r
    assert r["status"] is None, r
print("ok;", sum(r["source"] == "socket" for r in rows), "exchanges from the socket source,",
      sum("gap" in r["flags"] for r in rows), "with a gap")
PY

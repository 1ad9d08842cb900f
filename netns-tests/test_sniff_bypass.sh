#!/usr/bin/env bash
# With the localhost bypass on (netbpf redirect, sk_msg), a curl to a local
# server in the test cgroup is reported by 'netbpf sniff lo' (source socket)
# although the wire carries no payload: an independent tshark capture on lo sees
# only payload-free segments (handshake, teardown), and the sniffer's own --pcap
# holds no HTTP at all.
#
#   netns ns (lo up), cgroup cg (redirect on)
#   +---------------------------------------------------------------+
#   |  curl ==== sk_msg redirect ==== python3 -m http.server :8080   |
#   |  netbpf sniff lo --pcap          tshark -i lo (witness)        |
#   +---------------------------------------------------------------+
. "$(dirname "$0")/lib.sh"
need python3 curl tshark
"$NETBPF" redirect --help >/dev/null 2>&1 || skip "netbpf redirect (issue 3) is not built yet"
ensure_tracefs

mk_ns ns
mk_cgroup cg
defer "echo 1 > '$cg/cgroup.kill'"
tmp=$(mktemp -d)
defer rm -rf "$tmp"
mkdir "$tmp/www"
head -c 5000 /dev/zero >"$tmp/www/blob"

# always: auto mode would learn from the first (short) exchange to leave the second to TCP
"$NETBPF" redirect on --cgroup "$cg" --mode always || fail "redirect on"
defer "$NETBPF" redirect off --cgroup "$cg"
cg_exec "$cg" "$ns" python3 -m http.server 8080 --bind 127.0.0.1 --directory "$tmp/www" \
	>/dev/null 2>&1 &
busywait 10000 eval "nsx '$ns' ss -Htln 'sport = :8080' | grep -q LISTEN" || fail "server did not start"

ip netns exec "$ns" tshark -i lo -f 'tcp port 8080' -w "$tmp/witness.pcap" 2>"$tmp/tshark.err" &
tshark_pid=$!
defer kill $tshark_pid
busywait 20000 grep -q Capturing "$tmp/tshark.err" || fail "tshark did not start: $(cat "$tmp/tshark.err")"
sniff_start "$ns" "$tmp/out" lo --json --pcap "$tmp/sniff.pcap"

for i in 1 2; do
	cg_exec "$cg" "$ns" curl -sS -o /dev/null "http://127.0.0.1:8080/blob?n=$i" || fail "curl $i"
done
sniff_stop
kill -INT $tshark_pid
wait $tshark_pid || true

log "$(tail -n 3 "$tmp/out.err" | tr '\n' ' ')"
assert_ge "$(redirect_stat "$cg" bytes_redirected)" 10000 "bytes the bypass redirected"
assert_ge "$(tshark -r "$tmp/witness.pcap" 2>/dev/null | wc -l)" 6 "handshake packets on lo"
assert_eq "$(tshark -r "$tmp/witness.pcap" -Y 'tcp.len > 0' 2>/dev/null | wc -l)" 0 \
	"payload packets on lo"
assert_eq "$(tshark -r "$tmp/sniff.pcap" -Y http 2>/dev/null | wc -l)" 0 "HTTP in the sniffer's pcap"
python3 - "$tmp/out" <<'PY' || fail "exchanges reported wrong"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["method"], r["path"], r["status"], r["source"], r["resp_body_bytes"]) for r in rows]
want = [("GET", f"/blob?n={i}", 200, "socket", 5000) for i in (1, 2)]
assert got == want, f"want {want}, got {got}"
for r in rows:
    assert r["client"]["comm"] == "curl" and r["server"]["comm"] == "python3", r
print("ok")
PY

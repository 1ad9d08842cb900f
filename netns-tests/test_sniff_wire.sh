#!/usr/bin/env bash
# netbpf sniff --source wire on a veth: curl against python3 -m http.server over
# IPv4 and IPv6 (GET 200/404, HEAD, POST with a body, a secret header). Every
# exchange is reported once with the right fields; tshark reading the --pcap file
# sees the same methods, URIs and status codes; the filter let through nothing
# but HTTP connections (non-HTTP TCP and ICMP were sent too). The qemu guests have
# no Wireshark (libwireshark and its dissectors are over 100 MB): there the pcap's
# witness is a pcap reader in python3 here, which shares no code with netbpf.
#
#   netns cli                               netns srv
#   +----------------------+                +--------------------------------+
#   | curl, nc, ping       | c0 ------- s0  | python3 -m http.server 8080    |
#   | 10.201.0.1 fd01::1   |                | 10.201.0.2 fd01::2             |
#   +----------------------+                | nc -l 9000 (not HTTP)          |
#                                           | netbpf sniff s0 --source wire  |
#                                           +--------------------------------+
. "$(dirname "$0")/lib.sh"
need python3 curl
[ "${NETBPF_GUEST:-0}" = 1 ] || need tshark

mk_ns cli
mk_ns srv
veth_pair "$cli" c0 10.201.0.1/24 "$srv" s0 10.201.0.2/24
ip -n "$cli" addr add fd01::1/64 dev c0 nodad
ip -n "$srv" addr add fd01::2/64 dev s0 nodad
tmp=$(mktemp -d)
defer rm -rf "$tmp"
mkdir "$tmp/www"
printf 'hello sniffer\n' >"$tmp/www/index.txt"

http_server "$srv" :: 8080 "$tmp/www"
ip netns exec "$srv" nc -l -p 9000 >/dev/null &
defer kill_child $!
sniff_start "$srv" "$tmp/out" s0 --json --source wire --pcap "$tmp/cap.pcap"

get() { nsx "$cli" curl -sS -o /dev/null -w '%{http_code}\n' "$@"; }
assert_eq "$(get http://10.201.0.2:8080/index.txt)" 200 "GET index.txt"
assert_eq "$(get http://10.201.0.2:8080/missing)" 404 "GET missing"
assert_eq "$(get -I http://10.201.0.2:8080/index.txt)" 200 "HEAD index.txt"
assert_eq "$(get -g 'http://[fd01::2]:8080/index.txt?v=6')" 200 "GET over IPv6"
assert_eq "$(get -d 'a=1&b=22' http://10.201.0.2:8080/form)" 501 "POST form"
assert_eq "$(get -H 'Authorization: Bearer s3cr3t' http://10.201.0.2:8080/index.txt)" 200 "GET with secret"
# Not HTTP: must not reach user space.
head -c 3000 /dev/urandom | nsx "$cli" nc -q0 10.201.0.2 9000
nsx "$cli" ping -c 2 -i 0.2 10.201.0.2 >/dev/null
sniff_stop

log "$(tail -n 3 "$tmp/out.err" | tr '\n' ' ')"
python3 - "$tmp/out" <<'EOF' || fail "exchanges reported wrong (see above)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
want = [
    ("GET", "/index.txt", 200, "10.201.0.1", "10.201.0.2", 14),
    ("GET", "/missing", 404, "10.201.0.1", "10.201.0.2", None),
    ("HEAD", "/index.txt", 200, "10.201.0.1", "10.201.0.2", 0),
    ("GET", "/index.txt?v=6", 200, "fd01::1", "fd01::2", 14),
    ("POST", "/form", 501, "10.201.0.1", "10.201.0.2", None),
    ("GET", "/index.txt", 200, "10.201.0.1", "10.201.0.2", 14),
]
got = [(r["method"], r["path"], r["status"], r["client"]["addr"], r["server"]["addr"]) for r in rows]
if got != [w[:5] for w in want]:
    sys.exit(f"exchanges: want {[w[:5] for w in want]}, got {got}")
for r, w in zip(rows, want):
    assert r["source"] == "wire" and r["server"]["port"] == 8080 and r["flags"] == [], r
    assert r["version"] == "HTTP/1.1" and r["host"].endswith(":8080"), r
    assert r["latency_us"] is not None and r["latency_us"] > 0, r
    if w[5] is not None:
        assert r["resp_body_bytes"] == w[5], r
    # Sizes as sent: the head ends with an empty line, the body follows.
    assert r["resp_bytes"] > r["resp_body_bytes"], r
post = rows[4]
assert post["req_body_bytes"] == 8 and ["Content-Length", "8"] in post["req_headers"], post
assert ["Authorization", "<redacted>"] in rows[5]["req_headers"], rows[5]
print("ok")
EOF
if grep -q s3cr3t "$tmp/out"; then fail "secret printed without --show-secrets"; fi

# The pcap, read by tshark (in the guests by pcap_read.py), shows the same requests
# and responses: pcap_http prints what `tshark -Y http -T fields` does, pcap_count
# counts packets (with "other": those of connections other than port 8080's).
if command -v tshark >/dev/null; then
	pcap_http() {
		tshark -r "$1" -Y http -T fields -e http.request.method -e http.request.uri \
			-e http.response.code 2>/dev/null
	}
	pcap_count() { tshark -r "$1" ${2:+-Y 'not tcp.port == 8080'} 2>/dev/null | wc -l; }
else
	cat >"$tmp/pcap_read.py" <<'EOF'
import re, struct, sys
# pcap_read.py FILE http|count|other: libpcap format, Ethernet, IPv4/IPv6, no options.
data = open(sys.argv[1], "rb").read()
assert struct.unpack_from("<I", data)[0] == 0xA1B2C3D4 and struct.unpack_from("<I", data, 20)[0] == 1
off, total, other = 24, 0, 0
while off < len(data):
    caplen = struct.unpack_from("<IIII", data, off)[2]
    pkt, off = data[off + 16:off + 16 + caplen], off + 16 + caplen
    total += 1
    etype, l3 = struct.unpack_from("!H", pkt, 12)[0], pkt[14:]
    if etype == 0x0800 and l3[9] == 6:
        l4 = l3[(l3[0] & 15) * 4:struct.unpack_from("!H", l3, 2)[0]]
    elif etype == 0x86DD and l3[6] == 6:  # no extension headers are sent here
        l4 = l3[40:40 + struct.unpack_from("!H", l3, 4)[0]]
    else:
        other += 1
        continue
    if 8080 not in struct.unpack_from("!HH", l4):
        other += 1
        continue
    payload = l4[(l4[12] >> 4) * 4:]
    req = re.match(rb"([A-Z]+) (\S+) HTTP/1\.[01]\r\n", payload)
    resp = re.match(rb"HTTP/1\.[01] (\d{3}) ", payload)
    if sys.argv[2] == "http" and req:
        print(f"{req[1].decode()}\t{req[2].decode()}\t")
    elif sys.argv[2] == "http" and resp:
        print(f"\t\t{resp[1].decode()}")
if sys.argv[2] != "http":
    print(total if sys.argv[2] == "count" else other)
EOF
	pcap_http() { python3 "$tmp/pcap_read.py" "$1" http; }
	pcap_count() { python3 "$tmp/pcap_read.py" "$1" "${2:-count}"; }
fi
pcap_http "$tmp/cap.pcap" >"$tmp/pcap_http"
assert_eq "$(awk -F'\t' '$1 != "" { print $1, $2 }' "$tmp/pcap_http" | tr '\n' ' ')" \
	"$(python3 -c 'import json,sys; [print(j["method"], j["path"]) for j in map(json.loads, open(sys.argv[1]))]' "$tmp/out" | tr '\n' ' ')" \
	"requests in the pcap vs netbpf sniff"
assert_eq "$(awk -F'\t' '$3 != "" { print $3 }' "$tmp/pcap_http" | tr '\n' ' ')" \
	"$(python3 -c 'import json,sys; [print(j["status"]) for j in map(json.loads, open(sys.argv[1]))]' "$tmp/out" | tr '\n' ' ')" \
	"status codes in the pcap vs netbpf sniff"
# Only HTTP connections' packets passed the filter, and the pcap holds exactly those.
assert_eq "$(pcap_count "$tmp/cap.pcap" other)" 0 "packets other than HTTP in the pcap"
passed=$(sed -n 's/.* \([0-9]*\) passed the filter.*/\1/p' "$tmp/out.err")
assert_eq "$(pcap_count "$tmp/cap.pcap")" "$passed" "pcap packets vs filter's count"
assert_eq "$(grep -c . "$tmp/out")" 6 "exchange lines"

#!/usr/bin/env bash
# netbpf sniff with VLAN tags. (1) Where python3 exists: frames with the tags in
# their data (802.1Q, and 802.1ad+802.1Q), written to c0 through an AF_PACKET
# socket: the filter and the user-space decoder both skip the tags; the two
# exchanges they carry are reported. (2) Where the kernel has 802.1Q devices: a
# GET over VLAN 100 on top of the veth, sniffing the veth, is reported with the
# VLAN interfaces' addresses. Skipped when neither part can run.
#
#   netns cli                               netns srv
#   +--------------------------+            +-----------------------------+
#   | inject.py (AF_PACKET)    |            | nc -l 10.204.0.2 8080       |
#   | bash, c0.100 10.204.0.1  |            | s0.100 10.204.0.2           |
#   |   c0 <- netbpf sniff c0  | ---veth--- | s0 <- netbpf sniff s0       |
#   +--------------------------+            +-----------------------------+
. "$(dirname "$0")/lib.sh"
need nc jq

mk_ns cli
mk_ns srv
veth_pair "$cli" c0 - "$srv" s0 -
tmp=$(mktemp -d)
defer rm -rf "$tmp"

parts=0
if command -v python3 >/dev/null; then
parts=1
cat >"$tmp/inject.py" <<'PY'
import socket, struct
def frame(tags, src, dst, sport, dport, seq, payload):
    eth = bytes.fromhex("020000000002020000000001")
    for tpid, vid in tags:
        eth += struct.pack("!HH", tpid, vid)
    eth += struct.pack("!H", 0x0800)
    tcp = struct.pack("!HHIIBBHHH", sport, dport, seq, 0, 5 << 4, 0x18, 65535, 0, 0)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp) + len(payload), 0, 0, 64, 6, 0,
                     socket.inet_aton(src), socket.inet_aton(dst))
    return eth + ip + tcp + payload
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("c0", 0))
for tags, port, req, resp in (
        ([(0x8100, 100)], 40000, b"GET /tagged HTTP/1.1\r\nHost: v\r\n\r\n",
         b"HTTP/1.1 204 No Content\r\n\r\n"),
        ([(0x88a8, 200), (0x8100, 100)], 40001, b"POST /qinq HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi",
         b"HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n")):
    s.send(frame(tags, "10.205.0.1", "10.205.0.2", port, 80, 1000, req))
    s.send(frame(tags, "10.205.0.2", "10.205.0.1", 80, port, 5000, resp))
PY
sniff_start "$cli" "$tmp/inj" c0 --json --source wire
nsx "$cli" python3 "$tmp/inject.py"
sniff_stop
python3 - "$tmp/inj" <<'PY' || fail "injected tagged frames reported wrong"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
got = [(r["method"], r["path"], r["status"], r["client"]["addr"], r["server"]["port"], r["req_body_bytes"])
       for r in rows]
want = [("GET", "/tagged", 204, "10.205.0.1", 80, 0), ("POST", "/qinq", 201, "10.205.0.1", 80, 2)]
assert got == want, f"want {want}, got {got}"
print("ok")
PY
fi

if ! ip -n "$cli" link add link c0 name c0.100 type vlan id 100 2>/dev/null; then
	[ $parts -gt 0 ] || skip "needs python3 or 802.1Q devices"
	log "no 802.1Q devices in this kernel: VLAN interface part not run"
	exit 0
fi
ip -n "$srv" link add link s0 name s0.100 type vlan id 100
ip -n "$cli" addr add 10.204.0.1/24 dev c0.100
ip -n "$srv" addr add 10.204.0.2/24 dev s0.100
ip -n "$cli" link set c0.100 up
ip -n "$srv" link set s0.100 up
nc_http_once "$srv" 10.204.0.2 8080
sniff_start "$srv" "$tmp/dev" s0 --json --source wire
assert_eq "$(bash_http_get "$cli" 10.204.0.2 8080 /v)" "$NC_HTTP_RESPONSE" "GET over the VLAN"
sniff_stop
assert_eq "$(jq -r '[.method, .path, .status, .client.addr, .server.addr, .resp_body_bytes] | @tsv' "$tmp/dev")" \
	"$(printf 'GET\t/v\t200\t10.204.0.1\t10.204.0.2\t2')" "exchange over the VLAN"

#!/usr/bin/env bash
# netbpf trace sniff: the socket filter of a running `netbpf sniff` and its stages
# (sniff_parse, sniff_http_start, sniff_flow_update), counted exactly against the
# packets on the sniffed interface.
#
#   netns cli                           netns srv
#   c0 10.80.0.1  <------ veth ------>  s0 10.80.0.2
#   http_get x K (a connection each)    tiny_httpd :8080
#                                       netbpf sniff s0 --source wire --port 8080
#                                       netbpf trace sniff --pid SNIFFER
#
# Derivation: the link is quiet (no IPv6, static ARP), so every packet on s0 while
# traced is TCP to or from port 8080, and the filter's packet socket sees each once
# (received or sent). So sniff_wire, sniff_parse, sniff_http_start and
# sniff_flow_update each run once per packet on s0 (/proc/net/dev rx + tx, the
# witness); sniff_http_start returns 1 for exactly 2K of them (each request and each
# status line starts a segment of its own) and 0 for the rest; sniff_wire keeps
# (returns the packet's length) exactly the segments sniff_flow_update accepts,
# which is the sniffer's own "passed" count, at least the 2K starts; the rest
# (handshakes, pure ACKs) are dropped. On a kernel that refuses trampolines: the
# fallback's run count of sniff_wire = the packets on s0.
# Needs the split filter of branch h18s (sniff_parse ... in bpf/sniff/sniff.bpf.c).
. "$(dirname "$0")/lib.sh"
need nsenter jq

K=3
mk_ns cli
mk_ns srv
veth_pair "$cli" c0 10.80.0.1/24 "$srv" s0 10.80.0.2/24
quiet_veth "$cli" c0 10.80.0.2 "$(mac_of "$srv" s0)"
quiet_veth "$srv" s0 10.80.0.1 "$(mac_of "$cli" c0)"
TMP=$(mktemp -d)
defer rm -rf "$TMP"
ip netns exec "$srv" "$BUILD/tests/tiny_httpd" 10.80.0.2 8080 100 >/dev/null 2>&1 &
defer kill $!
busywait 10000 eval "nsx '$srv' ss -Htln 'sport = :8080' | grep -q LISTEN" || fail "tiny_httpd did not start"
sniff_start "$srv" "$TMP/sniff" s0 --source wire --port 8080 --json

trace_start "$srv" "$TMP/out" sniff --pid "$SNIFF_PID" --json --interval 0
packets() { echo $(($(dev_counter "$srv" s0 rx_packets) + $(dev_counter "$srv" s0 tx_packets))); }
p0=$(packets)
paths=()
for i in $(seq $K); do paths+=("/r$i"); done
assert_eq "$(nsx "$cli" "$BUILD/tests/http_get" 10.80.0.2 8080 "${paths[@]}" | sort | uniq -c | xargs)" \
	"$K 200 100" "responses"
# every connection fully closed (the client's last ACK sent: it sits in TIME_WAIT)
busywait 5000 eval "[ -z \"\$(nsx '$cli' ss -Htn state all 'dport = :8080' | grep -v TIME-WAIT)\" ]" ||
	fail "connections not closed: $(nsx "$cli" ss -tan)"
busywait 5000 eval "[ \$(grep -c '\"method\"' '$TMP/sniff') = $K ]" || fail "sniffer reported $(cat "$TMP/sniff")"
n=$(($(packets) - p0))
trace_stop
sniff_stop
final=$(tail -n 1 "$TMP/out")
passed=$(grep '^{"summary"' "$TMP/sniff.err" | jq .summary.wire.passed)
log "$n packets on s0, $passed passed the filter"

if [ "$(jq -r .mode <<<"$final")" = stats ]; then
	assert_contains "$(cat "$TMP/out.err")" "kernel refuses BPF trampolines" "fallback reason"
	assert_eq "$(jq '.programs | length' <<<"$final")" 1 "one socket filter (--pid)"
	assert_eq "$(jq -r '.programs[0] | "\(.prog) \(.hook) \(.run_cnt)"' <<<"$final")" \
		"sniff_wire socket filter $n" "filter runs = packets on s0"
	log "$(uname -r): BPF_ENABLE_STATS fallback"
	exit 0
fi
fn() { trace_fn "$final" "socket filter" "$@"; }
for f in sniff_wire sniff_parse sniff_http_start sniff_flow_update; do
	assert_eq "$(fn $f .calls)" "$n" "$f calls = packets on s0"
done
assert_eq "$(fn sniff_parse '.ret | tojson')" "{\"0\":$n}" "sniff_parse: every packet TCP"
assert_eq "$(fn sniff_http_start '.ret."1"')" $((2 * K)) "message starts (request + status line each)"
assert_eq "$(fn sniff_http_start '.ret."0"')" $((n - 2 * K)) "other segments"
assert_eq "$(fn sniff_flow_update '.ret."1"')" "$passed" "flow table: kept = the sniffer's passed"
assert_eq "$(fn sniff_wire '"\(.ret.kept) \(.ret.dropped)"')" "$passed $((n - passed))" "kept/dropped verdicts"
assert_ge "$passed" $((2 * K)) "kept at least the starts"
assert_eq "$(fn sniff_wire '.ret.kept_bytes > 0')" true "kept bytes"

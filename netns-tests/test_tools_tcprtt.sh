#!/usr/bin/env bash
# tcprtt's histogram of smoothed RTT over a link with a known 40 ms round trip.
# Runs with --method ${METHOD:-tracepoint}; test_tools_tcprtt_{fentry,kprobe}.sh set
# METHOD and source this file. Needs sch_netem (skips where the kernel has none).
#
#   netns A  10.X.0.1 va --[netem delay 20ms each way]-- vb 10.X.0.2  netns B
#   A: actor echo-client 10.X.0.2 PORT 3 4   B: actor echo-server 10.X.0.2 PORT 3
#   root ns: tcprtt -m METHOD -P PORT -B -e -j  (client sockets: remote port PORT)
#
# Proves: one histogram, keyed by the server's address; as many samples as the
# client sockets received segments while established (TCP_INFO segs_in minus the
# SYN-ACK, summed over the 3 connections); none below the bucket holding 40 ms
# (32768..65535 us: netem's delay is a floor) and some in it; none beyond twice the
# largest srtt the kernel reports (TCP_INFO: not srtt_us unshifted, 8x); most in
# the 40 ms bucket wherever the kernel's own srtt stayed below 64 ms (a starved
# TCG guest takes longer now and then, and TCP_INFO shows it); the average at
# least 40 ms; the output valid JSON.
. "$(dirname "$0")/lib.sh"
ensure_tracefs
need jq
METHOD=${METHOD:-tracepoint}
. "$TESTS_DIR/tools_lib.sh"
rtt_topology
nsx "$A" tc qdisc add dev va root netem delay 20ms 2>/dev/null ||
	skip "kernel has no sch_netem (CONFIG_NET_SCH_NETEM): no known delay to measure"
nsx "$B" tc qdisc add dev vb root netem delay 20ms

tool_start tcprtt -m "$METHOD" -P "$PORT" -B -e -j
assert_contains "$(cat "$TOOL_ERR")" "tracing via $METHOD" "ready line"
nsx "$B" "$actor" echo-server "$NET.2" "$PORT" 3 &
server=$!
defer kill_child $server
busywait 5000 eval "nsx '$B' ss -Htln 'sport = :$PORT' | grep -q LISTEN" || fail "echo server did not listen"
nsx "$A" "$actor" echo-client "$NET.2" "$PORT" 3 4 >"$TMP/client" || fail "echo client failed"
wait $server || fail "echo server failed"
tool_stop

log "client: $(tr '\n' ' ' <"$TMP/client")"
jq -e . "$TOOL_OUT" >/dev/null || fail "not JSON: $(cat "$TOOL_OUT")"
assert_eq "$(wc -l <"$TOOL_OUT")" 1 "one summary line"
out=$(cat "$TOOL_OUT")
assert_eq "$(jq -r '.hists | length' <<<"$out")" 1 "histograms"
assert_eq "$(jq -r '.hists[0].raddr' <<<"$out")" "$NET.2" "remote address"
want=$(awk -F'[= ]' '{ n += $2 - 1 } END { print n }' "$TMP/client")
assert_eq "$(jq -r '.hists[0].count' <<<"$out")" "$want" "samples (segments received while established)"
assert_eq "$(jq -r '[.hists[0].hist_us[].count] | add' <<<"$out")" "$want" "histogram total"
log "buckets: $(jq -c '[.hists[0].hist_us[] | [.lo, .count]]' <<<"$out")"
assert_eq "$(jq -r '[.hists[0].hist_us[] | select(.lo < 32768) | .count] | add // 0' <<<"$out")" 0 "samples below 32768 us"
in40=$(jq -r '[.hists[0].hist_us[] | select(.lo == 32768) | .count] | add // 0' <<<"$out")
assert_ge "$in40" 1 "samples in the 40 ms bucket"
assert_eq "$(awk -F'[= ]' '$4 < 40000' "$TMP/client")" "" "witness srtt (TCP_INFO) below 40 ms"
# Not srtt_us unshifted (8x): no sample beyond twice the largest srtt the kernel reports.
maxw=$(awk -F'[= ]' '$4 > m { m = $4 } END { print m }' "$TMP/client")
assert_eq "$(jq -r --argjson m $((2 * maxw)) '[.hists[0].hist_us[] | select(.lo > $m)] | length' <<<"$out")" 0 \
	"buckets beyond twice the largest witness srtt ($maxw us)"
# Under a starved TCG guest the kernel itself measures more than 64 ms (its srtt in
# TCP_INFO says so); where it does not, most samples must lie in the 40 ms bucket.
if [ "$maxw" -lt 65536 ]; then
	[ $((in40 * 2)) -gt "$want" ] || fail "only $in40 of $want samples in the 40 ms bucket (32768..65535 us)"
else
	log "the kernel's own srtt reached $maxw us (a slow guest): majority check not applicable"
fi
avg=$(jq -r '.hists[0].avg_us' <<<"$out")
[ "$avg" -ge 40000 ] && [ "$avg" -le $((2 * maxw)) ] || fail "average $avg us: below 40 ms or beyond 2 x $maxw us"

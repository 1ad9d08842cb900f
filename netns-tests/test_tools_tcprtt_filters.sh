#!/usr/bin/env bash
# tcprtt's filters, keys and intervals, with the best attach method the kernel
# allows (host: the tcp:tcp_probe tracepoint; guests: fentry). No delay on the link:
# the RTT buckets are test_tools_tcprtt.sh's job.
#
#   netns A  10.X.0.1 va ------------ vb 10.X.0.2  netns B
#   A: actor echo-client 10.X.0.2 PORT 2 3   B: actor echo-server 10.X.0.2 PORT 2
#   root ns, side by side while the client runs:
#     1: tcprtt -P PORT -b -j                    client sockets, by local address
#     2: tcprtt -p PORT -A 10.X.0.1/32           server sockets (text)
#     3: tcprtt -P PORT -A 192.0.2.0/24 -j       nobody: no histogram
#     4: tcprtt -a 10.X.0.0/24 -P PORT -i 1 -d 3 -j    three intervals
#
# Proves: 1 has one histogram, keyed by the client's address, with as many samples
# as the client sockets received segments while established (TCP_INFO segs_in
# minus the SYN-ACK); 2 shows one "All Addresses" histogram with samples;
# 3 shows none; 4 prints exactly 3 lines whose counts add up to 1's.
. "$(dirname "$0")/lib.sh"
ensure_tracefs
need jq
. "$TESTS_DIR/tools_lib.sh"
rtt_topology

start() { # N ARGS...: tool_start, keeping this one's pid and files as T<N>_*
	tool_start tcprtt "${@:2}"
	printf -v "T$1_PID" %s "$TOOL_PID"
	printf -v "T$1_OUT" %s "$TOOL_OUT"
}
stop() { # N
	local v="T$1_PID" o="T$1_OUT"
	TOOL_PID=${!v} TOOL_OUT=${!o}
	tool_stop
}
start 1 -P "$PORT" -b -j
start 2 -p "$PORT" -A "$NET.1/32"
start 3 -P "$PORT" -A 192.0.2.0/24 -j
nsx "$B" "$actor" echo-server "$NET.2" "$PORT" 2 &
server=$!
defer kill_child $server
busywait 5000 eval "nsx '$B' ss -Htln 'sport = :$PORT' | grep -q LISTEN" || fail "echo server did not listen"
start 4 -a "$NET.0/24" -P "$PORT" -i 1 -d 3 -j # last: the client must run within its 3 s
nsx "$A" "$actor" echo-client "$NET.2" "$PORT" 2 3 >"$TMP/client" || fail "echo client failed"
wait $server || fail "echo server failed"
for n in 1 2 3; do stop $n; done
TOOL_PID=$T4_PID
tool_wait # -d 3

want=$(awk -F'[= ]' '{ n += $2 - 1 } END { print n }' "$TMP/client")
log "client: $(tr '\n' ' ' <"$TMP/client")"
out=$(cat "$T1_OUT")
jq -e . <<<"$out" >/dev/null || fail "not JSON: $out"
assert_eq "$(jq -c '[.hists[] | .laddr]' <<<"$out")" "[\"$NET.1\"]" "-b: one histogram, the client's address"
assert_eq "$(jq -r '.hists[0].count' <<<"$out")" "$want" "-b: samples"
assert_eq "$(jq -r '[.hists[0].hist_us[].count] | add' <<<"$out")" "$want" "-b: histogram total"

out=$(cat "$T2_OUT")
assert_eq "$(grep -c '^All Addresses = \*\*\*\*$' <<<"$out")" 1 "-p: one histogram of everything"
assert_ge "$(awk '$2 == "->" && $4 == ":" { n += $5 } END { print n + 0 }' <<<"$out")" 1 "-p: server-side samples"

assert_eq "$(jq -c '.hists' "$T3_OUT")" "[]" "-A outside: no histogram"

jq -e . "$T4_OUT" >/dev/null || fail "-i: not JSON: $(cat "$T4_OUT")"
assert_eq "$(wc -l <"$T4_OUT")" 3 "-i 1 -d 3: lines"
assert_eq "$(jq -s '[.[].hists[].count] | add' "$T4_OUT")" "$want" "-i: samples over the intervals"

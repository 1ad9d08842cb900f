#!/usr/bin/env bash
# tcpconnect reports every new TCP connection of a namespace, both ends, v4 and v6.
# Runs with --method ${METHOD:-tracepoint}; test_tools_tcpconnect_{fentry,kprobe}.sh
# set METHOD and source this file.
#
#   netns A:  actor tcp 127.0.0.1 PORT 3     (listen, then 3x connect/accept/close)
#             actor tcp ::1 PORT 1
#   root ns:  tcpconnect -m METHOD -P PORT   (kernel-wide; the port isolates our traffic)
#
# Proves: exactly 4 connect events (dport PORT, from the actors' pids, 3 IPv4 + 1
# IPv6) and 4 accept events (sport PORT) whose peer ports match the connects'
# source ports; the namespace's TcpActiveOpens/TcpPassiveOpens (nstat) agree.
# Then --latency: exactly 3 outgoing connections, each with a latency. With
# METHOD=fentry (it worked), the default choice is fentry too.
. "$(dirname "$0")/lib.sh"
ensure_tracefs
need nstat
METHOD=${METHOD:-tracepoint}
PORT=$((20000 + RANDOM % 12000)) # below the ephemeral range: no stray source port matches
mk_ns A

tool_start tcpconnect -m "$METHOD" -P "$PORT"
assert_contains "$(cat "$TOOL_ERR")" "tracing via $METHOD" "ready line"
nsx "$A" nstat -n # reset the namespace's counters history
ip netns exec "$A" "$BUILD/tools/testbin/actor" tcp 127.0.0.1 "$PORT" 3 &
p4=$!
wait $p4
ip netns exec "$A" "$BUILD/tools/testbin/actor" tcp ::1 "$PORT" 1 &
p6=$!
wait $p6
busywait 5000 eval "[ \$(grep -c -e ' connect ' -e ' accept ' '$TOOL_OUT') -ge 8 ]" ||
	fail "expected 8 events, got: $(cat "$TOOL_OUT")"
tool_stop

# columns: TIME PID COMM DIR IP SADDR SPORT DADDR DPORT
conn=$(awk -v P="$PORT" '$4 == "connect" && $9 == P { print $2, $5 }' "$TOOL_OUT" | sort | uniq -c | awk '{ print $1, $2, $3 }')
assert_eq "$conn" "$(printf '%s\n' "3 $p4 4" "1 $p6 6" | sort -k2)" "connects (count pid ip)"
assert_eq "$(awk -v P="$PORT" '$4 == "accept" && $7 == P' "$TOOL_OUT" | wc -l)" 4 "accepts"
assert_eq "$(awk 'NR > 1' "$TOOL_OUT" | wc -l)" 8 "events in total"
cports=$(awk '$4 == "connect" { print $7 }' "$TOOL_OUT" | sort)
aports=$(awk '$4 == "accept" { print $9 }' "$TOOL_OUT" | sort)
assert_eq "$aports" "$cports" "accepted peers are the connecting sockets"
opens=$(nsx "$A" nstat -az TcpActiveOpens TcpPassiveOpens | awk '/Opens/ { printf "%s=%s ", $1, $2 }')
assert_eq "$opens" "TcpActiveOpens=4 TcpPassiveOpens=4 " "nstat witness"

tool_start tcpconnect -m "$METHOD" -P "$PORT" --latency -j
nsx "$A" "$BUILD/tools/testbin/actor" tcp 127.0.0.1 "$PORT" 3
busywait 5000 eval "[ \$(grep -c lat_ns '$TOOL_OUT') -ge 3 ]" || fail "expected 3 latency events: $(cat "$TOOL_OUT")"
tool_stop
assert_eq "$(grep -c "\"dir\":\"connect\".*\"dport\":$PORT,\"lat_ns\":[1-9]" "$TOOL_OUT")" 3 "connects with a latency"
assert_eq "$(wc -l <"$TOOL_OUT")" 3 "latency events in total (accepts are not reported)"

if [ "$METHOD" = fentry ]; then
	tool_start tcpconnect -P "$PORT"
	tool_stop
	assert_contains "$(cat "$TOOL_ERR")" "tracing via fentry" "method chosen without --method"
fi

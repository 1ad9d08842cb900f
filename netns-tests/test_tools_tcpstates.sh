#!/usr/bin/env bash
# tcpstates follows every socket of two TCP connections through all their states.
#
#   netns A:  actor tcp 127.0.0.1 PORT 2     (listen, then 2x connect/accept/close)
#   root ns:  tcpstates -4 -P PORT -j        (sock/inet_sock_set_state tracepoint)
#
# Proves: the listener goes CLOSE->LISTEN->CLOSE; each connection shows exactly one
# CLOSE->SYN_SENT, SYN_SENT->ESTABLISHED, LISTEN->SYN_RECV, SYN_RECV->ESTABLISHED;
# 5 sockets end in CLOSE; per socket every change starts where the previous one
# ended, and all but a socket's first change carry the time spent in the old state.
. "$(dirname "$0")/lib.sh"
ensure_tracefs
PORT=$((20000 + RANDOM % 12000)) # below the ephemeral range: no stray source port matches
mk_ns A

tool_start tcpstates -4 -P "$PORT" -j
nsx "$A" "$BUILD/tools/testbin/actor" tcp 127.0.0.1 "$PORT" 2
busywait 5000 eval "[ \$(grep -c '\"newstate\":\"CLOSE\"' '$TOOL_OUT') -ge 5 ]" ||
	fail "expected 5 sockets to close: $(cat "$TOOL_OUT")"
tool_stop

# one line per change: skaddr oldstate newstate prev_ns
changes=$(sed -E 's/.*"skaddr":([0-9]+).*"oldstate":"([A-Z_0-9]+)","newstate":"([A-Z_0-9]+)","prev_ns":([0-9]+).*/\1 \2 \3 \4/' "$TOOL_OUT")
count() { echo "$changes" | awk -v o="$1" -v n="$2" '$2 == o && $3 == n' | wc -l; }
assert_eq "$(count CLOSE LISTEN) $(count LISTEN CLOSE)" "1 1" "listener opened and closed"
assert_eq "$(count CLOSE SYN_SENT) $(count SYN_SENT ESTABLISHED)" "2 2" "client handshakes"
assert_eq "$(count LISTEN SYN_RECV) $(count SYN_RECV ESTABLISHED)" "2 2" "server handshakes"
assert_eq "$(echo "$changes" | awk '$3 == "CLOSE"' | wc -l)" 5 "sockets closed"
broken=$(echo "$changes" | awk '
	$1 in last { if (last[$1] != $2 || $4 == 0) print "socket " $1 ": " last[$1] " then " $2 " -> " $3 " after " $4 " ns" }
	{ last[$1] = $3; if ($3 == "CLOSE") delete last[$1] }')
assert_eq "$broken" "" "state chains"

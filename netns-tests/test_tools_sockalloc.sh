#!/usr/bin/env bash
# sockalloc reports each socket a process allocates, with family, type, protocol
# read by CO-RE. Runs with --method ${METHOD:-fentry}; test_tools_sockalloc_kprobe.sh
# sets METHOD=kprobe and sources this file. sock_alloc_file has no tracepoint: where
# the kernel has neither trampolines nor kprobes the test skips.
#
#   netns A:  actor --wait socket inet stream socket inet6 dgram socket unix stream
#                          tcp 127.0.0.1 PORT 1   (listener, client, accepted)
#   root ns:  sockalloc -m METHOD -p <actor>
#
# Proves: exactly six events of the actor, in order: INET STREAM 6, INET6 DGRAM 17,
# UNIX STREAM 0, INET STREAM 6 twice (listener, client) and the accepted socket,
# whose file is allocated before its sock exists: INET (from the ops) STREAM 0.
. "$(dirname "$0")/lib.sh"
METHOD=${METHOD:-fentry}
PORT=$((20000 + RANDOM % 12000)) # below the ephemeral range: no stray source port matches
mk_ns A
tmp=$(mktemp -d)
defer rm -rf "$tmp"
mkfifo "$tmp/go"

ip netns exec "$A" "$BUILD/tools/testbin/actor" --wait socket inet stream socket inet6 dgram \
	socket unix stream tcp 127.0.0.1 "$PORT" 1 <"$tmp/go" &
actor=$!
exec 5>"$tmp/go"
defer kill_child $actor
tool_start sockalloc -m "$METHOD" -p "$actor"
assert_contains "$(cat "$TOOL_ERR")" "tracing via $METHOD" "ready line"
echo go >&5
exec 5>&-
wait $actor
busywait 5000 eval "[ \$(wc -l <'$TOOL_OUT') -ge 7 ]" || fail "expected 6 events: $(cat "$TOOL_OUT")"
tool_stop

got=$(awk -v p=$actor '$2 == p { print $4, $5, $6 }' "$TOOL_OUT")
assert_eq "$got" "$(printf '%s\n' 'INET STREAM 6' 'INET6 DGRAM 17' 'UNIX STREAM 0' 'INET STREAM 6' \
	'INET STREAM 6' 'INET STREAM 0')" "sockets of the actor (family type protocol)"
assert_eq "$(awk 'NR > 1' "$TOOL_OUT" | wc -l)" 6 "events in total"

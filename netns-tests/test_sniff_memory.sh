#!/usr/bin/env bash
# One memory budget bounds every connection's parser together (--max-memory):
# 16 pipelined POSTs that are never answered each want a --max-body buffer of
# 64 KiB, 1 MiB and more in all, under a budget of 1 MiB. Every request is still
# reported (no_response), those whose body did not fit are flagged no_memory
# (their body not kept), the others keep theirs; the JSON summary on stderr
# counts exactly those refusals and a peak within the budget, and the text
# summary says the same.
#
#   netns ns (lo up)
#   +-------------------------------------------------------------+
#   |  bash /dev/tcp ---- 127.0.0.1:8080 ---- nc -l (reads, never   |
#   |                                         answers)             |
#   |  netbpf sniff lo --source wire --json --max-body 65536       |
#   |               --max-memory 1M                                |
#   +-------------------------------------------------------------+
. "$(dirname "$0")/lib.sh"
need nc jq

N=16
mk_ns ns
tmp=$(mktemp -d)
defer rm -rf "$tmp"

ip netns exec "$ns" nc -l 127.0.0.1 8080 >/dev/null &
defer kill_child $!
busywait 10000 eval "nsx '$ns' ss -Htln 'sport = :8080' | grep -q LISTEN" || fail "nc did not listen"

sniff_start "$ns" "$tmp/out" lo --source wire --json --max-body 65536 --max-memory 1M
requests=
for i in $(seq 0 $((N - 1))); do
	requests+="POST /m$i HTTP/1.1"$'\r\n'"Host: h"$'\r\n'"Content-Length: 4"$'\r\n\r\n'"$(printf 'b=%02d' $i)"
done
# Written at once, then the client closes: the server's nc sees the end and closes too.
nsx "$ns" bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080; printf "%s" "$1" >&3; exec 3>&-' _ "$requests"
busywait 10000 eval "[ \$(grep -c . '$tmp/out') -ge $N ]" ||
	fail "$(grep -c . "$tmp/out") of $N exchanges reported: $(cat "$tmp/out.err") $(jq -c "[.path, .flags]" "$tmp/out")"
sniff_stop

summary=$(grep '^{"summary"' "$tmp/out.err") || fail "no JSON summary: $(cat "$tmp/out.err")"
log "$summary"
refused=$(echo "$summary" | jq .summary.memory.refused)
assert_eq "$(echo "$summary" | jq .summary.memory.max_bytes)" 1048576 "budget"
assert_ge 1048576 "$(echo "$summary" | jq .summary.memory.peak_bytes)" "budget vs peak"
assert_ge "$(echo "$summary" | jq .summary.memory.peak_bytes)" 900000 "peak (the bodies that fit)"
assert_ge "$refused" 1 "allocations refused"
assert_eq "$(echo "$summary" | jq .summary.exchanges)" $N "exchanges in the summary"
assert_eq "$(jq -r .path "$tmp/out" | sort | tr '\n' ' ')" "$(for i in $(seq 0 $((N - 1))); do echo /m$i; done | sort | tr '\n' ' ')" "paths"
# Refused bodies are the no_memory exchanges, and only theirs are missing.
assert_eq "$(jq -r 'select(.flags | index("no_memory")) | .req_body // ""' "$tmp/out" | grep -c '^$')" "$refused" \
	"no_memory exchanges without body"
assert_eq "$(jq -r 'select(.flags | index("no_memory") | not) | "\(.path) \(.req_body)"' "$tmp/out" |
	awk '{ sub("/m", "", $1); if ($2 != sprintf("b=%02d", $1)) bad++ } END { print bad + 0 }')" 0 "kept bodies"
assert_eq "$(jq -r '.flags | index("no_response") != null' "$tmp/out" | sort -u)" true "all unanswered"
assert_contains "$(cat "$tmp/out.err")" "memory: peak" "text summary"
assert_contains "$(cat "$tmp/out.err")" "of 1048576 bytes, $refused allocations refused" "text summary"

#!/usr/bin/env bash
# funclat traces a user-space function by name (uprobe + uretprobe) and a USDT probe.
#
#   usdt_target --wait 3: work(1, 11), work(2, 12), work(3, 13); work(a, b) sleeps
#   a ms, returns a * b and fires USDT netbpf_test:work_done(a, b, a * b)
#   funclat -a -p <target> usdt_target:work        funclat --usdt ... -a -j usdt_target
#
# Proves: 3 calls with the right first two arguments and return values, each lasting
# at least a ms; the closing summary counts 3 calls and its histogram holds 3; the
# USDT probe is hit 3 times with exactly the probe's three arguments; a missing
# function fails with a clear message.
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
defer rm -rf "$tmp"
target=$BUILD/tools/testbin/usdt_target

run_target() { # funclat arguments...
	rm -f "$tmp/go"
	mkfifo "$tmp/go"
	"$target" --wait 3 <"$tmp/go" &
	TARGET=$!
	exec 5>"$tmp/go"
	tool_start funclat -p "$TARGET" "$@"
	echo go >&5
	exec 5>&-
	wait $TARGET
	busywait 5000 eval "[ \$(grep -c ' usdt_target \|\"comm\":\"usdt_target\"' '$TOOL_OUT') -ge 3 ]" ||
		fail "expected 3 events: $(cat "$TOOL_OUT")"
	tool_stop
}

run_target -a "$target:work"
# columns: TIME PID TID COMM ARG0 ARG1 ARG2 RET LAT(ns)
calls=$(awk -v p=$TARGET '$2 == p { print $5, $6, $8, ($9 >= $5 * 1000000) ? "slow-enough" : "too-fast:" $9 }' "$TOOL_OUT")
assert_eq "$calls" "$(printf '%s\n' '1 11 11 slow-enough' '2 12 24 slow-enough' '3 13 39 slow-enough')" "calls (a b ret latency)"
assert_contains "$(cat "$TOOL_OUT")" "3 calls" "summary"
assert_eq "$(awk '$2 == "->" && $4 == ":" { n += $5 } END { print n }' "$TOOL_OUT")" 3 "histogram total"

run_target --usdt netbpf_test:work_done -a -j "$target"
assert_eq "$(grep -o '"args":\[[-0-9,]*\]' "$TOOL_OUT")" "$(printf '%s\n' '"args":[1,11,11]' '"args":[2,12,24]' '"args":[3,13,39]')" "USDT arguments"
assert_eq "$(tail -n1 "$TOOL_OUT")" '{"hits":3}' "USDT summary"

assert_fails_with "no such file or symbol" "$BUILD/tools/funclat" "$target:no_such_function" -d 1

#!/usr/bin/env bash
# Tail calls and tracing: what fentry (or the kernel's run statistics) sees of a
# program entered by bpf_tail_call, and that `trace` says so instead of a bare count.
#
#   tailcall_run (bpf/bench/bench_tailcall.bpf.c, loaded privately)
#   BPF_PROG_TEST_RUN x10 -> tail_l2 --tail call--> tail_l3 --> tail_l4 --> tail_decide
#                            parse_l2()              parse_l3()              match_rules()
#                                                                            account()
#   netbpf trace --prog tail_l2 --prog tail_l3 --prog tail_decide
#
# Proves: the 10 runs of the chain are counted in full where a run enters through a
# program's real entry or a bpf2bpf call (tail_l2 and every subfunction: 10 each;
# tail_l2's fexit sees the chain's final XDP_PASS), while tail_l3 and tail_decide,
# entered only by tail calls, count 0: fentry on a tail-call target does not fire for
# a tail call (the JIT jumps past the patched entry), nor do BPF_ENABLE_STATS count
# it. `trace` finds the PROG_ARRAY holding them and marks exactly those two programs'
# counts as missing tail-call entries (JSON calls_miss_tail_calls / runs_miss_tail_calls).
. "$(dirname "$0")/lib.sh"
need jq

mk_ns A
TMP=$(mktemp -d)
defer rm -rf "$TMP"
mkfifo "$TMP/ctl"
"$BUILD/tests/tailcall_run" 10 <"$TMP/ctl" >"$TMP/run" 2>&1 &
run_pid=$!
defer kill_child "$run_pid"
exec 3>"$TMP/ctl"
busywait 10000 grep -q '^ids ' "$TMP/run" || fail "tailcall_run: $(cat "$TMP/run")"
read -r _ l2 l3 _ dec <<<"$(grep '^ids ' "$TMP/run")"

trace_start "$A" "$TMP/out" --prog "$l2" --prog "$l3" --prog "$dec" --json --interval 0
echo go >&3
busywait 10000 grep -q '^retval ' "$TMP/run" || fail "tailcall_run: $(cat "$TMP/run")"
assert_eq "$(grep '^retval ' "$TMP/run")" "retval 2" "chain verdict XDP_PASS"
trace_stop
exec 3>&-
wait "$run_pid" || fail "tailcall_run failed: $(cat "$TMP/run")"
final=$(tail -n 1 "$TMP/out")

if [ "$(jq -r .mode <<<"$final")" = stats ]; then
	prog() { jq -r --argjson id "$1" ".programs[] | select(.prog_id == \$id) | $2" <<<"$final"; }
	assert_eq "$(prog "$l2" '"\(.run_cnt) \(.runs_miss_tail_calls)"')" "10 false" "tail_l2 runs"
	assert_eq "$(prog "$l3" '"\(.run_cnt) \(.runs_miss_tail_calls)"')" "0 true" "tail_l3 runs"
	assert_eq "$(prog "$dec" '"\(.run_cnt) \(.runs_miss_tail_calls)"')" "0 true" "tail_decide runs"
	log "$(uname -r): BPF_ENABLE_STATS count no tail-call entries; marked"
	exit 0
fi
fn() { jq -r --argjson id "$1" --arg f "$2" \
	".functions[] | select(.prog_id == \$id and .func == \$f) | $3" <<<"$final"; }
assert_eq "$(fn "$l2" tail_l2 '"\(.calls) \(.calls_miss_tail_calls)"')" "10 false" "tail_l2 calls"
assert_eq "$(fn "$l2" tail_l2 '.ret | tojson')" '{"XDP_PASS":10}' "tail_l2 fexit: the chain's verdict"
assert_eq "$(fn "$l2" parse_l2 .calls)" 10 "parse_l2 calls"
assert_eq "$(fn "$l3" parse_l3 .calls)" 10 "parse_l3 calls (tail-called program's subfunction)"
assert_eq "$(fn "$dec" match_rules .calls)" 10 "match_rules calls"
assert_eq "$(fn "$dec" account .calls)" 10 "account calls"
assert_eq "$(fn "$l3" tail_l3 '"\(.calls) \(.calls_miss_tail_calls)"')" "0 true" "tail_l3: tail calls unseen, marked"
assert_eq "$(fn "$dec" tail_decide '"\(.calls) \(.calls_miss_tail_calls)"')" "0 true" "tail_decide: marked"
log "$(uname -r): fentry on a tail-call target does not fire for tail calls; marked"

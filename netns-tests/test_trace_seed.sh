#!/usr/bin/env bash
# The seed case: `trace --prog` on someone else's tracing programs that share a
# subfunction (netns-tests/progs/trace_seed.bpf.c, loaded by the trace_seed helper).
#
#   trace_seed (raw_tp/sys_enter seed_enter, raw_tp/sys_exit seed_exit, for its pid)
#     K x getppid() -> seed_enter -> handle_new_connection(1, nr)
#                   -> seed_exit  -> handle_new_connection(2, nr), note_connection(2)
#   netbpf trace --prog ENTER --prog EXIT
#
# Proves: handle_new_connection is found in both programs' BTF and counted K times
# in each, with its return value telling the callers apart (1 and 2, K each), its
# latency histogram holding every call, and the program's own count (2K) agreeing;
# note_connection (void) shows no value, "(void)" in text. On a kernel that refuses
# trampolines: the fallback names the reason and counts at least K runs of each
# main program (they run at every syscall of the host and filter by pid inside).
. "$(dirname "$0")/lib.sh"
need jq

K=7
mk_ns A
TMP=$(mktemp -d)
defer rm -rf "$TMP"
mkfifo "$TMP/ctl"
"$BUILD/tests/trace_seed" $K <"$TMP/ctl" >"$TMP/run" 2>&1 &
run_pid=$!
defer "kill $run_pid"
exec 3>"$TMP/ctl"
busywait 10000 grep -q '^ids ' "$TMP/run" || fail "trace_seed: $(cat "$TMP/run")"
read -r _ enter exit_ <<<"$(grep '^ids ' "$TMP/run")"

trace_start "$A" "$TMP/out" --prog "$enter" --prog "$exit_" --json --interval 0
echo go >&3
busywait 10000 grep -q '^handled ' "$TMP/run" || fail "trace_seed: $(cat "$TMP/run")"
assert_eq "$(grep '^handled ' "$TMP/run")" "handled $((2 * K))" "the subfunction's own count"
trace_stop
final=$(tail -n 1 "$TMP/out")

if [ "$(jq -r .mode <<<"$final")" = stats ]; then
	assert_contains "$(cat "$TMP/out.err")" "kernel refuses BPF trampolines" "fallback reason"
	for id in "$enter" "$exit_"; do
		assert_ge "$(jq -r --argjson id "$id" '.programs[] | select(.prog_id == $id) | .run_cnt' <<<"$final")" \
			$K "runs of program $id"
	done
	exec 3>&-
	wait "$run_pid" || fail "trace_seed failed: $(cat "$TMP/run")"
	log "$(uname -r): BPF_ENABLE_STATS fallback"
	exit 0
fi
fn() { jq -r --argjson id "$1" --arg f "$2" \
	".functions[] | select(.prog_id == \$id and .func == \$f) | $3" <<<"$final"; }
assert_eq "$(fn "$enter" handle_new_connection '"\(.calls) \(.returns)"')" "$K $K" "calls from seed_enter"
assert_eq "$(fn "$exit_" handle_new_connection '"\(.calls) \(.returns)"')" "$K $K" "calls from seed_exit"
assert_eq "$(fn "$enter" handle_new_connection '.ret | tojson')" "{\"1\":$K}" "return value in seed_enter"
assert_eq "$(fn "$exit_" handle_new_connection '.ret | tojson')" "{\"2\":$K}" "return value in seed_exit"
assert_eq "$(fn "$enter" handle_new_connection '[.lat_ns.hist[].count] | add')" $K "latency histogram"
assert_eq "$(fn "$exit_" note_connection '"\(.calls) \(.ret)"')" "$K null" "void subfunction"
assert_ge "$(fn "$enter" seed_enter .calls)" $K "seed_enter runs"

# The text report of the void one.
trace_start "$A" "$TMP/text" --prog "$exit_" --interval 0 --func note_connection --duration 1
wait "$TRACE_PID" || fail "trace --duration failed: $(cat "$TMP/text.err")"
assert_eq "$(grep -c ' note_connection  *0 .*(void)$' "$TMP/text")" 1 "text: (void)"
exec 3>&-
wait "$run_pid" || fail "trace_seed failed: $(cat "$TMP/run")"

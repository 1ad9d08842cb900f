# tools/ tracers run in the background (sourced by lib.sh)
# --- tools/ tracers -----------------------------------------------------------------
# tool_start TOOL ARGS...: runs $BUILD/tools/TOOL in the background (stdout in
# $TOOL_OUT, stderr in $TOOL_ERR, pid in $TOOL_PID) and returns once it says it is
# attached. Skips the test when the kernel lacks the method (no trampolines, no
# kprobes), fails on any other early exit.
tool_start() {
	local deadline=$(($(date +%s) + 20)) reason
	TOOL_OUT=$(mktemp) TOOL_ERR=$(mktemp)
	defer rm -f "$TOOL_OUT" "$TOOL_ERR"
	"$BUILD/tools/$1" "${@:2}" >"$TOOL_OUT" 2>"$TOOL_ERR" &
	TOOL_PID=$!
	defer kill_child "$TOOL_PID"
	until grep -q 'tracing via' "$TOOL_ERR"; do
		if ! running_child "$TOOL_PID"; then
			reason=$(grep -oE 'kernel refuses BPF trampolines|kernel has no kprobes' "$TOOL_ERR" | head -n1)
			[ -z "$reason" ] || skip "$* needs what this kernel lacks: $reason"
			fail "$1 exited before attaching: $(cat "$TOOL_ERR")"
		fi
		[ "$(date +%s)" -lt $deadline ] || fail "$1 did not attach within 20 s: $(cat "$TOOL_ERR")"
		sleep 0.05
	done
}
# tool_wait: waits (10 s at most) for the tool to end by itself (--count, --duration,
# or after tool_stop's SIGINT); it must exit 0.
tool_wait() {
	local rc=0
	busywait 10000 eval "! running_child $TOOL_PID" || fail "tool $TOOL_PID still running after 10 s"
	wait "$TOOL_PID" || rc=$?
	[ $rc -eq 0 ] || fail "tool exited with $rc: $(cat "$TOOL_ERR")"
}
# tool_stop: Ctrl-C, then tool_wait.
tool_stop() {
	kill_child -INT "$TOOL_PID"
	tool_wait
}

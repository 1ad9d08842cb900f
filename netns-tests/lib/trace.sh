# netbpf trace in the background (sourced by lib.sh)
# --- netbpf trace helpers ---------------------------------------------------------
# trace_topology NET: namespaces $A and $B joined by va (NET.1/24) and vb (NET.2/24),
# quiet (no IPv6, static ARP: every packet is one the test sent), netbpf up on va,
# and a scratch directory $TMP. NET is a /24 prefix such as 10.78.0.
trace_topology() {
	mk_ns A
	mk_ns B
	veth_pair "$A" va "$1.1/24" "$B" vb "$1.2/24"
	quiet_veth "$A" va "$1.2" "$(mac_of "$B" vb)"
	quiet_veth "$B" vb "$1.1" "$(mac_of "$A" va)"
	nsx "$A" "$NETBPF" -q up va
	defer nsx "$A" "$NETBPF" down va
	TMP=$(mktemp -d)
	defer rm -rf "$TMP"
}
# trace_start NS OUT ARGS...: `netbpf trace ARGS` in namespace NS, in the background
# (stdout to OUT, stderr to OUT.err), returning once it printed its ready line.
trace_start() {
	local ns=$1 out=$2; shift 2
	# nsenter execs netbpf: $! is netbpf itself, which trace_stop signals.
	nsenter --net="/run/netns/$ns" "$NETBPF" trace "$@" >"$out" 2>"$out.err" &
	TRACE_PID=$! TRACE_OUT=$out
	defer kill_child "$TRACE_PID"
	busywait 60000 _trace_settled "$out" || true
	_trace_ready "$out" || fail "trace did not become ready: $(cat "$out.err")"
}
_trace_ready() { grep -Eq '^\{"ready":|, ready;' "$1"; }
_trace_settled() { _trace_ready "$1" || ! running_child "$TRACE_PID"; }
# trace_fn LINE HOOK FUNC EXPR: jq EXPR on function FUNC of hook HOOK in a JSON report line.
trace_fn() {
	jq -r --arg h "$2" --arg f "$3" ".functions[] | select(.hook == \$h and .func == \$f) | $4" <<<"$1"
}
# trace_stop: Ctrl-C for the trace of trace_start; it must exit 0 (final report printed).
trace_stop() {
	local rc=0
	kill_child -INT "$TRACE_PID"
	wait "$TRACE_PID" || rc=$?
	[ $rc -eq 0 ] || fail "trace exited with $rc: $(cat "$TRACE_OUT.err" 2>/dev/null)"
}
# xlated_funcs PROG_ID: the function names of a loaded program as `bpftool prog dump
# xlated` prints their headers (from its BTF func_info), sorted, one line.
xlated_funcs() {
	bpftool prog dump xlated id "$1" | sed -n 's/^\(static \)\{0,1\}\(int\|void\) \([a-z_0-9]*\)(.*/\3/p' | sort | xargs
}
# redirect_prog_ids CGROUP: the sockops and sk_msg program ids of its bypass, from its pins.
redirect_prog_ids() {
	local dir
	dir=/sys/fs/bpf/netbpf/redirect/$(stat -c %i "$1")
	bpftool link show pinned "$dir/sockops_link" | sed -n 's/.* prog \([0-9]*\).*/\1/p'
	bpftool prog show pinned "$dir/verdict" | sed -n 's/^\([0-9]*\):.*/\1/p'
}
# sniff_prog_id PID: the id of the socket filter sniff_wire that process PID holds.
sniff_prog_id() {
	local id
	for id in $(sed -n 's/^prog_id:[[:space:]]*//p' /proc/"$1"/fdinfo/* 2>/dev/null | sort -u); do
		# not grep -q: a pipe closed early fails bpftool, and pipefail the test
		[[ $(bpftool prog show id "$id") == *" name sniff_wire "* ]] && echo "$id"
	done
	return 0
}

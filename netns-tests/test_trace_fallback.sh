#!/usr/bin/env bash
# Without trampolines, `trace` says why in one line and shows BPF_ENABLE_STATS figures.
#
#   ns A                                   ns B
#   va 10.80.0.1  <------ veth ------>     vb 10.80.0.2
#   netbpf up va                           ping -c 6
#   netbpf trace va  (fallback: run count and run time per main program)
#
# Proves: the kernel's run counts of xdp_main, tc_ingress and tc_egress over the
# trace equal the 6 echo requests in and the 6 replies out (IPv6 off, static ARP:
# no other packet), with a run time and a mean per run; --stats gives the same
# figures on any kernel. Where the kernel refuses trampolines (this dev host), the
# fallback happens by itself with a one-line reason on stderr, and
# --require-fentry turns it into an error that leaves nothing attached.
. "$(dirname "$0")/lib.sh"
need nsenter ping jq

trace_topology 10.80.0

check_figures() { # out
	local final
	final=$(tail -n 1 "$1")
	assert_eq "$(jq -r '.mode + " " + (.final | tostring)' <<<"$final")" "stats true" "final stats line"
	for h in xdp "tc ingress" "tc egress"; do
		assert_eq "$(jq -r --arg h "$h" '.programs[] | select(.hook == $h) | .run_cnt' <<<"$final")" 6 \
			"$h run count"
		assert_eq "$(jq -r --arg h "$h" '.programs[] | select(.hook == $h) |
			.run_time_ns > 0 and (.mean_ns * .run_cnt - .run_time_ns | fabs) <= .run_time_ns * 1e-5' <<<"$final")" \
			true \
			"$h run time and mean"
	done
}

probe_rc=0
"$BUILD/tests/probe_fentry" >/dev/null 2>&1 || probe_rc=$?
if [ $probe_rc -eq 77 ]; then
	log "kernel refuses trampolines: automatic fallback"
	trace_start "$A" "$TMP/auto" va --json --interval 0
	assert_eq "$(wc -l <"$TMP/auto.err")" 1 "one line on stderr"
	assert_contains "$(cat "$TMP/auto.err")" "kernel refuses BPF trampolines" "fallback reason"
	assert_contains "$(cat "$TMP/auto.err")" "BPF_ENABLE_STATS" "fallback named"
	nsx "$B" ping -c 6 -i 0.2 -q 10.80.0.1 >/dev/null || fail "ping failed"
	trace_stop
	check_figures "$TMP/auto"

	before=$(bpftool -j prog show | jq '[.[].id] | max // 0')
	assert_fails_with "kernel refuses BPF trampolines" \
		nsx "$A" "$NETBPF" trace va --require-fentry --duration 1
	# The kernel frees closed programs asynchronously: polled. Another `netbpf trace`
	# on this machine holds its tracers by fds (/proc/*/fdinfo names their ids); a
	# tracer the refusal left behind (attached or pinned) would be held by none.
	left() {
		local list held
		list=$(bpftool -j prog show)
		held=$(grep -hs '^prog_id:' /proc/[0-9]*/fdinfo/* | awk '{ print $2 }' | jq -s .)
		jq --argjson b "$before" --argjson held "$held" '[.[] | select(.id > $b and
			(.name | startswith("trace_e")) and (.id | IN($held[]) | not))] | length' <<<"$list"
	}
	busywait 5000 eval '[ "$(left)" = 0 ]' || fail "tracers left after the refusal: $(left)"
fi

log "--stats"
trace_start "$A" "$TMP/stats" va --json --interval 0.2 --stats
nsx "$B" ping -c 6 -i 0.2 -q 10.80.0.1 >/dev/null || fail "ping failed"
trace_stop
check_figures "$TMP/stats"
assert_ge "$(grep -c '"final":false' "$TMP/stats")" 1 "interval reports before the final one"

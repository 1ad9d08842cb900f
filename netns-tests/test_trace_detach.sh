#!/usr/bin/env bash
# Nothing of the tracer stays loaded after it ends, however it ends: Ctrl-C,
# SIGTERM, or SIGKILL (nothing is pinned: the kernel drops the links and programs
# with the last fd).
#
#   cgroup cg: netbpf redirect on; ns A: netbpf trace redirect --cgroup cg
#
# Proves: for each signal, every tracing program id of the ready line is gone from
# `bpftool prog show` within 5 s (freed asynchronously: polled), Ctrl-C and SIGTERM
# end it with status 0 and a final report, SIGKILL with 137. On a kernel that
# refuses trampolines (no tracing programs): the same exits of the fallback.
. "$(dirname "$0")/lib.sh"
need nsenter jq bpftool

mk_ns A
mk_cgroup cg
"$NETBPF" redirect on --cgroup "$cg" || fail "redirect on"
defer "$NETBPF" redirect off --cgroup "$cg"
TMP=$(mktemp -d)
defer rm -rf "$TMP"

for sig in INT TERM KILL; do
	trace_start "$A" "$TMP/$sig" redirect --cgroup "$cg" --json --interval 0
	ids=$(head -n 1 "$TMP/$sig" | jq -r '.tracer_prog_ids // [] | .[]')
	mode=$(head -n 1 "$TMP/$sig" | jq -r .mode)
	[ "$mode" = stats ] || assert_eq "$(wc -w <<<"$ids")" 20 "$sig: tracing programs (2 per function)"
	for id in $ids; do
		bpftool prog show id "$id" >/dev/null || fail "$sig: tracer program $id not loaded"
	done
	rc=0
	kill -"$sig" "$TRACE_PID"
	wait "$TRACE_PID" || rc=$?
	if [ "$sig" = KILL ]; then
		assert_eq "$rc" 137 "exit status after SIGKILL"
	else
		assert_eq "$rc" 0 "exit status after SIG$sig"
		assert_eq "$(tail -n 1 "$TMP/$sig" | jq -r .final)" true "SIG$sig: final report"
	fi
	for id in $ids; do
		busywait 5000 eval "! bpftool prog show id $id" || fail "SIG$sig: tracer program $id still loaded after 5 s"
	done
	log "SIG$sig ($mode): $(wc -w <<<"$ids") tracing programs, all gone"
done

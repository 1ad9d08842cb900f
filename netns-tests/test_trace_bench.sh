#!/usr/bin/env bash
# `netbpf bench trace`: per-packet cost of xdp_main untraced vs traced.
#
#   netbpf bench trace: a private xdp_main (not attached, maps unpinned), 3 rounds of
#     BPF_PROG_TEST_RUN x N untraced and x N with fentry+fexit on its 6 functions
#
# Proves: the bench runs in one process on this kernel; the tracer counted every one
# of the traced runs at xdp_main and none of the untraced ones (so each figure
# measured what it says); tracing costs more than not tracing; no pin was created.
# Prints the figures (VERBOSE=1 shows them; TRACE_BENCH_REPEAT sets the runs).
# Needs BPF trampolines.
. "$(dirname "$0")/lib.sh"
need jq
need_trampoline

repeat=${TRACE_BENCH_REPEAT:-20000} # more for steadier figures, e.g. 1000000
pins_before=$(ls /sys/fs/bpf | sort)
out=$("$NETBPF" bench trace --repeat "$repeat" --json) || fail "bench failed: $out"
log "$(uname -r): $out"
assert_eq "$(jq -r .traced_main_calls <<<"$out")" $((repeat * $(jq -r .rounds <<<"$out"))) \
	"traced runs counted at xdp_main"
assert_eq "$(jq -r .functions <<<"$out")" 6 "functions traced"
assert_eq "$(jq -r '.traced_ns > .untraced_ns and .ratio > 1' <<<"$out")" true "tracing costs"
assert_eq "$(ls /sys/fs/bpf | sort)" "$pins_before" "no pins created"

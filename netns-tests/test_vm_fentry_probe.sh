#!/usr/bin/env bash
# fentry programs load, attach and run (no network: this is a kernel feature check).
#
#   probe_fentry --fentry--> __x64_sys_nanosleep <-- 25 nanosleep(0) calls
#
# Proves: the kernel accepts a BPF trampoline; the program counts exactly the 25
# calls of its own process, and the kernel's run count for the program (an
# independent witness, BPF stats) is at least that. Skips where the kernel
# refuses trampolines (this dev host); passes in Debian 6.1 and 6.12 (make vmtest).
. "$(dirname "$0")/lib.sh"
need_trampoline

out=$("$BUILD/tests/probe_fentry" 25) || fail "probe_fentry 25: $out"
log "$out"
[[ $out =~ ^hits=([0-9]+)\ run_cnt=([0-9]+)$ ]] || fail "unexpected output: $out"
assert_eq "${BASH_REMATCH[1]}" 25 "fentry hits for 25 nanosleep calls"
assert_ge "${BASH_REMATCH[2]}" 25 "kernel run_cnt of the fentry program"

#!/usr/bin/env bash
# connguard where BPF LSM cannot run: the one-line refusal, and --fallback-audit
# reporting (not blocking) with --method ${METHOD:-tracepoint};
# test_tools_connguard_fallback_{fentry,kprobe}.sh set METHOD and source this file.
#
#   private mount namespace: /sys/kernel/security/lsm bind-mounted over with
#   "lockdown,capability" -> connguard -D ... exits 1, one line naming lsm=...,bpf
#   netns A, lo: nc -lk on 127.0.0.1:P1 P2 P3      cgroup CG: the clients
#   root ns: connguard --fallback-audit -m METHOD -g CG -D 127.0.0.0/8,P1 -A 127.0.0.1,P2 -j
#   attempts (nc -z): CG->P1, CG->P2, CG->P3, outside CG->P1
#
# Proves: without bpf among the LSMs connguard says so in one line with the boot
# parameter and exits 1 (also with --fallback-audit it then says so, and goes on);
# where the kernel refuses trampolines, one line saying that and exit 1; with
# --fallback-audit every attempt connects, and exactly 2 events come: would-deny
# for P1 and audit for P2 from the clients' pids and the cgroup's id; without
# --method, --fallback-audit picks the LSM where it works, else reports only.
. "$(dirname "$0")/lib.sh"
ensure_tracefs
ensure_securityfs
need nc jq unshare
METHOD=${METHOD:-tracepoint}
P1=$((20000 + RANDOM % 12000)) P2=$((P1 + 1)) P3=$((P1 + 2))
. "$TESTS_DIR/tools_lib.sh"
guard_setup
TMP=$(mktemp -d)
defer rm -rf "$TMP"
guard=$BUILD/tools/connguard

echo lockdown,capability >"$TMP/lsm"
rc=0
unshare -m --propagation private sh -c 'mount --bind "$1" /sys/kernel/security/lsm && exec "$2" -D 192.0.2.1' _ \
	"$TMP/lsm" "$guard" >"$TMP/out" 2>"$TMP/err" || rc=$?
assert_eq "$rc" 1 "exit status without BPF LSM"
assert_eq "$(wc -l <"$TMP/err")" 1 "lines said without BPF LSM"
assert_contains "$(cat "$TMP/err")" "BPF LSM is not active ('bpf' not in /sys/kernel/security/lsm: lockdown,capability); boot with lsm=lockdown,capability,bpf" "refusal"
trampolines=1
"$BUILD/tests/probe_fentry" >/dev/null 2>&1 || trampolines=0
if [ $trampolines = 0 ]; then
	rc=0
	"$guard" -D 192.0.2.1 >"$TMP/out" 2>"$TMP/err" || rc=$?
	assert_eq "$rc" 1 "exit status where trampolines are refused"
	assert_eq "$(wc -l <"$TMP/err")" 1 "lines said where trampolines are refused"
	assert_contains "$(cat "$TMP/err")" "kernel refuses BPF trampolines" "refusal"
fi

guard_listen 127.0.0.1 "$P1" "$P2" "$P3"
tool_start connguard --fallback-audit -m "$METHOD" -g "$CG" -D "127.0.0.0/8,$P1" -A "127.0.0.1,$P2" -j
assert_contains "$(cat "$TOOL_ERR")" "tracing via $METHOD" "ready line"
assert_contains "$(cat "$TOOL_ERR")" "report only: cannot block" "ready line"
guard_try in 127.0.0.1 "$P1" 0
guard_try in 127.0.0.1 "$P2" 0
guard_try in 127.0.0.1 "$P3" 0
guard_try out 127.0.0.1 "$P1" 0
busywait 5000 eval "[ \$(wc -l <'$TOOL_OUT') -ge 2 ]" || fail "expected 2 events: $(cat "$TOOL_OUT")"
tool_stop
guard_events "$TOOL_OUT"
assert_eq "$GUARD_EVENTS" "$(printf '%s\n' "${PIDS[0]} nc $CGID 127.0.0.1 $P1 would-deny" \
	"${PIDS[1]} nc $CGID 127.0.0.1 $P2 audit")" "events"

tool_start connguard --fallback-audit -D 192.0.2.1
if [ $trampolines = 1 ]; then
	assert_contains "$(cat "$TOOL_ERR")" "tracing via lsm socket_connect, enforcing" "auto choice"
else
	assert_contains "$(cat "$TOOL_ERR")" "report only: cannot block" "auto choice"
fi
tool_stop

unshare -m --propagation private sh -c 'l=$1 g=$2; shift 2; mount --bind "$l" /sys/kernel/security/lsm && exec "$g" "$@"' _ \
	"$TMP/lsm" "$guard" --fallback-audit -D 192.0.2.1 -d 1 >"$TMP/out" 2>"$TMP/err" ||
	fail "--fallback-audit without BPF LSM: $(cat "$TMP/err")"
assert_contains "$(cat "$TMP/err")" "boot with lsm=lockdown,capability,bpf" "fallback says why"
assert_contains "$(cat "$TMP/err")" "report only: cannot block" "fallback"

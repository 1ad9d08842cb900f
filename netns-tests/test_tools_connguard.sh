#!/usr/bin/env bash
# connguard enforces a connect() policy with the BPF LSM hook (skips where the
# kernel refuses BPF trampolines, which LSM programs need: the dev host).
#
#   netns A, lo: nc -lk listeners on 127.0.0.1:P1 P2 P3 and [::1]:P1
#   cgroup CG:   the clients under test        root ns: connguard -g CG \
#                                                 -D 127.0.0.0/8,P1 -D ::1,P1 -A 127.0.0.1,P2 -j
#   attempts (nc -z): CG->127.0.0.1:P1, CG->[::1]:P1 (denied), CG->127.0.0.1:P2
#   (audited), CG->127.0.0.1:P3 (no rule), outside CG->127.0.0.1:P1 (untouched)
#
# Proves: the denied connect()s fail with EPERM (nc's exit status and message)
# and send no SYN (the namespace's TcpActiveOpens counts exactly the 3 others); the
# rest connect; exactly 3 events, one per decided attempt, with the client's pid,
# comm, cgroup id (the cgroup directory's inode), address, port and verdict; after
# SIGTERM connguard exits 0, its program is gone and the denied connect succeeds.
. "$(dirname "$0")/lib.sh"
need nc jq bpftool nstat
P1=$((20000 + RANDOM % 12000)) P2=$((P1 + 1)) P3=$((P1 + 2))
. "$TESTS_DIR/tools_lib.sh"
guard_setup
guard_listen 127.0.0.1 "$P1" "$P2" "$P3"
guard_listen ::1 "$P1"

tool_start connguard -g "$CG" -D "127.0.0.0/8,$P1" -D "::1,$P1" -A "127.0.0.1,$P2" -j
assert_contains "$(cat "$TOOL_ERR")" "tracing via lsm socket_connect, enforcing" "ready line"
nsx "$A" nstat -n
guard_try in 127.0.0.1 "$P1" 1 "Operation not permitted"
guard_try in ::1 "$P1" 1 "Operation not permitted"
guard_try in 127.0.0.1 "$P2" 0
guard_try in 127.0.0.1 "$P3" 0
guard_try out 127.0.0.1 "$P1" 0
busywait 5000 eval "[ \$(wc -l <'$TOOL_OUT') -ge 3 ]" || fail "expected 3 events: $(cat "$TOOL_OUT")"
assert_eq "$(nsx "$A" nstat -az TcpActiveOpens | awk '/Opens/ { print $2 }')" 3 "SYNs sent (TcpActiveOpens)"
kill -TERM "$TOOL_PID"
tool_wait

guard_events "$TOOL_OUT"
assert_eq "$GUARD_EVENTS" "$(printf '%s\n' "${PIDS[0]} nc $CGID 127.0.0.1 $P1 deny" \
	"${PIDS[1]} nc $CGID ::1 $P1 deny" "${PIDS[2]} nc $CGID 127.0.0.1 $P2 audit")" "events"
busywait 10000 eval "! bpftool prog show name lsm_connect | grep -q lsm" || fail "lsm_connect still loaded"
busywait 10000 cg_exec "$CG" "$A" nc -z -w 3 127.0.0.1 "$P1" || fail "connect still denied after connguard exited"

# Shared by the test_tools_tcprtt*.sh and test_tools_connguard*.sh tests (sourced
# after lib.sh).

# rtt_topology: namespaces A (NET.1, va) and B (NET.2, vb) joined by a veth, with
# static ARP (a first SYN held back for an ARP round trip would measure it too), a
# random PORT and NET, the echo actor in $actor and a scratch directory $TMP.
rtt_topology() {
	PORT=$((20000 + RANDOM % 12000))
	NET=10.$((100 + RANDOM % 100)).$((RANDOM % 250))
	mk_ns A
	mk_ns B
	veth_pair "$A" va "$NET.1/24" "$B" vb "$NET.2/24"
	quiet_veth "$A" va "$NET.2" "$(mac_of "$B" vb)"
	quiet_veth "$B" vb "$NET.1" "$(mac_of "$A" va)"
	actor=$BUILD/tools/testbin/actor
	TMP=$(mktemp -d)
	defer rm -rf "$TMP"
}

# guard_setup: namespace A and cgroup CG for connguard, CGID the cgroup's id (a
# cgroup v2 directory's inode number), PIDS the clients run in CG so far.
guard_setup() {
	mk_ns A
	mk_cgroup CG
	CGID=$(stat -c %i "$CG")
	PIDS=()
}

guard_listen() { # ADDR PORT...: nc -lk on each, in A; returns once all listen
	local p
	for p in "${@:2}"; do
		nsx "$A" nc -lk "$1" "$p" >/dev/null 2>&1 &
		defer kill_child $!
		busywait 5000 eval "nsx '$A' ss -Htln 'sport = :$p' | grep -qF '$1'" || fail "nc did not listen on $1 $p"
	done
}

# guard_try in|out ADDR PORT STATUS [MESSAGE]: nc -z from inside CG (or outside),
# in A; its exit status must be STATUS and its stderr (-v: the errno text) hold MESSAGE. The pid of
# each client run inside CG is appended to PIDS.
guard_try() {
	local out rc=0
	out=$(mktemp)
	defer rm -f "$out"
	# Simple commands that exec nc, not functions (a subshell): $! is nc's pid.
	if [ "$1" = in ]; then
		bash -c 'echo $$ >"$1/cgroup.procs" && exec nsenter --net="/run/netns/$2" "${@:3}"' _ \
			"$CG" "$A" nc -zv -w 3 "$2" "$3" 2>"$out" &
	else
		nsenter --net="/run/netns/$A" nc -zv -w 3 "$2" "$3" 2>"$out" &
	fi
	[ "$1" = out ] || PIDS+=($!)
	wait $! || rc=$?
	assert_eq "$rc" "$4" "exit status of nc ($1 the cgroup) to $2 port $3: $(cat "$out")"
	[ -z "${5:-}" ] || assert_contains "$(cat "$out")" "$5" "nc's error"
}

# guard_events FILE: connguard's JSON lines as "pid comm cgroup_id daddr dport verdict"
# in GUARD_EVENTS (fails on invalid JSON).
guard_events() {
	jq -e . "$1" >/dev/null || fail "not JSON: $(cat "$1")"
	GUARD_EVENTS=$(jq -r '"\(.pid) \(.comm) \(.cgroup_id) \(.daddr) \(.dport) \(.verdict)"' "$1")
}

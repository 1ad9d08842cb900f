#!/usr/bin/env bash
# Concurrent commands on one interface never destroy each other's work: 10 loops
# of `up`, `down` and `stats` run at once for 30 s (NB_STRESS_SECS), then the
# interface has exactly one whole install or nothing, witnessed by ip, tc, bpftool
# and the pins, and no command failed other than with "not up". Runs with a bpffs
# of its own (see below).
#
#   ns A: va 10.86.0.1 <-- veth --> ns B: vb
# Every command that touches these pins must be one that takes the lock: builds of
# netbpf from before it (an older `netbpf clean` removes pins that look unfinished)
# may run on this machine, so the storm runs in a mount namespace of its own with a
# bpffs of its own.
if [ -z "${NB_OWN_BPFFS:-}" ]; then
	exec env NB_OWN_BPFFS=1 unshare -m --propagation private bash "$0" "$@"
fi
mount -t bpf bpf /sys/fs/bpf
. "$(dirname "$0")/lib.sh"
need nsenter bpftool tc

mk_ns A
mk_ns B
veth_pair "$A" va 10.86.0.1/24 "$B" vb -
defer nsx "$A" "$NETBPF" down va
tmp=$(mktemp -d)
defer rm -rf "$tmp"
end=$(($(date +%s) + ${NB_STRESS_SECS:-30}))

loop() { # name command...
	local name=$1 n=0; shift
	while [ "$(date +%s)" -lt $end ]; do
		nsx "$A" "$NETBPF" -q "$@" >/dev/null 2>>"$tmp/$name.err" || true
		n=$((n + 1))
	done
	echo $n >"$tmp/$name.n"
}
pids=()
for i in 1 2 3 4; do loop "up$i" up va --tc clsact & pids+=($!); done
for i in 1 2 3; do loop "down$i" down va & pids+=($!); done
for i in 1 2 3; do loop "stats$i" stats va & pids+=($!); done
defer kill_child "${pids[@]}"
for p in "${pids[@]}"; do wait "$p" || fail "loop $p failed"; done
log "runs: $(cat "$tmp"/*.n | xargs)"

# Every message must be one of the expected ones: nothing failed half-way.
unexpected=$(cat "$tmp"/*.err | grep -v "netbpf is not up on 'va'" || true)
[ -z "$unexpected" ] || fail "unexpected errors: $(echo "$unexpected" | sort | uniq -c | head -n 5)"
for what in up down stats; do
	[ "$(cat "$tmp"/$what*.n | awk '{ s += $1 } END { print s }')" -ge 3 ] || fail "too few $what runs"
done

if [ -e "$(pin_dir "$A" va)" ]; then
	nb_complete "$A" va || fail "half an install: pins $(ls "$(pin_dir "$A" va)" | xargs), attached $(nb_net_ids "$A" va)"
	nsx "$A" "$NETBPF" -q down va
fi
busywait 5000 nb_none "$A" va || fail "down after the storm left: $(nb_net_ids "$A" va) $(tc -n "$A" qdisc show dev va)"

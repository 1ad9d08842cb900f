#!/usr/bin/env bash
# As an unprivileged user every command that touches the kernel says, in one line
# on stderr and with a non-zero exit, that it needs root and which capabilities
# are missing; none reports an empty or "off" state instead, none hints at the
# verifier.
#
#   ns A: va <-- veth --> ns B: vb (netbpf up on va);  cgroup cg (bypass on)
. "$(dirname "$0")/lib.sh"
need nsenter setpriv

mk_ns A
mk_ns B
veth_pair "$A" va 10.94.0.1/24 "$B" vb -
mk_cgroup cg
defer "$NETBPF" redirect off --cgroup "$cg"
defer nsx "$A" "$NETBPF" down va
nsx "$A" "$NETBPF" -q up va --tc clsact
"$NETBPF" redirect on --cgroup "$cg"

nobody() {
	nsx "$A" setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		--bounding-set=-all "$NETBPF" "$@"
}
for cmd in "up va" "down va" "down --all" "status" "status va" "stats va" "deny list va" \
	"deny add va 10.0.0.0/8" "deny save va" "clean" "redirect on --cgroup $cg" "redirect off --cgroup $cg" \
	"redirect status" "--json redirect status" "redirect status --cgroup $cg" \
	"sniff lo --count 1" "trace va --duration 1" "bench trace --repeat 10" \
	"bench datapath --repeat 10 --rounds 1" "bench redirect --sizes 64 --rounds 1"; do
	rc=0
	out=$(nobody $cmd 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "'$cmd' as nobody exited 0: $out"
	assert_eq "$(echo "$out" | wc -l)" 1 "lines of '$cmd' as nobody: $out"
	assert_contains "$out" "needs root: missing CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN" "'$cmd' as nobody"
done
# Nothing changed.
nb_complete "$A" va || fail "netbpf no longer up on va"
assert_contains "$("$NETBPF" redirect status --cgroup "$cg")" "redirect: on" "bypass still on"

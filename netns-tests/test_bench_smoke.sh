#!/usr/bin/env bash
# netbpf bench, short runs: the rows are there, the data moved was verified, and the
# bench cleans up after itself (also when interrupted).
#
#   netbpf bench redirect
#   +-- cgroup <cgroup2>/netbpf-bench-<pid>/{plain,bypass}   (bypass: netbpf redirect on)
#   +-- its own netns:  client thread --TCP 127.0.0.1--> server thread
#                       (plain rounds through lo, bypass rounds through the SOCKHASH)
#   netbpf bench datapath: BPF_PROG_TEST_RUN of floor / xdp / xdp tail calls / tc
#
# Proves: every size x test row is printed; both ends' checksums matched in every run that
# did not stall; a corrupted byte makes the bench exit non-zero; the cgroup and the bypass
# (`redirect status`) are gone afterwards, also after SIGINT; the datapath programs return
# the expected verdicts (the bench checks them and fails otherwise).
# No timing assertions: the machine is shared.
. "$(dirname "$0")/lib.sh"

cg_root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
[ -n "$cg_root" ] || skip "no cgroup2 mount"

# bench_gone PID: the bench of that pid left no cgroup and no bypass behind
bench_gone() {
	[ ! -e "$cg_root/netbpf-bench-$1" ] &&
		! "$NETBPF" redirect status 2>/dev/null | grep -q "netbpf-bench-$1/"
}

out=$(mktemp) err=$(mktemp)
defer rm -f "$out" "$err"

log "bench redirect --sizes 64,64K --duration 0.5 --rounds 1"
rc=0
"$NETBPF" bench redirect --sizes 64,64K --duration 0.5 --rounds 1 >"$out" 2>"$err" &
pid=$!
defer "kill -INT $pid 2>/dev/null"
wait $pid || rc=$?
[ $rc -eq 0 ] || { cat "$out" "$err"; fail "bench redirect exited $rc"; }
for size in 64 64K; do
	for metric in "rr trans/s" "rr p50 us" "rr p99 us" "rr p99.9 us" "stream MB/s" "stream msg/s"; do
		grep -Eq "^$size +$metric +([0-9.]+[kM]?|-) \| +([0-9.]+[kM]?|-) +([0-9.]+x \(|-)" "$out" ||
			{ cat "$out"; fail "no '$size $metric' row with plain, bypass and gain"; }
	done
done
# A run that stalls (a kernel issue of the bypass under load, see docs/bench-results.md) is reported and
# left out of the figures; every other run must have verified its data.
data=$(grep '^data: ' "$out") || fail "no data line: $(cat "$out")"
[[ $data =~ ^data:\ ([0-9]+)\ runs\ verified.*\ 0\ corrupted,\ 0\ failed,\ ([0-9]+)\ stalled ]] ||
	fail "unexpected data line: $data"
verified=${BASH_REMATCH[1]}
assert_eq $((verified + BASH_REMATCH[2])) 8 "verified + stalled runs"
assert_ge "$verified" 1 "verified runs"
# One progress line per verified run (a stalled one prints why instead).
assert_eq "$(grep -c '^bench: \[ *[0-9]/8\]' "$err")" "$verified" "progress lines"
bench_gone $pid || fail "cgroup or bypass of netbpf-bench-$pid left behind"

log "a corrupted byte fails the run"
rc=0
NETBPF_BENCH_INJECT_CORRUPTION=1 "$NETBPF" bench redirect --sizes 1K --duration 0.2 --rounds 1 \
	>"$out" 2>"$err" || rc=$?
[ $rc -ne 0 ] || fail "bench exited 0 although the stream data was corrupted"
assert_contains "$(cat "$err")" "data corrupted" "corruption message"

log "SIGINT mid-run: cleans up, exits non-zero"
"$NETBPF" bench redirect --sizes 64 --duration 1 --rounds 20 >"$out" 2>"$err" &
pid=$!
# a deadline, not a timing: a TCG guest takes seconds to start a run
busywait 30000 grep -q "round 1/20" "$err" || fail "bench did not start: $(cat "$err")"
kill -INT $pid
rc=0
wait $pid || rc=$?
[ $rc -ne 0 ] || fail "interrupted bench exited 0"
bench_gone $pid || fail "cgroup or bypass of netbpf-bench-$pid left behind after SIGINT"
assert_contains "$(cat "$err")" "interrupted" "interrupt message"

log "bench datapath --repeat 1000 --rounds 2"
"$NETBPF" bench datapath --repeat 1000 --rounds 2 >"$out" 2>"$err" ||
	{ cat "$out" "$err"; fail "bench datapath failed"; }
for pkt in "TCP/IPv4 " "UDP/IPv6+hbh" "TCP/IPv4 denied"; do
	for prog in "xdp empty (floor)" "xdp pipeline" "xdp tail calls" "tc ingress"; do
		grep -Fq "$pkt" "$out" && grep -F "$pkt" "$out" | grep -Fq "$prog" ||
			{ cat "$out"; fail "no row for $prog on $pkt"; }
	done
done
assert_contains "$(cat "$out")" "tail-call chain vs bpf2bpf" "comparison line"
log "ok"

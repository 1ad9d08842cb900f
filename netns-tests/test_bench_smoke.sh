#!/usr/bin/env bash
# netbpf bench, short runs: the rows are there, the data moved was verified, and the
# bench cleans up after itself (also when interrupted).
#
#   netbpf bench redirect
#   +-- cgroup <cgroup2>/netbpf-bench-<pid>/{plain,bypass}   (bypass: netbpf redirect on)
#   +-- its own netns:  client thread --TCP 127.0.0.1--> server thread
#                       (plain rounds through lo, bypass rounds through the SOCKHASH)
#   netbpf bench datapath: BPF_PROG_TEST_RUN of the floors, the xdp pipelines, the stages,
#   tail calls, tc
#
# Proves: every placement x size x test row is printed (same and cross CPU by default);
# --json is valid and has every placement; both ends' checksums matched in every run that
# did not stall; a bypass turned off mid-run is caught by lo's packet count (a bypassed
# connection puts only its handshake and teardown on lo); --mode is passed to `redirect on` (an unknown mode fails cleanly); a corrupted byte makes the bench exit non-zero; the cgroup and the bypass
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

log "bench redirect --sizes 64,64K --duration 0.3 --rounds 1"
rc=0
"$NETBPF" bench redirect --sizes 64,64K --duration 0.3 --rounds 1 >"$out" 2>"$err" &
pid=$!
defer kill_child -INT "$pid"
wait $pid || rc=$?
[ $rc -eq 0 ] || { cat "$out" "$err"; fail "bench redirect exited $rc"; }
for placement in same cross; do
	# the placement's block: from its heading to the next blank line
	block=$(sed -n "/^placement $placement: /,/^\$/p" "$out")
	[ -n "$block" ] || { cat "$out"; fail "no 'placement $placement' table"; }
	for size in 64 64K; do
		for metric in "rr trans/s" "rr p50 us" "rr p99 us" "rr p99.9 us" "stream MB/s" "stream msg/s"; do
			grep -Eq "^$size +$metric +([0-9.]+[kM]?|-) \| +([0-9.]+[kM]?|-) +([0-9.]+x \(|-)" <<<"$block" ||
				{ cat "$out"; fail "no '$placement $size $metric' row with plain, bypass and gain"; }
		done
	done
done
# A run that stalls (a kernel issue of the bypass under load, see docs/bench-results.md) is reported and
# left out of the figures; every other run must have verified its data.
data=$(grep '^data: ' "$out") || fail "no data line: $(cat "$out")"
[[ $data =~ ^data:\ ([0-9]+)\ runs\ verified.*\ 0\ corrupted,\ 0\ failed,\ ([0-9]+)\ stalled ]] ||
	fail "unexpected data line: $data"
assert_eq $((BASH_REMATCH[1] + BASH_REMATCH[2])) 16 "verified + stalled runs"
assert_ge "${BASH_REMATCH[1]}" 1 "verified runs"
# one progress line per run, a stalled one too ("failed (not counted)")
assert_contains "$(cat "$err")" "[ 16/16]" "progress"
bench_gone $pid || fail "cgroup or bypass of netbpf-bench-$pid left behind"

log "bench redirect --json --placement cross,same: valid JSON, both placements, every row"
"$NETBPF" bench redirect --sizes 1K --duration 0.2 --rounds 1 --tests rr --placement cross,same \
	--json >"$out" 2>"$err" || { cat "$out" "$err"; fail "bench redirect --json failed"; }
json=$(cat "$out")
assert_contains "$json" '"placements":[{"name":"cross","cpu_client":0,"cpu_server":1},{"name":"same","cpu_client":0,"cpu_server":0}]' "placements"
for placement in cross same; do
	for metric in rr_tps rr_p50_us rr_p99_us rr_p999_us; do
		assert_contains "$json" "{\"placement\":\"$placement\",\"size\":1024,\"metric\":\"$metric\",\"lower_better\":" \
			"$placement $metric row"
	done
done
assert_eq "$(grep -o '"modes":\[{"name":"plain","median":[0-9.e+-]*,"rounds":\[[^]]*\]},{"name":"bypass"' <<<"$json" | wc -l)" 8 \
	"rows with plain and bypass"
# the minimal qemu guests have no python3: there the substrings above are the check
if [ -x /usr/bin/python3 ]; then
	/usr/bin/python3 -c 'import json, sys; json.load(sys.stdin)' <<<"$json" || fail "invalid JSON: $json"
fi

log "--mode bogus: passed to 'redirect on', which refuses it; nothing left behind"
rc=0
"$NETBPF" bench redirect --sizes 64 --duration 0.2 --rounds 1 --mode bogus-mode \
	>"$out" 2>"$err" &
pid=$!
wait $pid || rc=$?
[ $rc -ne 0 ] || fail "bench with an unknown redirect mode exited 0"
assert_contains "$(cat "$err")" "--mode bogus-mode' failed" "the mode reached redirect on"
bench_gone $pid || fail "cgroup or bypass of netbpf-bench-$pid left behind after a failed --mode"

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

log "the bypass turned off from outside mid-run: its runs are not counted, the bench fails"
rc=0
"$NETBPF" bench redirect --sizes 64 --duration 0.2 --rounds 8 --placement same --tests stream \
	>"$out" 2>"$err" &
pid=$!
busywait 30000 grep -q "round 2/8" "$err" || fail "bench did not start: $(cat "$err")"
"$NETBPF" redirect off --cgroup "$cg_root/netbpf-bench-$pid/bypass"
wait $pid || rc=$?
[ $rc -ne 0 ] || fail "bench exited 0 although its bypass was turned off"
# caught by lo's packet count if a whole run was plain, else by the check after the round
grep -Eq "the bypass was not in effect \(not counted\)|the bypass of mode bypass is gone from its cgroup" \
	"$err" || fail "turned-off bypass not reported: $(cat "$err")"
grep -Eq "^[0-9]+ runs or rounds of a bypass mode were not bypassed" "$out" || fail "no summary: $(cat "$out")"
bench_gone $pid || fail "cgroup of netbpf-bench-$pid left behind"

log "bench datapath --repeat 1000 --rounds 2"
"$NETBPF" bench datapath --repeat 1000 --rounds 2 >"$out" 2>"$err" ||
	{ cat "$out" "$err"; fail "bench datapath failed"; }
for pkt in "TCP/IPv4 " "UDP/IPv6+hbh" "TCP/IPv4 denied"; do
	for prog in "xdp empty (floor)" "xdp, no rules" "xdp, 1 rule" "xdp, 1000 rules" \
		"xdp, 1000 4 kinds" "before, 1 rule" "xdp tail calls" "5 empty calls" "parse_l2" \
		"+ match (0 rules)" "tc empty (floor)" "tc ingress"; do
		grep -Fq "$pkt" "$out" && grep -F "$pkt" "$out" | grep -Fq "$prog" ||
			{ cat "$out"; fail "no row for $prog on $pkt"; }
	done
done
assert_contains "$(cat "$out")" "tail-call chain vs bpf2bpf" "comparison line"
assert_contains "$(cat "$out")" "stage costs, ns/packet" "stage costs"
for t in "xdp, no rules      <= 1.50x xdp floor" "xdp, 1000 rules    <= 1.50x xdp floor" \
	"xdp, 1 rule        denied <= passed" "tc ingress         <= 1.30x tc floor"; do
	assert_contains "$(cat "$out")" "$t" "target line: $t"
done
log "ok"

#!/usr/bin/env bash
# fentry/fexit on every datapath function: exact counts, verdicts, void, clean detach.
#
#   ns A                                   ns B
#   va 10.78.0.1  <------ veth ------>     vb 10.78.0.2
#   netbpf up va                           ping -c 5
#   netbpf trace va  (fentry+fexit on xdp_main, tc_ingress, tc_egress and
#                     their subfunctions parse_l2/l3/l4, match_rules, account)
#
# Proves: after 5 pings every function on the path counted exactly 5 calls and 5
# paired returns (requests at xdp and tc ingress, replies at tc egress; IPv6 off,
# static ARP: no other packet); xdp_main returned XDP_PASS 5 times, the tc programs
# TC_ACT_UNSPEC, the parse stages 0; account (void) shows no return value; latency
# percentiles are ordered. After the trace exits, bpftool lists none of its tracing
# programs (ids from its ready line) and the datapath's own counters keep growing.
# Needs BPF trampolines: skips on this dev host, runs under `make vmtest`.
. "$(dirname "$0")/lib.sh"
need nsenter ping jq bpftool
need_trampoline

trace_topology 10.78.0
out=$TMP/trace.json

trace_start "$A" "$out" va --json --interval 0 --require-fentry
ready=$(head -n 1 "$out")
assert_eq "$(jq '.functions | length' <<<"$ready")" 16 "functions traced (6 xdp + 5 per tc program)"
ids=$(jq -r '.tracer_prog_ids[]' <<<"$ready")
assert_eq "$(wc -w <<<"$ids")" 32 "tracing programs (fentry + fexit per function)"
for id in $ids; do
	assert_contains "$(bpftool prog show id "$id")" "tracing" "bpftool on tracer program $id"
done

nsx "$B" ping -c 5 -i 0.2 -q 10.78.0.1 >/dev/null || fail "ping failed"
trace_stop
final=$(tail -n 1 "$out")
assert_eq "$(jq -r .final <<<"$final")" true "last line is the final report"

fn() { trace_fn "$final" "$@"; }
for f in xdp_main parse_l2 parse_l3 parse_l4 match_rules account; do
	assert_eq "$(fn xdp "$f" .calls)" 5 "xdp $f calls"
	assert_eq "$(fn xdp "$f" .returns)" 5 "xdp $f returns"
done
for h in "tc ingress" "tc egress"; do
	for f in parse_l2 parse_l3 parse_l4 account; do
		assert_eq "$(fn "$h" "$f" .calls)" 5 "$h $f calls"
	done
done
assert_eq "$(fn xdp xdp_main '.ret | tojson')" '{"XDP_PASS":5}' "xdp_main verdicts"
assert_eq "$(fn "tc ingress" tc_ingress '.ret | tojson')" '{"TC_ACT_UNSPEC":5}' "tc_ingress verdicts"
assert_eq "$(fn "tc egress" tc_egress '.ret | tojson')" '{"TC_ACT_UNSPEC":5}' "tc_egress verdicts"
assert_eq "$(fn xdp parse_l4 '.ret | tojson')" '{"0":5}' "parse_l4 return values"
assert_eq "$(fn xdp match_rules '.ret | tojson')" '{"0":5}' "match_rules: NB_PASS"
assert_eq "$(fn xdp account '.ret')" null "account is void: no return value"
assert_eq "$(fn xdp xdp_main '[.lat_ns.hist[].count] | add')" 5 "latency histogram holds every run"
assert_eq "$(fn xdp xdp_main '.lat_ns.p50 > 0 and .lat_ns.p50 <= .lat_ns.p99')" true "p50 <= p99"
assert_eq "$(fn xdp xdp_main '.lat_ns.mean >= .lat_ns.hist[0].lo and .lat_ns.mean <= .lat_ns.hist[-1].hi + 1')" \
	true "mean within the histogram's range"

# Detached: none of the tracer's programs is left, and the datapath still counts.
for id in $ids; do
	# freed asynchronously after detach: polled
	busywait 5000 eval "! bpftool prog show id $id" || fail "tracer program $id still loaded after 5 s"
done
before=$(nb_stat "$A" va xdp icmp)
nsx "$B" ping -c 3 -i 0.2 -q 10.78.0.1 >/dev/null || fail "ping after the trace failed"
assert_eq "$(nb_stat "$A" va xdp icmp)" $((before + 3)) "datapath counts after the trace"
assert_eq "$(nb_stat "$A" va tc-egress icmp)" $((before + 3)) "tc egress counts after the trace"

# The text report: one row per function, verdict names, "(void)", histograms at the end.
trace_start "$A" "$TMP/text" va --interval 0 --func xdp_main --func account
nsx "$B" ping -c 2 -i 0.2 -q 10.78.0.1 >/dev/null || fail "ping failed"
trace_stop
log "text report:"
sed 's/^/    /' "$TMP/text"
assert_eq "$(awk '$1 == "xdp_main" && $3 == "xdp_main" { print $4, $8 }' "$TMP/text")" "2 XDP_PASS:2" \
	"text row of xdp_main"
assert_eq "$(grep -c ' account  *2 .*(void)$' "$TMP/text")" 3 "text rows of account (3 programs)"
assert_eq "$(grep -c 'xdp_main #[0-9]* account: latency' "$TMP/text")" 1 "histogram of xdp's account"

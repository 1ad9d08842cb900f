#!/usr/bin/env bash
# The fexit verdict histogram of xdp_main shows exactly the dropped packets, and
# --packets decodes each one at xdp_main's entry.
#
#   ns A                                   ns B
#   va 10.79.0.1  <------ veth ------>     vb 10.79.0.2
#   netbpf up va; deny 10.79.0.2/32        ping -c 5, 2 UDP datagrams to port 9999
#   netbpf trace va --packets --json
#
# Proves: with a deny rule matching B, xdp_main returned XDP_DROP 7 times and
# nothing else, match_rules returned NB_DROP (1) 7 times, tc ingress saw none of
# them; the datapath's own drop counter (independent witness) says 7 as well. The
# 7 packet events carry the decoded addresses, protocol, UDP port and verdict.
# Needs BPF trampolines: skips on this dev host, runs under `make vmtest`.
. "$(dirname "$0")/lib.sh"
need nsenter ping jq
need_trampoline

trace_topology 10.79.0
nsx "$A" "$NETBPF" -q deny add va 10.79.0.2/32
out=$TMP/trace.json

trace_start "$A" "$out" va --json --interval 0 --packets --require-fentry
nsx "$B" ping -c 5 -i 0.2 -W 1 -q 10.79.0.1 >/dev/null 2>&1 && fail "ping passed a deny rule"
for _ in 1 2; do
	nsx "$B" bash -c 'echo x > /dev/udp/10.79.0.1/9999'
done
busywait 10000 test "$(nb_stat "$A" va xdp drop)" = 7 || true
assert_eq "$(nb_stat "$A" va xdp drop)" 7 "datapath drop counter"
busywait 10000 test "$(grep -c '"packet"' "$out")" = 7 || true
trace_stop
final=$(tail -n 1 "$out")

fn() { trace_fn "$final" "$@"; }
assert_eq "$(fn xdp xdp_main .calls)" 7 "xdp_main calls"
assert_eq "$(fn xdp xdp_main '.ret | tojson')" '{"XDP_DROP":7}' "xdp_main verdicts"
assert_eq "$(fn xdp match_rules '.ret | tojson')" '{"1":7}' "match_rules: NB_DROP"
assert_eq "$(fn "tc ingress" tc_ingress .calls)" 0 "tc ingress never saw a dropped packet"

pk=$(jq -c 'select(.packet) | .packet' "$out")
assert_eq "$(wc -l <<<"$pk")" 7 "packet events"
assert_eq "$(jq -r 'select(.proto == "icmp" and .saddr == "10.79.0.2" and .daddr == "10.79.0.1"
	and .verdict == "XDP_DROP" and .len == 98) | .func' <<<"$pk" | sort | uniq -c | awk '{ print $1, $2 }')" \
	"5 xdp_main" "ICMP echo requests decoded"
assert_eq "$(jq -r 'select(.proto == "udp" and .dport == 9999 and .len == 44) | .verdict' <<<"$pk" |
	sort | uniq -c | awk '{ print $1, $2 }')" "2 XDP_DROP" "UDP datagrams decoded"

# The text form of the packet events, with only xdp_main traced.
trace_start "$A" "$TMP/text" va --interval 0 --packets --func xdp_main
nsx "$B" ping -c 2 -i 0.2 -W 1 -q 10.79.0.1 >/dev/null 2>&1 && fail "ping passed a deny rule"
busywait 10000 test "$(grep -c '^packet' "$TMP/text")" = 2 || true
trace_stop
log "$(grep '^packet' "$TMP/text")"
assert_eq "$(grep -Ec '^packet xdp_main #[0-9]+ if [0-9]+ len 98 icmp 10\.79\.0\.2 -> 10\.79\.0\.1 XDP_DROP [0-9]+ns$' \
	"$TMP/text")" 2 "text packet lines"

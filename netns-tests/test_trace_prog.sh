#!/usr/bin/env bash
# `trace --prog ID` on programs netbpf did not load; names found through BTF.
#
#   ns A                                        ns B
#   va 10.81.0.1 <-------- veth -------->       vb 10.81.0.2
#   XDP foreign_xdp (ip link ... xdpgeneric)    ping -c 4
#
#   xdp_with_a_long_name (bpftool prog load, not attached) <- bpftool prog run x10
#     calls subfunction_long_name_one, subfunction_long_name_two
#
# Proves: both programs are traced by id; with trampolines, foreign_xdp counted the
# 4 echo requests and returned XDP_PASS 4 times, and the long-named program and
# the subfunction chosen by --func counted the 10 test runs each; the kernel's
# truncated name "xdp_with_a_long" finds xdp_with_a_long_name, while
# "subfunction_lon" is ambiguous and an unknown name is an error, both listing
# the candidates. Without trampolines (this dev host) the BPF_ENABLE_STATS
# fallback counts the same 4 and 10 runs.
. "$(dirname "$0")/lib.sh"
need nsenter ping jq bpftool

mk_ns A
mk_ns B
veth_pair "$A" va 10.81.0.1/24 "$B" vb 10.81.0.2/24
quiet_veth "$A" va 10.81.0.2 "$(mac_of "$B" vb)"
quiet_veth "$B" vb 10.81.0.1 "$(mac_of "$A" va)"
ip -n "$A" link set dev va xdpgeneric obj "$BUILD/tests/foreign.bpf.o" sec xdp
defer ip -n "$A" link set dev va xdpgeneric off
fid=$(ip -n "$A" -d link show va | grep -o 'prog/xdp id [0-9]*' | awk '{ print $3 }')
[ -n "$fid" ] || fail "foreign XDP program not attached"

pin=/sys/fs/bpf/nbt-$SUFFIX-names
bpftool prog load "$BUILD/tests/trace_names.bpf.o" "$pin"
defer rm -f "$pin"
nid=$(bpftool prog show pinned "$pin" | awk -F: 'NR == 1 { print $1 }')
TMP=$(mktemp -d)
defer rm -rf "$TMP"
head -c 64 /dev/zero >"$TMP/pkt"

assert_fails_with "ambiguous" nsx "$A" "$NETBPF" trace --prog "$nid" --func subfunction_lon
out=$(nsx "$A" "$NETBPF" trace --prog "$nid" --func subfunction_lon 2>&1 || true)
assert_contains "$out" "subfunction_long_name_one" "candidates of an ambiguous name"
assert_contains "$out" "subfunction_long_name_two" "candidates of an ambiguous name"
out=$(nsx "$A" "$NETBPF" trace --prog "$nid" --func nosuch 2>&1 || true)
assert_contains "$out" "no function 'nosuch'" "unknown name"
assert_contains "$out" "xdp_with_a_long_name" "candidates of an unknown name"

trace_start "$A" "$TMP/out" --prog "$fid" --prog "$nid" --json --interval 0 \
	--func foreign_xdp --func xdp_with_a_long --func subfunction_long_name_two
nsx "$B" ping -c 4 -i 0.2 -q 10.81.0.1 >/dev/null || fail "ping failed"
bpftool prog run pinned "$pin" data_in "$TMP/pkt" repeat 10 >/dev/null
trace_stop
final=$(tail -n 1 "$TMP/out")

if [ "$(jq -r .mode <<<"$final")" = stats ]; then
	log "no trampolines: BPF_ENABLE_STATS fallback"
	prog() { jq -r --argjson id "$1" ".programs[] | select(.prog_id == \$id) | $2" <<<"$final"; }
	assert_eq "$(prog "$fid" .run_cnt)" 4 "foreign_xdp runs"
	assert_eq "$(prog "$nid" .prog)" xdp_with_a_long_name "full name from BTF"
	assert_eq "$(prog "$nid" .run_cnt)" 10 "xdp_with_a_long_name runs"
	exit 0
fi
fn() { jq -r --arg f "$1" ".functions[] | select(.func == \$f) | $2" <<<"$final"; }
assert_eq "$(jq -r '[.functions[].func] | join(" ")' <<<"$final")" \
	"foreign_xdp xdp_with_a_long_name subfunction_long_name_two" "functions chosen by --func"
assert_eq "$(fn foreign_xdp .calls)" 4 "foreign_xdp calls"
assert_eq "$(fn foreign_xdp '.ret | tojson')" '{"XDP_PASS":4}' "foreign_xdp verdicts"
assert_eq "$(fn foreign_xdp .prog_id)" "$fid" "foreign_xdp program id"
assert_eq "$(fn xdp_with_a_long_name .calls)" 10 "xdp_with_a_long_name calls"
assert_eq "$(fn xdp_with_a_long_name '.ret | tojson')" '{"XDP_PASS":10}' "long-named verdicts"
assert_eq "$(fn subfunction_long_name_two .calls)" 10 "subfunction calls"

#!/usr/bin/env bash
# netbpf trace redirect: the bypass's sockops and sk_msg programs and their stages,
# counted exactly against what was sent, with `redirect status` as the witness.
#
#   netns ns (lo up), processes in cgroup cg, `redirect on --mode always`
#   +------------------------------------------------------------+
#   |  onebyte: N=4 connections to its own server on 127.0.0.1,   |
#   |           M=5 one-byte send() calls on each                 |
#   |  netbpf trace redirect --cgroup cg (fentry+fexit on        |
#   |    sockmap_insert, rd_key, rd_policy, rd_sockhash_insert,   |
#   |    rd_count_insert, rd_closed; sockmap_verdict,             |
#   |    rd_peer_lookup, rd_msg_policy, rd_count_msg)             |
#   +------------------------------------------------------------+
#
# Proves: sockmap_insert ran for exactly N ACTIVE_ESTABLISHED and N
# PASSIVE_ESTABLISHED callbacks (op read from the kernel context at fentry); each
# insert stage ran 2N times, rd_sockhash_insert returning 0 each time, equal to
# `inserted`; sockmap_verdict ran N*M times, all SK_PASS, and rd_peer_lookup N*M
# times returning 0 (redirected), equal to `msgs_redirected` (a one-byte send() is
# one sk_msg run); every function is listed once. On a kernel that refuses BPF
# trampolines, the fallback's figures instead: the one-line reason, sockmap_verdict's
# run count N*M (only sockets of this cgroup reach it).
. "$(dirname "$0")/lib.sh"
need jq bpftool

N=4
M=5
mk_cgroup cg
mk_ns ns
"$NETBPF" redirect on --mode always --cgroup "$cg" || fail "redirect on"
defer "$NETBPF" redirect off --cgroup "$cg"
TMP=$(mktemp -d)
defer rm -rf "$TMP"

trace_start "$ns" "$TMP/out" redirect --cgroup "$cg" --json --interval 0
cg_exec "$cg" "$ns" "$BUILD/tests/onebyte" 127.0.0.1 7320 $N $M >"$TMP/xfer" 2>&1 ||
	fail "onebyte: $(cat "$TMP/xfer")"
assert_eq "$(cat "$TMP/xfer")" "conns $N sends $((N * M)) received $((N * M))" "transfer"
# the server end closes after the client: its callbacks are done once status shows both
busywait 5000 eval '[ "$(redirect_stat "$cg" inserted)" = $((2 * N)) ]' || fail "inserted: $(redirect_stat "$cg" inserted)"
trace_stop
ready=$(head -n 1 "$TMP/out")
final=$(tail -n 1 "$TMP/out")
assert_eq "$(redirect_stat "$cg" msgs_redirected)" $((N * M)) "redirect status: messages"

if [ "$(jq -r .mode <<<"$final")" = stats ]; then
	assert_contains "$(cat "$TMP/out.err")" "kernel refuses BPF trampolines" "fallback reason"
	prog() { jq -r --arg p "$1" ".programs[] | select(.prog == \$p) | $2" <<<"$final"; }
	assert_eq "$(prog sockmap_verdict .run_cnt)" $((N * M)) "sk_msg runs"
	assert_eq "$(prog sockmap_verdict .hook)" sk_msg "sk_msg hook"
	assert_ge "$(prog sockmap_insert .run_cnt)" $((2 * N)) "sockops runs"
	log "$(uname -r): BPF_ENABLE_STATS fallback"
	exit 0
fi
# What the kernel kept of each program (in always mode 6.12's verifier drops rd_closed,
# which only auto mode reaches), each function once.
read -r sockops verdict <<<"$(redirect_prog_ids "$cg" | xargs)"
for id in $sockops $verdict; do
	assert_eq "$(jq -r --argjson id "$id" '[.functions[] | select(.prog_id == $id) | .func] | sort | join(" ")' <<<"$ready")" \
		"$(xlated_funcs "$id")" "functions of program $id, each once"
done
assert_eq "$(jq '.functions | length' <<<"$ready")" "$(($(xlated_funcs "$sockops" | wc -w) + $(xlated_funcs "$verdict" | wc -w)))" \
	"nothing else traced"
fn() { trace_fn "$final" "$@"; }
assert_eq "$(fn sockops sockmap_insert '.ops.BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB')" $N "ACTIVE_ESTABLISHED callbacks"
assert_eq "$(fn sockops sockmap_insert '.ops.BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB')" $N "PASSIVE_ESTABLISHED callbacks"
assert_eq "$(fn sockops sockmap_insert '([.ops[]] | add) == .calls')" true "ops add up to the calls"
for f in rd_key rd_policy rd_sockhash_insert rd_count_insert; do
	assert_eq "$(fn sockops $f .calls)" $((2 * N)) "$f calls"
	assert_eq "$(fn sockops $f .returns)" $((2 * N)) "$f returns"
done
assert_eq "$(fn sockops rd_sockhash_insert '.ret | tojson')" "{\"0\":$((2 * N))}" "inserts succeeded"
assert_eq "$(fn sockops rd_policy '.ret | tojson')" "{\"1\":$((2 * N))}" "policy: insert"
assert_eq "$(fn sockops rd_count_insert .ret)" null "rd_count_insert is void"
assert_eq "$(fn sk_msg sockmap_verdict .calls)" $((N * M)) "sk_msg runs"
assert_eq "$(fn sk_msg sockmap_verdict '.ret | tojson')" "{\"SK_PASS\":$((N * M))}" "sk_msg verdicts"
assert_eq "$(fn sk_msg rd_peer_lookup .calls)" $((N * M)) "peer lookups"
assert_eq "$(fn sk_msg rd_peer_lookup '.ret | tojson')" "{\"0\":$((N * M))}" "peer lookups: redirected"
assert_eq "$(fn sk_msg rd_count_msg .calls)" $((N * M)) "counter updates"
assert_eq "$(fn sk_msg rd_peer_lookup .calls)" "$(redirect_stat "$cg" msgs_redirected)" "= redirect status"
assert_eq "$(fn sockops rd_sockhash_insert .calls)" "$(redirect_stat "$cg" inserted)" "= redirect status inserted"

# The text report: per-op line under the sockops row, SK_PASS by name.
trace_start "$ns" "$TMP/text" redirect --cgroup "$cg" --interval 0 --func sockmap_insert --func sockmap_verdict
cg_exec "$cg" "$ns" "$BUILD/tests/onebyte" 127.0.0.1 7321 1 2 >/dev/null 2>&1 || fail "onebyte (text)"
busywait 5000 eval '[ "$(redirect_stat "$cg" inserted)" = $((2 * N + 2)) ]' || fail "second transfer not inserted"
trace_stop
log "text report:"
sed 's/^/    /' "$TMP/text"
assert_eq "$(grep -c 'ops:.*BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB:1 BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB:1' "$TMP/text")" 1 \
	"text: ops line"
assert_eq "$(grep -c 'sockmap_verdict  *2 .* SK_PASS:2$' "$TMP/text")" 1 "text: SK_PASS"

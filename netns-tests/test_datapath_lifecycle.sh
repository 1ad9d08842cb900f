#!/usr/bin/env bash
# down --all, clean after a namespace died without `down`, status --json,
# stats --watch ending cleanly on Ctrl-C.
#
#   ns A: a1 <-> ns B: b1,  ns A: a2 <-> ns B: b2,   ns C: c1 <-> ns B: b3 (C dies)
. "$(dirname "$0")/lib.sh"
need nsenter

mk_ns A
mk_ns B
veth_pair "$A" a1 10.82.1.1/24 "$B" b1 10.82.1.2/24
veth_pair "$A" a2 10.82.2.1/24 "$B" b2 10.82.2.2/24
nsx "$A" "$NETBPF" -q up a1
nsx "$A" "$NETBPF" -q up a2 --tc clsact
defer nsx "$A" "$NETBPF" down --all

json=$(nsx "$A" "$NETBPF" status --json)
assert_contains "$json" '"ifname":"a1"' "status --json a1"
assert_contains "$json" '"ifname":"a2"' "status --json a2"
assert_contains "$json" '"hook":"tc ingress","mode":"clsact","prog_name":"tc_ingress"' "a2 clsact"
assert_eq "$(echo "$json" | grep -o '"prog_name":"xdp_main"' | wc -l)" 2 "two XDP programs"

# --watch prints once per interval and exits 0 on SIGINT.
watch_out=$(mktemp)
defer rm -f "$watch_out"
# nsenter directly, not the nsx function: $! must be netbpf itself, not a subshell.
nsenter --net="/run/netns/$A" "$NETBPF" stats a1 --json --watch 0.2 >"$watch_out" &
two_lines() { [ "$(grep -c '"ifname":"a1"' "$watch_out")" -ge 2 ]; }
busywait 5000 two_lines || fail "stats --watch printed too little"
kill -INT $!
wait $! || fail "stats --watch exited $? on SIGINT"

nsx "$A" "$NETBPF" down --all
assert_eq "$(nsx "$A" "$NETBPF" status)" "" "status after down --all"
[ ! -e "$(pin_dir "$A" a1)" ] && [ ! -e "$(pin_dir "$A" a2)" ] || fail "pins after down --all"
ip -n "$A" link show a2 | grep -q ' xdp' && fail "a2 still has XDP"

# A namespace that dies with netbpf up leaves pins; clean removes them and only them.
nsx "$A" "$NETBPF" -q up a1
ip netns add "nbt-$SUFFIX-C"
defer ip netns del "nbt-$SUFFIX-C"
veth_pair "nbt-$SUFFIX-C" c1 - "$B" b3 -
nsx "nbt-$SUFFIX-C" "$NETBPF" -q up c1
dead=$(pin_dir "nbt-$SUFFIX-C" c1)
ip netns del "nbt-$SUFFIX-C"
busywait 5000 sh -c "! ip -n '$B' link show b3" || fail "veth of the dead namespace lingers"
[ -d "$dead" ] || fail "pins of the dead namespace already gone"
out=$("$NETBPF" clean)
assert_contains "$out" "removed $dead" "clean output"
[ ! -e "$dead" ] || fail "clean left $dead"
[ -d "$(pin_dir "$A" a1)" ] || fail "clean removed live pins"

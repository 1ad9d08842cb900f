#!/usr/bin/env bash
# Namespaces: the netns cookie in the key keeps them apart.
# 1. Across a veth, connections are not bypassed by default (their data crosses the
#    veth, so XDP/tc and deny rules still see it), and are with --cross-netns
#    (byte-exact, the veth carries no payload).
# 2. Identical 4-tuples (127.0.0.1:6000 -> 127.0.0.1:5555) live at once in ns1 and
#    ns2, with different stream contents: each is bypassed and each stays intact,
#    so no byte went to the other namespace's socket (loopback keys keep the
#    namespace cookie, also with --cross-netns).
# 3. With --cross-netns, identical 4-tuples across two namespace pairs
#    (10.9.1.1:6100 -> 10.9.1.2:5600 in nsc1->nsd1 and nsc2->nsd2): the sequence
#    numbers in the key keep them apart; both bypassed, both intact.
#
#   +------ nsa ------+  veth  +------ nsb ------+   +-- ns1 --+ +-- ns2 --+
#   | client 10.9.0.1 |--------| server 10.9.0.2 |   | lo pair | | lo pair |
#   +-----------------+        +-----------------+   +---------+ +---------+
#   +-- nsc1 --+ veth +-- nsd1 --+   +-- nsc2 --+ veth +-- nsd2 --+
#   | 10.9.1.1 |------| 10.9.1.2 |   | 10.9.1.1 |------| 10.9.1.2 |
#   +----------+      +----------+   +----------+      +----------+
#   all processes in cgroup cg
. "$(dirname "$0")/lib.sh"

redirect_setup
mk_ns nsa
mk_ns nsb
mk_ns ns1
mk_ns ns2
veth_pair "$nsa" va 10.9.0.1/24 "$nsb" vb 10.9.0.2/24
for i in 1 2; do
	mk_ns nsc$i
	mk_ns nsd$i
	c=nsc$i d=nsd$i
	veth_pair "${!c}" vc 10.9.1.1/24 "${!d}" vd 10.9.1.2/24
done
N=10
BYTES=$((1 << 20))

# across: N connections nsa -> nsb; sets VETH to the bytes va sent meanwhile.
across() {
	local before
	before=$(dev_counter "$nsa" va tx_bytes)
	sc_transfer "$tmp/t" "$cg" "$nsb" 10.9.0.2 "$cg" "$nsa" 10.9.0.2 7200 $N $BYTES
	VETH=$(($(dev_counter "$nsa" va tx_bytes) - before))
}

"$NETBPF" redirect on --cgroup "$cg"
across
log "default: veth sent $VETH bytes"
assert_ge "$VETH" $((N * BYTES)) "payload on the veth by default"
assert_eq "$(redirect_stat "$cg" bytes_redirected)" 0 "bytes redirected across namespaces by default"
assert_eq "$(redirect_stat "$cg" conns_no_peer)" $((2 * N)) "connections left to TCP"

"$NETBPF" redirect off --cgroup "$cg"
"$NETBPF" redirect on --cgroup "$cg" --cross-netns
across
log "--cross-netns: veth sent $VETH bytes"
# Handshakes and teardowns only: well under 1 KiB per connection.
[ "$VETH" -lt $((N * 1024)) ] || fail "--cross-netns: $VETH bytes on the veth, expected < $((N * 1024))"
assert_eq "$(redirect_stat "$cg" bytes_redirected)" $((2 * N * BYTES + 32 * N)) "bytes redirected across"

# Same 4-tuple in ns1 and ns2 at the same time; different seeds, so a crossed
# byte would fail the other side's check.
rm -f "$tmp/gate"
for i in 1 2; do
	nsv=ns$i
	cg_exec "$cg" "${!nsv}" "$SC" pair -a 127.0.0.1 -p 5555 -B 127.0.0.1 -P 6000 -n 1 -b 4M \
		-s "$i" -g "$tmp/gate" >"$tmp/pair$i" 2>&1 &
	eval "pid$i=$!"
	defer kill_child $!
done
busywait 10000 grep -q halfway "$tmp/pair1" || fail "ns1 pair never got halfway: $(cat "$tmp/pair1")"
busywait 10000 grep -q halfway "$tmp/pair2" || fail "ns2 pair never got halfway: $(cat "$tmp/pair2")"
assert_eq "$(redirect_stat "$cg" sockets)" 4 "sockets of the two identical 4-tuples in the map"
touch "$tmp/gate"
wait "$pid1" || fail "ns1 stream damaged: $(cat "$tmp/pair1")"
wait "$pid2" || fail "ns2 stream damaged: $(cat "$tmp/pair2")"
assert_eq "$(redirect_stat "$cg" conns_no_peer)" 0 "connections left to TCP"
assert_eq "$(redirect_stat "$cg" bytes_redirected)" $((2 * N * BYTES + 32 * N + 2 * (2 * 4 * BYTES + 32))) \
	"bytes redirected in ns1 and ns2"

# Same 4-tuple across two namespace pairs, in cross-netns keys (cookie 0).
rm -f "$tmp/gate"
sockets=$(redirect_stat "$cg" sockets)
for i in 1 2; do
	c=nsc$i d=nsd$i
	cg_exec "$cg" "${!d}" "$SC" server -a 10.9.1.2 -p 5600 -n 1 -g "$tmp/gate" >"$tmp/srv$i" 2>&1 &
	eval "spid$i=$!"
	defer kill_child $!
	busywait 5000 grep -q '^listening' "$tmp/srv$i" || fail "server in nsd$i did not start"
	cg_exec "$cg" "${!c}" "$SC" client -a 10.9.1.2 -p 5600 -B 10.9.1.1 -P 6100 -n 1 -b 4M \
		-s "$((10 + i))" -g "$tmp/gate" >"$tmp/cli$i" 2>&1 &
	eval "cpid$i=$!"
	defer kill_child $!
done
for f in srv1 srv2 cli1 cli2; do
	busywait 10000 grep -q halfway "$tmp/$f" || fail "$f never got halfway: $(cat "$tmp/$f")"
done
assert_eq "$(redirect_stat "$cg" sockets)" $((sockets + 4)) "sockets of identical 4-tuples across namespaces"
touch "$tmp/gate"
for p in spid1 spid2 cpid1 cpid2; do
	wait "${!p}" || fail "$p: stream damaged: $(cat "$tmp"/srv* "$tmp"/cli*)"
done
assert_eq "$(redirect_stat "$cg" conns_no_peer)" 0 "connections left to TCP"
assert_eq "$(redirect_stat "$cg" bytes_redirected)" \
	$((2 * N * BYTES + 32 * N + 4 * (2 * 4 * BYTES + 32))) "bytes redirected across two namespace pairs"

#!/usr/bin/env bash
# Deny rules fail closed: packets that hid their port (or their source's family)
# from the parser reach no socket from a denied source, while the kernel does
# deliver the same packets from a source without rules. pktsend crafts them;
# the witness is the receiver's own kernel: /proc/net/snmp (Udp NoPorts, Ip
# ReasmOKs) and /proc/net/snmp6 (Udp6NoPorts) of ns A, nothing listening.
#
#   ns A                                     ns B
#   va 10.79.0.1 fd79::1   <-- veth -->      vb 10.79.0.2 fd79::2
#   netbpf up va + deny rules                pktsend (sources .2 denied, .3 not)
. "$(dirname "$0")/lib.sh"
need nsenter

mk_ns A
mk_ns B
veth_pair "$A" va 10.79.0.1/24 "$B" vb 10.79.0.2/24
ip -n "$A" addr add fd79::1/64 dev va nodad
ip -n "$B" addr add fd79::2/64 dev vb nodad
nsx "$A" "$NETBPF" -q up va
defer nsx "$A" "$NETBPF" down va
MAC=$(mac_of "$A" va)

snmp() { # proto field: a counter of /proc/net/snmp in ns A
	nsx "$A" awk -v p="$1:" -v f="$2" '$1 == p { if (!n) { for (i = 2; i <= NF; i++) col[$i] = i; n = 1 } else print $col[f] }' /proc/net/snmp
}
udp6() { nsx "$A" awk '$1 == "Udp6NoPorts" { print $2 }' /proc/net/snmp6; }
udp4() { snmp Udp NoPorts; }
reasm() { snmp Ip ReasmOKs; }
send() { nsx "$B" "$BUILD/tests/pktsend" vb "$MAC" "$@"; }
# arrived COUNTER BEFORE N SRC DST: N of the packets sent since BEFORE arrived. A
# control datagram from the source without rules follows on the same link, so once
# it arrived everything sent before it was decided.
arrived() {
	local counter=$1 before=$2 n=$3 src=$4 dst=$5 ctl
	[ "$counter" = reasm ] && ctl=frag || ctl=udp
	send "$src" "$dst" 7 "$ctl"
	busywait 5000 test "$("$counter")" -ge $((before + n + 1)) ||
		fail "control packet not counted by $counter ($("$counter") < $((before + n + 1)))"
	assert_eq "$(("$("$counter")" - before - 1))" "$n" "$6"
}

nsx "$A" "$NETBPF" deny add va 10.79.0.2/32 port 5000 proto udp
nsx "$A" "$NETBPF" deny add va 10.79.0.2/32 port 5001 proto tcp
nsx "$A" "$NETBPF" deny add va fd79::2/128 port 5000 proto udp

# The kernel delivers each of these from a source without rules.
for c in ext8 ext9 dstopt600; do
	b=$(udp6); send fd79::3 fd79::1 5000 "$c"; arrived udp6 "$b" 1 fd79::3 fd79::1 "$c, no rules"
done
b=$(reasm); send 10.79.0.3 10.79.0.1 5001 tinyfrag; arrived reasm "$b" 1 10.79.0.3 10.79.0.1 "tiny fragment, no rules"

# From the denied source, to the denied port: none.
for c in ext8 ext9 dstopt600; do
	b=$(udp6); send fd79::2 fd79::1 5000 "$c"; arrived udp6 "$b" 0 fd79::3 fd79::1 "$c to a denied port"
done
b=$(reasm); send 10.79.0.2 10.79.0.1 5001 tinyfrag; arrived reasm "$b" 0 10.79.0.3 10.79.0.1 "tiny fragment to a denied port"
b=$(udp4); send 10.79.0.2 10.79.0.1 5000 frag; arrived udp4 "$b" 0 10.79.0.3 10.79.0.1 "fragments to a denied port"

# From the denied source to another port: what shows its port passes; what hides
# it is dropped (fail closed: a 9th extension header, a later fragment).
for c in ext8 dstopt600; do
	b=$(udp6); send fd79::2 fd79::1 5002 "$c"; arrived udp6 "$b" 1 fd79::3 fd79::1 "$c to another port"
done
b=$(udp6); send fd79::2 fd79::1 5002 ext9; arrived udp6 "$b" 0 fd79::3 fd79::1 "ext9 to another port"
b=$(udp4); send 10.79.0.2 10.79.0.1 5002 frag; arrived udp4 "$b" 0 10.79.0.3 10.79.0.1 "fragments to another port"
b=$(udp4); send 10.79.0.2 10.79.0.1 5002 udp; arrived udp4 "$b" 1 10.79.0.3 10.79.0.1 "udp to another port"

# ::/0 is every IPv6 source and no IPv4 one; 0.0.0.0/0 the reverse. Under each,
# the control must be of the other family: the rule goes once XDP counted the drop.
xdp_drops() { nb_stat "$A" va xdp drop; }
dropped_then_del() { # before cidr
	busywait 5000 test "$(xdp_drops)" -ge $(($1 + 1)) || fail "no drop under $2"
	nsx "$A" "$NETBPF" deny del va "$2"
}
nsx "$A" "$NETBPF" deny add va ::/0
b=$(udp4); send 10.79.0.3 10.79.0.1 5002 udp; arrived udp4 "$b" 1 10.79.0.3 10.79.0.1 "ipv4 under ::/0"
b=$(udp6) d=$(xdp_drops); send fd79::3 fd79::1 5002 udp; dropped_then_del "$d" ::/0
arrived udp6 "$b" 0 fd79::3 fd79::1 "ipv6 under ::/0"
nsx "$A" "$NETBPF" deny add va 0.0.0.0/0
b=$(udp6); send fd79::3 fd79::1 5002 udp; arrived udp6 "$b" 1 fd79::3 fd79::1 "ipv6 under 0.0.0.0/0"
b=$(udp4) d=$(xdp_drops); send 10.79.0.3 10.79.0.1 5002 udp; dropped_then_del "$d" 0.0.0.0/0
arrived udp4 "$b" 0 10.79.0.3 10.79.0.1 "ipv4 under 0.0.0.0/0"

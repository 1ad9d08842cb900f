#!/usr/bin/env bash
# Deny rules drop exactly what they match, IPv4 and IPv6, and deleting them restores traffic.
#
#   ns A                                   ns B
#   va 10.78.0.1 fd78::1  <-- veth -->     vb 10.78.0.2 fd78::2
#   netbpf up va + deny rules              ping, ping -6, UDP sender
. "$(dirname "$0")/lib.sh"
need nsenter ping bpftool

mk_ns A
mk_ns B
veth_pair "$A" va 10.78.0.1/24 "$B" vb 10.78.0.2/24
ip -n "$A" addr add fd78::1/64 dev va nodad
ip -n "$B" addr add fd78::2/64 dev vb nodad
# Permanent neighbours: no neighbour solicitation from a denied source adds to (or,
# dropped, stands in for) the echo requests the rule hits are counted against.
ip -n "$B" neigh replace fd78::1 lladdr "$(mac_of "$A" va)" dev vb nud permanent
ip -n "$A" neigh replace fd78::2 lladdr "$(mac_of "$B" vb)" dev va nud permanent
ip -n "$B" neigh replace 10.78.0.1 lladdr "$(mac_of "$A" va)" dev vb nud permanent
ip -n "$A" neigh replace 10.78.0.2 lladdr "$(mac_of "$B" vb)" dev va nud permanent
nsx "$A" "$NETBPF" -q up va
defer nsx "$A" "$NETBPF" down va

ping4() { nsx "$B" ping -c "$1" -i 0.2 -W 1 -q 10.78.0.1 >/dev/null 2>&1; }
ping6() { nsx "$B" ping -6 -c "$1" -i 0.2 -W 1 -q fd78::1 >/dev/null 2>&1; }
udp_send() { nsx "$B" bash -c "echo x > /dev/udp/10.78.0.1/$1"; }
rule_hits() { # cidr: packets dropped by that rule
	nsx "$A" "$NETBPF" deny list va | awk -v c="$1" '$1 == c { print $4 }'
}

ping4 1 || fail "baseline ping failed"
ping6 1 || fail "baseline ping -6 failed"

# A port/proto rule drops only UDP to that port.
nsx "$A" "$NETBPF" deny add va 10.78.0.0/24 port 9999 proto udp
drop0=$(nb_stat "$A" va xdp drop) udp0=$(nb_stat "$A" va xdp udp)
udp_send 9999; udp_send 9999; udp_send 9998
# XDP on veth runs in the receiver's NAPI, after the send returned: wait until it saw all 3.
busywait 10000 eval '[ "$(nb_stat "$A" va xdp udp)" -ge $((udp0 + 3)) ]' || fail "XDP did not see the 3 datagrams"
assert_eq "$(rule_hits 10.78.0.0/24)" 2 "udp/9999 rule hits"
assert_eq "$(nb_stat "$A" va xdp drop)" $((drop0 + 2)) "xdp drops after udp"
ping4 2 || fail "ping dropped by a udp-only rule"

# An address rule drops ping, and only from that address.
nsx "$A" "$NETBPF" deny add va 10.78.0.2/32
ping4 3 && fail "ping passed a deny rule"
assert_eq "$(rule_hits 10.78.0.2/32)" 3 "10.78.0.2/32 rule hits"
assert_eq "$(nb_stat "$A" va xdp drop)" $((drop0 + 5)) "xdp drops after ping"
ping6 1 || fail "IPv6 dropped by an IPv4 rule"

nsx "$A" "$NETBPF" deny del va 10.78.0.2/32
ping4 2 || fail "ping still dropped after deny del"

# IPv6 rule.
nsx "$A" "$NETBPF" deny add va fd78::2/128
ping6 2 && fail "ping -6 passed a deny rule"
assert_eq "$(rule_hits fd78::2/128)" 2 "fd78::2/128 rule hits"
ping4 1 || fail "IPv4 dropped by an IPv6 rule"
nsx "$A" "$NETBPF" deny del va fd78::2/128
ping6 1 || fail "ping -6 still dropped after deny del"

# Rules are listed as stored: host bits cleared, IPv4 and IPv6 apart (::/0 is
# not 0.0.0.0/0). A rule with a port or proto also stores a marker, not listed:
# bpftool counts the trie's entries (rules + markers).
entries() { bpftool -j map dump pinned "$(pin_dir "$A" va)/netbpf_deny" | grep -o '"prefixlen"' | wc -l; }
assert_eq "$(entries)" 2 "entries: the udp/9999 rule and its marker"
nsx "$A" "$NETBPF" deny add va 10.1.2.3/8
nsx "$A" "$NETBPF" deny add va ::/0
nsx "$A" "$NETBPF" deny add va 10.1.2.3/8 port 22
nsx "$A" "$NETBPF" deny add va 10.1.2.3/8 port 23
assert_eq "$(nsx "$A" "$NETBPF" deny list va | awk 'NR > 1 { print $1 "," $2 }' | sort | xargs)" \
	"10.0.0.0/8,0 10.0.0.0/8,22 10.0.0.0/8,23 10.78.0.0/24,9999 ::/0,0" "rules as stored"
assert_eq "$(entries)" 7 "entries: 5 rules, 2 markers"
nsx "$A" "$NETBPF" deny del va 10.0.0.0/8 port 22
assert_eq "$(entries)" 6 "entries: the marker stays for port 23"
nsx "$A" "$NETBPF" deny del va 10.9.9.9/8 port 23
assert_eq "$(entries)" 4 "entries: the last port rule takes its marker"
nsx "$A" "$NETBPF" deny del va 10.0.0.0/8
nsx "$A" "$NETBPF" deny del va ::/0
assert_eq "$(entries)" 2 "entries after del"

# Rule errors: one line, non-zero exit.
assert_fails_with "invalid CIDR" nsx "$A" "$NETBPF" deny add va 10.78.0.300/24
assert_fails_with "invalid port" nsx "$A" "$NETBPF" deny add va 10.0.0.0/8 port 70000
assert_fails_with "exists already" nsx "$A" "$NETBPF" deny add va 10.78.0.0/24 port 9999 proto udp
assert_fails_with "no such rule" nsx "$A" "$NETBPF" deny del va 10.1.0.0/16

#!/usr/bin/env bash
# netbpf up --config: every error names the file and line and installs nothing; a
# valid file sets the modes and deny rules; deny save writes a file that installs
# the same rules again.
#
#   ns A: va 10.81.0.1 (netbpf up --config)  <---- veth ---->  ns B: vb 10.81.0.2
. "$(dirname "$0")/lib.sh"
need jq

mk_ns A
mk_ns B
veth_pair "$A" va 10.81.0.1/24 "$B" vb 10.81.0.2/24
tmp=$(mktemp -d)
defer rm -rf "$tmp"

bad() { # expected-message line...
	local want=$1 out rc=0; shift
	printf '%s\n' "$@" >"$tmp/bad.conf"
	out=$(nsx "$A" "$NETBPF" up va --config "$tmp/bad.conf" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "up accepted: $*"
	assert_contains "$out" "$tmp/bad.conf:$want" "error for: $*"
	[ "$(echo "$out" | wc -l)" = 1 ] || fail "more than one line: $out"
	[ ! -d "$(pin_dir "$A" va)" ] || fail "pins left after a bad config"
	! ip -n "$A" link show va | grep -q xdp || fail "XDP left after a bad config"
}
bad "2: invalid CIDR '10.0.0.0/33'" "# rules" "deny 10.0.0.0/33"
bad "1: unknown setting (xdp-mode, tc, deny)" "xdp_mode skb"
bad "3: duplicate rule (first on line 1)" "deny 10.9.0.0/16 port 22 proto tcp" "tc auto" \
	"deny 10.9.1.2/16 port 22 proto tcp"
bad "1: invalid port '0' (1-65535)" "deny ::/0 port 0"
bad "2: invalid proto 'icmp' (tcp or udp)" "" "deny ::/0 proto icmp"
bad "1: xdp-mode takes one of auto, native, skb" "xdp-mode generic"
bad "1: 'port' needs a value" "deny 10.0.0.0/8 port"

cat >"$tmp/va.conf" <<CONF
# the test's own file
xdp-mode skb
tc clsact
deny 10.81.0.2/32 port 9 proto udp   # B's discard port
deny 10.1.2.3/8
deny fd00::/64 proto tcp
CONF
nsx "$A" "$NETBPF" -q up va --config "$tmp/va.conf"
defer nsx "$A" "$NETBPF" -q down va
ip -n "$A" link show va | grep -q 'xdpgeneric' || fail "xdp-mode skb not applied: $(ip -n "$A" link show va)"
tc -n "$A" qdisc show dev va | grep -q clsact || fail "tc clsact not applied"
rules=$(nsx "$A" "$NETBPF" deny list va --json | jq -c 'map([.cidr, .port, .proto]) | sort')
assert_eq "$rules" '[["10.0.0.0/8",0,"any"],["10.81.0.2/32",9,"udp"],["fd00::/64",0,"tcp"]]' "rules installed"

# The rule works: B's datagrams to port 9 are dropped by XDP, to port 10 they pass.
for p in 9 9 10; do nsx "$B" bash -c "echo x > /dev/udp/10.81.0.1/$p"; done
drops=$(nsx "$A" "$NETBPF" deny list va --json | jq '.[] | select(.port == 9) | .packets')
assert_eq "$drops" 2 "datagrams dropped by the port 9 rule"

# deny save, then the same rules on another interface through --config.
nsx "$A" "$NETBPF" deny save va >"$tmp/saved.conf"
mk_ns C
veth_pair "$C" vc 10.82.0.1/24 "$B" vd 10.82.0.2/24
nsx "$C" "$NETBPF" -q up vc --config "$tmp/saved.conf"
defer nsx "$C" "$NETBPF" -q down vc
again=$(nsx "$C" "$NETBPF" deny list vc --json | jq -c 'map([.cidr, .port, .proto]) | sort')
assert_eq "$again" "$rules" "rules after deny save + up --config"

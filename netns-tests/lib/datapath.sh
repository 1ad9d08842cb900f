# netbpf up/stats/status and interface counters as witnesses (sourced by lib.sh)
# --- netbpf datapath helpers ------------------------------------------------------
# nb_stat NS IFACE HOOK CLASS [bytes]: a counter from `netbpf stats` (0 when absent).
nb_stat() {
	local col=3
	[ "${5:-packets}" = bytes ] && col=4
	nsx "$1" "$NETBPF" stats "$2" | awk -v h="$3" -v c="$4" -v col=$col \
		'$1 == h && $2 == c { v = $col } END { print v + 0 }'
}
# quiet_veth NS IFACE PEER_IP PEER_MAC: no IPv6 (no NDP/MLD chatter) and a permanent
# neighbour entry (no ARP), so every packet on the link is one the test sent.
quiet_veth() {
	nsx "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	nsx "$1" ip neigh replace "$3" lladdr "$4" dev "$2" nud permanent
}
mac_of() { # NS IFACE
	nsx "$1" cat "/sys/class/net/$2/address" 2>/dev/null || ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'
}
# ids of the programs netbpf pinned for IFACE in NS (xdp, tc ingress, tc egress)
nb_prog_ids() { # the id is the column before the 16-digit tag
	nsx "$1" "$NETBPF" status "$2" |
		awk '{ for (i = 2; i <= NF; i++) if (length($i) == 16 && $i ~ /^[0-9a-f]+$/) print $(i - 1) }'
}

# dev_counter NS IFACE FIELD: rx_bytes, rx_packets, tx_bytes or tx_packets of IFACE in
# NS. /proc/net/dev follows the reader's namespace (sysfs would need a remount).
dev_counter() {
	local col
	case $3 in
	rx_bytes) col=2 ;; rx_packets) col=3 ;; tx_bytes) col=10 ;; tx_packets) col=11 ;;
	*) fail "dev_counter: unknown field $3" ;;
	esac
	nsx "$1" awk -v dev="$2" -v col="$col" '{ sub(/:/, " ") } $1 == dev { print $col }' /proc/net/dev
}

# --- whole installs or nothing (locking, interrupted `up`) ---------------------------
# nb_net_ids NS IFACE: ids of the programs bpftool net lists on IFACE (XDP, tc, TCX), sorted.
nb_net_ids() {
	nsx "$1" bpftool net show dev "$2" | grep -oE ' id [0-9]+' | awk '{ print $2 }' | sort -n | xargs
}
# nb_none NS IFACE: nothing of netbpf on IFACE: no XDP (ip), no tc filter or clsact
# qdisc (tc), no program (bpftool net) and no pins.
nb_none() {
	! ip -n "$1" link show "$2" | grep -q ' xdp' &&
		[ -z "$(tc -n "$1" filter show dev "$2" ingress)$(tc -n "$1" filter show dev "$2" egress)" ] &&
		! tc -n "$1" qdisc show dev "$2" | grep -q clsact &&
		[ -z "$(nb_net_ids "$1" "$2")" ] &&
		[ ! -e "$(pin_dir "$1" "$2")" ]
}
# nb_complete NS IFACE: one whole install: every pin, and exactly the three programs
# status names attached (bpftool net), XDP among them (ip link). For `up --tc clsact`:
# Debian 12's bpftool does not list TCX links.
nb_complete() {
	local dir p ids
	dir=$(pin_dir "$1" "$2")
	for p in netbpf_state netbpf_stats netbpf_deny xdp_link tc_ingress tc_egress; do
		[ -e "$dir/$p" ] || return 1
	done
	ids=$(nb_prog_ids "$1" "$2" | sort -n | xargs)
	[ "$(echo $ids | wc -w)" = 3 ] && [ "$ids" = "$(nb_net_ids "$1" "$2")" ] &&
		ip -n "$1" -d link show "$2" | grep -q "prog/xdp id $(nb_prog_ids "$1" "$2" | head -n1) "
}

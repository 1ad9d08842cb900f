#!/usr/bin/env bash
# netbpf trace --all: every program netbpf installed on the host, each once, with
# all their functions, while the datapath, the bypass and a sniffer run at once.
#
#   ns A                                   ns B
#   va 10.79.0.1  <------ veth ------>     vb 10.79.0.2
#   netbpf up va                           netbpf sniff vb --source wire
#   cgroup cg: netbpf redirect on
#   netbpf trace --all
#
# Proves: the ready line lists, for each of our six programs (xdp, tc ingress, tc
# egress; sockops, sk_msg; socket filter), exactly the functions `bpftool prog dump
# xlated` shows for it (its BTF func_info), none twice, with its hook; nothing but
# netbpf's programs is traced (other users' netbpf instances on a shared host may
# add theirs). On a kernel that refuses trampolines: each of the six appears once
# in the fallback's program list, with its hook.
. "$(dirname "$0")/lib.sh"
need nsenter jq bpftool

trace_topology 10.79.0
mk_cgroup cg
"$NETBPF" redirect on --cgroup "$cg" || fail "redirect on"
defer "$NETBPF" redirect off --cgroup "$cg"
sniff_start "$B" "$TMP/sniff" vb --source wire --json

set -- $(nb_prog_ids "$A" va)
xdp=$1 tcin=$2 tceg=$3
read -r sockops verdict <<<"$(redirect_prog_ids "$cg" | xargs)"
sniff=$(sniff_prog_id "$SNIFF_PID")
[ -n "$sniff" ] || fail "no sniff_wire program held by netbpf sniff ($SNIFF_PID)"

trace_start "$A" "$TMP/out" --all --json --interval 0
trace_stop
ready=$(head -n 1 "$TMP/out")
mode=$(jq -r .mode <<<"$ready")
list=$([ "$mode" = stats ] && echo programs || echo functions)
for id in $xdp $tcin $tceg $sockops $verdict $sniff; do
	case $id in
	"$xdp") hook=xdp ;; "$tcin") hook="tc ingress" ;; "$tceg") hook="tc egress" ;;
	"$sockops") hook=sockops ;; "$verdict") hook=sk_msg ;; *) hook="socket filter" ;;
	esac
	sel=".$list[] | select(.prog_id == $id)"
	assert_eq "$(jq -r "[$sel | .hook] | unique | join(\",\")" <<<"$ready")" "$hook" "hook of program $id"
	if [ "$mode" = stats ]; then
		assert_eq "$(jq "[$sel] | length" <<<"$ready")" 1 "program $id ($hook) listed once"
	else
		assert_eq "$(jq -r "[$sel | .func] | sort | join(\" \")" <<<"$ready")" "$(xlated_funcs "$id")" \
			"functions of program $id ($hook), each once"
	fi
done
# Nothing that is not netbpf's: every traced program has one of our hooks.
assert_eq "$(jq -r "[.$list[] | .hook // \"none\"] | unique - [\"xdp\",\"tc ingress\",\"tc egress\",\"sockops\",\"sk_msg\",\"socket filter\"] | length" <<<"$ready")" 0 \
	"only netbpf's programs"
[ "$mode" = stats ] && log "$(uname -r): fallback: $(jq ".programs | length" <<<"$ready") programs listed"
exit 0

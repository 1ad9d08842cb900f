#!/usr/bin/env bash
# The command line of netbpf at every level: one dispatcher, one exit convention
# (0 done, 1 failed, 2 wrong command line), --help with examples everywhere.
#
#   ns A (empty: only lo), cgroup cg (no processes); no program is attached
#
# Proves: every command and subcommand prints --help with examples and exits 0;
# unique prefixes select, ambiguous ones exit 2 naming every candidate (sta: status,
# stats); unknown names, missing and bad arguments exit 2; commands that run and fail
# (no such interface, no cgroup, no bpffs) exit 1.
. "$(dirname "$0")/lib.sh"
need nsenter unshare

mk_ns A
mk_cgroup cg
nb() { nsx "$A" "$NETBPF" "$@"; }

# --help, exit 0, examples: every command and subcommand.
for c in up down status stats deny "deny add" "deny del" "deny list" clean redirect \
	"redirect on" "redirect off" "redirect status" bench "bench redirect" "bench datapath" \
	"bench trace" trace sniff exporter; do
	# shellcheck disable=SC2086 # the words of $c are the command
	assert_exit 0 "Examples:" nb $c --help
done
assert_exit 0 "Examples:" nb --help
assert_exit 0 "netbpf stats" nb stats -h

# Prefixes: unique ones select, ambiguous ones name every candidate.
assert_exit 0 "Usage: netbpf status" nb statu --help
assert_exit 0 "Usage: netbpf redirect" nb red of --help
assert_exit 0 "Usage: netbpf bench" nb b d --help
assert_exit 2 "ambiguous command 'sta': status, stats" nb sta
assert_exit 2 "ambiguous command 's': status, stats, sniff" nb s veth0
assert_exit 2 "ambiguous redirect command 'o': on, off" nb redirect o
assert_exit 0 "Usage: netbpf deny" nb deny d --help

# Wrong command lines: exit 2, nothing run.
assert_exit 2 "Usage: netbpf" nb
assert_exit 2 "unknown command 'frobnicate': expected one of up, down" nb frobnicate
assert_exit 2 "unrecognized option" nb --frobnicate status
assert_exit 2 "Usage: netbpf redirect" nb redirect
assert_exit 2 "unknown redirect command 'sideways'" nb redirect sideways
assert_exit 2 "invalid port" nb redirect on --cgroup "$cg" --port 70000
assert_exit 2 "only go with 'redirect on'" nb redirect off --cgroup "$cg" --port 80
assert_exit 2 "unexpected argument 'x'" nb redirect status x
assert_exit 2 "Usage: netbpf deny" nb deny
assert_exit 2 "unknown deny command 'drop'" nb deny drop lo 10.0.0.0/8
assert_exit 2 "needs IFACE CIDR" nb deny add lo
assert_exit 2 "invalid CIDR 'bogus'" nb deny add lo bogus
assert_exit 2 "invalid proto 'icmp'" nb deny del lo 10.0.0.0/8 proto icmp
assert_exit 2 "needs IFACE only" nb deny list lo 10.0.0.0/8
assert_exit 2 "Usage: netbpf bench" nb bench
assert_exit 2 "unknown bench 'trac3'" nb bench trac3
assert_exit 2 "invalid --repeat" nb bench trace --repeat 0
assert_exit 2 "invalid --rounds" nb bench datapath --rounds 0
assert_exit 2 "invalid --sizes" nb bench redirect --sizes 0
assert_exit 2 "unrecognized option '--bench'" nb trace --bench
assert_exit 2 "trace needs one of IFACE, redirect, sniff, --all or --prog ID" nb trace
assert_exit 2 "trace needs one of IFACE, redirect, sniff, --all or --prog ID" nb trace --all lo
assert_exit 2 "--cgroup goes with 'trace redirect'" nb trace lo --cgroup "$cg"
assert_exit 2 "--pid goes with 'trace sniff'" nb trace redirect --pid 1
assert_exit 2 "invalid --xdp-mode" nb up lo --xdp-mode turbo
assert_exit 2 "--cgroup goes with --redirect" nb up lo --cgroup "$cg"
assert_exit 2 "up needs exactly one interface" nb up
assert_exit 2 "down needs one interface or --all" nb down
assert_exit 2 "Usage: netbpf status" nb status lo lo
assert_exit 2 "invalid --watch" nb stats lo --watch 0
assert_exit 2 "Usage: netbpf clean" nb clean extra
assert_exit 2 "invalid source" nb sniff lo --source air
assert_exit 2 "sniff needs exactly one interface" nb sniff
assert_exit 2 "exporter takes no arguments" nb exporter extra

# Commands that run and fail: exit 1.
assert_exit 1 "no interface 'nope0'" nb up nope0
assert_exit 1 "not up on 'lo'" nb down lo
assert_exit 1 "not up on 'lo'" nb status lo
assert_exit 1 "not up on 'lo'" nb stats lo
assert_exit 1 "not up on 'lo'" nb deny add lo 10.0.0.0/8
assert_exit 1 "not up on 'lo'" nb deny del lo 10.0.0.0/8 port 22 proto tcp
assert_exit 1 "not up on 'lo'" nb deny list lo
assert_exit 1 "failed to find interface 'nope0'" nb sniff nope0
assert_exit 1 "nope0" nb trace nope0
assert_exit 1 "not a cgroup v2 directory" nb redirect on --cgroup /tmp
assert_exit 1 "not on for cgroup" nb redirect off --cgroup "$cg"
assert_exit 1 "failed to open cgroup" nb redirect status --cgroup "$cg/nope"
# Without bpffs (in a mount namespace of the test's own). A pid namespace too: netbpf
# would otherwise join an ancestor's mount namespace and its bpffs (the host's), as it
# does under `ip netns exec`.
for c in clean "down --all" status; do
	assert_exit 1 "no bpffs" nsx "$A" unshare -m -p --fork --mount-proc \
		sh -c "umount /sys/fs/bpf && '$NETBPF' $c"
done

# Exit 0 on a real run, in text and JSON.
assert_exit 0 "redirect: off for cgroup $cg" nb redirect status --cgroup "$cg"
out=$(nb --json redirect stat --cgroup "$cg")
assert_eq "$(jq -c .redirect <<<"$out" | head -c 1)" "[" "redirect status --json"

#!/usr/bin/env bash
# `netbpf redirect` on bad input: one clear error line, non-zero exit, nothing
# left attached or pinned; status in text and JSON; a second `on` is refused.
#
#   cgroup cg (no processes), /sys/fs/bpf/netbpf/redirect/<cgroup id>/
. "$(dirname "$0")/lib.sh"

mk_cgroup cg
pins=/sys/fs/bpf/netbpf/redirect/$(stat -c %i "$cg")
defer "$NETBPF" redirect off --cgroup "$cg"

assert_fails_with "not a cgroup v2 directory" "$NETBPF" redirect on --cgroup /tmp
assert_fails_with "failed to open cgroup" "$NETBPF" redirect on --cgroup "$cg/nope"
assert_fails_with "expected ADDR[/PLEN]" "$NETBPF" redirect on --cgroup "$cg" --addr 10.0.0.0/33
assert_fails_with "expected ADDR[/PLEN]" "$NETBPF" redirect on --cgroup "$cg" --addr bogus
assert_fails_with "invalid port" "$NETBPF" redirect on --cgroup "$cg" --port 70000
assert_fails_with "only go with 'redirect on'" "$NETBPF" redirect off --cgroup "$cg" --port 80
assert_fails_with "expected auto or always" "$NETBPF" redirect on --cgroup "$cg" --mode sometimes
assert_fails_with "only go with 'redirect on'" "$NETBPF" redirect status --cgroup "$cg" --mode auto
assert_fails_with "unknown redirect command" "$NETBPF" redirect sideways
assert_fails_with "not on for cgroup" "$NETBPF" redirect off --cgroup "$cg"
[ ! -e "$pins" ] || fail "pins left by failed commands"
assert_eq "$("$NETBPF" redirect status --cgroup "$cg")" "redirect: off for cgroup $cg" "status when off"

"$NETBPF" redirect on --cgroup "$cg" --cross-netns --addr 10.1.0.0/16 --port 443
assert_fails_with "already on" "$NETBPF" redirect on --cgroup "$cg"
out=$("$NETBPF" redirect status --cgroup "$cg")
assert_contains "$out" "redirect: on for cgroup $cg" "status"
assert_contains "$out" "filters        addr 10.1.0.0/16 port 443" "status filters"
assert_contains "$out" "same and cross namespace" "status scope"
assert_contains "$out" "mode           auto" "status mode (auto is the default)"
assert_contains "$out" "services       none yet" "status services"
json=$("$NETBPF" --json redirect status --cgroup "$cg")
assert_contains "$json" "\"cgroup\":\"$cg\",\"attached\":true,\"cross_netns\":true" "status --json"
assert_eq "$(ls "$pins" | tr '\n' ' ')" "config conns services sockhash sockops_link stats verdict " "pins"

"$NETBPF" redirect off --cgroup "$cg"
[ ! -e "$pins" ] || fail "pins left after off"
"$NETBPF" redirect on --cgroup "$cg" --addr ::1/128
assert_contains "$("$NETBPF" redirect status --cgroup "$cg")" "addr ::1/128" "IPv6 filter"
"$NETBPF" redirect off --cgroup "$cg"
"$NETBPF" redirect on --cgroup "$cg" --mode always
assert_contains "$("$NETBPF" redirect status --cgroup "$cg")" "mode           always" "status mode always"
json=$("$NETBPF" redirect status --cgroup "$cg" --json)
assert_eq "$(jq -r '.redirect[0].mode' <<<"$json")" always "status --json mode"
assert_eq "$(jq -r '.redirect[0] | has("services")' <<<"$json")" false "no services in always mode"

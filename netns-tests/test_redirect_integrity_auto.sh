#!/usr/bin/env bash
# Every byte survives auto mode, on both paths at once: 200 concurrent connections,
# messages of random size from 1 B to 1 MiB in both directions, each stream checked
# byte by byte and by hash at the receiver (streamcheck):
# - to a service auto mode has not seen: all bypassed, like --mode always;
# - to a service one one-way small-message stream taught "tcp": of the 200
#   connections opened together (the service's 2nd to 201st) the 16th, 32nd, ...
#   192nd are probes (12, bypassed) and 188 take TCP;
# - to that service again, now voted back to "bypass" by those 200 (messages both
#   ways), with redirect turned off halfway.
#
#   netns ns (lo up), processes in cgroup cg, redirect on (auto)
#   +--------------------------------------------------+
#   |  streamcheck client x200 <--> streamcheck server  |
#   |  127.0.0.1:7160 (new), :7161 (learned tcp)        |
#   +--------------------------------------------------+
. "$(dirname "$0")/lib.sh"

redirect_setup
mk_ns ns
"$NETBPF" redirect on --cgroup "$cg"

sc_pair200 new "$ns" 7160 $((256 << 10))
assert_eq "$(redirect_stat "$cg" inserted)" 400 "new service: sockets inserted"
assert_eq "$(redirect_stat "$cg" conns_no_peer)" 0 "new service: connections without peer"
# 200 x 256 KiB each way plus 200 32-byte headers: every byte took the bypass.
assert_eq "$(redirect_stat "$cg" bytes_redirected)" $((2 * 200 * (256 << 10) + 200 * 32)) \
	"new service: bytes redirected"

cg_exec "$cg" "$ns" "$SC" server -a 127.0.0.1 -p 7161 >"$tmp/teach.server" 2>&1 &
defer kill_child $!
busywait 5000 grep -q '^listening' "$tmp/teach.server" || fail "teacher server did not start"
cg_exec "$cg" "$ns" "$SC" client -a 127.0.0.1 -p 7161 -b 256K -R 0 -m 256 >"$tmp/teach.client" 2>&1 ||
	fail "teacher stream: $(cat "$tmp/teach.client")"
learned() {
	"$NETBPF" redirect status --cgroup "$cg" --json |
		jq -e '.redirect[0].services[] | select(.port == 7161 and .path == "tcp")' >/dev/null
}
busywait 10000 learned || fail "port 7161 not learned as tcp: $("$NETBPF" redirect status --cgroup "$cg")"

ins=$(redirect_stat "$cg" inserted)
sc_pair200 learned "$ns" 7161 $((256 << 10))
assert_eq $(($(redirect_stat "$cg" inserted) - ins)) 24 "learned service: sockets inserted (probes)"
assert_eq "$(redirect_stat "$cg" conns_probed)" 12 "learned service: probes"
assert_eq "$(redirect_stat "$cg" conns_policy_tcp)" 188 "learned service: connections left to TCP"

sc_pair200 learned-off "$ns" 7161 $((256 << 10)) off

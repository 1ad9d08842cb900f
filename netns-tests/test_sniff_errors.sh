#!/usr/bin/env bash
# Bad input to 'netbpf sniff': one clear line on stderr naming the problem and a
# non-zero exit; --duration ends a run by itself with exit 0. (Everything the
# sniffer loads is owned by its file descriptors: nothing outlives the process.)
#
#   netns ns: lo, and t0 (tun device: neither Ethernet nor loopback)
. "$(dirname "$0")/lib.sh"

mk_ns ns
sniff() { nsx "$ns" "$NETBPF" sniff "$@"; }

assert_fails_with "needs exactly one interface" sniff
assert_fails_with "failed to find interface 'nope0'" sniff nope0
assert_fails_with "invalid port '0'" sniff lo --port 0
assert_fails_with "invalid port '70000'" sniff lo --port 70000
assert_fails_with "invalid source 'air'" sniff lo --source air
assert_fails_with "invalid --max-body" sniff lo --max-body 99999999
assert_fails_with "invalid --duration" sniff lo --duration -1
assert_fails_with "invalid --count" sniff lo --count x
assert_fails_with "it needs --source wire or all" sniff lo --source socket --pcap /tmp/x.pcap
assert_fails_with "too many --port values" sniff lo $(for p in $(seq 1 17); do echo --port $p; done)
assert_fails_with "failed to create /nonexistent/x.pcap" sniff lo --pcap /nonexistent/x.pcap
if ip -n "$ns" tuntap add t0 mode tun 2>/dev/null; then
	assert_fails_with "only Ethernet and loopback interfaces" sniff t0
else
	log "no tun devices here: the non-Ethernet interface case is not run"
fi
nsx "$ns" "$NETBPF" sniff --help | grep -q 'Examples:' || fail "--help has no examples"

# --duration ends the sniffer by itself (not the timeout), exit 0, not before its time.
start=${EPOCHREALTIME/./}
timeout 10 ip netns exec "$ns" "$NETBPF" sniff lo --duration 0.5 2>/dev/null ||
	fail "--duration run failed (rc $?)"
elapsed_ms=$(((${EPOCHREALTIME/./} - start) / 1000))
[ $elapsed_ms -ge 500 ] || fail "--duration 0.5 ended after $elapsed_ms ms"

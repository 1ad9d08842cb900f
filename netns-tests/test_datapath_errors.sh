#!/usr/bin/env bash
# Every error exits non-zero with one clear line and leaves nothing attached or pinned.
#
#   ns A: va 10.81.0.1 <-- veth --> ns B: vb
. "$(dirname "$0")/lib.sh"
need nsenter unshare

mk_ns A
mk_ns B
veth_pair "$A" va 10.81.0.1/24 "$B" vb -
pins=$(pin_dir "$A" va)
defer nsx "$A" "$NETBPF" down va

nothing_left() {
	ip -n "$A" link show va | grep -q ' xdp' && fail "$1: XDP left attached"
	[ -z "$(tc -n "$A" filter show dev va ingress)" ] || fail "$1: tc filter left"
	[ ! -e "$pins" ] || fail "$1: pins left"
	return 0
}

assert_fails_with "no interface 'nope0'" nsx "$A" "$NETBPF" up nope0
assert_fails_with "not up on 'va'" nsx "$A" "$NETBPF" down va
assert_fails_with "not up on 'va'" nsx "$A" "$NETBPF" stats va
assert_fails_with "invalid --xdp-mode" nsx "$A" "$NETBPF" up va --xdp-mode turbo
assert_fails_with "unknown command" "$NETBPF" frobnicate
nothing_left "argument errors"

# Without privileges.
if command -v setpriv >/dev/null; then
	assert_fails_with "needs root" nsx "$A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all "$NETBPF" up va
	nothing_left "unprivileged"
fi

# In a mount namespace of its own the test can hide kernel facilities from netbpf.
# No bpffs:
# In a pid namespace of its own, netbpf has no ancestor with a bpffs to join.
assert_fails_with "no bpffs" nsx "$A" unshare -m -p -f --mount-proc sh -c "umount /sys/fs/bpf && '$NETBPF' up va"
nothing_left "no bpffs"
# A kernel without BTF:
assert_fails_with "kernel has no BTF" nsx "$A" unshare -m sh -c \
	"mount -t tmpfs none /sys/kernel/btf && '$NETBPF' up va"
nothing_left "no BTF"
# A verifier rejection: kernel BTF without the packet header types makes libbpf
# poison the CO-RE relocated instructions, which the verifier then refuses.
btf=$BUILD/tests/foreign.btf
out=$(nsx "$A" unshare -m sh -c "mount --bind '$btf' /sys/kernel/btf/vmlinux && '$NETBPF' up va" 2>&1) &&
	fail "up succeeded against a broken BTF"
assert_contains "$out" "failed to load BPF programs" "verifier rejection"
assert_contains "$out" "  | " "verifier log tail"
nothing_left "verifier rejection"

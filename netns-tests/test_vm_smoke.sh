#!/usr/bin/env bash
# The test environment itself works, on the host and in every `make vmtest` guest:
#
#   ns A                          ns B
#   veth0 10.99.0.1/24  <---->  veth1 10.99.0.2/24
#
# Proves: namespaces and a veth pair carry a ping (the peer's rx counter moves);
# bpffs is mounted at /sys/fs/bpf; a cgroup2 hierarchy takes a child cgroup with
# a process in it; bpftool talks to the kernel. Logs the kernel release.
. "$(dirname "$0")/lib.sh"
need ping bpftool

log "kernel $(uname -r)"
mk_ns A
mk_ns B
veth_pair "$A" veth0 10.99.0.1/24 "$B" veth1 10.99.0.2/24
rx_packets() { nsx "$B" awk '$1 == "veth1:" { print $3 }' /proc/net/dev; }
rx_before=$(rx_packets)
nsx "$A" ping -c 1 -W 5 10.99.0.2 >/dev/null || fail "no ping reply from 10.99.0.2 over the veth pair"
rx_after=$(rx_packets)
assert_ge "$rx_after" $((rx_before + 1)) "veth1 rx_packets after a ping"

assert_eq "$(stat -f -c %T /sys/fs/bpf)" bpf_fs "filesystem at /sys/fs/bpf"

mk_cgroup CG
assert_eq "$(stat -f -c %T "$CG")" cgroup2fs "filesystem of $CG"
sleep 30 >/dev/null 2>&1 &
defer kill_child $!
echo $! >"$CG/cgroup.procs"
assert_eq "$(cat "$CG/cgroup.procs")" "$!" "processes in $CG"

bpftool prog show >/dev/null || fail "bpftool prog show failed"

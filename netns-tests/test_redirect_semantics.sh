#!/usr/bin/env bash
# Connection ends look the same with and without the bypass:
# - halfclose: the client shuts down writing; the server sees EOF exactly after
#   the client's last byte, then sends its whole stream to the half-closed client,
#   which sees EOF exactly after it;
# - rst: after all data, the client aborts (SO_LINGER 0); the server reads every
#   byte, then gets ECONNRESET;
# - both: both directions at once, each side shutting down when done; also with
#   every byte sent by sendfile() ("sendfile").
# Each mode runs plain and redirected (redirect --mode always and auto) with the
# same seed: streamcheck checks the bytes and the ending, and all runs must print
# the same hashes.
#
#   netns ns (lo up), processes in cgroup cg
#   +-------------------------------------------------+
#   |  streamcheck pair x20, 127.0.0.1 and ::1         |
#   +-------------------------------------------------+
. "$(dirname "$0")/lib.sh"

redirect_setup
mk_ns ns

# sc MODE ADDR: prints streamcheck's summary lines, fails the test on its failure.
sc() {
	local out args=(-M "$1")
	[ "$1" != sendfile ] || args=(-M both -F)
	out=$(cg_exec "$cg" "$ns" "$SC" pair -a "$2" -n 20 -b 256K -m 1M -s 7 "${args[@]}" 2>&1) ||
		fail "mode $1 on $2: streamcheck failed: $out"
	grep conns= <<<"$out"
}

declare -A plain
for mode in halfclose rst both sendfile; do
	for addr in 127.0.0.1 ::1; do
		plain[$mode$addr]=$(sc $mode $addr)
	done
done
assert_contains "${plain[rst127.0.0.1]}" "server conns=20 tx_bytes=5242880 rx_bytes=5242880" "rst plain"
assert_contains "${plain[rst127.0.0.1]}" "resets=20" "ECONNRESET seen by every server (plain)"

# Both modes bypass these: streamcheck pair listens on a fresh port each time, a
# service auto mode has not seen.
for rmode in always auto; do
	"$NETBPF" redirect on --cgroup "$cg" --mode $rmode
	for mode in halfclose rst both sendfile; do
		for addr in 127.0.0.1 ::1; do
			before=$(redirect_stat "$cg" bytes_redirected)
			out=$(sc $mode $addr)
			assert_eq "$out" "${plain[$mode$addr]}" "$rmode: $mode on $addr: redirected run differs from plain"
			assert_eq $(($(redirect_stat "$cg" bytes_redirected) - before)) $((2 * 20 * 262144 + 20 * 32)) \
				"$rmode: $mode on $addr: bytes redirected"
			log "$rmode: $mode $addr: same ends and hashes with redirect"
		done
	done
	"$NETBPF" redirect off --cgroup "$cg"
done

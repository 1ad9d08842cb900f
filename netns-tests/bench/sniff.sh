#!/usr/bin/env bash
# Load check of netbpf sniff (a benchmark, not a test): wrk against tiny_httpd for
# BENCH_SECONDS (10) per round, without sniffing, then sniffing with --source all
# (the wire carries the payload: exchanges come from the wire) and with
# --source socket. Prints wrk's request count, the exchanges the sniffer reported
# complete (status known), how many of wrk's it missed, and throughput relative
# to the round without sniffing.
#
#   netns cli                        netns srv
#   +------------------+             +-------------------------------------+
#   | wrk -c16         | c0 ---- s0  | tiny_httpd 10.203.0.2:8080 (64 B)   |
#   | 10.203.0.1       |             | netbpf sniff s0 --json [--source X] |
#   +------------------+             +-------------------------------------+
. "$(dirname "$0")/../lib.sh"
need wrk python3
ensure_tracefs

SECS=${BENCH_SECONDS:-10}
HTTPD=$BUILD/tests/tiny_httpd
[ -x "$HTTPD" ] || fail "$HTTPD not built (make $BUILD/tests/tiny_httpd)"
mk_ns cli
mk_ns srv
veth_pair "$cli" c0 10.203.0.1/24 "$srv" s0 10.203.0.2/24
tmp=$(mktemp -d)
defer rm -rf "$tmp"
ip netns exec "$srv" "$HTTPD" 10.203.0.2 8080 64 &
defer kill_child $!
busywait 10000 eval "nsx '$srv' ss -Htln 'sport = :8080' | grep -q LISTEN" || fail "tiny_httpd did not start"

# wrk_run NAME: prints wrk's completed requests and requests/s.
wrk_run() {
	nsx "$cli" wrk -t1 -c16 -d"${SECS}s" http://10.203.0.2:8080/ >"$tmp/$1.wrk"
	awk '/requests in/ { n = $1 } /^Requests\/sec/ { r = $2 } END { print n, r }' "$tmp/$1.wrk"
}

read -r base_n base_rps <<<"$(wrk_run none)"
printf '%-22s %10s %10s %10s %8s %7s\n' round "wrk reqs" "req/s" reported missed ratio
printf '%-22s %10s %10.0f %10s %8s %7s\n' "no sniffing" "$base_n" "$base_rps" - - 1.00
for src in all socket; do
	sniff_start "$srv" "$tmp/$src.out" s0 --json --source "$src" --port 8080
	read -r n rps <<<"$(wrk_run "$src")"
	sniff_stop
	seen=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["status"]))' "$tmp/$src.out")
	# wrk stops counting at the deadline: the sniffer may see a few more, never fewer.
	printf '%-22s %10s %10.0f %10s %8s %7.2f\n' "sniff --source $src" "$n" "$rps" "$seen" \
		$((n > seen ? n - seen : 0)) "$(awk -v a="$rps" -v b="$base_rps" 'BEGIN { print a / b }')"
	sed 's/^/    /' "$tmp/$src.out.err" | tail -n +2
done

#!/usr/bin/env bash
# Load check of netbpf sniff (a benchmark, not a test): wrk against tiny_httpd for
# BENCH_SECONDS (10) per round, sniffing with --source wire, socket and all, each
# between two rounds without sniffing, the whole BENCH_ROUNDS (3) times. Prints
# wrk's request count, the exchanges the sniffer reported complete (status known),
# how many of wrk's it missed, the packets the kernel dropped, and throughput
# relative to the mean of the rounds without sniffing before and after it (the
# machine is shared: its load drifts); then, per source, the median of those
# ratios against issue 18's targets. us/exch: the sniffer process's CPU time (user
# and system) per exchange reported, steadier than the ratios on a shared machine.
# BENCH_BEFORE=PATH (another netbpf binary, e.g. built from the commit before a change)
# adds, in each round, the same sources sniffed by it: before and after in one run
# (BENCH_BEFORE_TAG names it in the table). Several binaries: BENCH_BEFORE="TAG=PATH
# TAG=PATH ..." (a floor build beside the before build, all in the same rounds).
# BENCH_PLACEMENT: unpinned (default), server (wrk on CPU 0, tiny_httpd and the sniffer
# on CPU 1) or client (wrk and the sniffer on CPU 0, tiny_httpd on CPU 1). Three busy
# processes share 2 vCPUs: where the sniffer runs changes what it costs.
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
PLACEMENT=${BENCH_PLACEMENT:-unpinned}
case $PLACEMENT in
unpinned) pin_wrk=() pin_srv=() sniff_cpu= ;;
server) pin_wrk=(taskset -c 0) pin_srv=(taskset -c 1) sniff_cpu=1 ;;
client) pin_wrk=(taskset -c 0) pin_srv=(taskset -c 1) sniff_cpu=0 ;;
*) fail "BENCH_PLACEMENT: unpinned, server or client, not '$PLACEMENT'" ;;
esac
HTTPD=$BUILD/tests/tiny_httpd
[ -x "$HTTPD" ] || fail "$HTTPD not built (make $BUILD/tests/tiny_httpd)"
mk_ns cli
mk_ns srv
veth_pair "$cli" c0 10.203.0.1/24 "$srv" s0 10.203.0.2/24
# The sniffer's output (~200 MB of JSON per 4 s round) goes to a tmpfs and is removed once
# counted: on a disk, the writeback of earlier rounds' files ran during later rounds and
# took CPU from all three processes.
tmp=$(mktemp -d -p "$(if [ -w /dev/shm ]; then echo /dev/shm; else echo /tmp; fi)")
defer rm -rf "$tmp"
ip netns exec "$srv" "${pin_srv[@]}" "$HTTPD" 10.203.0.2 8080 64 &
defer kill_child $!
busywait 10000 eval "nsx '$srv' ss -Htln 'sport = :8080' | grep -q LISTEN" || fail "tiny_httpd did not start"

# wrk_run NAME: prints wrk's completed requests and requests/s.
wrk_run() {
	nsx "$cli" "${pin_wrk[@]}" wrk -t1 -c16 -d"${SECS}s" http://10.203.0.2:8080/ >"$tmp/$1.wrk"
	awk '/requests in/ { n = $1 } /^Requests\/sec/ { r = $2 } END { print n, r }' "$tmp/$1.wrk"
}

# ratio A B: A / B, two decimals
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

ROUNDS=${BENCH_ROUNDS:-3}
echo "netbpf sniff load check: wrk -t1 -c16 ${SECS}s per round, $ROUNDS rounds, placement $PLACEMENT;" \
	"load average $(cut -d' ' -f1-3 /proc/loadavg) at start"
printf '%-30s %10s %10s %10s %8s %8s %7s %8s\n' round "wrk reqs" "req/s" reported missed dropped ratio \
	"us/exch"
read -r base_n base_rps <<<"$(wrk_run none)"
printf '%-30s %10s %10.0f %10s %8s %8s %7s\n' "no sniffing" "$base_n" "$base_rps" - - - 1.00
declare -A got missed dropped others
for b in ${BENCH_BEFORE:-}; do
	case $b in
	*=*) others[${b%%=*}]=${b#*=} ;;
	*) others[${BENCH_BEFORE_TAG:-before}]=$b ;;
	esac
done
# shellcheck disable=SC2207 # tags are words
tags=($(printf '%s\n' "${!others[@]}" | sort))
for t in "${tags[@]}"; do [ -x "${others[$t]}" ] || fail "BENCH_BEFORE: ${others[$t]} is not executable"; done
runs=()
for src in ${BENCH_SOURCES:-wire socket all}; do
	for t in "${tags[@]}"; do runs+=("$src:$t"); done
	runs+=("$src:")
done
for r in $(seq "$ROUNDS"); do
for run in "${runs[@]}"; do
	src=${run%:*} tag=${run#*:}
	out=$tmp/$src.$tag.$r.out
	NETBPF=$([ -n "$tag" ] && echo "${others[$tag]}" || echo "$NETBPF") \
		sniff_start "$srv" "$out" s0 --json --source "$src" --port 8080
	[ -z "$sniff_cpu" ] || taskset -pc "$sniff_cpu" "$SNIFF_PID" >/dev/null
	read -r n rps <<<"$(wrk_run "$src")"
	# The sniffer's own CPU (user + system, clock ticks) while wrk ran.
	ticks=$(awk '{ print $14 + $15 }' "/proc/$SNIFF_PID/stat")
	sniff_stop
	src=$src${tag:+ ($tag)}
	read -r next_n next_rps <<<"$(wrk_run none)"
	ref=$(awk -v a="$base_rps" -v b="$next_rps" 'BEGIN { print (a + b) / 2 }')
	seen=$(python3 -c 'import json,sys; print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["status"]))' "$out")
	rm -f "$out"
	drop=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    if l.startswith("{") and "summary" in l:
        w = json.loads(l)["summary"]["wire"]
        print(w["dropped"] if w else 0)' "$out.err")
	# wrk stops counting at the deadline: the sniffer may see a few more, never fewer.
	miss=$((n > seen ? n - seen : 0))
	ratio=$(ratio "$rps" "$ref")
	got[$src]="${got[$src]:-} $ratio"
	missed[$src]=$((${missed[$src]:-0} + miss))
	dropped[$src]=$((${dropped[$src]:-0} + drop))
	cpu=$(awk -v t="$ticks" -v hz="$(getconf CLK_TCK)" -v n="$seen" \
		'BEGIN { printf "%.1f", n ? t / hz * 1e6 / n : 0 }')
	printf '%-30s %10s %10.0f %10s %8s %8s %7s %8s\n' "sniff --source $src" "$n" "$rps" "$seen" \
		"$miss" "$drop" "$ratio" "$cpu"
	printf '%-30s %10s %10.0f %10s %8s %8s %7s\n' "no sniffing" "$next_n" "$next_rps" - - - 1.00
	if [ "${VERBOSE:-0}" = 1 ]; then sed 's/^/    /' "$out.err" | grep -v '^    {' | tail -n +2; fi
	base_rps=$next_rps
done
done
echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at end"
# summary SOURCE TARGET: the median of SOURCE's ratios, against TARGET (or -).
summary() {
	local src=$1 want=$2 med
	[ -n "${got[$src]:-}" ] || return 0
	med=$(tr ' ' '\n' <<<"${got[$src]}" | grep . | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	awk -v g="$med" -v w="$want" -v s="$src" -v all="${got[$src]}" -v m="${missed[$src]}" \
		-v d="${dropped[$src]}" 'BEGIN {
		printf "--source %-15s median %.2fx of unsniffed (rounds:%s)", s, g, all
		if (w != "-") printf ", target >= %.2fx %s", w, (g >= w ? "met" : "NOT met")
		printf "; %d exchanges missed, %d packets dropped by the kernel\n", m, d }'
}
for t in wire:0.90 socket:0.80 all:-; do
	src=${t%:*} want=${t#*:}
	for o in "${tags[@]}"; do summary "$src ($o)" -; done
	summary "$src" "$want"
done


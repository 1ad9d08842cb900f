#!/usr/bin/env bash
# netbpf exporter, scraped by a real Prometheus server, agrees with `netbpf stats`.
#
#   ns A: va 10.79.0.1 (netbpf up)  <---- veth ---->  ns B: vb 10.79.0.2
#         lo: netbpf exporter :9437, prometheus :9090 (scrapes every second)
#
# B sends 7 pings; promtool accepts the exposition; Prometheus's HTTP API returns the
# xdp ipv4 packet count that `netbpf stats --json` shows; after `down` the interface's
# series leave /metrics, after `up` they are back (the exporter reads pins per scrape).
# The qemu guests have no Prometheus (promtool and prometheus are 100 MB of Go): there
# the exposition is checked by its sample line alone, and the scrape is left out.
. "$(dirname "$0")/lib.sh"
need curl jq
[ "${NETBPF_GUEST:-0}" = 1 ] || need promtool prometheus

mk_ns A
mk_ns B
veth_pair "$A" va 10.79.0.1/24 "$B" vb 10.79.0.2/24
quiet_veth "$A" va 10.79.0.2 "$(mac_of "$B" vb)"
quiet_veth "$B" vb 10.79.0.1 "$(mac_of "$A" va)"
nsx "$A" "$NETBPF" -q up va
defer nsx "$A" "$NETBPF" -q down va

tmp=$(mktemp -d)
defer rm -rf "$tmp"
# nsenter execs netbpf, so $! is the exporter itself (nsx would add a subshell).
nsenter --net="/run/netns/$A" "$NETBPF" exporter --listen 127.0.0.1:9437 2>"$tmp/exporter.err" &
exporter=$!
defer kill_child "$exporter"
metrics() { nsx "$A" curl -sf http://127.0.0.1:9437/metrics; }
busywait 5000 metrics || fail "exporter not serving: $(cat "$tmp/exporter.err")"

nsx "$B" ping -c 7 -i 0.1 -q 10.79.0.1 >/dev/null || fail "ping failed"
want=$(nsx "$A" "$NETBPF" stats va --json | jq '.hooks.xdp.l3.ipv4.packets')
assert_eq "$want" 7 "xdp ipv4 packets by netbpf stats"

metrics >"$tmp/metrics"
if command -v promtool >/dev/null; then
	promtool check metrics <"$tmp/metrics" || fail "promtool rejects the exposition"
fi
grep -q '^netbpf_packets_total{iface="va",netns="[0-9]*",hook="xdp",class="ipv4"} 7$' "$tmp/metrics" ||
	fail "no xdp ipv4 sample of 7 in: $(grep ipv4 "$tmp/metrics")"
# The exporter shows every namespace's installs: ours is va in this netns (another suite
# running on the machine may have a va of its own).
ours="iface=\"va\",netns=\"$(sed -n 's/^netbpf_packets_total{iface="va",netns="\([0-9]*\)",hook="xdp",class="ipv4"} 7$/\1/p' "$tmp/metrics")\""

if command -v prometheus >/dev/null; then
	cat >"$tmp/prometheus.yml" <<-YML
	global: { scrape_interval: 1s, evaluation_interval: 1s }
	scrape_configs:
	  - job_name: netbpf
	    static_configs: [ { targets: ['127.0.0.1:9437'] } ]
	YML
	nsenter --net="/run/netns/$A" prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/data" \
		--web.listen-address=127.0.0.1:9090 >"$tmp/prometheus.log" 2>&1 &
	prom=$!
	defer kill_child "$prom"
	query() {
		nsx "$A" curl -sf --get http://127.0.0.1:9090/api/v1/query \
			--data-urlencode "query=netbpf_packets_total{$ours,hook=\"xdp\",class=\"ipv4\"}" |
			jq -r '.data.result[0].value[1] // empty'
	}
	scraped() { [ "$(query)" = "$want" ]; }
	busywait 30000 scraped || fail "Prometheus query returned '$(query)', want $want; log: $(tail -n 5 "$tmp/prometheus.log")"
fi

nsx "$A" "$NETBPF" -q down va
# The page first, then grep: `metrics | grep -q` under pipefail fails when grep's early
# exit cuts curl's output (SIGPIPE), and a failed scrape is not "gone".
gone() { local m; m=$(metrics) && ! grep -qF "$ours" <<<"$m"; }
busywait 5000 gone || fail "va still exported after down"
nsx "$A" "$NETBPF" -q up va
back() { grep -qF "netbpf_packets_total{$ours,hook=\"xdp\",class=\"ipv4\"} 0" <<<"$(metrics)"; }
busywait 5000 back || fail "va not exported again after up"

kill -TERM "$exporter"
wait "$exporter" || fail "exporter exited $? on SIGTERM"

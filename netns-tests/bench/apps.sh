#!/usr/bin/env bash
# Real applications over the localhost bypass (a benchmark, not a test): redis-server with
# redis-benchmark, nginx with wrk (keep-alive and `Connection: close`) and curl downloads,
# PostgreSQL with pgbench (TPC-B and select-only). Plain TCP and the bypass in alternating
# rounds of one run, per CPU placement; every result checked identical across all rounds.
#
#   cgroup <cgroup2>/nbt-<sfx>-plain    cgroup <cgroup2>/nbt-<sfx>-bypass (netbpf redirect on)
#        |                                   |
#   netns nbt-<sfx>-apps: lo 127.0.0.1 only; per round and mode, in that mode's cgroup:
#     server (pinned to the placement's server CPU) <-- TCP --> client (client CPU)
#     redis-server :6379 <- redis-benchmark, redis-cli
#     nginx :8080, :8081 <- wrk (keep-alive :8080, Connection: close :8081), curl :8080
#     postgres :5433     <- pgbench, psql (and psql over its unix socket: the witness)
#
# Checks, every round and mode (any difference makes the run exit 1):
#   redis: DEBUG DIGEST of the data set redis-benchmark leaves (-n requests, fixed keys) and
#          the sha256 of a 4 MiB value read back with GET equal everywhere;
#   nginx: sha256 of a 50 MiB file downloaded with curl equals the file's; wrk saw no errors
#          and no non-2xx responses;
#   pgbench: TPC-B with a fixed seed and transaction count adds the same sum(abalance) in
#          every round, and sum(abalance) = sum(tbalance) = sum(bbalance) = sum(delta);
#          COPY of pgbench_accounts over TCP equals the same COPY over the unix socket;
#   and after every bypassed round, the bypass is still attached and has moved bytes
#   (`redirect status`): a bypass turned off from outside would make it plain TCP.
# Options: --rounds N (3) --placement LIST (same,cross) --apps LIST (redis,nginx,pgbench)
#          --duration S (3; wrk and select-only) --mode LIST (bypass modes: `redirect on
#          --mode M` each; default one, `bypass`, with redirect on's defaults; `control`
#          attaches nothing: plain TCP against plain TCP, how far apart two rounds of the
#          same thing are here).
# Every process it starts is killed by pid at the end, also on Ctrl-C; its cgroups too.
. "$(dirname "$0")/../lib.sh"

ROUNDS=3 PLACEMENTS=same,cross APPS=redis,nginx,pgbench DURATION=3 MODES=
while [ $# -gt 0 ]; do
	case $1 in
	--rounds) ROUNDS=$2 ;;
	--placement) PLACEMENTS=$2 ;;
	--apps) APPS=$2 ;;
	--duration) DURATION=$2 ;;
	--mode) MODES=$2 ;;
	*) echo "usage: $0 [--rounds N] [--placement same,cross,unpinned] [--apps redis,nginx,pgbench]" \
		"[--duration S] [--mode LIST]" >&2; exit 2 ;;
	esac
	shift 2
done
[[ $ROUNDS =~ ^[1-9][0-9]?$ && $DURATION =~ ^[1-9][0-9]?$ ]] || { echo "bad --rounds/--duration" >&2; exit 2; }
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
PATH=$PATH:$PGBIN
for t in redis-server redis-benchmark redis-cli nginx wrk curl postgres initdb pg_isready pgbench psql \
	setpriv taskset; do
	command -v "$t" >/dev/null || { echo "netbpf: failed to find $t: run 'make bench-apps'" >&2; exit 1; }
done

# --- where it runs ------------------------------------------------------------------------
mk_ns ns
tmp=$(mktemp -d /tmp/netbpf-apps.XXXXXX)
defer rm -rf "$tmp"
chmod 755 "$tmp"
# cg_kill DIR: what is left in our cgroup is ours: kill it and wait until it is gone (or the
# cgroup cannot be removed); cgroup files have no size, so read them
cg_kill() {
	echo 1 >"$1/cgroup.kill"
	busywait 5000 eval "[ -z \"\$(cat '$1/cgroup.procs')\" ]"
}
IFS=, read -ra bypass_modes <<<"${MODES:-bypass}"
mode_names=(plain "${bypass_modes[@]}")
declare -A cg
for i in "${!mode_names[@]}"; do
	m=${mode_names[i]}
	[[ $m =~ ^[a-z0-9_-]+$ && ! -v cg[$m] ]] || { echo "bad --mode entry '$m'" >&2; exit 2; }
	mk_cgroup "cgdir$i"
	var=cgdir$i
	cg[$m]=${!var}
	defer cg_kill "'${cg[$m]}'"
	[ "$i" -gt 0 ] && [ "$m" != control ] || continue
	defer "$NETBPF" redirect off --cgroup "${cg[$m]}"
	"$NETBPF" redirect on --cgroup "${cg[$m]}" ${MODES:+--mode "$m"} >/dev/null ||
		fail "'netbpf redirect on --cgroup ${cg[$m]}${MODES:+ --mode $m}' failed"
done

# run MODE CPU CMD...: CMD in the mode's cgroup, the bench's netns, pinned to CPU (-1: not).
run() {
	local pin=(taskset -c "$2")
	[ "$2" -ge 0 ] || pin=()
	bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "${cg[$1]}" \
		"${pin[@]}" nsenter --net="/run/netns/$ns" "${@:3}"
}

listening() { nsx "$ns" ss -Htln "sport = :$1" | grep -q LISTEN; }

# Daemons: `start NAME PORT MODE CPU CMD...` (the pid is the daemon's own: every wrapper
# execs), stopped by pid with `stop NAME [SIGNAL]` each round, which waits until the port is
# free; those still running when the bench ends early are killed by the deferred stop_all.
declare -A daemon port
start() {
	local name=$1 p=$2 pin=(taskset -c "$4")
	[ "$4" -ge 0 ] || pin=()
	! listening "$p" || fail "port $p is taken before $name starts"
	bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec "$@"' _ "${cg[$3]}" \
		"${pin[@]}" nsenter --net="/run/netns/$ns" "${@:5}" >"$tmp/$name.log" 2>&1 &
	daemon[$name]=$!
	port[$name]=$p
	busywait 20000 listening "$p" || { cat "$tmp/$name.log"; fail "$name did not start"; }
}
stop() {
	local pid=${daemon[$1]}
	kill "-${2:-TERM}" "$pid" 2>/dev/null || true
	# the daemon takes its own children with it (nginx's worker, postgres' backends)
	busywait 10000 eval "! kill -0 $pid" || kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	busywait 10000 eval "! listening ${port[$1]}" || fail "$1 still listens on port ${port[$1]}"
	unset "daemon[$1]"
}
stop_all() {
	local name
	for name in "${!daemon[@]}"; do stop "$name" INT; done
}
defer stop_all

# --- what each round records ---------------------------------------------------------------
# $tmp/results: "app metric placement mode round value" (value: higher is better)
# $tmp/checks:  "what placement mode round value" (value must be equal in every row of what)
record() { echo "$*" >>"$tmp/results"; }
check() { echo "$*" >>"$tmp/checks"; }
num() { [[ $1 =~ ^[0-9]+(\.[0-9]+)?$ ]] || { echo "netbpf: failed to measure $2: got '$1'" >&2; exit 1; }; }

head -c $((3 << 20)) /dev/urandom | base64 -w0 >"$tmp/blob"   # 4 MiB, printable for redis-cli
mkdir -p "$tmp/www" "$tmp/nginx"
head -c 1024 /dev/urandom >"$tmp/www/1k.bin"
head -c $((50 << 20)) /dev/urandom >"$tmp/www/50m.bin"
chmod -R a+rX "$tmp/www"
# the sources: what every round must read back
check redis-blob-sha256 source - - "$(sha256sum <"$tmp/blob" | cut -c1-64)"
check nginx-50m-sha256 source - - "$(sha256sum <"$tmp/www/50m.bin" | cut -c1-64)"

redis_round() { # placement mode round cpu_client cpu_server
	local pl=$1 m=$2 r=$3 cc=$4 cs=$5 out
	start redis 6379 "$m" "$cs" redis-server --port 6379 --bind 127.0.0.1 --save '' --appendonly no \
		--dir "$tmp" --enable-debug-command local
	# fixed keys (no -r) and a fixed request count: the data set left behind is the same
	run "$m" "$cc" redis-benchmark -h 127.0.0.1 -p 6379 -q --csv -c 16 -n 20000 -d 64 \
		-t set,get,lpush,lrange_100 >"$tmp/rb.csv"
	run "$m" "$cc" redis-benchmark -h 127.0.0.1 -p 6379 -q --csv -c 16 -n 400000 -P 16 \
		-t get >"$tmp/rbp.csv"
	while IFS=, read -r test rps _; do
		test=${test//\"/} rps=${rps//\"/}
		[ "$test" != test ] || continue
		num "$rps" "redis $test"
		record redis "$test" "$pl" "$m" "$r" "$rps"
	done < <(sed 's/ (first 100 elements)//; s/LPUSH (needed to benchmark LRANGE)/LPUSH_PREFILL/' \
		"$tmp/rb.csv")
	out=$(tail -1 "$tmp/rbp.csv" | cut -d, -f2 | tr -d '"')
	num "$out" "redis pipelined GET"
	record redis "GET-P16" "$pl" "$m" "$r" "$out"
	run "$m" "$cc" redis-cli -h 127.0.0.1 -p 6379 -x SET blob <"$tmp/blob" >/dev/null
	check redis-blob-sha256 "$pl" "$m" "$r" \
		"$(run "$m" "$cc" redis-cli -h 127.0.0.1 -p 6379 --raw GET blob | head -c -1 | sha256sum | cut -c1-64)"
	check redis-digest "$pl" "$m" "$r" "$(run "$m" "$cc" redis-cli -h 127.0.0.1 -p 6379 DEBUG DIGEST)"
	stop redis
}

nginx_conf() {
	cat >"$tmp/nginx/nginx.conf" <<-EOF
	daemon off;
	master_process on;
	worker_processes 1;
	pid $tmp/nginx/nginx.pid;
	error_log $tmp/nginx/error.log;
	events { worker_connections 1024; }
	http {
	    access_log off;
	    sendfile on;
	    keepalive_requests 10000000;
	    client_body_temp_path $tmp/nginx/body;
	    proxy_temp_path $tmp/nginx/proxy;
	    fastcgi_temp_path $tmp/nginx/fastcgi;
	    uwsgi_temp_path $tmp/nginx/uwsgi;
	    scgi_temp_path $tmp/nginx/scgi;
	    # Two ports, two services for --mode auto: short connections vote for TCP, long
	    # ones for the bypass, and one port would carry each run's votes into the other.
	    server { listen 127.0.0.1:8080; listen 127.0.0.1:8081; root $tmp/www; }
	}
	EOF
}

wrk_run() { # mode cpu metric-name placement round [header [port]]
	local m=$1 cc=$2 name=$3 pl=$4 r=$5 rps
	run "$m" "$cc" wrk -t1 -c16 -d"${DURATION}s" ${6:+-H "$6"} "http://127.0.0.1:${7:-8080}/1k.bin" \
		>"$tmp/wrk.out"
	if grep -Eq "Non-2xx|Socket errors: connect [1-9]|read [1-9]|timeout [1-9]" "$tmp/wrk.out"; then
		cat "$tmp/wrk.out" >&2
		check "$name-errors" "$pl" "$m" "$r" "FAIL: errors"
	else
		check "$name-errors" "$pl" "$m" "$r" "none"
	fi
	rps=$(awk '/^Requests\/sec/ { print $2 }' "$tmp/wrk.out")
	num "$rps" "wrk $name"
	record nginx "$name" "$pl" "$m" "$r" "$rps"
}

nginx_round() {
	local pl=$1 m=$2 r=$3 cc=$4 cs=$5 bps sum=0
	start nginx 8080 "$m" "$cs" nginx -c "$tmp/nginx/nginx.conf" -e "$tmp/nginx/error.log"
	wrk_run "$m" "$cc" wrk-keepalive "$pl" "$r"
	wrk_run "$m" "$cc" wrk-close "$pl" "$r" "Connection: close" 8081
	for i in 1 2 3; do
		bps=$(run "$m" "$cc" curl -sf -o /dev/null -w '%{speed_download}' http://127.0.0.1:8080/50m.bin)
		num "$bps" "curl download"
		sum=$(awk -v a="$sum" -v b="$bps" 'BEGIN { print a + b / 3 / 1e6 }')
	done
	record nginx "download-50MiB-MB/s" "$pl" "$m" "$r" "$sum"
	check nginx-50m-sha256 "$pl" "$m" "$r" \
		"$(run "$m" "$cc" curl -sf http://127.0.0.1:8080/50m.bin | sha256sum | cut -c1-64)"
	stop nginx
}

PGPORT=5433
psql_tcp() { run "$1" "$2" psql -h 127.0.0.1 -p $PGPORT -U postgres -X -A -t -q "${@:3}" bench; }
pg_start() { # mode cpu
	start postgres $PGPORT "$1" "$2" setpriv --reuid=postgres --regid=postgres --init-groups \
		postgres -D "$tmp/pg" -p $PGPORT -c listen_addresses=127.0.0.1 -k "$tmp/pgsock" \
		-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50
	busywait 20000 run "$1" "$2" pg_isready -q -h 127.0.0.1 -p $PGPORT ||
		{ cat "$tmp/postgres.log"; fail "postgres did not accept connections"; }
}
pg_setup() {
	mkdir -p "$tmp/pg" "$tmp/pgsock"
	chown postgres: "$tmp/pg" "$tmp/pgsock"
	setpriv --reuid=postgres --regid=postgres --init-groups initdb -D "$tmp/pg" -A trust -U postgres \
		>"$tmp/initdb.log" 2>&1 || { cat "$tmp/initdb.log"; fail "initdb failed"; }
	pg_start plain -1
	run plain -1 createdb -h 127.0.0.1 -p $PGPORT -U postgres bench
	run plain -1 pgbench -h 127.0.0.1 -p $PGPORT -U postgres -i -s 2 -q bench >"$tmp/pginit.log" 2>&1 ||
		{ cat "$tmp/pginit.log"; fail "pgbench -i failed"; }
	stop postgres INT
}

pg_sums() { # mode cpu: "accounts tellers branches history"
	psql_tcp "$1" "$2" -F ' ' -c "select (select sum(abalance) from pgbench_accounts),
		(select sum(tbalance) from pgbench_tellers), (select sum(bbalance) from pgbench_branches),
		(select coalesce(sum(delta), 0) from pgbench_history)"
}

pgbench_tps() { # mode cpu args...: tps without the connection time
	run "$1" "$2" pgbench -h 127.0.0.1 -p $PGPORT -U postgres -c 4 -j 1 -n "${@:3}" bench \
		>"$tmp/pgbench.out" 2>&1 || { cat "$tmp/pgbench.out"; fail "pgbench failed"; }
	awk '/^tps = / { print $3 }' "$tmp/pgbench.out"
}

pgbench_round() {
	local pl=$1 m=$2 r=$3 cc=$4 cs=$5 before after tps a t b h tcp unix
	pg_start "$m" "$cs"
	before=$(pg_sums "$m" "$cc")
	# a fixed seed and transaction count: the same deltas in every round
	tps=$(pgbench_tps "$m" "$cc" -t 500 --random-seed 7)
	num "$tps" "pgbench TPC-B"
	record pgbench TPC-B "$pl" "$m" "$r" "$tps"
	after=$(pg_sums "$m" "$cc")
	read -r a t b h <<<"$after"
	if [ "$a" = "$t" ] && [ "$t" = "$b" ] && [ "$b" = "$h" ]; then
		check pgbench-sums-agree "$pl" "$m" "$r" yes
	else
		check pgbench-sums-agree "$pl" "$m" "$r" "FAIL: $after"
	fi
	check pgbench-tpcb-sum-abalance-delta "$pl" "$m" "$r" "$((a - ${before%% *}))"
	tps=$(pgbench_tps "$m" "$cc" -S -T "$DURATION")
	num "$tps" "pgbench select-only"
	record pgbench select-only "$pl" "$m" "$r" "$tps"
	# the unix socket is never bypassed: the witness for what TCP delivered
	tcp=$(psql_tcp "$m" "$cc" -c 'copy pgbench_accounts to stdout' | sha256sum | cut -c1-64)
	unix=$(run "$m" "$cc" psql -h "$tmp/pgsock" -p $PGPORT -U postgres -X -q \
		-c 'copy pgbench_accounts to stdout' bench | sha256sum | cut -c1-64)
	check pgbench-accounts-copy-tcp-vs-unix "$pl" "$m" "$r" "$([ "$tcp" = "$unix" ] && echo same || echo "FAIL: $tcp $unix")"
	stop postgres INT
}

# redirected MODE: bytes the mode's bypass has moved so far, -1 when it is not attached.
redirected() {
	"$NETBPF" redirect status --cgroup "${cg[$1]}" --json | /usr/bin/python3 -c '
import json, sys
r = json.load(sys.stdin)["redirect"]
print(r[0]["bytes_redirected"] if r and r[0].get("attached") else -1)'
}

# After a bypassed round: the bypass was still attached and moved bytes (a bypass turned
# off from outside would make the round plain TCP under the bypass' name). Modes that may
# keep connections on TCP (--mode other than always) only need to be attached.
bypass_check() { # app placement mode round bytes-before
	local after
	after=$(redirected "$3")
	if [ "$5" -lt 0 ] || [ "$after" -lt 0 ]; then
		check "$1-bypass-attached" "$2" "$3" "$4" "FAIL: not attached"
	elif [ -z "$MODES" ] || [ "$3" = always ]; then
		check "$1-bypass-moved-bytes" "$2" "$3" "$4" "$([ "$after" -gt "$5" ] && echo yes ||
			echo "FAIL: nothing redirected")"
	else
		check "$1-bypass-attached" "$2" "$3" "$4" yes
	fi
}

# --- the run -------------------------------------------------------------------------------
IFS=, read -ra apps <<<"$APPS"
IFS=, read -ra placements <<<"$PLACEMENTS"
for a in "${apps[@]}"; do
	case $a in redis | nginx | pgbench) ;; *) echo "bad --apps entry '$a'" >&2; exit 2 ;; esac
done
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')
nginx_conf
[[ " ${apps[*]} " != *" pgbench "* ]] || pg_setup
for app in "${apps[@]}"; do
	for pl in "${placements[@]}"; do
		case $pl in
		same) cc=0 cs=0 ;;
		cross) cc=0 cs=1 ;;
		unpinned) cc=-1 cs=-1 ;;
		*) echo "bad --placement entry '$pl'" >&2; exit 2 ;;
		esac
		for ((r = 1; r <= ROUNDS; r++)); do
			# every mode once per round, back to back; the first one alternates
			order=("${mode_names[@]}")
			((r % 2)) || order=($(printf '%s\n' "${mode_names[@]}" | tac))
			for m in "${order[@]}"; do
				echo "bench-apps: $app $pl round $r/$ROUNDS $m" >&2
				[[ $m = @(plain|control) ]] || before=$(redirected "$m")
				"${app}_round" "$pl" "$m" "$r" "$cc" "$cs"
				[[ $m = @(plain|control) ]] || bypass_check "$app" "$pl" "$m" "$r" "$before"
			done
		done
	done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the report ----------------------------------------------------------------------------
/usr/bin/python3 - "$tmp/results" "$tmp/checks" "${mode_names[*]}" "$load_start" "$load_end" \
	"$started" "$ROUNDS" "$DURATION" <<'PY'
import collections, os, statistics, sys
res, chk, modes, l0, l1, when, rounds, dur = sys.argv[1:]
modes = modes.split()
u = os.uname()
print(f"netbpf bench-apps: Linux {u.release} {u.machine}, {os.cpu_count()} CPUs, {when}")
print(f"load average {l0} at start, {l1} at end (other work shares the machine)")
print(f"{rounds} rounds per placement; in each round every mode runs once, back to back, each "
      f"with freshly started servers; wrk and select-only {dur} s")
print("gain = mode vs plain TCP (> 1: better), median of the per-round ratios (min-max over rounds)")
v = collections.defaultdict(dict)
order = []
for line in open(res):
    app, metric, pl, m, r, x = line.split()
    if (pl, app, metric) not in order:
        order.append((pl, app, metric))
    v[(pl, app, metric)][(m, r)] = float(x)
def human(x):
    return f"{x/1e3:.1f}k" if x >= 1e4 else f"{x:.1f}"
descs = {"same": "client and server on CPU 0", "cross": "client on CPU 0, server on CPU 1",
         "unpinned": "not pinned"}
for pl in dict.fromkeys(k[0] for k in order):
    print(f"\nplacement {pl}: {descs[pl]}")
    print(f"{'app':8} {'metric':22} {'plain':>9}" +
          "".join(f" | {m:>9} {'gain (min-max)':20}" for m in modes[1:]))
    for key in (k for k in order if k[0] == pl):
        _, app, metric = key
        d = v[key]
        rs = sorted({r for (_, r) in d})
        med = lambda m: statistics.median([d[(m, r)] for r in rs if (m, r) in d])
        row = f"{app:8} {metric:22} {human(med('plain')):>9}"
        for m in modes[1:]:
            g = [d[(m, r)] / d[("plain", r)] for r in rs if (m, r) in d and d.get(("plain", r))]
            row += f" | {human(med(m)):>9} {statistics.median(g):.2f}x ({min(g):.2f}-{max(g):.2f})    "
        print(row.rstrip())
bad = 0
groups = collections.defaultdict(list)
ran = set()
for line in open(chk):
    what, pl, m, r, val = line.split(maxsplit=4)
    groups[what].append(val.strip())
    if pl != "source":
        ran.add(what)
print()
for what, vals in sorted(groups.items()):
    if what not in ran:  # only the source: that app did not run
        continue
    ok = len(set(vals)) == 1 and not vals[0].startswith("FAIL")
    bad += not ok
    shown = f" ({vals[0][:16]})" if ok and len(vals[0]) > 12 else ""
    print(f"check {what}: " + (f"identical in all {len(vals)}{shown}" if ok else
                               "DIFFERS: " + ", ".join(sorted(set(vals)))))
sys.exit(1 if bad else 0)
PY

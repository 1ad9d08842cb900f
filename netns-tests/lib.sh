# Shared helpers for netns-tests. Sourced by every test_*.sh.
# A test exits 0 (pass), 1 (fail) or 77 (skip, after printing the reason).
set -euo pipefail

TESTS_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$TESTS_DIR/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
NETBPF=${NETBPF:-$BUILD/netbpf}
TEST_NAME=$(basename "$0" .sh)
# Short random suffix: names stay unique when tests (or developers) run side by side.
SUFFIX=${SUFFIX:-$(printf '%04x%02x' $RANDOM $((RANDOM % 256)))}

# --- cleanup stack: register teardown right next to each setup step ---------
_DEFERRED=()
defer() { _DEFERRED+=("$*"); }
_run_deferred() {
	local rc=$? i
	set +e
	for ((i = ${#_DEFERRED[@]} - 1; i >= 0; i--)); do
		eval "${_DEFERRED[i]}" >/dev/null 2>&1
	done
	exit $rc
}
trap _run_deferred EXIT
trap 'exit 130' INT TERM

# --- verdicts -----------------------------------------------------------------
log()  { echo "  [$TEST_NAME] $*"; }
fail() { echo "  FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP $TEST_NAME: $*"; exit 77; }

assert_eq() { # actual expected what
	[ "$1" = "$2" ] || fail "$3: expected '$2', got '$1'"
}
assert_ge() { # actual min what
	[ "$1" -ge "$2" ] || fail "$3: expected >= $2, got $1"
}
assert_contains() { # haystack needle what
	case $1 in *"$2"*) ;; *) fail "$3: '$2' not in: $1" ;; esac
}
# Run a command that must fail; its stderr must mention $1.
assert_fails_with() { # needle cmd...
	local needle=$1 out rc=0; shift
	out=$("$@" 2>&1) || rc=$?
	[ $rc -ne 0 ] || fail "'$*' succeeded, expected failure"
	assert_contains "$out" "$needle" "error of '$*'"
}

need() { # cmd... : skip unless every command exists
	local c
	for c in "$@"; do command -v "$c" >/dev/null 2>&1 || skip "needs '$c'"; done
}

# Poll instead of sleeping: busywait TIMEOUT_MS cmd... succeeds once cmd does.
busywait() {
	local deadline=$(($(date +%s%N) / 1000000 + $1)); shift
	until "$@" >/dev/null 2>&1; do
		[ $(($(date +%s%N) / 1000000)) -lt $deadline ] || return 1
		sleep 0.05
	done
}

# --- kernel filesystems -------------------------------------------------------
ensure_bpffs() {
	mountpoint -q /sys/fs/bpf || mount -t bpf bpf /sys/fs/bpf
}
ensure_tracefs() {
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
}

# --- namespaces and links -------------------------------------------------------
# mk_ns VAR: creates namespace "nbt-<test>-<suffix>-VAR", stores its name in VAR.
mk_ns() {
	local name="nbt-${SUFFIX}-$1"
	ip netns add "$name"
	defer ip netns del "$name"
	ip -n "$name" link set lo up
	printf -v "$1" '%s' "$name"
}
# veth_pair NS_A IF_A ADDR_A NS_B IF_B ADDR_B (addresses in CIDR form, or "-")
veth_pair() {
	ip link add "tmp$SUFFIX" netns "$1" type veth peer name "tmq$SUFFIX" netns "$4"
	ip -n "$1" link set "tmp$SUFFIX" name "$2"
	ip -n "$4" link set "tmq$SUFFIX" name "$5"
	[ "$3" = - ] || ip -n "$1" addr add "$3" dev "$2"
	[ "$6" = - ] || ip -n "$4" addr add "$6" dev "$5"
	ip -n "$1" link set "$2" up
	ip -n "$4" link set "$5" up
}
# Runs a command in namespace NS. Not `ip netns exec`: that remounts /sys in a new
# mount namespace, hiding the bpffs at /sys/fs/bpf where netbpf pins its objects.
nsx() { nsenter --net="/run/netns/$1" "${@:2}"; }

# mk_cgroup VAR: a child cgroup v2 directory of our own, removed at exit.
mk_cgroup() {
	local root
	root=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
	[ -n "$root" ] || skip "no cgroup2 mount"
	local dir="$root/nbt-${SUFFIX}-$1"
	mkdir "$dir"
	defer "cat '$dir/cgroup.procs' 2>/dev/null | while read -r p; do echo \$p > '$root/cgroup.procs'; done; rmdir '$dir'"
	printf -v "$1" '%s' "$dir"
}

# The netbpf pin directory for IFACE inside namespace NS.
pin_dir() { # ns iface
	echo "/sys/fs/bpf/netbpf/$(stat -L -c %i "/run/netns/$1")_$2"
}

ensure_bpffs
[ -x "$NETBPF" ] || fail "netbpf binary not found at $NETBPF (run make)"

# need_trampoline: skip unless the kernel loads fentry programs (this dev host's
# kernel refuses BPF trampolines; Debian's kernels under `make vmtest` accept them).
need_trampoline() {
	local out rc=0
	out=$("$BUILD/tests/probe_fentry" 2>&1) || rc=$?
	[ $rc -ne 77 ] || skip "$out"
	[ $rc -eq 0 ] || fail "fentry probe: $out"
}

# --- netbpf datapath helpers ------------------------------------------------------
# nb_stat NS IFACE HOOK CLASS [bytes]: a counter from `netbpf stats` (0 when absent).
nb_stat() {
	local col=3
	[ "${5:-packets}" = bytes ] && col=4
	nsx "$1" "$NETBPF" stats "$2" | awk -v h="$3" -v c="$4" -v col=$col \
		'$1 == h && $2 == c { v = $col } END { print v + 0 }'
}
# quiet_veth NS IFACE PEER_IP PEER_MAC: no IPv6 (no NDP/MLD chatter) and a permanent
# neighbour entry (no ARP), so every packet on the link is one the test sent.
quiet_veth() {
	nsx "$1" sysctl -qw "net.ipv6.conf.$2.disable_ipv6=1"
	nsx "$1" ip neigh replace "$3" lladdr "$4" dev "$2" nud permanent
}
mac_of() { # NS IFACE
	nsx "$1" cat "/sys/class/net/$2/address" 2>/dev/null || ip -n "$1" link show "$2" | awk '/link\/ether/ { print $2 }'
}
# ids of the programs netbpf pinned for IFACE in NS (xdp, tc ingress, tc egress)
nb_prog_ids() { # the id is the column before the 16-digit tag
	nsx "$1" "$NETBPF" status "$2" |
		awk '{ for (i = 2; i <= NF; i++) if (length($i) == 16 && $i ~ /^[0-9a-f]+$/) print $(i - 1) }'
}

# --- tools/ tracers -----------------------------------------------------------------
# tool_start TOOL ARGS...: runs $BUILD/tools/TOOL in the background (stdout in
# $TOOL_OUT, stderr in $TOOL_ERR, pid in $TOOL_PID) and returns once it says it is
# attached. Skips the test when the kernel lacks the method (no trampolines, no
# kprobes), fails on any other early exit.
tool_start() {
	local deadline=$(($(date +%s) + 20)) reason
	TOOL_OUT=$(mktemp) TOOL_ERR=$(mktemp)
	defer rm -f "$TOOL_OUT" "$TOOL_ERR"
	"$BUILD/tools/$1" "${@:2}" >"$TOOL_OUT" 2>"$TOOL_ERR" &
	TOOL_PID=$!
	defer kill "$TOOL_PID"
	until grep -q 'tracing via' "$TOOL_ERR"; do
		if ! kill -0 "$TOOL_PID" 2>/dev/null; then
			reason=$(grep -oE 'kernel refuses BPF trampolines|kernel has no kprobes' "$TOOL_ERR" | head -n1)
			[ -z "$reason" ] || skip "$* needs what this kernel lacks: $reason"
			fail "$1 exited before attaching: $(cat "$TOOL_ERR")"
		fi
		[ "$(date +%s)" -lt $deadline ] || fail "$1 did not attach within 20 s: $(cat "$TOOL_ERR")"
		sleep 0.05
	done
}
# tool_wait: waits (10 s at most) for the tool to end by itself (--count, --duration,
# or after tool_stop's SIGINT); it must exit 0.
tool_wait() {
	local rc=0
	busywait 10000 eval "! kill -0 $TOOL_PID" || fail "tool $TOOL_PID still running after 10 s"
	wait "$TOOL_PID" || rc=$?
	[ $rc -eq 0 ] || fail "tool exited with $rc: $(cat "$TOOL_ERR")"
}
# tool_stop: Ctrl-C, then tool_wait.
tool_stop() {
	kill -INT "$TOOL_PID" 2>/dev/null || true
	tool_wait
}

# --- localhost TCP bypass (netbpf redirect) -------------------------------------
# cg_exec CGROUP NS cmd...: runs cmd in network namespace NS as a member of CGROUP.
cg_exec() {
	bash -c 'echo $$ > "$1/cgroup.procs" && shift && exec ip netns exec "$@"' _ "$@"
}
# redirect_stat CGROUP FIELD: one number of 'netbpf redirect status --cgroup CGROUP --json'.
redirect_stat() {
	"$NETBPF" redirect status --cgroup "$1" --json | sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p"
}

# --- HTTP sniffing (netbpf sniff) ---------------------------------------------------
# sniff_start NS OUT ARGS...: runs 'netbpf sniff ARGS' in NS in the background
# (stdout in OUT, stderr in OUT.err, pid in SNIFF_PID); returns once it is capturing.
sniff_start() {
	local ns=$1 out=$2; shift 2
	# Not through nsx: $! must be netbpf itself, not a subshell running a function.
	ip netns exec "$ns" "$NETBPF" sniff "$@" >"$out" 2>"$out.err" &
	SNIFF_PID=$!
	defer kill "$SNIFF_PID"
	busywait 20000 grep -q '^sniffing' "$out.err" ||
		fail "netbpf sniff did not start: $(cat "$out.err")"
}
# sniff_wait: the sniffer must end by itself (--count, --duration, or after
# sniff_stop's SIGINT) within 10 s, with exit status 0.
sniff_wait() {
	local rc=0
	# A child that exited stays a zombie (kill -0 succeeds) until waited for.
	busywait 10000 eval "! grep -q '^State:[[:space:]]*[^Z[:space:]]' /proc/$SNIFF_PID/status" ||
		fail "netbpf sniff still running after 10 s"
	wait "$SNIFF_PID" || rc=$?
	[ $rc -eq 0 ] || fail "netbpf sniff exited with $rc"
}
# sniff_stop: Ctrl-C; the sniffer flushes and exits 0.
sniff_stop() {
	kill -INT "$SNIFF_PID" 2>/dev/null || true
	sniff_wait
}
# http_server NS ADDR PORT DIR: python3 -m http.server in NS, returns once it listens.
http_server() {
	ip netns exec "$1" python3 -m http.server "$3" --bind "$2" --directory "$4" >/dev/null 2>&1 &
	defer kill $!
	busywait 10000 eval "nsx '$1' ss -Htln 'sport = :$3' | grep -q LISTEN" ||
		fail "http.server on $2:$3 did not start"
}

# --- netbpf trace helpers ---------------------------------------------------------
# trace_topology NET: namespaces $A and $B joined by va (NET.1/24) and vb (NET.2/24),
# quiet (no IPv6, static ARP: every packet is one the test sent), netbpf up on va,
# and a scratch directory $TMP. NET is a /24 prefix such as 10.78.0.
trace_topology() {
	mk_ns A
	mk_ns B
	veth_pair "$A" va "$1.1/24" "$B" vb "$1.2/24"
	quiet_veth "$A" va "$1.2" "$(mac_of "$B" vb)"
	quiet_veth "$B" vb "$1.1" "$(mac_of "$A" va)"
	nsx "$A" "$NETBPF" -q up va
	defer nsx "$A" "$NETBPF" down va
	TMP=$(mktemp -d)
	defer rm -rf "$TMP"
}
# trace_start NS OUT ARGS...: `netbpf trace ARGS` in namespace NS, in the background
# (stdout to OUT, stderr to OUT.err), returning once it printed its ready line.
trace_start() {
	local ns=$1 out=$2; shift 2
	# nsenter execs netbpf: $! is netbpf itself, which trace_stop signals.
	nsenter --net="/run/netns/$ns" "$NETBPF" trace "$@" >"$out" 2>"$out.err" &
	TRACE_PID=$! TRACE_OUT=$out
	defer "kill $TRACE_PID"
	busywait 60000 _trace_settled "$out" || true
	_trace_ready "$out" || fail "trace did not become ready: $(cat "$out.err")"
}
_trace_ready() { grep -Eq '^\{"ready":|, ready;' "$1"; }
_trace_settled() { _trace_ready "$1" || ! kill -0 "$TRACE_PID"; }
# trace_fn LINE HOOK FUNC EXPR: jq EXPR on function FUNC of hook HOOK in a JSON report line.
trace_fn() {
	jq -r --arg h "$2" --arg f "$3" ".functions[] | select(.hook == \$h and .func == \$f) | $4" <<<"$1"
}
# trace_stop: Ctrl-C for the trace of trace_start; it must exit 0 (final report printed).
trace_stop() {
	local rc=0
	kill -INT "$TRACE_PID"
	wait "$TRACE_PID" || rc=$?
	[ $rc -eq 0 ] || fail "trace exited with $rc: $(cat "$TRACE_OUT.err" 2>/dev/null)"
}
# redirect_setup: for netbpf redirect tests: SC (the streamcheck binary), tmp (a
# scratch directory) and cg (a child cgroup whose bypass is turned off at exit).
redirect_setup() {
	SC=$BUILD/tests/streamcheck
	[ -x "$SC" ] || fail "streamcheck not built ($SC)"
	tmp=$(mktemp -d)
	defer rm -rf "$tmp"
	mk_cgroup cg
	defer "$NETBPF" redirect off --cgroup "$cg"
}
# sc_transfer OUT SRV_CG SRV_NS SRV_ADDR CLI_CG CLI_NS CLI_ADDR PORT N BYTES [client args]:
# N streamcheck connections with BYTES each way (output in OUT.server, OUT.client);
# fails unless both ends got every byte intact and agree on the stream hashes.
sc_transfer() {
	local out=$1 scg=$2 sns=$3 saddr=$4 ccg=$5 cns=$6 caddr=$7 port=$8 n=$9 bytes=${10} pid
	shift 10
	rm -f "$out.server" "$out.client" # an old 'listening' line must not be taken for this one
	cg_exec "$scg" "$sns" "$SC" server -a "$saddr" -p "$port" -n "$n" >"$out.server" 2>&1 &
	pid=$!
	defer kill "$pid"
	busywait 5000 grep -q '^listening' "$out.server" ||
		fail "streamcheck server did not start: $(cat "$out.server")"
	cg_exec "$ccg" "$cns" "$SC" client -a "$caddr" -p "$port" -n "$n" -b "$bytes" "$@" \
		>"$out.client" 2>&1 || fail "streamcheck client to $caddr: $(cat "$out.client")"
	wait "$pid" || fail "streamcheck server on $saddr: $(cat "$out.server")"
	assert_eq "$(cat "$out.server" "$out.client" |
		grep -c "conns=$n tx_bytes=$((n * bytes)) rx_bytes=$((n * bytes))")" 2 \
		"bytes between $caddr and $saddr"
	assert_eq "$(_sc_hash rx "$out.server")" "$(_sc_hash tx "$out.client")" "client->server hash"
	assert_eq "$(_sc_hash tx "$out.server")" "$(_sc_hash rx "$out.client")" "server->client hash"
}
_sc_hash() { sed -n "s/.* $1_hash=\([0-9a-f]*\).*/\1/p" "$2"; }
# dev_counter NS IFACE FIELD: rx_bytes, rx_packets, tx_bytes or tx_packets of IFACE in
# NS. /proc/net/dev follows the reader's namespace (sysfs would need a remount).
dev_counter() {
	local col
	case $3 in
	rx_bytes) col=2 ;; rx_packets) col=3 ;; tx_bytes) col=10 ;; tx_packets) col=11 ;;
	*) fail "dev_counter: unknown field $3" ;;
	esac
	nsx "$1" awk -v dev="$2" -v col="$col" '{ sub(/:/, " ") } $1 == dev { print $col }' /proc/net/dev
}
# With nothing but bash and nc (the minimal guest has no python3 or curl):
# nc_http_once NS ADDR PORT: a server for one exchange: reads a request head,
# answers $NC_HTTP_RESPONSE. Returns once it listens; NC_PID is its pid.
NC_HTTP_RESPONSE=$'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'
nc_http_once() {
	local dir
	dir=$(mktemp -d)
	defer rm -rf "$dir"
	mkfifo "$dir/fifo"
	cat >"$dir/answer.sh" <<'EOS'
while IFS= read -r line; do [ "$line" = $'\r' ] && break; done
printf '%s' "$1"
EOS
	ip netns exec "$1" bash -c 'nc -l "$3" "$4" <"$1" | bash "$2" "$5" >"$1"' _ \
		"$dir/fifo" "$dir/answer.sh" "$2" "$3" "$NC_HTTP_RESPONSE" &
	NC_PID=$!
	defer kill $NC_PID
	busywait 10000 eval "nsx '$1' ss -Htln 'sport = :$3' | grep -q LISTEN" ||
		fail "nc did not listen on $2:$3"
}
# bash_http_get NS ADDR PORT PATH: one GET over bash's /dev/tcp; prints the response.
bash_http_get() {
	nsx "$1" bash -c 'exec 3<>"/dev/tcp/$1/$2"
		printf "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n" "$3" "$1" >&3
		head -c "$4" <&3' _ "$2" "$3" "$4" ${#NC_HTTP_RESPONSE}
}

# --- whole installs or nothing (locking, interrupted `up`) ---------------------------
# nb_net_ids NS IFACE: ids of the programs bpftool net lists on IFACE (XDP, tc, TCX), sorted.
nb_net_ids() {
	nsx "$1" bpftool net show dev "$2" | grep -oE ' id [0-9]+' | awk '{ print $2 }' | sort -n | xargs
}
# nb_none NS IFACE: nothing of netbpf on IFACE: no XDP (ip), no tc filter or clsact
# qdisc (tc), no program (bpftool net) and no pins.
nb_none() {
	! ip -n "$1" link show "$2" | grep -q ' xdp' &&
		[ -z "$(tc -n "$1" filter show dev "$2" ingress)$(tc -n "$1" filter show dev "$2" egress)" ] &&
		! tc -n "$1" qdisc show dev "$2" | grep -q clsact &&
		[ -z "$(nb_net_ids "$1" "$2")" ] &&
		[ ! -e "$(pin_dir "$1" "$2")" ]
}
# nb_complete NS IFACE: one whole install: every pin, and exactly the three programs
# status names attached (bpftool net), XDP among them (ip link). For `up --tc clsact`:
# Debian 12's bpftool does not list TCX links.
nb_complete() {
	local dir p ids
	dir=$(pin_dir "$1" "$2")
	for p in netbpf_state netbpf_stats netbpf_deny xdp_link tc_ingress tc_egress; do
		[ -e "$dir/$p" ] || return 1
	done
	ids=$(nb_prog_ids "$1" "$2" | sort -n | xargs)
	[ "$(echo $ids | wc -w)" = 3 ] && [ "$ids" = "$(nb_net_ids "$1" "$2")" ] &&
		ip -n "$1" -d link show "$2" | grep -q "prog/xdp id $(nb_prog_ids "$1" "$2" | head -n1) "
}

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
# dev_stat NS IFACE rx_packets|rx_bytes|tx_packets|tx_bytes: the kernel's own count.
dev_stat() {
	local col
	case $3 in rx_bytes) col=2 ;; rx_packets) col=3 ;; tx_bytes) col=10 ;; tx_packets) col=11 ;; esac
	nsx "$1" cat /proc/net/dev | tr ':' ' ' | awk -v i="$2" -v c=$col '$1 == i { print $c }'
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
# sniff_stop: Ctrl-C; the sniffer must flush and exit 0 within 10 s.
sniff_stop() {
	local rc=0
	kill -INT "$SNIFF_PID" 2>/dev/null || true
	# A child that exited stays a zombie (kill -0 succeeds) until waited for.
	busywait 10000 eval "! grep -q '^State:[[:space:]]*[^Z[:space:]]' /proc/$SNIFF_PID/status" ||
		fail "netbpf sniff still running 10 s after SIGINT"
	wait "$SNIFF_PID" || rc=$?
	[ $rc -eq 0 ] || fail "netbpf sniff exited with $rc"
}
# http_server NS ADDR PORT DIR: python3 -m http.server in NS, returns once it listens.
http_server() {
	ip netns exec "$1" python3 -m http.server "$3" --bind "$2" --directory "$4" >/dev/null 2>&1 &
	defer kill $!
	busywait 10000 eval "nsx '$1' ss -Htln 'sport = :$3' | grep -q LISTEN" ||
		fail "http.server on $2:$3 did not start"
}

# --- netbpf trace helpers ---------------------------------------------------------
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
# trace_stop: Ctrl-C for the trace of trace_start; it must exit 0 (final report printed).
trace_stop() {
	local rc=0
	kill -INT "$TRACE_PID"
	wait "$TRACE_PID" || rc=$?
	[ $rc -eq 0 ] || fail "trace exited with $rc: $(cat "$TRACE_OUT.err" 2>/dev/null)"
}
# sc_server OUT CGROUP NS streamcheck-server-args...: starts a streamcheck server in
# the background (output in OUT, pid in SC_PID) and returns once it listens.
sc_server() {
	local out=$1 cg=$2 ns=$3; shift 3
	cg_exec "$cg" "$ns" "$BUILD/tests/streamcheck" server "$@" >"$out" 2>&1 &
	SC_PID=$!
	defer kill "$SC_PID"
	busywait 5000 grep -q '^listening' "$out" || fail "streamcheck server did not start: $(cat "$out")"
}

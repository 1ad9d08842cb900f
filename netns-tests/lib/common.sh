# netns-tests: cleanup, verdicts, polling, namespaces, cgroups, pins (sourced by lib.sh)
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

# kill_child [-SIG] PID...: signals each PID that is still a child of this test, and
# its descendants (`func &` runs func in a subshell whose commands are its children:
# signalling the subshell alone would leave them running). A child that ended was
# reaped by bash, and its pid is free: with pid_max 32768 and other suites running on
# the machine, a plain `kill PID` at exit can hit someone else's process.
kill_child() {
	local sig=-TERM p
	case ${1:-} in -*) sig=$1; shift ;; esac
	for p in "$@"; do
		[ "$(_ppid "$p")" = $$ ] || continue
		# It may end meanwhile: not an error (nor, under set -e, the test's end).
		# shellcheck disable=SC2046 # one pid a word
		kill "$sig" "$p" $(_descendants "$p") 2>/dev/null || true
	done
}
_ppid() { # the parent pid of $1, empty when there is no such process
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	s=${s##*) } # after the comm, which may hold spaces and parentheses
	set -- $s
	echo "$2"
}
# running_child PID: PID is a child of this test that has not ended (an ended
# child is a zombie until bash reaps it, and after that its pid may be anyone's).
running_child() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	set -- $s
	[ "$2" = $$ ] && [ "$1" != Z ]
}
_descendants() {
	local c
	for c in $(pgrep -P "$1"); do echo "$c"; _descendants "$c"; done
}

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

assert_exit() { # rc needle cmd... : exits with rc, and stdout+stderr contain needle
	local want=$1 needle=$2 out rc=0; shift 2
	out=$("$@" 2>&1) || rc=$?
	[ "$rc" -eq "$want" ] || fail "'$*' exited $rc, expected $want: $out"
	assert_contains "$out" "$needle" "output of '$*'"
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
ensure_securityfs() { # /sys/kernel/security/lsm: the active LSMs
	mountpoint -q /sys/kernel/security || mount -t securityfs securityfs /sys/kernel/security
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

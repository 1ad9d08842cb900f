#!/usr/bin/env bash
# matrix.sh TARGET...: runs netns-tests on each target, `host` (this kernel) or a
# Debian kernel version (6.1, 6.12) booted under qemu from $VMTEST_DIR/kernel-VER
# (prepared by `make vmtest`). Prints each test's PASS/FAIL/SKIP line and a
# summary per target prefixed with "[TARGET]", and ends with one line
# "N passed, N failed, N skipped" over all targets. Exit status 1 if anything
# failed; a guest that panics, hangs or cannot set up counts as one failure and
# shows its console's tail.
# Environment: BUILD, TESTS (names, default all), VMTEST_DIR, VMTEST_TIMEOUT
# (seconds per guest), FAIL_INJECT, VERBOSE, TEST_TIMEOUT (passed to the guest).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root"
BUILD=${BUILD:-build}
build=$(realpath -m "$BUILD")
vmdir=$(realpath -m "${VMTEST_DIR:-$build/vmtest}")
read -ra tests <<<"${TESTS:-}"
summary_re='^([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped$'

total_pass=0 total_fail=0 total_skip=0

# Result lines of run.sh (and the guest's own notes) prefixed with the target;
# the guest's kernel messages and run.sh's summary line are left out.
show() { # target
	sed -uEn "/$summary_re/d; /^(PASS|FAIL|SKIP) |^    \\| |^vmtest: /s/^/[$1] /p"
}

run_host() { # log
	BUILD=$build "$root/netns-tests/run.sh" "${tests[@]}" 2>&1 | tee "$1" | show host
}

guest_env() {
	printf 'export BUILD=%q\n' "/mnt/${build#"$root"/}"
	printf 'TESTS=('
	[ ${#tests[@]} -eq 0 ] || printf '%q ' "${tests[@]}"
	printf ')\n'
	for v in FAIL_INJECT VERBOSE TEST_TIMEOUT; do
		[ -z "${!v+x}" ] || printf 'export %s=%q\n' "$v" "${!v}"
	done
}

# lsm= for the guest: the kernel's built-in default list (CONFIG_LSM, found as a
# string in its image) with bpf added where missing, so BPF LSM programs
# (tools/connguard) attach. Debian's lists have had bpf since 5.x; saying so
# keeps a kernel without it from silently skipping those tests.
guest_lsm() { # vmlinux
	local l
	l=$(strings -n 12 "$1" | grep -m1 -E '^[a-z]+(,[a-z]+){3,}$' | grep -E 'lockdown|yama|landlock') || l=
	case ,$l, in *,bpf,*) echo "$l" ;; ,,) echo bpf ;; *) echo "$l,bpf" ;; esac
}

# qemu's exit status: 1 all passed, 3 a test failed (see init), anything else
# is a crash, a setup failure or (124) the timeout.
run_guest() { # kernel-version log
	local kdir="$vmdir/kernel-$1"
	cat "$vmdir/root.cpio" "$kdir/modules.cpio" >"$vmdir/initrd-$1.cpio"
	# --foreground: qemu stays in the terminal's process group, so ^C reaches it.
	# thread=single: with one host thread per vCPU, a vCPU can run a stale
	# translation of kernel text being live-patched (static keys) and oops on
	# the int3 (seen with 6.12 when a test enabled syscall tracepoints).
	# -m 2G: TCP memory limits scale with RAM; 1G starves the sockmap tests.
	timeout --foreground -k 5 "${VMTEST_TIMEOUT:-1800}" qemu-system-x86_64 \
		-M pc -accel tcg,thread=single -cpu max -smp 2 -m 2G \
		-nographic -no-reboot -nic none \
		-kernel "$kdir/vmlinux" -initrd "$vmdir/initrd-$1.cpio" \
		-append "console=ttyS0 quiet loglevel=2 panic=-1 mitigations=off lsm=$(guest_lsm "$kdir/vmlinux")" \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
		-virtfs "local,path=$root,mount_tag=host,security_model=none" \
		</dev/null 2>&1 | sed -u 's/\r$//' | tee "$2" | show "$1"
	local rc=${PIPESTATUS[0]}
	case $rc in
	1|3) return 0 ;;
	124) echo "[$1] FAIL vmtest: guest timed out after ${VMTEST_TIMEOUT:-1800}s" ;;
	*)   if grep -q 'Kernel panic' "$2"; then
		echo "[$1] FAIL vmtest: guest kernel panicked"
	     else
		echo "[$1] FAIL vmtest: guest ended without a result (qemu exit $rc)"
	     fi ;;
	esac
	tail -n 40 "$2" | sed "s/^/[$1]     | /"
	return 1
}

if [ "$*" != host ]; then
	case $build/ in "$root"/*) ;; *)
		echo "vmtest: BUILD ($build) must be inside $root: the guest sees only that tree" >&2
		exit 1 ;;
	esac
	mkdir -p "$vmdir"
	guest_env >"$vmdir/guest.env"
	"$here/mkroot.sh" "$build" "$vmdir/guest.env" "$vmdir/root.cpio" || exit 1
fi

for t in "$@"; do
	log="$vmdir/console-$t.log"
	[ "$t" = host ] && log=$(mktemp)
	start=$(date +%s)
	ok=1
	if [ "$t" = host ]; then run_host "$log"; else run_guest "$t" "$log" || ok=0; fi
	# Counted from the result lines, so a guest that dies halfway still
	# reports the tests it finished.
	p=$(grep -c '^PASS ' "$log") f=$(grep -c '^FAIL ' "$log") s=$(grep -c '^SKIP ' "$log")
	if [ $ok = 1 ] && ! grep -qE "$summary_re" "$log"; then
		echo "[$t] FAIL vmtest: the test run ended without its summary line"
		ok=0
	fi
	[ $ok = 1 ] || f=$((f + 1))
	[ "$t" = host ] && rm -f "$log"
	echo "[$t] $p passed, $f failed, $s skipped ($(($(date +%s) - start))s)"
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
done
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
[ $total_fail -eq 0 ]

#!/usr/bin/env bash
# Runs netns-tests/test_*.sh (or the names given), one process each, and prints
# PASS/FAIL/SKIP per test and a closing "N passed, N failed, N skipped" line.
# Exit status is non-zero when any test failed. With NETBPF_GUEST=1 (set by the
# vmtest guest's init) a test skipped for want of trampolines or kprobes fails.
set -u
dir=$(cd "$(dirname "$0")" && pwd)
timeout_s=${TEST_TIMEOUT:-300}
export BUILD=${BUILD:-$dir/../build}

tests=()
if [ $# -gt 0 ]; then
	for t in "$@"; do tests+=("$dir/${t%.sh}.sh"); done
else
	tests=("$dir"/test_*.sh)
fi
# FAIL_INJECT=1 adds a test that always fails: proves that a failure surfaces.
[ "${FAIL_INJECT:-0}" = 1 ] && tests+=("$dir/inject_failure.sh")

pass=0 failn=0 skipn=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	out=$(mktemp)
	start=$(date +%s)
	timeout --foreground -k 10 "$timeout_s" bash "$t" >"$out" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	case $rc in
	0)  pass=$((pass + 1)); echo "PASS $name (${secs}s)" ;;
	77) reason=$(grep -m1 '^SKIP' "$out" || echo "SKIP $name")
	    # The qemu guests exist to run what this host refuses: there such a skip fails.
	    if [ "${NETBPF_GUEST:-0}" = 1 ] && grep -qiE 'trampoline|kprobe' <<<"$reason"; then
		failn=$((failn + 1)); echo "FAIL $name (a guest kernel must run it: ${reason#SKIP $name: })"
	    else
		skipn=$((skipn + 1)); echo "$reason"
	    fi ;;
	*)  failn=$((failn + 1)); echo "FAIL $name (rc=$rc, ${secs}s)"; sed 's/^/    | /' "$out" ;;
	esac
	[ "${VERBOSE:-0}" = 1 ] && { [ $rc -eq 0 ] || [ $rc -eq 77 ]; } && sed 's/^/    | /' "$out"
	rm -f "$out"
done
echo "$pass passed, $failn failed, $skipn skipped"
[ $failn -eq 0 ]

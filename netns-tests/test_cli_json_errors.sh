#!/usr/bin/env bash
# With --json, every command's stdout is valid JSON (jq) or empty, on success and on
# every error path; the error itself is one line on stderr and the exit status is
# non-zero.
#
#   ns A: va <-- veth --> ns B: vb;  cgroup cg
. "$(dirname "$0")/lib.sh"
need nsenter jq

mk_ns A
mk_ns B
veth_pair "$A" va 10.93.0.1/24 "$B" vb -
mk_cgroup cg
defer "$NETBPF" redirect off --cgroup "$cg"
defer nsx "$A" "$NETBPF" down va
tmp=$(mktemp -d)
defer rm -rf "$tmp"

# json_fails CMD...: non-zero exit, stdout empty or JSON, one line on stderr
json_fails() {
	local rc=0
	nsx "$A" "$NETBPF" --json "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?
	[ $rc -ne 0 ] || fail "'$*' succeeded"
	[ ! -s "$tmp/out" ] || jq -e . "$tmp/out" >/dev/null || fail "'$*' printed invalid JSON: $(cat "$tmp/out")"
	assert_eq "$(wc -l <"$tmp/err")" 1 "stderr lines of '$*': $(cat "$tmp/err")"
}
# json_ok CMD...: zero exit, stdout empty or JSON
json_ok() {
	nsx "$A" "$NETBPF" --json "$@" >"$tmp/out" 2>"$tmp/err" || fail "'$*' failed: $(cat "$tmp/err")"
	[ ! -s "$tmp/out" ] || jq -e . "$tmp/out" >/dev/null || fail "'$*' printed invalid JSON: $(cat "$tmp/out")"
}

json_fails redirect status --cgroup /nonexistent
json_ok redirect status --cgroup 123456789
json_fails redirect off --cgroup "$cg"
json_fails redirect on --cgroup /nonexistent
json_fails status va
json_fails status nope0
json_fails stats va
json_fails deny list va
json_fails deny add va 10.0.0.0/8
json_fails down va
json_fails up nope0
json_ok clean
json_ok redirect status --cgroup "$cg"

json_ok up va
json_ok status
json_ok status va
json_ok stats va
json_ok deny list va
json_fails deny add va not-a-cidr
json_ok deny add va 10.0.0.0/8
json_fails deny add va 10.0.0.0/8
json_fails up va --xdp-mode turbo
json_ok redirect on --cgroup "$cg"
json_fails redirect on --cgroup "$cg"
json_ok redirect status --cgroup "$cg"
json_ok redirect off --cgroup "$cg"
json_ok down va
json_fails down va

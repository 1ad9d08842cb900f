#!/usr/bin/env bash
# The bypass of a removed cgroup: status says the cgroup is gone ("cgroup": null)
# and reports "attached" as the kernel does (false once it released the cgroup's
# programs: polled), and `redirect off --cgroup ID` removes its pins.
#
#   cgroup cg (no processes, removed during the test)
. "$(dirname "$0")/lib.sh"
need jq

mk_cgroup cg
cgid=$(stat -c %i "$cg")
pins=/sys/fs/bpf/netbpf/redirect/$cgid
defer "$NETBPF" redirect off --cgroup "$cgid"

"$NETBPF" redirect on --cgroup "$cg"
json=$("$NETBPF" redirect status --cgroup "$cgid" --json)
assert_eq "$(jq -r '.redirect[0] | "\(.cgroup) \(.attached)"' <<<"$json")" "$cg true" "status by id"
rmdir "$cg"

detached() {
	"$NETBPF" redirect status --cgroup "$cgid" --json | jq -e --argjson id "$cgid" \
		'.redirect[] | select(.cgroup_id == $id) | .cgroup == null and .attached == false'
}
busywait 10000 detached || fail "status of the removed cgroup: $("$NETBPF" redirect status --cgroup "$cgid" --json)"
assert_contains "$("$NETBPF" redirect status --cgroup "$cgid" 2>&1)" "detached: the cgroup is gone" "text status"
assert_fails_with "named by its id" "$NETBPF" redirect off --cgroup "$cg"
"$NETBPF" redirect off --cgroup "$cgid"
[ ! -e "$pins" ] || fail "off by id left $pins"
assert_fails_with "not on for cgroup $cgid" "$NETBPF" redirect off --cgroup "$cgid"

#!/usr/bin/env bash
# writesnoop sees exactly the writes of one process, paired entry/exit.
#
#   actor --wait write 3 10 write 3 4096 write 99 7      (fd 3 -> a temp file, fd 99 closed)
#      ^ blocked on stdin until writesnoop -p <actor> is attached
#      syscalls/sys_enter_write + sys_exit_write -> writesnoop
#
# Proves: three events, in order, with fd/requested/written 3/10/10, 3/4096/4096 and
# 99/7/EBADF; the file really got 4106 bytes (witness: stat); the same through the
# perf buffer (--perf-buffer) and as JSON lines; --count ends the tool with status 0.
. "$(dirname "$0")/lib.sh"
ensure_tracefs

tmp=$(mktemp -d)
defer rm -rf "$tmp"

run_actor() { # writesnoop options...
	mkfifo "$tmp/go"
	"$BUILD/tools/testbin/actor" --wait write 3 10 write 3 4096 write 99 7 <"$tmp/go" 3>"$tmp/file" &
	local actor=$!
	exec 5>"$tmp/go" # opening the fifo unblocks the actor's open; it now waits in read()
	tool_start writesnoop -p "$actor" -c 3 "$@"
	echo go >&5
	exec 5>&-
	wait "$actor"
	tool_wait
	rm -f "$tmp/go"
	ACTOR=$actor
}

run_actor
assert_eq "$(stat -c %s "$tmp/file")" 4106 "bytes in the written file"
got=$(awk -v p="$ACTOR" '$2 == p { print $5, $6, $7 }' "$TOOL_OUT")
assert_eq "$got" "$(printf '3 10 10\n3 4096 4096\n99 7 EBADF')" "writes seen (fd requested written)"
assert_eq "$(awk 'NR > 1' "$TOOL_OUT" | wc -l)" 3 "events in total"

run_actor --perf-buffer --json
assert_contains "$(cat "$TOOL_ERR")" "perf buffer" "ready line"
got=$(grep -o '"fd":[-0-9]*,"requested":[0-9]*,"written":[0-9]*,"error":[^,]*' "$TOOL_OUT")
assert_eq "$got" "$(printf '%s\n' '"fd":3,"requested":10,"written":10,"error":null' \
	'"fd":3,"requested":4096,"written":4096,"error":null' '"fd":99,"requested":7,"written":0,"error":"EBADF"')" \
	"JSON events through the perf buffer"
assert_eq "$(grep -c "\"pid\":$ACTOR," "$TOOL_OUT")" 3 "JSON events of the actor"

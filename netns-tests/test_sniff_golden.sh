#!/usr/bin/env bash
# The HTTP parser (loader/http/ alone, under ASan/UBSan) against a golden table of
# 370 byte streams: requests and responses, keep-alive, pipelining, chunked with
# extensions and trailers, 1xx, HEAD/204/304, HTTP/1.0, CONNECT and 101, folded
# headers, CL+TE, bad chunk sizes, long lines, binary junk, and conversations cut
# after every byte. Each stream is parsed as segmented and one byte per feed; the
# exchanges reported (method, target, host, status, head and body sizes, flags)
# must be exactly those of netns-tests/golden/http.golden, whose framing comes
# from llhttp (gen.js). Where node is installed, gen.js is run again and must
# reproduce the committed table.
#
#   (no network: $BUILD/golden/http_golden netns-tests/golden/http.golden)
. "$(dirname "$0")/lib.sh"

golden=$BUILD/golden/http_golden
table=$TESTS_DIR/golden/http.golden
[ -x "$golden" ] || fail "$golden not built (make $golden)"
out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$golden" "$table" 2>&1) || fail "golden table: $(echo "$out" | head -n 40)"
streams=$(grep -c '^stream ' "$table")
assert_ge "$streams" 150 "streams in the table"
assert_eq "$(echo "$out" | tail -n 1 | sed 's/.* runs, //')" "0 failed" "golden runs"
log "$(echo "$out" | tail -n 1)"

# The generator again, where the same llhttp is at hand (the first line names it).
want=$(head -n 1 "$table" | sed -n 's/.*from llhttp \([0-9.]*\) .*/\1/p')
if command -v node >/dev/null && [ "$(node -p process.versions.llhttp)" = "$want" ]; then
	node "$TESTS_DIR/golden/gen.js" | tail -n +2 | diff -u <(tail -n +2 "$table") - >"$BUILD/golden/gen.diff" ||
		fail "gen.js disagrees with the committed table: $(head -n 20 "$BUILD/golden/gen.diff")"
	log "gen.js with llhttp $want reproduces the table"
fi

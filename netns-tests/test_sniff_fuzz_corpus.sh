#!/usr/bin/env bash
# The HTTP parser's fuzz corpus (netns-tests/fuzz/corpus) replayed under
# AddressSanitizer and UndefinedBehaviorSanitizer: no crash, leak, undefined
# behaviour, memory over the parser's bound, or difference between parsing each
# record whole and byte by byte (checked by the target, netns-tests/fuzz/http_fuzz.c).
#
#   (no network: $BUILD/fuzz/http_replay netns-tests/fuzz/corpus)
. "$(dirname "$0")/lib.sh"

replay=$BUILD/fuzz/http_replay
[ -x "$replay" ] || fail "$replay not built (make $BUILD/fuzz/http_replay)"
corpus=$TESTS_DIR/fuzz/corpus
out=$(ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	"$replay" "$corpus" 2>&1) || fail "replay failed: $out"
assert_eq "$out" "replayed $(ls "$corpus" | wc -l) inputs" "replay output"

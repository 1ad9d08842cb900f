#!/usr/bin/env bash
# The tools' command lines: help with examples, and bad input refused with one clear
# message and a non-zero status (no traffic, no namespace).
#
#   tools/{tcpconnect,tcpstates,writesnoop,sockalloc,sslsniff,funclat,tcprtt,connguard} -h | bad args
#
# Proves: every tool's -h exits 0 and shows EXAMPLES; unknown methods, a method a tool
# has no program for, bad numbers, malformed BINARY:FUNC / PROVIDER:NAME, missing
# symbols, probes and libraries, bad addresses and rules, options that exclude each
# other each fail with a message naming the problem; numbers are decimal (--pid
# 010 is 10).
. "$(dirname "$0")/lib.sh"
T=$BUILD/tools
target=$T/testbin/usdt_target

for tool in tcpconnect tcpstates writesnoop sockalloc sslsniff funclat tcprtt connguard; do
	out=$("$T/$tool" -h) || fail "$tool -h failed"
	assert_contains "$out" "EXAMPLES:" "$tool -h"
done
assert_fails_with "unknown method 'foo'" "$T/tcpconnect" -m foo
assert_fails_with "tracepoint unavailable: this tool has no program for it" "$T/sockalloc" -m tracepoint
assert_fails_with "invalid pid '0'" "$T/writesnoop" -p 0
assert_fails_with "invalid port '70000'" "$T/tcpstates" -P 70000
assert_fails_with "longer than a kernel comm" "$T/writesnoop" -C a-very-long-command-name
assert_fails_with "is not BINARY:FUNC" "$T/funclat" "$target"
assert_fails_with "--usdt wants PROVIDER:NAME" "$T/funclat" --usdt work_done "$target"
assert_fails_with "no such file or symbol" "$T/funclat" "$target:no_such_function"
assert_fails_with "no such file or probe" "$T/funclat" --usdt netbpf_test:no_such_probe "$target"
assert_fails_with "failed to attach uprobe to /nonexistent/libssl.so.3:SSL_read" "$T/sslsniff" -l /nonexistent/libssl.so.3

# One number parser for netbpf and the tools (common/argval.h): decimal, so a leading
# zero is not octal and 0x is no prefix; a wrong command line exits 2.
out=$("$T/writesnoop" -v -p 010 -d 1 2>&1) || fail "writesnoop -p 010 failed: $out"
assert_contains "$out" "filter: pid 10 comm" "--pid 010 is pid 10"
assert_exit 2 "invalid pid '0x10'" "$T/writesnoop" -p 0x10
assert_exit 2 "unrecognized option '--bogus'" "$T/tcpstates" --bogus

assert_exit 2 "invalid address '10.0.0.0/33'" "$T/tcprtt" -a 10.0.0.0/33
assert_exit 2 "-b and -B exclude each other" "$T/tcprtt" -b -B
assert_exit 2 "--count and --perf-buffer do not apply" "$T/tcprtt" -c 3
assert_exit 2 "no rule: give --deny or --audit" "$T/connguard"
assert_exit 2 "invalid rule '2001:db8::/129'" "$T/connguard" -D 2001:db8::/129
assert_exit 2 "invalid port '0'" "$T/connguard" -D 192.0.2.1,0
assert_exit 2 "is not a cgroup v2 directory" "$T/connguard" -D 192.0.2.1 -g /nonexistent

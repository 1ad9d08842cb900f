#!/usr/bin/env bash
# connguard --fallback-audit with kprobe programs: the same test as
# test_tools_connguard_fallback.sh. Skips where the kernel has no kprobes.
METHOD=kprobe
. "$(dirname "$0")/test_tools_connguard_fallback.sh"

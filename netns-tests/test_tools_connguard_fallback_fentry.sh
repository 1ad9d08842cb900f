#!/usr/bin/env bash
# connguard --fallback-audit with fentry programs: the same test as
# test_tools_connguard_fallback.sh. Skips where the kernel refuses BPF trampolines.
METHOD=fentry
. "$(dirname "$0")/test_tools_connguard_fallback.sh"

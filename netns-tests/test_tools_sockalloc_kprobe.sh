#!/usr/bin/env bash
# sockalloc with kprobes: the same test as test_tools_sockalloc.sh.
# Skips where the kernel has no kprobes.
METHOD=kprobe
. "$(dirname "$0")/test_tools_sockalloc.sh"

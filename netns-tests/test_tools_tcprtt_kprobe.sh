#!/usr/bin/env bash
# tcprtt with kprobe programs: the same test as test_tools_tcprtt.sh.
# Skips where the kernel has no kprobes.
METHOD=kprobe
. "$(dirname "$0")/test_tools_tcprtt.sh"

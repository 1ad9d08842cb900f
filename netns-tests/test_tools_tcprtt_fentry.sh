#!/usr/bin/env bash
# tcprtt with fentry programs: the same test as test_tools_tcprtt.sh.
# Skips where the kernel refuses BPF trampolines.
METHOD=fentry
. "$(dirname "$0")/test_tools_tcprtt.sh"

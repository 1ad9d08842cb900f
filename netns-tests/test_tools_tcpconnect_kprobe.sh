#!/usr/bin/env bash
# tcpconnect with kprobes: the same test as test_tools_tcpconnect.sh.
# Skips where the kernel has no kprobes.
METHOD=kprobe
. "$(dirname "$0")/test_tools_tcpconnect.sh"

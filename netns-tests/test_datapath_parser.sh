#!/usr/bin/env bash
# The parsers on crafted packets (BPF_PROG_TEST_RUN, no interface involved):
# VLAN, QinQ, IPv4 options and fragments, IPv6 extension headers and fragments,
# deny rules failing closed (8 and 9 extension headers, 600-byte destination
# options, tiny first fragment, family in the key, ICMP by family, length fields),
# every truncation, random garbage; each case asserts verdict and counters.
. "$(dirname "$0")/lib.sh"
out=$("$BUILD/tests/parser_test") || { echo "$out" | grep -v '^ok'; fail "parser cases failed"; }
log "$(echo "$out" | tail -n 1)"

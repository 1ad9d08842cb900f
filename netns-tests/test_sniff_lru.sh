#!/usr/bin/env bash
# Evictions from the sniffer's LRU maps are counted, not silent: the wire filter's
# sniff_flows (shrunk to 8 entries, 20 connections' requests by BPF_PROG_TEST_RUN)
# counts what it created and deleted, so that created - deleted - present is what
# was evicted, and FINs of evicted flows are filtered; the socket source's
# sniff_inflight (shrunk to 1 entry) loses a blocked read's entry to another
# thread's write, counts the lost call and reports it as a gap event before the
# next read's data. Witness: the helper's own count of the map's entries and the
# connections it made (netns-tests/helpers/sniff_lru.c).
#
#   netns ns (lo up): sniff_lru wire | socket (client, server and tracer in one process)
. "$(dirname "$0")/lib.sh"
ensure_tracefs

mk_ns ns
for part in wire socket; do
	out=$(nsx "$ns" "$BUILD/tests/sniff_lru" $part 2>&1) || fail "$part: $out"
	log "$out"
done
